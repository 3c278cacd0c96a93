package plan

import (
	"crypto/sha1"
	"crypto/x509"
	"fmt"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Diff compares the desired state with the observed one and returns the plan
// that makes the tenant match. It is pure. Desired group targets must have
// been resolved to ids (ResolveGroups).
//
// Identity: PKI containers by display name; CAs by certificate (SHA-1
// thumbprint of the DER) within their container; the x509Certificate
// configuration is one object whose rules are a set keyed by (type, issuer,
// policy OID), username bindings keyed by (certificate field, user
// attribute), targets by (type, id) and exempt SKIs by value (hex without
// case). Server-computed fields never cause a change; nothing else is
// normalised. What the configuration leaves out is not managed: desired is
// first completed with the tenant's values (Effective).
func Diff(desired, observed model.State) *Plan {
	desired = Effective(desired, observed)
	p := &Plan{FormatVersion: FormatVersion, Changes: []Change{}, Diagnostics: []Diagnostic{}}
	if desired.ManagesTrustStore {
		p.trustStore(desired.PKIs, observed.PKIs)
	}
	p.legacy(observed.LegacyCAs)
	if desired.X509 != nil && observed.X509 != nil {
		x, unresolved := scopeContainers(*desired.X509, *observed.X509, observed.PKIs)
		n := len(p.Changes)
		p.x509(x, *observed.X509, groupNames(desired, observed))
		if len(p.Changes) > n {
			// The configuration is written whole: every scope in it.
			for _, u := range unresolved {
				p.errorf(model.X509Address, "CA scope without a PKI container",
					"The certificate_authority_scope on subject key identifier %s needs the PKI container of its CA (Graph's publicKeyInfrastructureIdentifier), which cbactl never leaves out nor guesses, and %s. Declare the CA in a pki block and name it with certificate_authority.", u.ski, u.why)
			}
		}
	}
	p.methodForTrustStore(desired, observed)
	if len(desired.Strengths) > 0 {
		p.strengths(desired.Strengths, observed.Strengths)
	}
	if desired.CertUserIDs != nil {
		p.certUserIDs(desired.CertUserIDs, observed.Users)
	}
	return p
}

// methodForTrustStore refuses trust store writes that would run while the
// x509Certificate method is disabled: "The certificate-based authentication
// method must be enabled in the tenant for you to manage these PKI
// instances" (certificateBasedAuthPki, graph-api.md §2). Apply enables the
// method before the trust store writes when the plan enables it, and
// disables it after them when the plan disables it; a method that is
// disabled now and stays disabled would make apply fail half-way.
func (p *Plan) methodForTrustStore(desired, observed model.State) {
	if observed.X509 != nil && observed.X509.State == model.StateEnabled {
		return
	}
	if desired.X509 != nil && desired.X509.State == model.StateEnabled {
		return
	}
	var writes []string
	for _, c := range p.Changes {
		if c.Kind != KindX509 && c.Kind != KindUser && c.Action != NoOp {
			writes = append(writes, string(c.Address))
		}
	}
	if len(writes) == 0 {
		return
	}
	addr, fix := model.Address(""), `add an x509_certificate block with state = "enabled" (apply then enables the method first)`
	if desired.X509 != nil {
		addr, fix = model.X509Address, `set state = "enabled" in x509_certificate (apply then enables the method first)`
	}
	p.errorf(addr, "Trust store changes while certificate-based authentication is disabled",
		"The plan changes the PKI trust store (%s), but the x509Certificate method is disabled in the tenant and the configuration does not enable it; Graph refuses PKI and certificate authority writes while the method is disabled, so apply would fail half-way. To go on, %s, or enable the method in the tenant, or leave the trust store as it is for now.",
		strings.Join(writes, ", "), fix)
}

// scopeContainers fills in the publicKeyInfrastructureIdentifier of each
// desired CA scope (model.CAScope.PKI) and returns the configuration with
// them. Graph documents the property as a string identifying the PKI
// container; its example holds a display name, a Microsoft365DSC example a
// GUID. So:
//   - a scope whose CA the configuration does not declare keeps the
//     tenant's value for that CA, or else names the container the tenant
//     holds the CA in (by subject key identifier); when the tenant holds it
//     in none, or in several, that is an error: cbactl never leaves the
//     property out nor guesses it;
//   - the tenant's value for the same CA stands when it names the same
//     container, by display name or by id (without case), so that neither
//     spelling causes a change, and a write keeps the tenant's spelling;
//   - otherwise the display name is written (the documented example).
func scopeContainers(x, observed model.X509Config, observedPKIs []model.PKI) (model.X509Config, []unresolvedScope) {
	if len(x.CAScopes) == 0 {
		return x, nil
	}
	var unresolved []unresolvedScope
	x.CAScopes = append([]model.CAScope(nil), x.CAScopes...)
	for i := range x.CAScopes {
		s := &x.CAScopes[i]
		if s.PKI == "" {
			// The tenant's own value for this CA, if it has one.
			for _, o := range observed.CAScopes {
				if hexID(o.SKI) == hexID(s.SKI) && o.PKI != "" {
					s.PKI = o.PKI
					break
				}
			}
		}
		if s.PKI == "" {
			var names []string
			for _, o := range observedPKIs {
				for _, ca := range o.CAs {
					if hexID(derSKI(ca.Certificate)) == hexID(s.SKI) && !containsString(names, o.DisplayName) {
						names = append(names, o.DisplayName)
					}
				}
			}
			if len(names) != 1 {
				where := "no PKI container of the tenant holds it"
				if len(names) > 1 {
					where = fmt.Sprintf("the PKI containers %q all hold it", names)
				}
				unresolved = append(unresolved, unresolvedScope{ski: hexID(s.SKI), why: where})
				continue
			}
			s.PKI = names[0]
		}
		for _, o := range observed.CAScopes {
			if hexID(o.SKI) != hexID(s.SKI) || o.PKI == "" {
				continue
			}
			if strings.EqualFold(o.PKI, s.PKI) || sameContainer(o.PKI, s.PKI, observedPKIs) {
				s.PKI = o.PKI
			}
			break
		}
	}
	return x, unresolved
}

// unresolvedScope is a desired CA scope whose container cbactl cannot name.
type unresolvedScope struct{ ski, why string }

// sameContainer reports whether id is the Graph id of the tenant's PKI
// container named displayName.
func sameContainer(id, displayName string, observed []model.PKI) bool {
	for _, o := range observed {
		if o.DisplayName == displayName && o.ID != "" && strings.EqualFold(o.ID, id) {
			return true
		}
	}
	return false
}

// derSKI is the subject key identifier of a DER certificate ("" when it
// does not parse).
func derSKI(der []byte) string {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return ""
	}
	return pki.SubjectKeyID(c)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ObservedPKIAddress addresses a PKI container the configuration does not
// declare.
func ObservedPKIAddress(displayName string) model.Address {
	return model.Address(fmt.Sprintf("pki[%q]", displayName))
}

// ObservedCAAddress addresses a CA the configuration does not declare, in
// the container at pkiAddr.
func ObservedCAAddress(pkiAddr model.Address, thumbprint string) model.Address {
	return model.Address(fmt.Sprintf("%s.certificate_authority[%q]", pkiAddr, thumbprint))
}

func (p *Plan) trustStore(desired, observed []model.PKI) {
	byName := map[string][]int{}
	for i, o := range observed {
		byName[o.DisplayName] = append(byName[o.DisplayName], i)
	}
	// The CA changes of each container the tenant holds are worked out on
	// every core first (a trust store of thousands of CAs is as many
	// digests to compute and compare), and taken in order below.
	casOf := make([][]Change, len(desired))
	forEachParallel(len(desired), func(i int) {
		d := desired[i]
		if idx := byName[d.DisplayName]; len(idx) == 1 && !jobRunning(observed[idx[0]]) {
			sub := &Plan{}
			sub.cas(model.PKIAddress(d.Name), d, observed[idx[0]])
			casOf[i] = sub.Changes
		}
	})
	claimed := make([]bool, len(observed))
	for i, d := range desired {
		addr := model.PKIAddress(d.Name)
		idx := byName[d.DisplayName]
		for _, i := range idx {
			claimed[i] = true
		}
		switch {
		case len(idx) > 1:
			p.errorf(addr, "Ambiguous PKI container",
				"The tenant has %d PKI containers named %q; cbactl identifies containers by display name and cannot tell which one %s is. Rename or delete the extra ones first.", len(idx), d.DisplayName, addr)
		case len(idx) == 0:
			p.createPKI(addr, d)
		case jobRunning(observed[idx[0]]):
			p.warnf(addr, "Job in progress",
				"%s (%q) has a job running (upload or delete)%s; cbactl leaves it alone until the job finishes. Plan again later.", addr, d.DisplayName, statusDetails(observed[idx[0]]))
		default:
			p.Changes = append(p.Changes, casOf[i]...)
		}
	}
	for i, o := range observed {
		if claimed[i] {
			continue
		}
		addr := ObservedPKIAddress(o.DisplayName)
		if jobRunning(o) {
			p.warnf(addr, "Job in progress",
				"The undeclared PKI container %q has a job running (upload or delete)%s; cbactl leaves it alone until the job finishes.", o.DisplayName, statusDetails(o))
			continue
		}
		before := PKINodes(o)
		for _, ca := range o.CAs {
			c := certificateNode(ca.Certificate)
			c.Key = ca.Thumbprint()
			before = append(before, c)
		}
		p.Changes = append(p.Changes, Change{
			Address: addr, Kind: KindPKI, Action: Delete, Before: before,
			Reason:  fmt.Sprintf("not declared in the configuration; deleting it deletes its %d certificate %s", len(o.CAs), pluralize(len(o.CAs), "authority", "authorities")),
			PKIName: o.DisplayName, PKIID: o.ID, ObjectID: o.ID,
		})
	}
}

// jobRunning reports whether a PKI container's status says that an
// asynchronous job (an upload or a deletion: Graph's status covers both)
// may be running. status is a free string of which Graph documents
// "running" and "succeeded": compared without case, and a value cbactl does
// not know counts as running, so that cbactl never writes to a container in
// a state it cannot tell.
func jobRunning(o model.PKI) bool {
	switch strings.ToLower(strings.TrimSpace(o.Status)) {
	case "", "succeeded", "failed":
		return false
	}
	return true
}

// statusDetails names the status when it is not plainly "running", and
// Graph's statusDetails when there are any, quoted: they are the service's
// free text, and a line break in them must not read as cbactl's own output.
func statusDetails(o model.PKI) string {
	var parts []string
	if !strings.EqualFold(strings.TrimSpace(o.Status), "running") {
		parts = append(parts, fmt.Sprintf("status %q", o.Status))
	}
	if o.StatusDetails != "" {
		parts = append(parts, fmt.Sprintf("statusDetails: %q", o.StatusDetails))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func (p *Plan) createPKI(addr model.Address, d model.PKI) {
	p.Changes = append(p.Changes, Change{Address: addr, Kind: KindPKI, Action: Create, After: PKINodes(d), PKIName: d.DisplayName})
	if d.Upload != nil {
		p.upload(addr, d, "", d.CAs)
		return
	}
	for _, ca := range d.CAs {
		ca := ca
		p.Changes = append(p.Changes, Change{
			Address: model.CAAddress(d.Name, ca.Name), Kind: KindCA, Action: Create, After: CANodes(ca),
			PKIName: d.DisplayName, CA: &ca,
		})
	}
}

func (p *Plan) upload(addr model.Address, d model.PKI, pkiID string, missing []model.CA) {
	u := *d.Upload
	p.Changes = append(p.Changes, Change{
		Address: addr.Nested("upload"), Kind: KindUpload, Action: Create, After: UploadNodes(u, missing),
		Reason:  fmt.Sprintf("uploads %s; Graph creates one certificate authority per certificate", u.File),
		PKIName: d.DisplayName, PKIID: pkiID, Upload: &u,
	})
}

// cas plans the CAs of a container that exists in the tenant.
func (p *Plan) cas(addr model.Address, d, o model.PKI) {
	used := make([]bool, len(o.CAs))
	byThumb := make(map[[sha1.Size]byte]int, len(o.CAs))
	for i, ca := range o.CAs {
		t := ca.ThumbprintSum()
		if _, dup := byThumb[t]; !dup {
			byThumb[t] = i
		}
	}
	caAddr := func(ca model.CA) model.Address {
		if ca.Name == "" {
			return ObservedCAAddress(addr, ca.Thumbprint())
		}
		return model.CAAddress(d.Name, ca.Name)
	}
	var missing []model.CA
	for _, want := range d.CAs {
		i, ok := byThumb[want.ThumbprintSum()]
		if !ok || used[i] {
			missing = append(missing, want)
			continue
		}
		used[i] = true
		have := o.CAs[i]
		if sameCAAttrs(have, want) || !Changed(DiffNodes(caAttrNodes(have), caAttrNodes(want))) {
			continue
		}
		want := want
		p.Changes = append(p.Changes, Change{
			Address: caAddr(want), Kind: KindCA, Action: Update, Before: CANodes(have), After: CANodes(want),
			PKIName: d.DisplayName, PKIID: o.ID, ObjectID: have.ID, CA: &want,
		})
	}

	if d.Upload != nil && len(missing) > 0 {
		if len(missing) == len(d.CAs) {
			p.upload(addr, d, o.ID, missing)
			missing = nil
		} else {
			for i := range missing {
				missing[i].Name = "" // addressed by thumbprint
			}
		}
	}
	for _, want := range missing {
		want := want
		c := Change{
			Address: caAddr(want), Kind: KindCA, Action: Create, After: CANodes(want),
			PKIName: d.DisplayName, PKIID: o.ID, CA: &want,
		}
		if d.Upload != nil {
			c.Reason = "the bundle is partly in the container, and Graph refuses an upload that holds a certificate already there (\"Duplicate Certificate exists\"), so the missing certificate authorities are created one by one"
		}
		if j := sameSubject(want, o.CAs, used); j >= 0 {
			used[j] = true
			c.Action, c.Before, c.ObjectID = Replace, CANodes(o.CAs[j]), o.CAs[j].ID
			c.Reason = fmt.Sprintf("the certificate changed (thumbprint %s -> %s); a CA's certificate cannot be updated in place", o.CAs[j].Thumbprint(), want.Thumbprint())
		}
		p.Changes = append(p.Changes, c)
	}
	for i, have := range o.CAs {
		if used[i] {
			continue
		}
		p.Changes = append(p.Changes, Change{
			Address: ObservedCAAddress(addr, have.Thumbprint()), Kind: KindCA, Action: Delete, Before: CANodes(have),
			Reason:  "not declared in the configuration",
			PKIName: d.DisplayName, PKIID: o.ID, ObjectID: have.ID,
		})
	}
}

// sameCAAttrs reports whether two CAs have the same attributes of
// caAttrNodes: then their trees cannot differ, and building them (for
// thousands of unchanged CAs) can be skipped.
func sameCAAttrs(a, b model.CA) bool {
	return a.Type == b.Type && a.CRLURL == b.CRLURL && a.DeltaCRLURL == b.DeltaCRLURL &&
		a.IssuerHint == b.IssuerHint && a.DisplayName == b.DisplayName
}

// sameSubject finds an unclaimed observed CA with the subject of want: the
// CA a new certificate replaces (a renewal).
func sameSubject(want model.CA, observed []model.CA, used []bool) int {
	w, err := x509.ParseCertificate(want.Certificate)
	if err != nil {
		return -1
	}
	for i, o := range observed {
		if used[i] {
			continue
		}
		if c, err := x509.ParseCertificate(o.Certificate); err == nil && string(c.RawSubject) == string(w.RawSubject) {
			return i
		}
	}
	return -1
}

func (p *Plan) legacy(cas []model.LegacyCA) {
	if len(cas) == 0 {
		return
	}
	var list []string
	for _, ca := range cas {
		name := ca.CRLURL
		if c, err := x509.ParseCertificate(ca.Certificate); err == nil {
			name = pki.SubjectDN(c, pki.RuleOrder)
		}
		list = append(list, fmt.Sprintf("%s (thumbprint %s)", name, pki.SHA1Thumbprint(ca.Certificate)))
	}
	p.warnf("", "The legacy trust store holds certificate authorities",
		"The classic trust store (organization certificateBasedAuthConfiguration) holds %d certificate %s, which Entra still trusts: %s. cbactl never writes the legacy store. Migrate them into a pki block (cbactl export writes one), check the sign-in logs' \"Is Legacy Store Used\", then remove them.",
		len(cas), pluralize(len(cas), "authority", "authorities"), strings.Join(list, "; "))
}

func (p *Plan) x509(desired, observed model.X509Config, groups map[string]string) {
	before, after := X509Nodes(observed, groups), X509Nodes(desired, groups)
	if !Changed(DiffNodes(before, after)) {
		return
	}
	d, o := desired, observed
	p.Changes = append(p.Changes, Change{
		Address: model.X509Address, Kind: KindX509, Action: Update, Before: before, After: after,
		X509: &d, X509Before: &o,
	})
}

// groupNames maps lower-case group ids to display names, for notes.
func groupNames(desired, observed model.State) map[string]string {
	m := map[string]string{}
	for _, g := range observed.Groups {
		m[strings.ToLower(g.ID)] = g.DisplayName
	}
	if x := desired.X509; x != nil {
		x.EachTarget(func(t *model.Target) {
			if t.GroupName != "" && t.ID != "" {
				m[strings.ToLower(t.ID)] = t.GroupName
			}
		})
	}
	return m
}

// GroupNamesToResolve lists the group display names a configuration uses,
// sorted and without repeats.
func GroupNamesToResolve(x *model.X509Config) []string {
	if x == nil {
		return nil
	}
	set := map[string]bool{}
	x.EachTarget(func(t *model.Target) {
		if t.GroupName != "" && t.ID == "" {
			set[t.GroupName] = true
		}
	})
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ResolveGroups sets the id of every group target given by display name.
// A name must match exactly one group of the tenant.
func ResolveGroups(x *model.X509Config, found map[string][]model.Group) []Diagnostic {
	if x == nil {
		return nil
	}
	var diags []Diagnostic
	reported := map[string]bool{}
	x.EachTarget(func(t *model.Target) {
		if t.GroupName == "" || t.ID != "" {
			return
		}
		gs := found[t.GroupName]
		if len(gs) == 1 {
			t.ID = gs[0].ID
			return
		}
		if reported[t.GroupName] {
			return
		}
		reported[t.GroupName] = true
		d := Diagnostic{Severity: "error", Address: model.X509Address}
		if len(gs) == 0 {
			d.Summary = "Group not found"
			d.Detail = fmt.Sprintf("The tenant has no group named %q. Check the name (it must match exactly), or use group_id.", t.GroupName)
		} else {
			ids := make([]string, len(gs))
			for i, g := range gs {
				ids[i] = g.ID
			}
			d.Summary = "Ambiguous group name"
			d.Detail = fmt.Sprintf("The tenant has %d groups named %q (%s); use group_id to say which one.", len(gs), t.GroupName, strings.Join(ids, ", "))
		}
		diags = append(diags, d)
	})
	return diags
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
