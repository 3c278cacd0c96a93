package config

import (
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// The authentication_strength block (contract §1): a Conditional Access
// authentication strength and its optional x509CertificateCombinationConfiguration.

const (
	blockStrength     = "authentication_strength"
	blockStrengthX509 = "x509_certificate"

	ensurePresent = "present"
	ensureAbsent  = "absent"
)

var (
	strengthSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "display_name"}, {Name: "description"}, {Name: "allowed_combinations", Required: true}, {Name: "ensure"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: blockStrengthX509}},
	}
	strengthX509Schema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "applies_to", Required: true}, {Name: "allowed_issuer_skis"}, {Name: "allowed_policy_oids"},
	}}
)

func init() {
	rootSchema.Blocks = append(rootSchema.Blocks, hcl.BlockHeaderSchema{Type: blockStrength, LabelNames: []string{"name"}})
	expectSchema.Attributes = append(expectSchema.Attributes, hcl.AttributeSchema{Name: "satisfies"})
}

// decodeStrengths decodes every authentication_strength block.
func (d *decoder) decodeStrengths(blocks hcl.Blocks) []model.AuthStrength {
	var out []model.AuthStrength
	seen := map[string]hcl.Range{}
	names := map[string]model.Address{}
	for _, b := range blocks.OfType(blockStrength) {
		if !d.labelled(b, blockStrength, seen) {
			continue
		}
		s, ok := d.decodeStrength(b)
		if !ok {
			continue
		}
		key := strings.ToLower(s.DisplayName)
		if prev, dup := names[key]; dup {
			d.errorf(d.sources.Range(model.StrengthAddress(s.Name), "display_name"), "Duplicate display name",
				"%s and %s are both named %q; cbactl identifies authentication strengths by display name, and Entra requires unique names.", prev, model.StrengthAddress(s.Name), s.DisplayName)
			continue
		}
		names[key] = model.StrengthAddress(s.Name)
		out = append(out, s)
	}
	return out
}

// validCombination reports whether every mode of a combination is one of
// Graph's authenticationMethodModes.
func validCombination(c string) bool {
	for _, m := range strings.Split(c, ",") {
		if !slices.Contains(model.AuthenticationMethodModes, m) {
			return false
		}
	}
	return c != ""
}

func (d *decoder) decodeStrength(b *hcl.Block) (model.AuthStrength, bool) {
	name := b.Labels[0]
	addr := model.StrengthAddress(name)
	content, a := d.content(b.Body, strengthSchema, addr, b.DefRange)
	s := model.AuthStrength{Name: name, DisplayName: name}
	ok := true
	if v, set := a.str("display_name"); set {
		if strings.TrimSpace(v) == "" {
			d.errorf(a.src.rangePtr("display_name"), "Empty display name", "An authentication strength needs a display name: cbactl finds it in the tenant by that name.")
			ok = false
		} else if problem := displayNameProblem(v); problem != "" {
			d.errorf(a.src.rangePtr("display_name"), "Invalid display name", "The display name of %s %s.", addr, problem)
			ok = false
		}
		s.DisplayName = v
	}
	if v, set := a.str("description"); set {
		s.Description = v
	} else {
		// Not declared, not managed: the tenant's description is kept.
		s.DescriptionUnmanaged = true
	}
	if v, set := a.str("ensure"); set {
		switch v {
		case ensurePresent:
		case ensureAbsent:
			s.Absent = true
		default:
			d.errorf(a.src.rangePtr("ensure"), "Invalid ensure", "The value %q is not valid here: ensure must be %q or %q.", v, ensurePresent, ensureAbsent)
			ok = false
		}
	}
	if combos, set := a.strings("allowed_combinations"); set {
		if len(combos) == 0 {
			d.errorf(a.src.rangePtr("allowed_combinations"), "No allowed combination", "allowed_combinations must name at least one combination of authentication methods.")
			ok = false
		}
		for _, c := range combos {
			if !validCombination(c) {
				d.errorf(a.src.rangePtr("allowed_combinations"), "Invalid combination",
					"%q is not a combination of Graph's authenticationMethodModes (comma-separated, no spaces): %s.", c, strings.Join(model.AuthenticationMethodModes, ", "))
				ok = false
				continue
			}
			s.AllowedCombinations = append(s.AllowedCombinations, model.CanonicalCombination(c))
		}
		s.AllowedCombinations = model.SortedSet(s.AllowedCombinations)
	} else {
		ok = false
	}
	if xb := d.singleton(content.Blocks, blockStrengthX509); xb != nil {
		x, xok := d.decodeStrengthX509(addr.Nested(blockStrengthX509), xb, s.AllowedCombinations)
		ok = ok && xok
		s.X509 = &x
	}
	return s, ok
}

func (d *decoder) decodeStrengthX509(addr model.Address, b *hcl.Block, allowed []string) (model.StrengthX509, bool) {
	_, a := d.content(b.Body, strengthX509Schema, addr, b.DefRange)
	var x model.StrengthX509
	ok := true
	if v, set := a.strings("applies_to"); set {
		if len(v) == 0 {
			d.errorf(a.src.rangePtr("applies_to"), "No combination", "applies_to must name at least one of the strength's allowed_combinations.")
			ok = false
		}
		for _, c := range v {
			cc := model.CanonicalCombination(c)
			switch {
			case !slices.Contains(allowed, cc):
				d.errorf(a.src.rangePtr("applies_to"), "Combination not allowed",
					"%q is not one of this strength's allowed_combinations; a combination configuration applies only to allowed combinations.", c)
				ok = false
			case !strings.Contains(cc, "x509Certificate"):
				d.errorf(a.src.rangePtr("applies_to"), "Not a certificate combination",
					"%q has no certificate mode (x509CertificateSingleFactor or x509CertificateMultiFactor); an x509_certificate configuration applies only to certificate sign-ins.", c)
				ok = false
			default:
				x.AppliesTo = append(x.AppliesTo, cc)
			}
		}
		x.AppliesTo = model.SortedSet(x.AppliesTo)
	} else {
		ok = false
	}
	if v, set := a.strings("allowed_issuer_skis"); set {
		if len(v) > model.MaxStrengthIssuers {
			d.errorf(a.src.rangePtr("allowed_issuer_skis"), "Too many issuers",
				"Entra allows at most %d allowed issuer SKIs in a combination configuration; this one has %d.", model.MaxStrengthIssuers, len(v))
			ok = false
		}
		for _, s := range v {
			n := model.NormalizeSKI(s)
			if n == "" || !isHex(n) {
				d.errorf(a.src.rangePtr("allowed_issuer_skis"), "Invalid subject key identifier",
					"%q is not a hex subject key identifier (certificate(\"…\").subject_key_identifier gives one).", s)
				ok = false
				continue
			}
			x.AllowedIssuerSKIs = append(x.AllowedIssuerSKIs, n)
		}
		x.AllowedIssuerSKIs = model.SortedSet(x.AllowedIssuerSKIs)
	}
	if v, set := a.strings("allowed_policy_oids"); set {
		if len(v) > model.MaxStrengthPolicies {
			d.errorf(a.src.rangePtr("allowed_policy_oids"), "Too many policy OIDs",
				"Entra allows at most %d allowed policy OIDs in a combination configuration; this one has %d.", model.MaxStrengthPolicies, len(v))
			ok = false
		}
		for _, o := range v {
			if !dottedOID.MatchString(o) {
				d.errorf(a.src.rangePtr("allowed_policy_oids"), "Invalid policy OID", "%q is not a dotted object identifier such as 2.16.840.1.101.3.2.1.3.13.", o)
				ok = false
				continue
			}
			x.AllowedPolicyOIDs = append(x.AllowedPolicyOIDs, o)
		}
		x.AllowedPolicyOIDs = model.SortedSet(x.AllowedPolicyOIDs)
	}
	return x, ok
}

// strengths checks what needs the whole configuration: at most 15 custom
// strengths, allowed issuers that are declared CAs, and the strengths test
// blocks name.
func (v *validator) strengths() {
	st := v.cfg.Desired.Strengths
	present := 0
	declared := map[string]bool{}
	for _, s := range st {
		declared[s.Name] = true
		if s.Absent {
			continue
		}
		if present++; present == model.MaxCustomStrengths+1 {
			v.errorAt(model.StrengthAddress(s.Name), "", "Too many authentication strengths",
				"Entra allows at most %d custom authentication strengths; this configuration declares more.", model.MaxCustomStrengths)
		}
	}
	var skis map[string]bool // of the declared CAs, once a strength names one
	for _, s := range st {
		if s.X509 == nil || s.Absent {
			continue
		}
		addr := model.StrengthAddress(s.Name).Nested(blockStrengthX509)
		for _, ski := range s.X509.AllowedIssuerSKIs {
			if skis == nil {
				skis = make(map[string]bool, len(v.cas))
				for _, r := range v.cas {
					skis[model.NormalizeSKI(pki.SubjectKeyID(r.cert))] = true
				}
			}
			if !skis[model.NormalizeSKI(ski)] {
				v.warnAt(addr, "allowed_issuer_skis", "Allowed issuer is no declared CA",
					"The subject key identifier %s is not that of a CA of the declared trust store. An external issuer is allowed, but this is usually a typo or a CA that was renewed with a new key.", ski)
			}
		}
	}
	for _, t := range v.cfg.Tests {
		if t.Expect.Satisfies == nil {
			continue
		}
		for _, name := range *t.Expect.Satisfies {
			if !declared[name] {
				v.errorAt(model.TestAddress(t.Name).Nested(blockExpect), "satisfies", "Unknown authentication strength",
					"%q is not the label of a declared authentication_strength block.", name)
			}
		}
	}
}
