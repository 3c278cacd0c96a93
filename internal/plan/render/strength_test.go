package render

import (
	"bytes"
	"testing"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// strengthStates are a configuration and a tenant whose authentication
// strengths differ in every way a plan shows: a strength to create with its
// x509 configuration, one whose description and combinations change, an x509
// configuration whose issuers and policy OIDs change, one to remove, and a
// strength to delete. The tenant's built-in strength and its undeclared
// custom strength never show.
func strengthStates() (desired, observed model.State) {
	piv := "2.16.840.1.101.3.2.1.3.13"
	desired.Strengths = []model.AuthStrength{
		{Name: "secret", DisplayName: "Secret clearance smart card", Description: "Smart cards of the Secret CA only",
			AllowedCombinations: []string{model.CombinationX509MultiFactor},
			X509: &model.StrengthX509{AppliesTo: []string{model.CombinationX509MultiFactor},
				AllowedIssuerSKIs: []string{"D7DD090A020E4229AD791688C8F193B1221A681B"}, AllowedPolicyOIDs: []string{piv}}},
		{Name: "contractors", DisplayName: "Contractor smart card", Description: "Fabrikam smart cards",
			AllowedCombinations: []string{model.CombinationX509MultiFactor, model.CombinationX509SingleFactor},
			X509: &model.StrengthX509{AppliesTo: []string{model.CombinationX509MultiFactor, model.CombinationX509SingleFactor},
				AllowedIssuerSKIs: []string{"729CA5FCF29A8CFEC457C78C1A2DE068634686C1"}, AllowedPolicyOIDs: []string{"1.3.6.1.4.1.99999.1.2"}}},
		{Name: "open", DisplayName: "Any certificate", AllowedCombinations: []string{model.CombinationX509MultiFactor}},
		{Name: "retired", DisplayName: "Retired smart card", AllowedCombinations: []string{model.CombinationX509MultiFactor}, Absent: true},
	}
	observed.Strengths = []model.AuthStrength{
		{ID: "00000000-0000-0000-0000-000000000004", DisplayName: "Phishing-resistant MFA", PolicyType: model.BuiltInStrength,
			AllowedCombinations: []string{"windowsHelloForBusiness", "fido2", model.CombinationX509MultiFactor}},
		{ID: "s-2", DisplayName: "Contractor smart card", Description: "Contractors", PolicyType: "custom",
			AllowedCombinations: []string{model.CombinationX509MultiFactor},
			X509: &model.StrengthX509{ID: "c-2", AppliesTo: []string{model.CombinationX509MultiFactor},
				AllowedIssuerSKIs: []string{"72:9c:a5:fc:f2:9a:8c:fe:c4:57:c7:8c:1a:2d:e0:68:63:46:86:c1", "0123456789ABCDEF0123456789ABCDEF01234567"}}},
		{ID: "s-3", DisplayName: "Any certificate", PolicyType: "custom", AllowedCombinations: []string{model.CombinationX509MultiFactor},
			X509: &model.StrengthX509{ID: "c-3", AppliesTo: []string{model.CombinationX509MultiFactor}, AllowedPolicyOIDs: []string{"1.2.3.4"}}},
		{ID: "s-4", DisplayName: "Retired smart card", PolicyType: "custom", AllowedCombinations: []string{model.CombinationX509MultiFactor},
			Usage: &model.StrengthUsage{}},
		{ID: "s-5", DisplayName: "Hand made", PolicyType: "custom", AllowedCombinations: []string{"fido2"}},
	}
	return desired, observed
}

func TestStrengthGolden(t *testing.T) {
	desired, observed := strengthStates()
	p := plan.Diff(desired, observed)
	text, js := goldens(t, "strengths", p)
	for _, s := range []string{"Phishing-resistant MFA", "Hand made", "s-5", "00000000-0000-0000-0000-000000000004"} {
		if bytes.Contains(text, []byte(s)) || bytes.Contains(js, []byte(s)) {
			t.Errorf("the plan shows %q, which the configuration does not declare", s)
		}
	}
}
