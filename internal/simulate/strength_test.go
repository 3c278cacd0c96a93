package simulate_test

import (
	"testing"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// TestStrengths applies Entra's rule for authentication strengths (contract
// §1) to each case: combination, issuer by Authority Key Identifier (which
// must be present), one of the first five policy OIDs.
func TestStrengths(t *testing.T) {
	const piv = "2.16.840.1.101.3.2.1.3.13"
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	secret := root.NewIntermediate(pkitest.WithCN("Secret CA"))
	other := root.NewIntermediate(pkitest.WithCN("Other CA"))
	x := baseX509()
	x.Rules = []model.Rule{rule("secret", pki.SubjectDN(secret.Cert, pki.RuleOrder), "", model.MultiFactor, "")}
	st := trust(root, secret, other).state(x)
	st.Strengths = []model.AuthStrength{
		{Name: "secret", DisplayName: "Secret", AllowedCombinations: []string{model.CombinationX509MultiFactor},
			X509: &model.StrengthX509{AppliesTo: []string{model.CombinationX509MultiFactor},
				AllowedIssuerSKIs: []string{pki.SubjectKeyID(secret.Cert)}, AllowedPolicyOIDs: []string{piv}}},
		{Name: "issuer_only", DisplayName: "Issuer only", AllowedCombinations: []string{model.CombinationX509MultiFactor, model.CombinationX509SingleFactor},
			X509: &model.StrengthX509{AppliesTo: []string{model.CombinationX509MultiFactor, model.CombinationX509SingleFactor},
				AllowedIssuerSKIs: []string{pki.SubjectKeyID(secret.Cert)}}},
		{Name: "any_single", DisplayName: "Any single", AllowedCombinations: []string{model.CombinationX509SingleFactor}},
		{Name: "gone", DisplayName: "Gone", AllowedCombinations: []string{model.CombinationX509SingleFactor}, Absent: true},
	}
	upn := pkitest.WithUPN("u@contoso.com")
	cases := []struct {
		name string
		leaf *pkitest.Leaf
		want map[string]bool
	}{
		{"issuer and OID allowed", secret.NewLeaf(upn, pkitest.WithPolicies(piv)),
			map[string]bool{"secret": true, "issuer_only": true, "any_single": false}},
		{"issuer allowed, OID not", secret.NewLeaf(upn, pkitest.WithPolicies("1.2.3")),
			map[string]bool{"secret": false, "issuer_only": true, "any_single": false}},
		{"the OID sixth of the certificate's policies", secret.NewLeaf(upn, pkitest.WithPolicies("1.1", "1.2", "1.3", "1.4", "1.5", piv)),
			map[string]bool{"secret": false, "issuer_only": true, "any_single": false}},
		{"no Authority Key Identifier", secret.NewLeaf(upn, pkitest.WithPolicies(piv), pkitest.WithoutAKI()),
			map[string]bool{"secret": false, "issuer_only": false, "any_single": false}},
		{"single factor, issuer not allowed", other.NewLeaf(upn, pkitest.WithPolicies(piv)),
			map[string]bool{"secret": false, "issuer_only": false, "any_single": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := eval(st, c.leaf.Cert, nil)
			if !r.Success {
				t.Fatalf("the sign-in fails: %+v", r.Steps)
			}
			if len(r.Strengths) != len(c.want) {
				t.Errorf("strengths %v, want %v", r.Strengths, c.want)
			}
			for k, v := range c.want {
				if got, ok := r.Strengths[k]; !ok || got != v {
					t.Errorf("%s: %v (present %v), want %v", k, got, ok, v)
				}
			}
		})
	}

	// A failed sign-in satisfies nothing.
	outsider := pkitest.NewRoot(pkitest.WithCN("Outsider")).NewLeaf(upn)
	r := eval(st, outsider.Cert, nil)
	if r.Success {
		t.Fatal("an untrusted certificate signs in")
	}
	for k, v := range r.Strengths {
		if v {
			t.Errorf("%s satisfied by a failed sign-in", k)
		}
	}
	if len(r.Strengths) != 3 {
		t.Errorf("strengths %v: every declared strength is listed", r.Strengths)
	}

	// No strength declared: no strengths in the result.
	st.Strengths = nil
	if r := eval(st, outsider.Cert, nil); r.Strengths != nil {
		t.Errorf("strengths %v without declared strengths", r.Strengths)
	}
}
