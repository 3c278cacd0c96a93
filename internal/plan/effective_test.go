package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// liveTenant is an enabled tenant with the default bindings of a live v1.0
// tenant and a value in every part a configuration may leave out.
func liveTenant() model.State {
	x := model.DefaultX509()
	x.State = model.StateEnabled
	x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: "G1"}, RegistrationRequired: true}}
	x.ExcludeTargets = []model.Target{{Type: model.TargetGroup, ID: "breakglass"}}
	x.DefaultMode = model.MultiFactor
	x.DefaultAffinity = model.AffinityLow
	x.Rules = []model.Rule{{PolicyOID: "1.2.3.4", Mode: model.MultiFactor, Affinity: model.AffinityHigh}}
	x.CRLValidation = model.CRLValidation{Required: true, ExemptSKIs: []string{"AA"}}
	x.IssuerHints = true
	x.CAScopes = []model.CAScope{{SKI: "AA", PKI: "Contoso", Groups: []model.Target{{Type: model.TargetGroup, ID: "G2"}}}}
	st := state(model.PKI{ID: "p1", DisplayName: "Contoso", CAs: []model.CA{
		observedCA("c1", ca("root", root.DER, func(c *model.CA) {
			c.Type, c.DisplayName, c.IssuerHint, c.DeltaCRLURL = model.CATypeRoot, "Set by the service", true, "http://crl/delta"
		})),
	}})
	st.X509 = &x
	return st
}

// TestNotDeclaredIsNotManaged: every part a configuration leaves out keeps
// the tenant's value, so the plan has no change for it and the value apply
// writes is the tenant's own.
func TestNotDeclaredIsNotManaged(t *testing.T) {
	obs := liveTenant()
	minimal := func(mod ...func(*model.X509Config)) model.State {
		x := model.X509Config{State: model.StateEnabled, Unmanaged: model.X509AllParts}
		for _, m := range mod {
			m(&x)
		}
		d := state(model.PKI{Name: "contoso", DisplayName: "Contoso", CAs: []model.CA{
			{Name: "root", Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl/root",
				Unmanaged: model.CAPartDeltaCRLURL | model.CAPartIssuerHint | model.CAPartDisplayName},
		}})
		d.X509 = &x
		return d
	}
	tests := map[string]struct {
		desired model.State
		changes []summary
	}{
		"nothing declared but the state": {minimal(), []summary{}},
		"rule without affinity keeps the tenant's": {minimal(func(x *model.X509Config) {
			x.Unmanaged &^= model.X509Rules
			x.Rules = []model.Rule{{Name: "piv", PolicyOID: "1.2.3.4", Mode: model.MultiFactor}}
		}), []summary{}},
		"target without registration_required keeps the tenant's": {minimal(func(x *model.X509Config) {
			x.Unmanaged &^= model.X509IncludeTargets
			x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: "g1"}, RegistrationUnmanaged: true}}
		}), []summary{}},
		"declared bindings are managed": {minimal(func(x *model.X509Config) {
			x.Unmanaged &^= model.X509UsernameBindings
			x.UsernameBindings = []model.UsernameBinding{{Field: model.FieldSubjectKeyIdentifier, Attribute: model.AttrCertificateUserIDs, Priority: 1}}
		}), []summary{{"x509_certificate", Update}}},
		"declared authentication_mode without rules removes them": {minimal(func(x *model.X509Config) {
			x.Unmanaged &^= model.X509Rules
		}), []summary{{"x509_certificate", Update}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := Diff(tc.desired, obs)
			if diff := cmp.Diff(tc.changes, summarize(p)); diff != "" {
				t.Fatalf("changes (-want +got):\n%s", diff)
			}
			eff := Effective(tc.desired, obs)
			if eff.X509.Unmanaged != 0 {
				t.Errorf("unmanaged parts left: %b", eff.X509.Unmanaged)
			}
			if tc.desired.X509.Unmanaged&model.X509UsernameBindings != 0 {
				if diff := cmp.Diff(obs.X509.UsernameBindings, eff.X509.UsernameBindings); diff != "" {
					t.Errorf("bindings written (-tenant +written):\n%s", diff)
				}
			}
			if got := eff.PKIs[0].CAs[0]; got.DisplayName != "Set by the service" || !got.IssuerHint || got.DeltaCRLURL != "http://crl/delta" {
				t.Errorf("CA written %+v, want the tenant's display name, issuer hint and delta CRL", got)
			}
		})
	}
	// The desired state is not modified.
	d := minimal()
	Effective(d, obs)
	if d.X509.Unmanaged != model.X509AllParts || len(d.X509.UsernameBindings) != 0 || d.PKIs[0].CAs[0].DisplayName != "" {
		t.Errorf("Effective modified its input: %+v", d.X509)
	}
}

// TestUploadedCAValuesNotManaged: the attributes the service sets on an
// uploaded CA never show up as a change.
func TestUploadedCAValuesNotManaged(t *testing.T) {
	up := model.CAFromUpload(issuing.Cert)
	d := state(model.PKI{Name: "b", DisplayName: "B", Upload: &model.Upload{URL: "https://x/b.p7b"}, CAs: []model.CA{up}})
	o := state(model.PKI{ID: "p1", DisplayName: "B", CAs: []model.CA{{
		ID: "c1", Certificate: issuing.DER, Type: model.CATypeRoot, CRLURL: "http://elsewhere/crl", IssuerHint: true, DisplayName: "Issuing",
	}}})
	if p := Diff(d, o); p.HasChanges() {
		t.Errorf("changes: %+v", summarize(p))
	}
}

// TestTrustStoreNeedsMethodEnabled: trust store changes that would run while
// the method is disabled are an error naming the fix.
func TestTrustStoreNeedsMethodEnabled(t *testing.T) {
	pkiOnly := state(model.PKI{Name: "p", DisplayName: "P", CAs: []model.CA{ca("root", root.DER)}})
	withState := func(s model.State, st model.MethodState) model.State {
		x := model.X509Config{State: st, Unmanaged: model.X509AllParts}
		s.X509 = &x
		return s
	}
	tenant := func(st model.MethodState) model.State {
		o := state()
		x := model.DefaultX509()
		x.State = st
		o.X509 = &x
		return o
	}
	const summary = "Trust store changes while certificate-based authentication is disabled"
	tests := map[string]struct {
		desired, observed model.State
		wantErr           bool
	}{
		"disabled, no x509 block":         {pkiOnly, tenant(model.StateDisabled), true},
		"disabled, stays disabled":        {withState(pkiOnly, model.StateDisabled), tenant(model.StateDisabled), true},
		"disabled, enabled by the plan":   {withState(pkiOnly, model.StateEnabled), tenant(model.StateDisabled), false},
		"enabled, disabled by the plan":   {withState(pkiOnly, model.StateDisabled), tenant(model.StateEnabled), false},
		"enabled, no x509 block":          {pkiOnly, tenant(model.StateEnabled), false},
		"disabled, no trust store change": {withState(state(), model.StateDisabled), tenant(model.StateDisabled), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := Diff(tc.desired, tc.observed)
			got := false
			for _, d := range p.Diagnostics {
				if d.Severity == "error" && d.Summary == summary {
					got = true
				}
			}
			if got != tc.wantErr {
				t.Errorf("error %v, want %v: %+v", got, tc.wantErr, p.Diagnostics)
			}
		})
	}
}

func TestFirstHTTPCDP(t *testing.T) {
	c := root.NewIntermediate(pkitest.WithCRLDistributionPoints("ldap:///x", "https://a/crl", "HTTP://b/crl", "http://c/crl"))
	if got := model.FirstHTTPCDP(c.Cert); got != "HTTP://b/crl" {
		t.Errorf("FirstHTTPCDP = %q", got)
	}
	if got := model.CAFromUpload(c.Cert).CRLURL; got != "HTTP://b/crl" {
		t.Errorf("CAFromUpload CRL URL = %q", got)
	}
}

// TestStrengthDescriptionNotManaged: a strength that leaves description out
// keeps the tenant's (no change, and an update for another reason writes
// the tenant's back), a new one is created without one, and
// description = "" manages it: the description is cleared.
func TestStrengthDescriptionNotManaged(t *testing.T) {
	mfa := []string{model.CombinationX509MultiFactor}
	obs := model.State{Strengths: []model.AuthStrength{
		{ID: "b-1", DisplayName: "Phishing-resistant MFA", Description: "Built in", PolicyType: model.BuiltInStrength, AllowedCombinations: []string{"fido2"}},
		{ID: "s-1", DisplayName: "Secret", Description: "Smart cards", PolicyType: "custom", AllowedCombinations: mfa},
	}}
	declared := func(name, display string, mod func(*model.AuthStrength)) model.State {
		s := model.AuthStrength{Name: name, DisplayName: display, AllowedCombinations: mfa, DescriptionUnmanaged: true}
		if mod != nil {
			mod(&s)
		}
		return model.State{Strengths: []model.AuthStrength{s}}
	}
	manage := func(d string) func(*model.AuthStrength) {
		return func(s *model.AuthStrength) { s.Description, s.DescriptionUnmanaged = d, false }
	}
	tests := map[string]struct {
		desired model.State
		changes []summary
		// written is the description apply writes (Change.Strength), and
		// nodes whether the change's after tree holds one.
		written string
		nodes   bool
	}{
		"left out keeps the tenant's":      {declared("secret", "Secret", nil), []summary{}, "", false},
		"left out, renamed by case":        {declared("secret", "SECRET", nil), []summary{{"authentication_strength.secret", Update}}, "Smart cards", true},
		"left out, created without one":    {declared("new", "New", nil), []summary{{"authentication_strength.new", Create}}, "", false},
		"empty clears it":                  {declared("secret", "Secret", manage("")), []summary{{"authentication_strength.secret", Update}}, "", false},
		"declared replaces it":             {declared("secret", "Secret", manage("Secret CA")), []summary{{"authentication_strength.secret", Update}}, "Secret CA", true},
		"declared the same, no change":     {declared("secret", "Secret", manage("Smart cards")), []summary{}, "", false},
		"left out, built-in name: refused": {declared("pr", "Phishing-resistant MFA", nil), []summary{}, "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := Diff(tc.desired, obs)
			if diff := cmp.Diff(tc.changes, summarize(p)); diff != "" {
				t.Fatalf("changes (-want +got):\n%s", diff)
			}
			if len(p.Changes) == 0 {
				return
			}
			c := p.Changes[0]
			if c.Strength.Description != tc.written {
				t.Errorf("description written %q, want %q", c.Strength.Description, tc.written)
			}
			has := false
			for _, n := range c.After {
				if n.Name == "description" {
					has = true
				}
			}
			if has != tc.nodes {
				t.Errorf("after tree has a description: %v, want %v (%+v)", has, tc.nodes, c.After)
			}
		})
	}
	// The desired state is not modified.
	d := declared("secret", "Secret", nil)
	Effective(d, obs)
	if s := d.Strengths[0]; !s.DescriptionUnmanaged || s.Description != "" {
		t.Errorf("Effective modified its input: %+v", s)
	}
}
