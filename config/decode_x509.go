package config

import (
	"crypto/sha1"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func (d *decoder) decodeX509(b *hcl.Block) model.X509Config {
	addr := model.X509Address
	content, a := d.content(b.Body, x509Schema, addr, b.DefRange)
	// What the block leaves out is not managed: the plan keeps the tenant's
	// value (plan.Effective), never a guessed default.
	x := model.X509Config{Unmanaged: model.X509AllParts}
	declared := func(p model.X509Part) { x.Unmanaged &^= p }
	if s, ok := enum(a, "state", model.MethodStates); ok {
		x.State = s
	}
	if v, ok := a.boolean("issuer_hints"); ok {
		x.IssuerHints = v
		declared(model.X509IssuerHints)
	}

	if inc := content.Blocks.OfType(blockInclude); len(inc) > 0 {
		declared(model.X509IncludeTargets)
		for i, ib := range inc {
			if t, ok := d.decodeTarget(ib, addr.Child(blockInclude, i), true); ok {
				x.IncludeTargets = append(x.IncludeTargets, t)
			}
		}
	}
	if exc := content.Blocks.OfType(blockExclude); len(exc) > 0 {
		declared(model.X509ExcludeTargets)
		for i, eb := range exc {
			if t, ok := d.decodeTarget(eb, addr.Child(blockExclude, i), false); ok {
				x.ExcludeTargets = append(x.ExcludeTargets, t.Target)
			}
		}
	}

	if mb := d.singleton(content.Blocks, blockAuthMode); mb != nil {
		// A declared authentication_mode block manages its rules as a
		// whole (no rule block: no rules); its two defaults only when set.
		declared(model.X509Rules)
		mc, ma := d.content(mb.Body, authModeSchema, addr.Nested(blockAuthMode), mb.DefRange)
		if m, ok := enum(ma, "default_mode", model.Modes); ok {
			x.DefaultMode = m
			declared(model.X509DefaultMode)
		}
		if af, ok := enum(ma, "default_affinity", model.Affinities); ok {
			x.DefaultAffinity = af
			declared(model.X509DefaultAffinity)
		}
		seen := map[string]hcl.Range{}
		for _, rb := range mc.Blocks.OfType(blockRule) {
			if !d.labelled(rb, "rule", seen) {
				continue
			}
			x.Rules = append(x.Rules, d.decodeRule(rb))
		}
	}

	if bindings := content.Blocks.OfType(blockBinding); len(bindings) > 0 {
		declared(model.X509UsernameBindings)
		for i, bb := range bindings {
			_, ba := d.content(bb.Body, bindingSchema, addr.Child(blockBinding, i), bb.DefRange)
			var ub model.UsernameBinding
			f, ok1 := enum(ba, "certificate_field", model.CertificateFields)
			u, ok2 := enum(ba, "user_attribute", model.UserAttributes)
			p, ok3 := ba.integer("priority")
			if ok1 && ok2 && ok3 {
				ub = model.UsernameBinding{Field: f, Attribute: u, Priority: p}
				x.UsernameBindings = append(x.UsernameBindings, ub)
			}
		}
	}

	if cb := d.singleton(content.Blocks, blockCRL); cb != nil {
		_, ca := d.content(cb.Body, crlSchema, addr.Nested(blockCRL), cb.DefRange)
		x.CRLValidation.Required, _ = ca.boolean("required")
		declared(model.X509CRLRequired)
		if skis, ok := ca.strings("exempt_skis"); ok {
			declared(model.X509CRLExemptSKIs)
			for _, s := range skis {
				if n := normalizeHex(s); n == "" || !isHex(n) {
					d.errorf(ca.src.rangePtr("exempt_skis"), "Invalid subject key identifier",
						"%q in exempt_skis is not a hexadecimal subject key identifier.", s)
					continue
				}
				// Plain upper-case hex, as Graph documents SKIs: a pasted
				// "a4:ad:…" would otherwise reach Graph as written.
				x.CRLValidation.ExemptSKIs = append(x.CRLValidation.ExemptSKIs, normalizeHex(s))
			}
		}
	}

	for i, sb := range content.Blocks.OfType(blockScope) {
		declared(model.X509CAScopes)
		if s, ok := d.decodeScope(sb, addr.Child(blockScope, i)); ok {
			x.CAScopes = append(x.CAScopes, s)
		}
	}
	return x
}

func (d *decoder) decodeTarget(b *hcl.Block, addr model.Address, include bool) (model.IncludeTarget, bool) {
	schema := excludeSchema
	if include {
		schema = includeSchema
	}
	_, a := d.content(b.Body, schema, addr, b.DefRange)
	var t model.IncludeTarget
	t.Type = model.TargetGroup
	// An attribute whose value was in error counts as set: its error is
	// already reported.
	set := 0
	if g, ok := a.str("group"); ok || a.failed["group"] {
		t.GroupName = g
		set++
	}
	if id, ok := a.str("group_id"); ok {
		if !isGUID(id) {
			d.errorf(a.src.rangePtr("group_id"), "Invalid group id", "The group id %q is not a GUID. To name a group by its display name, use group = %q.", id, id)
		}
		t.ID = id
		set++
	} else if a.failed["group_id"] {
		set++
	}
	if all, ok := a.boolean("all_users"); (ok && all) || a.failed["all_users"] {
		t.ID = model.AllUsersTargetID
		set++
	}
	var regSet bool
	t.RegistrationRequired, regSet = a.boolean("registration_required")
	t.RegistrationUnmanaged = include && !regSet
	if set != 1 {
		what := "group, group_id or all_users = true"
		if !include {
			what = "group or group_id"
		}
		d.errorf(b.DefRange.Ptr(), "Invalid target", "A %s block names exactly one target: set exactly one of %s.", b.Type, what)
		return t, false
	}
	return t, true
}

func (d *decoder) decodeRule(b *hcl.Block) model.Rule {
	addr := model.RuleAddress(b.Labels[0])
	_, a := d.content(b.Body, ruleSchema, addr, b.DefRange)
	r := model.Rule{Name: b.Labels[0]}
	r.Issuer, _ = a.str("issuer")
	r.PolicyOID, _ = a.str("policy_oid")
	r.Mode, _ = enum(a, "mode", model.Modes)
	r.Affinity, _ = enum(a, "affinity", model.Affinities)
	return r
}

func (d *decoder) decodeScope(b *hcl.Block, addr model.Address) (model.CAScope, bool) {
	_, a := d.content(b.Body, scopeSchema, addr, b.DefRange)
	var s model.CAScope
	caAddr, byAddr := a.str("certificate_authority")
	ski, bySKI := a.str("subject_key_identifier")
	switch {
	case byAddr == bySKI:
		d.errorf(b.DefRange.Ptr(), "Invalid certificate_authority_scope",
			"A certificate_authority_scope names its CA with exactly one of certificate_authority (a declared CA's address) or subject_key_identifier.")
		return s, false
	case byAddr:
		certs, ok := d.certs[model.Address(caAddr)]
		if !ok {
			d.errorf(a.src.rangePtr("certificate_authority"), "Unknown certificate authority",
				"%q is not the address of a declared certificate authority (pki.NAME.certificate_authority.NAME).", caAddr)
			return s, false
		}
		s.SKI = pki.SubjectKeyID(certs[0])
		s.PKI = d.pkiOf[sha1.Sum(certs[0].Raw)] // #nosec G401 -- identifier only
		if s.SKI == "" {
			d.errorf(a.src.rangePtr("certificate_authority"), "Certificate authority has no subject key identifier",
				"CA scopes identify a CA by its subject key identifier, and the certificate of %s has none.", caAddr)
			return s, false
		}
	default:
		if n := normalizeHex(ski); n == "" || !isHex(n) {
			d.errorf(a.src.rangePtr("subject_key_identifier"), "Invalid subject key identifier", "%q is not hexadecimal.", ski)
			return s, false
		}
		s.SKI = normalizeHex(ski)
		// The PKI of a CA named by SKI is found among the declared CAs,
		// in declaration order, if it is one of them; CAs sharing a key
		// in different containers make the SKI ambiguous.
		var found []string
		for _, c := range d.caOrder {
			if pki.SubjectKeyID(c) != s.SKI {
				continue
			}
			if p := d.pkiOf[sha1.Sum(c.Raw)]; !slices.Contains(found, p) { // #nosec G401 -- identifier only
				found = append(found, p)
			}
		}
		if len(found) > 1 {
			d.errorf(a.src.rangePtr("subject_key_identifier"), "Ambiguous subject key identifier",
				"CAs in the PKI containers %q share the subject key identifier %s, so the scope's container is ambiguous: name the CA with certificate_authority = \"pki.NAME.certificate_authority.NAME\".", found, s.SKI)
			return s, false
		}
		if len(found) == 1 {
			s.PKI = found[0]
		}
	}
	names, _ := a.strings("groups")
	ids, _ := a.strings("group_ids")
	for _, n := range names {
		s.Groups = append(s.Groups, model.Target{Type: model.TargetGroup, GroupName: n})
	}
	for _, id := range ids {
		if !isGUID(id) {
			d.errorf(a.src.rangePtr("group_ids"), "Invalid group id", "The group id %q is not a GUID.", id)
			continue
		}
		s.Groups = append(s.Groups, model.Target{Type: model.TargetGroup, ID: id})
	}
	if len(s.Groups) == 0 {
		d.errorf(b.DefRange.Ptr(), "CA scope without a group", "A certificate_authority_scope needs a group: set groups (display names) or group_ids.")
		return s, false
	}
	return s, true
}
