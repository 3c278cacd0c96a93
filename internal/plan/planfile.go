package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// ErrStale is returned by CheckSaved when the tenant or the configuration
// changed since the plan was made.
var ErrStale = errors.New("saved plan is stale")

// fileMagic marks a saved plan file.
const fileMagic = "cbactl-plan"

type savedPlan struct {
	Magic string `json:"magic"`
	Plan  *Plan  `json:"plan"`
}

// Write saves a plan for a later `apply FILE`. A plan holds certificates,
// ids and configuration values, never a token or a secret.
func Write(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(savedPlan{Magic: fileMagic, Plan: p})
}

// Read loads a saved plan.
func Read(r io.Reader) (*Plan, error) {
	var s savedPlan
	if err := json.NewDecoder(r).Decode(&s); err != nil || s.Magic != fileMagic || s.Plan == nil {
		return nil, fmt.Errorf("not a cbactl plan file")
	}
	if s.Plan.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("the plan file has format %s; this cbactl reads %s", s.Plan.FormatVersion, FormatVersion)
	}
	return s.Plan, nil
}

// ErrTampered is returned by CheckSaved when a saved plan's changes are not
// the changes its configuration and tenant give.
var ErrTampered = errors.New("saved plan does not match")

// ErrOtherTenant is returned by CheckSaved when a saved plan was made for
// another tenant.
var ErrOtherTenant = errors.New("saved plan is for another tenant")

// Seal records the tenant and the digests of the states a plan was made
// from.
func (p *Plan) Seal(desired, observed model.State) {
	p.TenantID = observed.TenantID
	p.DesiredDigest = DesiredDigest(desired)
	p.ObservedDigest = ObservedDigest(observed)
}

// CheckSaved refuses a saved plan made for another tenant, one whose
// configuration or tenant changed, and one whose changes are not exactly
// fresh's: the plan the same configuration and tenant give now. A plan file
// is data anybody with write access to it can edit, so apply never carries
// out its changes: it carries out fresh's, once they are known to be the
// ones the file shows.
func (p *Plan) CheckSaved(desired, observed model.State, fresh *Plan) error {
	if !strings.EqualFold(p.TenantID, observed.TenantID) {
		saved, now := p.TenantID, observed.TenantID
		if saved == "" {
			saved = "no tenant (an older cbactl, or an edited file)"
		} else {
			saved = "tenant " + saved
		}
		if now == "" {
			now = "a tenant without an id"
		} else {
			now = "tenant " + now
		}
		return fmt.Errorf("%w: the plan was made for %s, and this is %s; nothing was changed", ErrOtherTenant, saved, now)
	}
	if p.DesiredDigest != DesiredDigest(desired) {
		return fmt.Errorf("%w: the configuration changed since the plan was made; run plan again", ErrStale)
	}
	if p.ObservedDigest != ObservedDigest(observed) {
		return fmt.Errorf("%w: the tenant changed since the plan was made; run plan again", ErrStale)
	}
	if err := sameChanges(p.Changes, fresh.Changes); err != nil {
		return fmt.Errorf("%w: %w; the file was edited or made by another version of cbactl. Nothing was changed: run plan again", ErrTampered, err)
	}
	return nil
}

// sameChanges compares two change lists in their saved form.
func sameChanges(saved, fresh []Change) error {
	if len(saved) != len(fresh) {
		return fmt.Errorf("the plan file holds %d changes, the configuration and the tenant give %d", len(saved), len(fresh))
	}
	for i := range saved {
		a, errA := json.Marshal(saved[i])
		b, errB := json.Marshal(fresh[i])
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			return fmt.Errorf("the plan file's change to %s is not the one the configuration and the tenant give", saved[i].Address)
		}
	}
	return nil
}

func digest(v any) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(v); err != nil {
		panic(err) // domain types always encode
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DesiredDigest identifies a desired state.
func DesiredDigest(s model.State) string { return digest(s) }

// ObservedDigest identifies what a plan depends on in an observed state, in a
// canonical form: the order in which Graph lists objects does not count, ids
// do.
func ObservedDigest(s model.State) string {
	type ca struct {
		ID, Thumbprint string
		Nodes          []Node
	}
	type pkiView struct {
		ID, DisplayName, Status string
		CAs                     []ca
	}
	var view struct {
		PKIs      []pkiView
		X509      []Node
		Legacy    []string
		Strengths []string `json:",omitempty"`
		Users     string   `json:",omitempty"`
	}
	for _, p := range s.PKIs {
		v := pkiView{ID: p.ID, DisplayName: p.DisplayName, Status: p.Status}
		for _, c := range p.CAs {
			v.CAs = append(v.CAs, ca{ID: c.ID, Thumbprint: c.Thumbprint(), Nodes: caAttrNodes(c)})
		}
		sort.Slice(v.CAs, func(i, j int) bool { return v.CAs[i].ID < v.CAs[j].ID })
		view.PKIs = append(view.PKIs, v)
	}
	sort.Slice(view.PKIs, func(i, j int) bool { return view.PKIs[i].ID < view.PKIs[j].ID })
	if s.X509 != nil {
		view.X509 = X509Nodes(*s.X509, nil)
	}
	for _, l := range s.LegacyCAs {
		view.Legacy = append(view.Legacy, digest(l))
	}
	sort.Strings(view.Legacy)
	view.Strengths = strengthDigests(s.Strengths)
	if len(s.Users) > 0 {
		view.Users = digest(s.Users)
	}
	return digest(view)
}
