package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

var (
	root     = pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing  = root.NewIntermediate(pkitest.WithCN("Issuing"))
	renewed  = root.NewIntermediate(pkitest.WithCN("Issuing"))
	stranger = pkitest.NewRoot(pkitest.WithCN("Stranger"))
)

func ca(name string, der []byte, mods ...func(*model.CA)) model.CA {
	c := model.CA{Name: name, Certificate: der, Type: model.CATypeIntermediate, CRLURL: "http://crl/" + name}
	for _, m := range mods {
		m(&c)
	}
	return c
}

// observedCA is ca as Graph returns it: no label, an id.
func observedCA(id string, c model.CA) model.CA {
	c.Name, c.ID = "", id
	return c
}

func state(pkis ...model.PKI) model.State {
	return model.State{ManagesTrustStore: true, PKIs: pkis}
}

type summary struct {
	Address string
	Action  Action
}

func summarize(p *Plan) []summary {
	out := []summary{}
	for _, c := range p.Changes {
		out = append(out, summary{string(c.Address), c.Action})
	}
	return out
}

// TestDiffTrustStore pins the identity and equality rules of the trust store.
func TestDiffTrustStore(t *testing.T) {
	declared := model.PKI{Name: "contoso", DisplayName: "Contoso", CAs: []model.CA{ca("root", root.DER), ca("issuing", issuing.DER)}}
	inTenant := model.PKI{ID: "p1", DisplayName: "Contoso", Status: "succeeded", CAs: []model.CA{
		observedCA("c1", ca("root", root.DER)), observedCA("c2", ca("issuing", issuing.DER)),
	}}
	with := func(p model.PKI, f func(*model.PKI)) model.PKI {
		p.CAs = append([]model.CA(nil), p.CAs...)
		f(&p)
		return p
	}
	tests := map[string]struct {
		desired, observed model.State
		want              []summary
	}{
		"in sync": {state(declared), state(inTenant), []summary{}},
		"empty tenant": {state(declared), state(), []summary{
			{"pki.contoso", Create},
			{"pki.contoso.certificate_authority.root", Create},
			{"pki.contoso.certificate_authority.issuing", Create},
		}},
		"CA order in the tenant does not matter": {state(declared), state(with(inTenant, func(p *model.PKI) {
			p.CAs[0], p.CAs[1] = p.CAs[1], p.CAs[0]
		})), []summary{}},
		"server fields and ids never diff": {state(declared), state(with(inTenant, func(p *model.PKI) {
			p.ID, p.CAs[0].ID = "other", "other"
		})), []summary{}},
		"changed CRL URL is an update": {state(declared), state(with(inTenant, func(p *model.PKI) {
			p.CAs[1].CRLURL = "http://old/crl"
		})), []summary{{"pki.contoso.certificate_authority.issuing", Update}}},
		"changed delta CRL, type, issuer hint are updates": {state(with(declared, func(p *model.PKI) {
			p.CAs[0].DeltaCRLURL = "http://delta"
			p.CAs[1].Type = model.CATypeRoot
		})), state(with(inTenant, func(p *model.PKI) {
			p.CAs[1].IssuerHint = true
		})), []summary{
			{"pki.contoso.certificate_authority.root", Update},
			{"pki.contoso.certificate_authority.issuing", Update},
		}},
		"URL differing only in case is a change": {state(declared), state(with(inTenant, func(p *model.PKI) {
			p.CAs[0].CRLURL = "http://CRL/root"
		})), []summary{{"pki.contoso.certificate_authority.root", Update}}},
		"renewed certificate is a replace": {state(with(declared, func(p *model.PKI) {
			p.CAs[1] = ca("issuing", renewed.DER)
		})), state(inTenant), []summary{{"pki.contoso.certificate_authority.issuing", Replace}}},
		"undeclared CA is deleted": {state(declared), state(with(inTenant, func(p *model.PKI) {
			p.CAs = append(p.CAs, observedCA("c3", ca("", stranger.DER)))
		})), []summary{{`pki.contoso.certificate_authority["` + stranger.Cert.Subject.CommonName + `"]`, Delete}}},
		"undeclared PKI is deleted":            {state(declared), state(inTenant, model.PKI{ID: "p9", DisplayName: "Hand made"}), []summary{{`pki["Hand made"]`, Delete}}},
		"no pki block: trust store left alone": {model.State{}, state(inTenant, model.PKI{ID: "p9", DisplayName: "Hand made"}), []summary{}},
		"running upload is not touched": {state(declared), state(with(inTenant, func(p *model.PKI) {
			p.Status, p.CAs = "running", nil
		}), model.PKI{ID: "p9", DisplayName: "Busy", Status: "running"}), []summary{}},
		"display name is the identity": {state(with(declared, func(p *model.PKI) { p.DisplayName = "Contoso PKI" })), state(inTenant), []summary{
			{"pki.contoso", Create},
			{"pki.contoso.certificate_authority.root", Create},
			{"pki.contoso.certificate_authority.issuing", Create},
			{`pki["Contoso"]`, Delete},
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := Diff(tc.desired, tc.observed)
			got := summarize(p)
			// The undeclared CA's address holds its thumbprint.
			for i := range tc.want {
				if tc.want[i].Address == `pki.contoso.certificate_authority["Stranger"]` {
					tc.want[i].Address = string(ObservedCAAddress("pki.contoso", pkitestThumb(stranger)))
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func pkitestThumb(c *pkitest.CA) string { return observedCA("", ca("", c.DER)).Thumbprint() }

func TestDiffUpload(t *testing.T) {
	bundleCAs := []model.CA{
		{Certificate: root.DER, Type: model.CATypeRoot},
		{Certificate: issuing.DER, Type: model.CATypeIntermediate},
	}
	desired := state(model.PKI{Name: "b", DisplayName: "Bundle", Upload: &model.Upload{URL: "https://x/b.p7b"}, CAs: bundleCAs})
	t.Run("new PKI: create and one upload", func(t *testing.T) {
		got := summarize(Diff(desired, state()))
		want := []summary{{"pki.b", Create}, {"pki.b.upload", Create}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("empty container: one upload", func(t *testing.T) {
		got := summarize(Diff(desired, state(model.PKI{ID: "p", DisplayName: "Bundle"})))
		if diff := cmp.Diff([]summary{{"pki.b.upload", Create}}, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("all present: nothing", func(t *testing.T) {
		obs := state(model.PKI{ID: "p", DisplayName: "Bundle", CAs: []model.CA{observedCA("1", bundleCAs[1]), observedCA("2", bundleCAs[0])}})
		if got := summarize(Diff(desired, obs)); len(got) != 0 {
			t.Error(got)
		}
	})
	t.Run("partly present: the missing one is created", func(t *testing.T) {
		obs := state(model.PKI{ID: "p", DisplayName: "Bundle", CAs: []model.CA{observedCA("1", bundleCAs[0])}})
		p := Diff(desired, obs)
		want := []summary{{string(ObservedCAAddress("pki.b", bundleCAs[1].Thumbprint())), Create}}
		if diff := cmp.Diff(want, summarize(p)); diff != "" {
			t.Error(diff)
		}
	})
}

// TestDiffX509 pins the equality rules of the method configuration.
func TestDiffX509(t *testing.T) {
	base := func() model.X509Config {
		x := model.DefaultX509()
		x.State = model.StateEnabled
		x.IncludeTargets = []model.IncludeTarget{
			{Target: model.Target{Type: model.TargetGroup, ID: "AAAAAAAA-0000-0000-0000-000000000001"}},
			{Target: model.Target{Type: model.TargetGroup, ID: "aaaaaaaa-0000-0000-0000-000000000002"}, RegistrationRequired: true},
		}
		x.Rules = []model.Rule{
			{Name: "a", Issuer: "CN=Issuing", Mode: model.MultiFactor},
			{Name: "b", PolicyOID: "1.2.3", Mode: model.MultiFactor, Affinity: model.AffinityHigh},
			{Name: "c", Issuer: "CN=Issuing", PolicyOID: "1.2.4", Mode: model.SingleFactor},
		}
		x.UsernameBindings = []model.UsernameBinding{
			{Field: model.FieldPrincipalName, Attribute: model.AttrUserPrincipalName, Priority: 1},
			{Field: model.FieldSubjectKeyIdentifier, Attribute: model.AttrCertificateUserIDs, Priority: 2},
		}
		x.CRLValidation = model.CRLValidation{Required: true, ExemptSKIs: []string{"abcdef", "012345"}}
		return x
	}
	tests := map[string]struct {
		change  func(*model.X509Config) // applied to the observed copy
		changed bool
	}{
		"identical":                {func(*model.X509Config) {}, false},
		"rules reordered by Graph": {func(x *model.X509Config) { x.Rules[0], x.Rules[2] = x.Rules[2], x.Rules[0] }, false},
		"bindings reordered by Graph": {func(x *model.X509Config) {
			x.UsernameBindings[0], x.UsernameBindings[1] = x.UsernameBindings[1], x.UsernameBindings[0]
		}, false},
		"targets reordered by Graph": {func(x *model.X509Config) {
			x.IncludeTargets[0], x.IncludeTargets[1] = x.IncludeTargets[1], x.IncludeTargets[0]
		}, false},
		"GUID case":                    {func(x *model.X509Config) { x.IncludeTargets[0].ID = "aaaaaaaa-0000-0000-0000-000000000001" }, false},
		"hex case and order of SKIs":   {func(x *model.X509Config) { x.CRLValidation.ExemptSKIs = []string{"012345", "ABCDEF"} }, false},
		"rule names are not in Graph":  {func(x *model.X509Config) { x.Rules[0].Name = "" }, false},
		"null and empty lists":         {func(x *model.X509Config) { x.ExcludeTargets = []model.Target{} }, false},
		"rule affinity low is default": {func(x *model.X509Config) { x.Rules[0].Affinity = model.AffinityLow }, false},
		"state":                        {func(x *model.X509Config) { x.State = model.StateDisabled }, true},
		"default mode":                 {func(x *model.X509Config) { x.DefaultMode = model.MultiFactor }, true},
		"default affinity":             {func(x *model.X509Config) { x.DefaultAffinity = model.AffinityHigh }, true},
		"rule mode":                    {func(x *model.X509Config) { x.Rules[1].Mode = model.SingleFactor }, true},
		"rule affinity":                {func(x *model.X509Config) { x.Rules[1].Affinity = model.AffinityLow }, true},
		"rule issuer whitespace":       {func(x *model.X509Config) { x.Rules[0].Issuer = "CN=Issuing " }, true},
		"rule removed":                 {func(x *model.X509Config) { x.Rules = x.Rules[:2] }, true},
		"binding priority swap": {func(x *model.X509Config) {
			x.UsernameBindings[0].Priority, x.UsernameBindings[1].Priority = 2, 1
		}, true},
		"target added":          {func(x *model.X509Config) { x.IncludeTargets = x.IncludeTargets[:1] }, true},
		"registration required": {func(x *model.X509Config) { x.IncludeTargets[1].RegistrationRequired = false }, true},
		"exclude target":        {func(x *model.X509Config) { x.ExcludeTargets = []model.Target{{Type: model.TargetGroup, ID: "x"}} }, true},
		"crl required":          {func(x *model.X509Config) { x.CRLValidation.Required = false }, true},
		"exempt SKI":            {func(x *model.X509Config) { x.CRLValidation.ExemptSKIs = x.CRLValidation.ExemptSKIs[:1] }, true},
		"issuer hints":          {func(x *model.X509Config) { x.IssuerHints = true }, true},
		"CA scope": {func(x *model.X509Config) {
			x.CAScopes = []model.CAScope{{SKI: "AB", Groups: []model.Target{{Type: model.TargetGroup, ID: "g"}}}}
		}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			desired, observed := base(), base()
			tc.change(&observed)
			p := Diff(model.State{X509: &desired}, model.State{X509: &observed})
			if got := p.HasChanges(); got != tc.changed {
				t.Fatalf("changed = %v, want %v: %+v", got, tc.changed, summarize(p))
			}
			if tc.changed && (p.Changes[0].Address != model.X509Address || p.Changes[0].Action != Update) {
				t.Errorf("change %+v", summarize(p))
			}
		})
	}
}

func TestResolveGroups(t *testing.T) {
	x := &model.X509Config{
		IncludeTargets: []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, GroupName: "One"}}},
		ExcludeTargets: []model.Target{{Type: model.TargetGroup, GroupName: "None"}, {Type: model.TargetGroup, GroupName: "Two"}},
	}
	if diff := cmp.Diff([]string{"None", "One", "Two"}, GroupNamesToResolve(x)); diff != "" {
		t.Error(diff)
	}
	diags := ResolveGroups(x, map[string][]model.Group{
		"One": {{ID: "1", DisplayName: "One"}},
		"Two": {{ID: "2a"}, {ID: "2b"}},
	})
	if x.IncludeTargets[0].ID != "1" {
		t.Errorf("One resolved to %q", x.IncludeTargets[0].ID)
	}
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary)
	}
	if diff := cmp.Diff([]string{"Group not found", "Ambiguous group name"}, summaries); diff != "" {
		t.Error(diff)
	}
}

func TestSummaryCountsReplaceTwice(t *testing.T) {
	p := &Plan{Changes: []Change{{Action: Create}, {Action: Update}, {Action: Delete}, {Action: Replace}}}
	if got := p.Summary(); got != (Summary{Add: 2, Change: 1, Destroy: 2}) {
		t.Errorf("summary %+v", got)
	}
}

func TestLegacyStoreWarns(t *testing.T) {
	p := Diff(model.State{}, model.State{LegacyCAs: []model.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}})
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Severity != "warning" || p.HasChanges() {
		t.Errorf("diagnostics %+v", p.Diagnostics)
	}
}
