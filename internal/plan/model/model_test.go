package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFieldRules pins Entra's table of username binding fields: the user
// attributes each may bind to and its affinity (cba-semantics.md §2).
func TestFieldRules(t *testing.T) {
	all := []UserAttribute{AttrUserPrincipalName, AttrOnPremisesUserPrincipalName, AttrCertificateUserIDs}
	cuid := []UserAttribute{AttrCertificateUserIDs}
	tests := map[CertificateField]struct {
		affinity Affinity
		attrs    []UserAttribute
	}{
		FieldPrincipalName:         {AffinityLow, all},
		FieldRFC822Name:            {AffinityLow, all},
		FieldIssuerAndSubject:      {AffinityLow, cuid},
		FieldSubject:               {AffinityLow, cuid},
		FieldSubjectKeyIdentifier:  {AffinityHigh, cuid},
		FieldSHA1PublicKey:         {AffinityHigh, cuid},
		FieldIssuerAndSerialNumber: {AffinityHigh, cuid},
	}
	if len(tests) != len(CertificateFields) {
		t.Fatalf("%d fields tested, %d declared", len(tests), len(CertificateFields))
	}
	for f, want := range tests {
		if got := f.Affinity(); got != want.affinity {
			t.Errorf("%s: affinity %q, want %q", f, got, want.affinity)
		}
		if diff := cmp.Diff(want.attrs, f.AllowedAttributes()); diff != "" {
			t.Errorf("%s: allowed attributes (-want +got):\n%s", f, diff)
		}
		for _, a := range UserAttributes {
			if got, allowed := f.Allows(a), contains(want.attrs, a); got != allowed {
				t.Errorf("%s.Allows(%s) = %v", f, a, got)
			}
		}
	}
	if CertificateField("UPN").Affinity() != "" || CertificateField("UPN").Allows(AttrUserPrincipalName) {
		t.Error("an unknown field must have no affinity and allow nothing")
	}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestRuleType(t *testing.T) {
	tests := map[string]struct {
		rule Rule
		want RuleType
	}{
		"issuer":     {Rule{Issuer: "CN=CA"}, RuleIssuerSubject},
		"policy":     {Rule{PolicyOID: "1.2.3"}, RulePolicyOID},
		"issuer+oid": {Rule{Issuer: "CN=CA", PolicyOID: "1.2.3"}, RuleIssuerSubjectAndPolicyOID},
	}
	for name, tc := range tests {
		if got := tc.rule.Type(); got != tc.want {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
	}
}

func TestQuoted(t *testing.T) {
	if got := Quoted(Modes); got != `"single_factor" or "multi_factor"` {
		t.Errorf("Quoted(Modes) = %s", got)
	}
	if got := Quoted(CATypes[:1]); got != `"root"` {
		t.Errorf("Quoted one = %s", got)
	}
	if got := Quoted(MethodStates); got != `"enabled" or "disabled"` {
		t.Errorf("Quoted(MethodStates) = %s", got)
	}
}
