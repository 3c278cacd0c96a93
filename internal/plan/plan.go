package plan

import (
	"fmt"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// FormatVersion is the version of the plan JSON format (contract §5).
const FormatVersion = "1.0"

// Kind is the kind of object a change is about.
type Kind string

const (
	KindX509   Kind = "x509_certificate"
	KindPKI    Kind = "pki"
	KindCA     Kind = "certificate_authority"
	KindUpload Kind = "upload"
	// KindStrength is an authentication strength, KindStrengthX509 its
	// x509CertificateCombinationConfiguration.
	KindStrength     Kind = "authentication_strength"
	KindStrengthX509 Kind = "authentication_strength_x509"
)

// Plan is the difference between a configuration and a tenant: the changes
// that make the tenant match, in a stable order.
type Plan struct {
	FormatVersion string       `json:"format_version"`
	Changes       []Change     `json:"changes"`
	Diagnostics   []Diagnostic `json:"diagnostics"`
	// The tenant a saved plan was made for, and the digests of the
	// observed and desired states it was made from; apply of a saved plan
	// refuses another tenant, and a state that no longer matches.
	TenantID       string `json:"tenant_id,omitempty"`
	ObservedDigest string `json:"observed_digest,omitempty"`
	DesiredDigest  string `json:"desired_digest,omitempty"`
}

// Change is one change to one object.
type Change struct {
	Address model.Address `json:"address"`
	Kind    Kind          `json:"kind"`
	Action  Action        `json:"action"`
	// Reason explains the action to people; it never drives apply.
	Reason string `json:"reason,omitempty"`
	Before []Node `json:"before,omitempty"`
	After  []Node `json:"after,omitempty"`

	// What apply needs to carry the change out.
	PKIName  string            `json:"pki_name,omitempty"`  // display name of the PKI container
	PKIID    string            `json:"pki_id,omitempty"`    // its id; empty when this plan creates it
	ObjectID string            `json:"object_id,omitempty"` // the observed object's id (update, replace, delete)
	CA       *model.CA         `json:"ca,omitempty"`        // the desired CA
	Upload   *model.Upload     `json:"upload,omitempty"`    // the bundle to upload
	X509     *model.X509Config `json:"x509,omitempty"`      // the desired configuration
	// X509Before is the observed configuration (x509 changes only).
	X509Before *model.X509Config `json:"x509_before,omitempty"`

	// Authentication strengths: the desired strength (its display name
	// finds a strength this apply creates) and the observed one; for an
	// x509 combination configuration, the desired configuration.
	Strength       *model.AuthStrength `json:"strength,omitempty"`
	StrengthBefore *model.AuthStrength `json:"strength_before,omitempty"`
	StrengthX509   *model.StrengthX509 `json:"strength_x509,omitempty"`

	// User is a user's certificateUserIds change (KindUser).
	User *UserChange `json:"user,omitempty"`
}

// Diagnostic is a finding of planning.
type Diagnostic struct {
	Severity string        `json:"severity"` // "error" or "warning"
	Summary  string        `json:"summary"`
	Detail   string        `json:"detail,omitempty"`
	Address  model.Address `json:"address,omitempty"`
}

// Summary counts a plan's changes the way Terraform does: a replace is one
// to add and one to destroy.
type Summary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

// Summary counts the plan's changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Delete:
			s.Destroy++
		case Replace:
			s.Add++
			s.Destroy++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp {
			return true
		}
	}
	return false
}

// HasErrors reports whether planning found errors; such a plan is not
// applied.
func (p *Plan) HasErrors() bool {
	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			return true
		}
	}
	return false
}

func (p *Plan) warnf(addr model.Address, summary, format string, args ...any) {
	p.Diagnostics = append(p.Diagnostics, Diagnostic{Severity: "warning", Summary: summary, Detail: fmt.Sprintf(format, args...), Address: addr})
}

func (p *Plan) errorf(addr model.Address, summary, format string, args ...any) {
	p.Diagnostics = append(p.Diagnostics, Diagnostic{Severity: "error", Summary: summary, Detail: fmt.Sprintf(format, args...), Address: addr})
}

// Deletions lists the addresses of the objects the plan deletes (including
// replacements).
func (p *Plan) Deletions() []model.Address {
	var out []model.Address
	for _, c := range p.Changes {
		if c.Action == Delete || c.Action == Replace {
			out = append(out, c.Address)
		}
	}
	return out
}
