package export

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// StrengthFile holds the tenant's custom authentication strengths.
const StrengthFile = "strengths.hcl"

// customStrengths are the strengths export writes: the tenant's custom ones,
// by display name (built-in strengths are Entra's, never declared).
func customStrengths(st model.State) []model.AuthStrength {
	var out []model.AuthStrength
	for _, s := range st.Strengths {
		if !s.IsBuiltIn() {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DisplayName < out[j].DisplayName })
	return out
}

// strengthFile is strengths.hcl: one authentication_strength block per
// custom strength; nil when the tenant has none.
func (e *exporter) strengthFile() []byte {
	ss := customStrengths(e.in.State)
	if len(ss) == 0 {
		return nil
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = label(s.DisplayName, "strength")
	}
	names = unique(names, "_")

	f := hclwrite.NewEmptyFile()
	body := f.Body()
	comment(body, "The tenant's custom authentication strengths (Conditional Access), matched by display name.",
		"Built-in strengths are Entra's and never declared; a strength this file does not name is left alone. "+
			"ensure = \"absent\" deletes one (with --allow-destroy, and only while no Conditional Access policy uses it).")
	for i, s := range ss {
		body.AppendNewline()
		if u := s.Usage.Policies(); len(u) > 0 {
			var ps []string
			for _, p := range u {
				ps = append(ps, p.DisplayName)
			}
			comment(body, "Used by the Conditional Access policies: "+strings.Join(ps, ", ")+".")
		}
		b := body.AppendNewBlock("authentication_strength", []string{names[i]}).Body()
		setString(b, "display_name", s.DisplayName)
		if s.Description != "" {
			setString(b, "description", s.Description)
		}
		combos := make([]hclwrite.Tokens, 0, len(s.AllowedCombinations))
		for _, c := range model.CanonicalCombinations(s.AllowedCombinations) {
			combos = append(combos, str(c))
		}
		set(b, "allowed_combinations", list(combos), "")
		if s.OtherConfigurations > 0 {
			comment(b, "The tenant also holds combination configurations of another kind (FIDO2 ...) for this strength; cbactl leaves them as they are.")
		}
		if s.X509 != nil {
			b.AppendNewline()
			e.strengthX509(b, *s.X509)
		}
		for _, x := range s.ExtraX509 {
			e.note("The authentication strength %q has more than one x509 certificate combination configuration; the configuration declares one per strength, so %s (applies to %s) is not exported and `cbactl plan` will show its deletion.",
				s.DisplayName, x.ID, strings.Join(x.AppliesTo, ", "))
			comment(b, "Not exported (one x509_certificate block per strength): the configuration "+x.ID+" for "+strings.Join(x.AppliesTo, ", ")+".")
		}
	}
	return render(f)
}

// strengthX509 writes an x509_certificate block; issuer SKIs of exported
// CAs are written as certificate("certs/….pem").subject_key_identifier.
func (e *exporter) strengthX509(body *hclwrite.Body, x model.StrengthX509) {
	xb := body.AppendNewBlock("x509_certificate", nil).Body()
	applies := make([]hclwrite.Tokens, 0, len(x.AppliesTo))
	for _, c := range model.CanonicalCombinations(x.AppliesTo) {
		applies = append(applies, str(c))
	}
	set(xb, "applies_to", list(applies), "")

	skis := model.SortedSet(normalizedSKIs(x.AllowedIssuerSKIs))
	tokens := make([]hclwrite.Tokens, 0, len(skis))
	var notes []string
	for _, s := range skis {
		refs := e.bySKI[s]
		if len(refs) == 0 {
			tokens = append(tokens, str(s))
			continue
		}
		tokens = append(tokens, attrOf(call("certificate", refs[0].ca.file), "subject_key_identifier"))
		notes = append(notes, s)
	}
	note := ""
	if len(notes) > 0 && len(notes) == len(tokens) {
		note = strings.Join(notes, ", ")
	}
	set(xb, "allowed_issuer_skis", list(tokens), note)
	oids := make([]cty.Value, 0, len(x.AllowedPolicyOIDs))
	for _, o := range model.SortedSet(append([]string{}, x.AllowedPolicyOIDs...)) {
		oids = append(oids, cty.StringVal(o))
	}
	if len(oids) == 0 {
		xb.SetAttributeValue("allowed_policy_oids", cty.ListValEmpty(cty.String))
	} else {
		xb.SetAttributeValue("allowed_policy_oids", cty.ListVal(oids))
	}
}

func normalizedSKIs(skis []string) []string {
	out := make([]string, 0, len(skis))
	for _, s := range skis {
		out = append(out, model.NormalizeSKI(s))
	}
	return out
}
