package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// x509Block writes the x509_certificate block: every attribute and nested
// block, defaults included.
func (e *exporter) x509Block(body *hclwrite.Body, x model.X509Config) {
	b := body.AppendNewBlock("x509_certificate", nil).Body()
	setString(b, "state", string(x.State))
	setBool(b, "issuer_hints", x.IssuerHints)

	b.AppendNewline()
	if len(x.IncludeTargets) == 0 {
		comment(b, "The tenant has no include target. The configuration cannot say so: without include_target blocks, cbactl manages Graph's default, all users.")
		e.note("The x509Certificate configuration has no include target, which the configuration cannot express (without include_target blocks cbactl manages Graph's default, all users): `cbactl plan` will show all users being added.")
	}
	for i, t := range x.IncludeTargets {
		e.target(b, "include_target", t.Target, &t.RegistrationRequired, fmt.Sprintf("includeTargets[%d]", i))
	}
	for i, t := range x.ExcludeTargets {
		e.target(b, "exclude_target", t, nil, fmt.Sprintf("excludeTargets[%d]", i))
	}

	b.AppendNewline()
	e.authMode(b, x)

	bindings := append([]model.UsernameBinding(nil), x.UsernameBindings...)
	sort.SliceStable(bindings, func(i, j int) bool { return bindings[i].Priority < bindings[j].Priority })
	if len(bindings) == 0 {
		b.AppendNewline()
		comment(b, "The tenant has no username binding. The configuration cannot say so: without username_binding blocks, cbactl manages Graph's two default bindings.")
		e.note("The x509Certificate configuration has no username binding, which the configuration cannot express (without username_binding blocks cbactl manages Graph's defaults): `cbactl plan` will show the default bindings being added.")
	}
	for _, ub := range bindings {
		b.AppendNewline()
		ub := ub
		bb := b.AppendNewBlock("username_binding", nil).Body()
		setString(bb, "certificate_field", string(ub.Field))
		setString(bb, "user_attribute", string(ub.Attribute))
		bb.SetAttributeValue("priority", cty.NumberIntVal(int64(ub.Priority)))
	}

	b.AppendNewline()
	cb := b.AppendNewBlock("crl_validation", nil).Body()
	setBool(cb, "required", x.CRLValidation.Required)
	skis := make([]hclwrite.Tokens, 0, len(x.CRLValidation.ExemptSKIs))
	var notes []string
	for _, s := range x.CRLValidation.ExemptSKIs {
		refs := e.bySKI[strings.ToUpper(s)]
		if len(refs) == 0 {
			skis = append(skis, str(s))
			continue
		}
		skis = append(skis, attrOf(call("certificate", refs[0].ca.file), "subject_key_identifier"))
		notes = append(notes, s)
	}
	if len(notes) > 0 && len(notes) == len(skis) {
		// Each exempt CA is named by its certificate; say which SKIs they
		// are, for searching.
		set(cb, "exempt_skis", list(skis), strings.Join(notes, ", "))
	} else {
		set(cb, "exempt_skis", list(skis), "")
	}

	for i, s := range x.CAScopes {
		b.AppendNewline()
		e.scope(b, s, i)
	}
}

// target writes an include_target or exclude_target block, or a comment when
// the configuration cannot express it.
func (e *exporter) target(body *hclwrite.Body, kind string, t model.Target, registration *bool, path string) {
	unsupported := ""
	switch {
	case t.IsAllUsers() && kind == "exclude_target":
		unsupported = "the configuration cannot exclude all users"
	case t.IsAllUsers():
	case t.Type == model.TargetUser:
		unsupported = "user targets are not supported by the configuration; target a group"
	case t.Type != model.TargetGroup:
		unsupported = fmt.Sprintf("cbactl does not know the target type %q", t.Type)
	}
	if unsupported != "" {
		idAttr := "group_id"
		switch {
		case t.Type == model.TargetUser:
			idAttr = "user_id"
		case t.IsAllUsers():
			idAttr = "all_users"
		}
		text := fmt.Sprintf("%s { %s = %q", kind, idAttr, t.ID)
		if t.IsAllUsers() {
			text = kind + " { all_users = true"
		}
		if registration != nil {
			text += fmt.Sprintf(", registration_required = %t", *registration)
		}
		text += " }"
		comment(body, fmt.Sprintf("Not exported (%s); `cbactl plan` shows its removal:", unsupported), text)
		e.note("x509Certificate.%s (%s %s) is not exported: %s. `cbactl plan` shows its removal.", path, t.Type, t.ID, unsupported)
		return
	}
	b := body.AppendNewBlock(kind, nil).Body()
	switch {
	case t.IsAllUsers():
		setBool(b, "all_users", true)
	default:
		if name, ok := e.groups[strings.ToLower(t.ID)]; ok {
			set(b, "group", str(name), t.ID)
		} else {
			set(b, "group_id", str(t.ID), e.idNote(t.ID))
		}
	}
	if registration != nil {
		setBool(b, "registration_required", *registration)
	}
}

// authMode writes authentication_mode with every rule.
func (e *exporter) authMode(body *hclwrite.Body, x model.X509Config) {
	b := body.AppendNewBlock("authentication_mode", nil).Body()
	setString(b, "default_mode", string(x.DefaultMode))
	setString(b, "default_affinity", string(x.DefaultAffinity))
	bases := make([]string, len(x.Rules))
	for i, r := range x.Rules {
		bases[i] = ruleLabelBase(r)
	}
	labels := unique(bases, "_")
	for i, r := range x.Rules {
		b.AppendNewline()
		rb := b.AppendNewBlock("rule", []string{labels[i]}).Body()
		if r.Issuer != "" {
			if ca := e.bySubject[r.Issuer]; ca != nil {
				set(rb, "issuer", attrOf(call("certificate", ca.file), "subject"), r.Issuer)
			} else {
				// As it is, even with leading or trailing whitespace:
				// validate then points at it (an error: the service may
				// trim it).
				setString(rb, "issuer", r.Issuer)
			}
		}
		if r.PolicyOID != "" {
			setString(rb, "policy_oid", r.PolicyOID)
		}
		if r.Issuer == "" && r.PolicyOID == "" {
			// Graph holds a rule without identifier; write it as it is so
			// that validate points at it.
			setString(rb, "issuer", "")
		}
		setString(rb, "mode", string(r.Mode))
		if r.Affinity != "" {
			setString(rb, "affinity", string(r.Affinity))
		}
	}
}

// ruleLabelBase names a rule after its issuer's CN and its policy OID.
func ruleLabelBase(r model.Rule) string {
	switch {
	case r.Issuer != "" && r.PolicyOID != "":
		return label(issuerName(r.Issuer)+" policy "+r.PolicyOID, "rule")
	case r.PolicyOID != "":
		return label("policy "+r.PolicyOID, "rule")
	}
	return label(issuerName(r.Issuer), "rule")
}

// scope writes a certificate_authority_scope block.
func (e *exporter) scope(body *hclwrite.Body, s model.CAScope, i int) {
	b := body.AppendNewBlock("certificate_authority_scope", nil).Body()
	norm := normalizeHex(s.SKI)
	refs := e.bySKI[norm]
	var ref *scopeRef
	for j := range refs {
		if refs[j].pki == s.PKI {
			ref = &refs[j]
			break
		}
	}
	switch {
	case len(refs) > 0 && strings.ToUpper(s.SKI) == norm:
		// cbactl writes the scope's PKI as the declared CA's container.
		if ref == nil {
			ref = &refs[0]
		}
		set(b, "certificate_authority", str(ref.address), s.SKI)
	default:
		setString(b, "subject_key_identifier", s.SKI)
	}
	switch {
	case ref != nil:
	case len(refs) > 0:
		e.note("x509Certificate.certificateAuthorityScopes[%d] names the PKI container %q, but the CA with subject key identifier %s is declared in %q, which cbactl sends as the scope's PKI: `cbactl plan` shows that change.", i, s.PKI, s.SKI, refs[0].pki)
	case s.PKI != "":
		e.note("x509Certificate.certificateAuthorityScopes[%d] names the PKI container %q, but no exported certificate authority has the subject key identifier %s, so the configuration cannot say which container: `cbactl plan` shows the PKI being cleared.", i, s.PKI, s.SKI)
	}

	var names, ids []hclwrite.Tokens
	var nameIDs []string
	for _, g := range s.Groups {
		if name, ok := e.groups[strings.ToLower(g.ID)]; ok && g.Type == model.TargetGroup {
			names = append(names, str(name))
			nameIDs = append(nameIDs, g.ID)
			continue
		}
		ids = append(ids, str(g.ID))
	}
	if len(names) > 0 {
		set(b, "groups", list(names), strings.Join(nameIDs, ", "))
	}
	if len(ids) > 0 || len(names) == 0 {
		var notes []string
		for _, g := range s.Groups {
			if _, ok := e.groups[strings.ToLower(g.ID)]; !ok || g.Type != model.TargetGroup {
				if n := e.idNote(g.ID); n != "" {
					notes = append(notes, n)
				}
			}
		}
		set(b, "group_ids", list(ids), strings.Join(notes, "; "))
	}
}

// idNote explains why a group known by name is written by id: its display
// name is not unique in the tenant.
func (e *exporter) idNote(id string) string {
	for _, g := range e.in.State.Groups {
		if strings.EqualFold(g.ID, id) && g.DisplayName != "" {
			return fmt.Sprintf("%q: not a unique display name in the tenant", g.DisplayName)
		}
	}
	return ""
}

// normalizeHex upper-cases a hex string and drops colons and spaces, as the
// configuration does for subject key identifiers.
func normalizeHex(s string) string {
	s = hexSeparators.Replace(strings.TrimSpace(s))
	return strings.ToUpper(s)
}

var hexSeparators = strings.NewReplacer(":", "", " ", "")
