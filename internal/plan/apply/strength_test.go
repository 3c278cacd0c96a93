package apply

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

const (
	mfa = model.CombinationX509MultiFactor
	sfa = model.CombinationX509SingleFactor
)

func strengthState(t *testing.T, tn *recorder) model.State {
	t.Helper()
	st := model.State{}
	ss, _, err := tn.ObserveStrengths(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Strengths = ss
	return st
}

func steps(p *plan.Plan) []string {
	var out []string
	for _, s := range Steps(p) {
		out = append(out, string(s.Address)+": "+s.Description)
	}
	return out
}

// TestStrengthOrder: a new combination is allowed before a configuration
// applies to it, a configuration goes before its combination, strengths are
// deleted last; every change converges.
func TestStrengthOrder(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	keep, err := tn.CreateStrength(ctx, model.AuthStrength{DisplayName: "Keep", AllowedCombinations: []string{mfa}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tn.CreateStrengthX509(ctx, keep.ID, model.StrengthX509{AppliesTo: []string{mfa}, AllowedIssuerSKIs: []string{"AA"}}); err != nil {
		t.Fatal(err)
	}
	narrow, _ := tn.CreateStrength(ctx, model.AuthStrength{DisplayName: "Narrow", AllowedCombinations: []string{mfa, sfa}})
	if _, err := tn.CreateStrengthX509(ctx, narrow.ID, model.StrengthX509{AppliesTo: []string{sfa}, AllowedPolicyOIDs: []string{"1.2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tn.CreateStrength(ctx, model.AuthStrength{DisplayName: "Gone", AllowedCombinations: []string{mfa}}); err != nil {
		t.Fatal(err)
	}

	desired := model.State{Strengths: []model.AuthStrength{
		// A combination added and the configuration applied to it.
		{Name: "keep", DisplayName: "Keep", Description: "new", AllowedCombinations: []string{mfa, sfa},
			X509: &model.StrengthX509{AppliesTo: []string{mfa, sfa}, AllowedIssuerSKIs: []string{"aa"}}},
		// A combination and its configuration removed.
		{Name: "narrow", DisplayName: "Narrow", AllowedCombinations: []string{mfa}},
		{Name: "gone", DisplayName: "Gone", AllowedCombinations: []string{mfa}, Absent: true},
		{Name: "new", DisplayName: "New", AllowedCombinations: []string{sfa},
			X509: &model.StrengthX509{AppliesTo: []string{sfa}, AllowedPolicyOIDs: []string{"1.2.3"}}},
	}}
	p := plan.Diff(desired, strengthState(t, tn))
	want := []string{
		"authentication_strength.keep: " + descUpdateStrength,
		"authentication_strength.keep: allow the new combinations (updateAllowedCombinations)",
		"authentication_strength.new: create authentication strength",
		"authentication_strength.narrow.x509_certificate: delete x509 certificate combination configuration",
		"authentication_strength.keep.x509_certificate: update x509 certificate combination configuration",
		"authentication_strength.new.x509_certificate: create x509 certificate combination configuration",
		"authentication_strength.narrow: remove the combinations no longer allowed (updateAllowedCombinations)",
		"authentication_strength.gone: delete authentication strength",
	}
	if diff := cmp.Diff(want, steps(p)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	// The snapshot store enforces Graph's rules: any other order fails.
	if _, err := Run(ctx, p, tn, Options{}); err != nil {
		t.Fatal(err)
	}
	if again := plan.Diff(desired, strengthState(t, tn)); again.HasChanges() || again.HasErrors() {
		t.Errorf("not converged: %+v %+v", again.Changes, again.Diagnostics)
	}
}

// TestStrengthPlanRefusals: a strength in use is not deleted, a built-in
// name or two strengths of one name are errors; undeclared and built-in
// strengths never appear.
func TestStrengthPlanRefusals(t *testing.T) {
	observed := model.State{Strengths: []model.AuthStrength{
		{ID: "b", DisplayName: "Phishing-resistant MFA", PolicyType: model.BuiltInStrength, AllowedCombinations: []string{mfa}},
		{ID: "u", DisplayName: "Used", PolicyType: "custom", AllowedCombinations: []string{mfa},
			Usage: &model.StrengthUsage{None: []model.PolicyRef{{ID: "p", DisplayName: "HR apps"}}}},
		{ID: "t1", DisplayName: "Twin", PolicyType: "custom", AllowedCombinations: []string{mfa}},
		{ID: "t2", DisplayName: "Twin", PolicyType: "custom", AllowedCombinations: []string{mfa}},
		{ID: "h", DisplayName: "Hand made", PolicyType: "custom", AllowedCombinations: []string{"fido2"}},
	}}
	desired := model.State{Strengths: []model.AuthStrength{
		{Name: "used", DisplayName: "Used", AllowedCombinations: []string{mfa}, Absent: true},
		{Name: "builtin", DisplayName: "phishing-resistant mfa", AllowedCombinations: []string{mfa}},
		{Name: "twin", DisplayName: "Twin", AllowedCombinations: []string{mfa}},
		{Name: "missing", DisplayName: "Never existed", AllowedCombinations: []string{mfa}, Absent: true},
	}}
	p := plan.Diff(desired, observed)
	if p.HasChanges() {
		t.Errorf("changes: %+v", p.Changes)
	}
	var got []string
	for _, d := range p.Diagnostics {
		got = append(got, string(d.Address)+": "+d.Summary)
	}
	want := []string{
		"authentication_strength.used: Authentication strength in use",
		"authentication_strength.builtin: Built-in authentication strength",
		"authentication_strength.twin: Ambiguous authentication strength",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

// TestStrengthRenameCase: a display name that differs only in case names the
// same strength (Entra's names are unique without regard to case): it is
// renamed in place, never created twice.
func TestStrengthRenameCase(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	if _, err := tn.CreateStrength(ctx, model.AuthStrength{DisplayName: "secret card", AllowedCombinations: []string{mfa}}); err != nil {
		t.Fatal(err)
	}
	desired := model.State{Strengths: []model.AuthStrength{{Name: "s", DisplayName: "Secret Card", AllowedCombinations: []string{mfa}}}}
	p := plan.Diff(desired, strengthState(t, tn))
	if diff := cmp.Diff([]string{"authentication_strength.s: " + descUpdateStrength}, steps(p)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if _, err := Run(ctx, p, tn, Options{}); err != nil {
		t.Fatal(err)
	}
	if again := plan.Diff(desired, strengthState(t, tn)); again.HasChanges() {
		t.Errorf("not converged: %+v", again.Changes)
	}
}
