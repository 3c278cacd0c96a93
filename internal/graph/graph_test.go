package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func TestObserveUntouchedTenant(t *testing.T) {
	srv := graphtest.New(graphtest.Options{Token: testToken}) // untouched: the method disabled
	t.Cleanup(srv.Close)
	srv.Store.SetTenantID("11111111-2222-3333-4444-555555555555")
	c, _ := newClient(t, srv)
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("warnings: %q", obs.Warnings)
	}
	st := obs.State
	if st.TenantID != "11111111-2222-3333-4444-555555555555" || st.Cloud != model.CloudGlobal || !st.ManagesTrustStore {
		t.Errorf("state header: %+v", st)
	}
	if diff := cmp.Diff(model.DefaultX509(), *st.X509, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("x509 (-want +got):\n%s", diff)
	}
	if len(st.PKIs) != 0 || len(st.LegacyCAs) != 0 {
		t.Errorf("PKIs %v, legacy %v", st.PKIs, st.LegacyCAs)
	}
	// Every request asks for evolvable enum members; collections ask for
	// 999 items a page.
	for _, r := range srv.Requests() {
		if !strings.Contains(r.Header.Get("Prefer"), "include-unknown-enum-members") {
			t.Errorf("%s %s without Prefer: include-unknown-enum-members", r.Method, r.Path)
		}
	}
	if got := requests(srv, "GET", "/certificateBasedAuthConfigurations"); len(got) != 1 || !strings.Contains(got[0].RawQuery, "top=999") {
		t.Errorf("PKI list requests: %+v", got)
	}
	if got := requests(srv, "GET", "/organization"); len(got) != 1 || !strings.Contains(got[0].RawQuery, "select=id") {
		t.Errorf("organization requests: %+v", got)
	}
}

func TestPKIAndCAWrites(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c, _ := newClient(t, srv)

	p, err := c.CreatePKI(ctx, "Contoso PKI")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.DisplayName != "Contoso PKI" {
		t.Fatalf("CreatePKI = %+v", p)
	}
	if err := c.UpdatePKI(ctx, p.ID, "Contoso PKI 2"); err != nil {
		t.Fatal(err)
	}

	root := pkitest.NewRoot(pkitest.WithCN("Contoso Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Contoso Issuing"))
	rootCA, err := c.CreateCA(ctx, p.ID, model.CA{
		Name: "root", Certificate: root.DER, Type: model.CATypeRoot,
		CRLURL: "http://crl.contoso.com/root.crl", DeltaCRLURL: "http://crl.contoso.com/root+.crl",
		IssuerHint: true, DisplayName: "Contoso Root CA",
	})
	if err != nil {
		t.Fatal(err)
	}
	if rootCA.ID == "" || rootCA.Name != "root" || rootCA.Thumbprint() != pki.SHA1Thumbprint(root.DER) ||
		rootCA.CRLURL != "http://crl.contoso.com/root.crl" || !rootCA.IssuerHint || rootCA.Type != model.CATypeRoot {
		t.Errorf("CreateCA = %+v", rootCA)
	}
	interCA, err := c.CreateCA(ctx, p.ID, model.CA{Certificate: inter.DER, Type: model.CATypeIntermediate})
	if err != nil {
		t.Fatal(err)
	}
	// The POST body carries what Graph requires on create.
	post := requests(srv, "POST", "/certificateAuthorities")[0]
	var body map[string]any
	if err := json.Unmarshal(post.Body, &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"certificate", "certificateAuthorityType", "certificateRevocationListUrl", "deltaCertificateRevocationListUrl",
		"isIssuerHintEnabled", "displayName", "thumbprint", "expirationDateTime", "issuer", "issuerSubjectKeyIdentifier"} {
		if _, ok := body[k]; !ok {
			t.Errorf("POST CA body lacks %s: %s", k, post.Body)
		}
	}
	if post.Header.Get("Content-Encoding") != "" {
		t.Errorf("request body compressed: %q", post.Header.Get("Content-Encoding"))
	}

	// Clearing the CRL URLs sends explicit nulls.
	upd := rootCA
	upd.CRLURL, upd.DeltaCRLURL, upd.IssuerHint, upd.Type = "", "", false, model.CATypeIntermediate
	if err := c.UpdateCA(ctx, p.ID, upd); err != nil {
		t.Fatal(err)
	}
	patch := requests(srv, "PATCH", "/certificateAuthorities/"+rootCA.ID)
	if len(patch) != 1 {
		t.Fatalf("CA PATCH requests: %d", len(patch))
	}
	var pb map[string]json.RawMessage
	if err := json.Unmarshal(patch[0].Body, &pb); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"certificateRevocationListUrl", "deltaCertificateRevocationListUrl"} {
		if v, ok := pb[k]; !ok || string(v) != "null" {
			t.Errorf("PATCH body %s = %s, want null (body %s)", k, v, patch[0].Body)
		}
	}

	obs, err := c.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.State.PKIs) != 1 {
		t.Fatalf("PKIs: %+v", obs.State.PKIs)
	}
	got := obs.State.PKIs[0]
	if got.DisplayName != "Contoso PKI 2" || len(got.CAs) != 2 {
		t.Fatalf("observed PKI: %+v", got)
	}
	r := got.CAs[0]
	if r.CRLURL != "" || r.DeltaCRLURL != "" || r.IssuerHint || r.Type != model.CATypeIntermediate || r.DisplayName != "Contoso Root CA" {
		t.Errorf("updated CA: %+v", r)
	}

	single, err := c.PKI(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if single.ID != p.ID || len(single.CAs) != 2 || single.Status != "succeeded" {
		t.Errorf("PKI = %+v", single)
	}

	if err := c.DeleteCA(ctx, p.ID, interCA.ID); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteCA(ctx, p.ID, interCA.ID)
	if !IsNotFound(err) {
		t.Fatalf("second DeleteCA: %v, want a 404", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Method != "DELETE" ||
		ae.Path != "/directory/publicKeyInfrastructure/certificateBasedAuthConfigurations/"+p.ID+"/certificateAuthorities/"+interCA.ID ||
		ae.RequestID == "" || !strings.HasPrefix(err.Error(), "DELETE /directory/") || !strings.Contains(err.Error(), "(request-id ") {
		t.Errorf("APIError = %#v (%v)", ae, err)
	}
	if err := c.DeletePKI(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	// Graph deletes asynchronously: the PKI reports a running job, then
	// it is gone (404, model.ErrNotFound).
	if got, err := c.PKI(ctx, p.ID); err != nil || !strings.EqualFold(got.Status, "running") {
		t.Errorf("PKI during the deletion: %+v, %v", got, err)
	}
	if _, err := c.PKI(ctx, p.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("PKI after the deletion: %v, want model.ErrNotFound", err)
	}
	obs, err = c.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.State.PKIs) != 0 {
		t.Errorf("PKIs after delete: %+v", obs.State.PKIs)
	}
}

// A PKI PATCH answered with 204 (not ruled out for Graph) is a success too.
func TestUpdatePKINoContent(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv)
	id := seedPKI(t, srv, "p", 0, false)
	srv.FailWhen(matchPath("PATCH", id), 1, graphtest.Fault{Status: 204, AfterHandling: true})
	if err := c.UpdatePKI(context.Background(), id, "renamed"); err != nil {
		t.Fatal(err)
	}
	var p wire.PKI
	b, _ := srv.Store.PKI(id)
	_ = json.Unmarshal(b, &p)
	if p.DisplayName != "renamed" {
		t.Errorf("displayName %q", p.DisplayName)
	}
}

func TestUpdateX509Body(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c, _ := newClient(t, srv)
	const gid = "aaaaaaaa-0000-0000-0000-000000000001"
	x := fullX509(gid, "AABBCCDDEEFF00112233445566778899AABBCCDD")
	if err := c.UpdateX509(ctx, x); err != nil {
		t.Fatal(err)
	}
	patches := requests(srv, "PATCH", "/x509Certificate")
	if len(patches) != 1 {
		t.Fatalf("PATCHes: %d", len(patches))
	}
	var body map[string]any
	if err := json.Unmarshal(patches[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["@odata.type"] != wire.X509ODataType {
		t.Errorf("@odata.type = %v", body["@odata.type"])
	}
	if h, _ := body["issuerHintsConfiguration"].(map[string]any); h["state"] != "enabled" {
		t.Errorf("issuerHintsConfiguration = %v", body["issuerHintsConfiguration"])
	}
	scopes, _ := body["certificateAuthorityScopes"].([]any)
	if len(scopes) != 1 {
		t.Fatalf("certificateAuthorityScopes = %v", body["certificateAuthorityScopes"])
	}
	if s := scopes[0].(map[string]any); s["publicKeyInfrastructureIdentifier"] != "Contoso PKI" || len(s["includeTargets"].([]any)) != 1 {
		t.Errorf("scope = %v", s)
	}

	obs, err := c.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("warnings: %q", obs.Warnings)
	}
	want := x
	for i := range want.Rules {
		want.Rules[i].Name = ""
	}
	if diff := cmp.Diff(want, *obs.State.X509, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// An empty configuration still sends every collection, empty.
	srv.ResetRequests()
	if err := c.UpdateX509(ctx, model.X509Config{State: model.StateDisabled, DefaultMode: model.SingleFactor, DefaultAffinity: model.AffinityLow}); err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(requests(srv, "PATCH", "/x509Certificate")[0].Body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"includeTargets", "excludeTargets", "certificateUserBindings", "certificateAuthorityScopes"} {
		if string(raw[k]) != "[]" {
			t.Errorf("%s = %s, want []", k, raw[k])
		}
	}
	var mode, crl map[string]json.RawMessage
	_ = json.Unmarshal(raw["authenticationModeConfiguration"], &mode)
	_ = json.Unmarshal(raw["crlValidationConfiguration"], &crl)
	if string(mode["rules"]) != "[]" || string(crl["exemptedCertificateAuthoritiesSubjectKeyIdentifiers"]) != "[]" {
		t.Errorf("nested collections: rules %s, exempt %s", mode["rules"], crl["exemptedCertificateAuthoritiesSubjectKeyIdentifiers"])
	}
	if _, ok := raw["issuerHintsConfiguration"]; !ok {
		t.Errorf("issuerHintsConfiguration missing: %s", requests(srv, "PATCH", "/x509Certificate")[0].Body)
	}
}

func TestUpdateX509Rejects(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv)
	ctx := context.Background()
	x := model.DefaultX509()
	x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, GroupName: "CBA Users"}}}
	if err := c.UpdateX509(ctx, x); err == nil || !strings.Contains(err.Error(), "includeTargets[0]") {
		t.Errorf("unresolved group: %v", err)
	}
	x = model.DefaultX509()
	x.Rules = []model.Rule{{Issuer: "CN=x", Mode: "triple_factor"}}
	if err := c.UpdateX509(ctx, x); err == nil || !strings.Contains(err.Error(), "triple_factor") {
		t.Errorf("unknown mode: %v", err)
	}
	if n := len(requests(srv, "PATCH", "/x509Certificate")); n != 0 {
		t.Errorf("%d PATCHes sent for invalid bodies", n)
	}
}

// issuerSubjectAndPolicyOID is an evolvable enum member: Graph returns it
// only to a client that sends "Prefer: include-unknown-enum-members".
func TestIssuerSubjectAndPolicyOIDRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c, _ := newClient(t, srv)
	x := model.DefaultX509()
	x.Rules = []model.Rule{{Issuer: "CN=Contoso Issuing,DC=contoso,DC=com", PolicyOID: "1.2.3.4", Mode: model.MultiFactor, Affinity: model.AffinityHigh}}
	if err := c.UpdateX509(ctx, x); err != nil {
		t.Fatal(err)
	}
	obs, err := c.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("warnings: %q", obs.Warnings)
	}
	if diff := cmp.Diff(x.Rules, obs.State.X509.Rules, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if obs.State.X509.Rules[0].Type() != model.RuleIssuerSubjectAndPolicyOID {
		t.Errorf("rule type %s", obs.State.X509.Rules[0].Type())
	}
}

func TestUnknownPropertyAndEnumWarnings(t *testing.T) {
	srv := newServer(t)
	srv.Store.PatchX509(wire.Object{
		"newThing": json.RawMessage(`1`),
		"state":    json.RawMessage(`"disabled"`),
		"authenticationModeConfiguration": json.RawMessage(`{"x509CertificateAuthenticationDefaultMode":"x509CertificateSingleFactor",
			"rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"CN=x","x509CertificateAuthenticationMode":"x509CertificateQuantumFactor","futureField":true}]}`),
	})
	id := seedPKI(t, srv, "p", 1, false)
	b, _ := srv.Store.CAs(id)
	var ca wire.Object
	_ = json.Unmarshal(b[0], &ca)
	ca["certificateAuthorityType"] = json.RawMessage(`"bridge"`)
	ca["ocspUrl"] = json.RawMessage(`"http://ocsp"`)
	srv.Store.DeleteCA(id, strings.Trim(string(ca["id"]), `"`))
	if _, err := srv.Store.CreateCA(id, ca); err != nil {
		t.Fatal(err)
	}

	c, _ := newClient(t, srv)
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(obs.Warnings, "\n")
	for _, want := range []string{
		"Graph returned x509Certificate.newThing, which cbactl does not model; it is left as it is",
		"x509Certificate.authenticationModeConfiguration.rules[0].futureField",
		"certificateBasedAuthConfigurations[0].certificateAuthorities[0].ocspUrl",
		`"x509CertificateQuantumFactor"`,
		`"bridge"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning with %q in:\n%s", want, all)
		}
	}
}

// A policy response that is not the x509 method's configuration with a
// valid state (an empty collection from another host, an unknown state) is
// refused, never read as an untouched tenant.
func TestPolicyResponseValidated(t *testing.T) {
	for name, body := range map[string]string{
		"collection":    `{"value":[]}`,
		"other type":    `{"@odata.type":"#microsoft.graph.fido2AuthenticationMethodConfiguration","state":"enabled"}`,
		"unknown state": `{"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration","state":"paused"}`,
		"no state":      `{"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t)
			srv.FailWhen(matchPath("GET", "/x509Certificate"), -1, graphtest.Fault{Status: 200, Body: []byte(body)})
			c, _ := newClient(t, srv)
			_, err := c.Observe(context.Background())
			if err == nil || !strings.Contains(err.Error(), "refusing to read it as the tenant's configuration") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestPagingManyCAs(t *testing.T) {
	srv := newServer(t)
	id := seedPKI(t, srv, "big", 1200, true)
	c, _ := newClient(t, srv)
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.State.PKIs) != 1 || len(obs.State.PKIs[0].CAs) != 1200 {
		t.Fatalf("observed %d PKIs / %d CAs", len(obs.State.PKIs), len(obs.State.PKIs[0].CAs))
	}
	seen := map[string]bool{}
	for i, ca := range obs.State.PKIs[0].CAs {
		if ca.DisplayName != "big-"+itoa(i) {
			t.Fatalf("CA %d is %q: order or paging broken", i, ca.DisplayName)
		}
		if seen[ca.ID] {
			t.Fatalf("CA %s seen twice", ca.ID)
		}
		seen[ca.ID] = true
	}
	pages := requests(srv, "GET", id+"/certificateAuthorities")
	if len(pages) != 2 || !strings.Contains(pages[1].RawQuery, "skiptoken") {
		t.Errorf("CA list requests: %d (%v)", len(pages), pages)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("warnings: %q", obs.Warnings[:min(3, len(obs.Warnings))])
	}
}

// An Observe takes two sequential round trips whatever the number of PKIs.
func TestObserveRoundTrips(t *testing.T) {
	srv := newServer(t)
	for i := range 12 {
		seedPKI(t, srv, "p"+itoa(i), 3, false)
	}
	srv.Store.SetLegacy(wire.LegacyConfig{})
	c, _ := newClient(t, srv)
	srv.SetLatency(150 * time.Millisecond)
	start := time.Now()
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	if len(obs.State.PKIs) != 12 {
		t.Fatalf("%d PKIs", len(obs.State.PKIs))
	}
	// Two round trips take 300 ms; reading the 12 PKIs' CAs one after the
	// other would take 16 × 150 ms. The bound sits far from both, so only a
	// sequential read fails it, however busy the machine.
	if d >= 12*150*time.Millisecond {
		t.Errorf("Observe took %v with 150 ms latency: the CA lists were read one after the other", d)
	}
	if n := len(srv.Requests()); n != 3+12+1 {
		t.Errorf("%d requests, want %d", n, 3+12+1)
	}
}

func TestLegacyStore(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Legacy Root"))
	crl := "http://crl.contoso.com/legacy.crl"

	t.Run("present", func(t *testing.T) {
		srv := newServer(t)
		srv.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true, CRLURL: &crl}}})
		c, _ := newClient(t, srv)
		obs, err := c.Observe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []model.LegacyCA{{Certificate: root.DER, IsRootAuthority: true, CRLURL: crl}}
		if diff := cmp.Diff(want, obs.State.LegacyCAs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("legacy (-want +got):\n%s", diff)
		}
		if len(obs.Warnings) != 0 {
			t.Errorf("warnings %q", obs.Warnings)
		}
	})
	t.Run("absent", func(t *testing.T) {
		srv := newServer(t)
		c, _ := newClient(t, srv)
		obs, err := c.Observe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(obs.State.LegacyCAs) != 0 || len(obs.Warnings) != 0 {
			t.Errorf("legacy %v, warnings %q", obs.State.LegacyCAs, obs.Warnings)
		}
		if n := len(requests(srv, "GET", "/certificateBasedAuthConfiguration")); n != 1 {
			t.Errorf("%d legacy requests", n)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		srv := newServer(t)
		srv.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}})
		srv.FailWhen(matchPath("GET", "/certificateBasedAuthConfiguration"), 1, graphtest.Fault{
			Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation.",
		})
		c, _ := newClient(t, srv)
		obs, err := c.Observe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(obs.Warnings) != 1 || !strings.HasPrefix(obs.Warnings[0], "the legacy trust store could not be read: GET /organization/") ||
			!strings.Contains(obs.Warnings[0], "403 Authorization_RequestDenied: Insufficient privileges") {
			t.Errorf("warnings %q", obs.Warnings)
		}
		if obs.State.TenantID == "" {
			t.Error("no tenant id")
		}
	})
}

func TestResolveGroups(t *testing.T) {
	srv := newServer(t)
	srv.AddGroup("00000000-0000-0000-0000-00000000000a", "CBA Users")
	srv.AddGroup("00000000-0000-0000-0000-00000000000b", "Contractors")
	srv.AddGroup("00000000-0000-0000-0000-00000000000c", "Contractors")
	srv.AddGroup("00000000-0000-0000-0000-00000000000d", "O'Brien & Co")
	c, _ := newClient(t, srv)
	got, err := c.ResolveGroups(context.Background(), []string{"CBA Users", "Contractors", "Nobody", "O'Brien & Co", "CBA Users"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]model.Group{
		"CBA Users":    {{ID: "00000000-0000-0000-0000-00000000000a", DisplayName: "CBA Users"}},
		"Contractors":  {{ID: "00000000-0000-0000-0000-00000000000b", DisplayName: "Contractors"}, {ID: "00000000-0000-0000-0000-00000000000c", DisplayName: "Contractors"}},
		"Nobody":       {},
		"O'Brien & Co": {{ID: "00000000-0000-0000-0000-00000000000d", DisplayName: "O'Brien & Co"}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if n := len(requests(srv, "GET", "/groups")); n != 4 {
		t.Errorf("%d group requests, want one per distinct name", n)
	}
}

func TestUpload(t *testing.T) {
	ctx := context.Background()
	root := pkitest.NewRoot(pkitest.WithCN("Fabrikam Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Fabrikam Issuing"), pkitest.WithCRLDistributionPoints("http://crl.fabrikam.com/issuing.crl"))
	p7b := pkitest.Bundle(root.Cert, inter.Cert)
	sum := sha256.Sum256(p7b)
	const bundleURL = "https://pki.fabrikam.com/FabrikamPKI.p7b"

	poll := func(t *testing.T, c *Client, id string) model.PKI {
		t.Helper()
		for range 20 {
			p, err := c.PKI(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != wire.PKIStatusRunning {
				return p
			}
		}
		t.Fatal("upload still running after 20 polls")
		return model.PKI{}
	}

	t.Run("succeeds", func(t *testing.T) {
		srv := newServer(t)
		srv.RegisterBundle(bundleURL, p7b)
		c, _ := newClient(t, srv)
		p, err := c.CreatePKI(ctx, "Fabrikam")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.StartUpload(ctx, p.ID, model.Upload{URL: bundleURL, SHA256: hex.EncodeToString(sum[:])}); err != nil {
			t.Fatal(err)
		}
		post := requests(srv, "POST", "/upload")
		var body map[string]string
		if err := json.Unmarshal(post[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		if body["uploadUrl"] != bundleURL || body["sha256FileHash"] != strings.ToUpper(hex.EncodeToString(sum[:])) {
			t.Errorf("upload body %s", post[0].Body)
		}
		first, err := c.PKI(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != wire.PKIStatusRunning {
			t.Errorf("status right after the upload: %q", first.Status)
		}
		// A second upload while one runs is refused by Graph (400).
		err = c.StartUpload(ctx, p.ID, model.Upload{URL: bundleURL, SHA256: hex.EncodeToString(sum[:])})
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("second upload: %v", err)
		}
		done := poll(t, c, p.ID)
		if done.Status != wire.PKIStatusSucceeded || len(done.CAs) != 2 {
			t.Fatalf("after upload: %+v", done)
		}
		types := []model.CAType{done.CAs[0].Type, done.CAs[1].Type}
		slices.Sort(types)
		if !slices.Equal(types, []model.CAType{model.CATypeIntermediate, model.CATypeRoot}) {
			t.Errorf("types %v", types)
		}
	})
	t.Run("fails", func(t *testing.T) {
		srv := newServer(t)
		srv.RegisterBundle(bundleURL, p7b)
		c, _ := newClient(t, srv)
		p, err := c.CreatePKI(ctx, "Fabrikam")
		if err != nil {
			t.Fatal(err)
		}
		wrong := sha256.Sum256([]byte("something else"))
		if err := c.StartUpload(ctx, p.ID, model.Upload{URL: bundleURL, SHA256: hex.EncodeToString(wrong[:])}); err != nil {
			t.Fatal(err)
		}
		done := poll(t, c, p.ID)
		if done.Status != wire.PKIStatusFailed || done.StatusDetails == "" || len(done.CAs) != 0 {
			t.Errorf("after failed upload: %+v", done)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		srv := newServer(t)
		c, _ := newClient(t, srv)
		if err := c.StartUpload(ctx, "x", model.Upload{URL: bundleURL, SHA256: "abc"}); err == nil {
			t.Error("short hash accepted")
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
}

// The Graph docs spell the delta CRL URL deltacertificateRevocationListUrl,
// the metadata deltaCertificateRevocationListUrl: both are read, neither is
// reported as unknown.
func TestDeltaCRLURLCasing(t *testing.T) {
	srv := newServer(t)
	var p wire.PKI
	_ = json.Unmarshal(srv.Store.CreatePKI(wire.Object{"displayName": json.RawMessage(`"p"`)}), &p)
	root := pkitest.NewRoot()
	ca := wire.ToObject(wire.CA{Certificate: root.DER, CertificateAuthorityType: "root"})
	delete(ca, "deltaCertificateRevocationListUrl")
	ca["deltacertificateRevocationListUrl"] = json.RawMessage(`"http://crl/delta.crl"`)
	if _, err := srv.Store.CreateCA(p.ID, ca); err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, srv)
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := obs.State.PKIs[0].CAs[0].DeltaCRLURL; got != "http://crl/delta.crl" {
		t.Errorf("delta CRL URL %q", got)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("warnings %q", obs.Warnings)
	}
}

// TestReadStartsEachRequestWhenItCan: ReadDocument sends a request as soon
// as what it needs has answered, without waiting for the requests it does
// not need: the server holds one request until another one arrives, which
// a read that waited for the held one would never send (the test then
// fails after a minute, not before: no verdict depends on the machine's
// speed).
func TestReadStartsEachRequestWhenItCan(t *testing.T) {
	const (
		org       = "/organization"
		x509      = "/x509Certificate"
		pkiList   = "/publicKeyInfrastructure/certificateBasedAuthConfigurations"
		caList    = "/certificateAuthorities"
		legacy    = "/certificateBasedAuthConfiguration"
		groupPath = "/groups/g1"
	)
	for _, c := range []struct{ held, awaited string }{
		{org, caList},
		{x509, caList},
		{pkiList, legacy},
		{pkiList, groupPath},
		{org, groupPath},
		{x509, legacy},
	} {
		t.Run(strings.TrimPrefix(c.held, "/")+" held until "+strings.TrimPrefix(c.awaited, "/"), func(t *testing.T) {
			srv := newServer(t)
			seedPKI(t, srv, "p", 1, false)
			srv.Store.PatchX509(wire.Object{"includeTargets": wire.Raw([]wire.IncludeTarget{{ID: "g1", TargetType: "group"}})})
			srv.AddGroup("g1", "CBA Users")
			arrived := make(chan struct{})
			srv.Before(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, c.awaited) }, func(*http.Request) { close(arrived) })
			var inTime atomic.Bool
			srv.Before(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, c.held) }, func(*http.Request) {
				select {
				case <-arrived:
					inTime.Store(true)
				case <-time.After(time.Minute):
				}
			})
			cl, _ := newClient(t, srv)
			obs, err := cl.Observe(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !inTime.Load() {
				t.Errorf("GET …%s was sent only after GET …%s answered", c.awaited, c.held)
			}
			if len(obs.State.PKIs) != 1 || len(obs.State.PKIs[0].CAs) != 1 {
				t.Errorf("observed %+v", obs.State.PKIs)
			}
		})
	}
}

// peakTransport records the most requests it had in flight at once.
type peakTransport struct {
	base           http.RoundTripper
	inFlight, peak atomic.Int32
}

func (p *peakTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return p.base.RoundTrip(r)
}

// TestReadConcurrencyBound: however few requests may run at once, the read
// completes (a request that starts others does not hold its slot waiting
// for them) and never has more in flight.
func TestReadConcurrencyBound(t *testing.T) {
	srv := newServer(t)
	for i := range 5 {
		seedPKI(t, srv, "p"+itoa(i), 2, false)
	}
	srv.Store.SetLegacy(wire.LegacyConfig{})
	srv.Store.PatchX509(wire.Object{"includeTargets": wire.Raw([]wire.IncludeTarget{{ID: "g1", TargetType: "group"}, {ID: "g2", TargetType: "group"}})})
	srv.AddGroup("g1", "CBA Users")
	srv.AddGroup("g2", "Contractors")
	for _, limit := range []int{1, 2, 3} {
		pt := &peakTransport{base: http.DefaultTransport}
		c, _ := newClient(t, srv, func(o *Options) { o.Concurrency = limit; o.HTTPTransport = pt })
		obs, err := c.Observe(context.Background())
		if err != nil {
			t.Fatalf("concurrency %d: %v", limit, err)
		}
		if len(obs.State.PKIs) != 5 || len(obs.State.Groups) != 2 {
			t.Errorf("concurrency %d: %d PKIs, %d groups", limit, len(obs.State.PKIs), len(obs.State.Groups))
		}
		if p := pt.peak.Load(); p > int32(limit) {
			t.Errorf("concurrency %d: %d requests in flight at once", limit, p)
		}
	}
}

// Once a request of a read fails, the read attempts no more: with one
// request at a time and every request refused, only the first reaches the
// transport (a request made on the cancelled context fails without being
// sent, but it is still an attempt, logged with --debug).
func TestReadStopsAtFirstFailure(t *testing.T) {
	srv := newServer(t)
	for i := range 5 {
		seedPKI(t, srv, "p"+itoa(i), 1, false)
	}
	srv.FailWhen(func(*http.Request) bool { return true }, -1, graphtest.Fault{Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges"})
	var attempts atomic.Int32
	c, _ := newClient(t, srv, func(o *Options) {
		o.Concurrency = 1
		o.HTTPTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			attempts.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		})
	})
	if _, err := c.Observe(context.Background()); err == nil {
		t.Fatal("Observe succeeded against a server that refuses every request")
	}
	if n := attempts.Load(); n != 1 {
		t.Errorf("%d requests attempted, want 1: the read went on after the first failed", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Reading one PKI sends both of its requests whatever the first answer is:
// a PKI whose deletion ends between them (404 to the PKI) still gets its CA
// list request, so that what a deletion poll sends does not depend on which
// request Graph answered first.
func TestPKIReadSendsBothRequests(t *testing.T) {
	srv := newServer(t)
	id := seedPKI(t, srv, "p", 1, false)
	srv.FailWhen(matchPath("GET", id), -1, graphtest.Fault{Status: 404, Code: "Request_ResourceNotFound", Message: "gone"})
	pkiAnswered := make(chan struct{})
	c, _ := newClient(t, srv, func(o *Options) {
		o.HTTPTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if strings.HasSuffix(r.URL.Path, "/certificateAuthorities") {
				// The CA list goes out once the PKI's 404 is in and had
				// time to cancel it, were the two sharing a context: a
				// second is far more than that takes, and only a
				// correct read waits it out.
				<-pkiAnswered
				select {
				case <-r.Context().Done():
				case <-time.After(time.Second):
				}
				return http.DefaultTransport.RoundTrip(r)
			}
			resp, err := http.DefaultTransport.RoundTrip(r)
			close(pkiAnswered)
			return resp, err
		})
	})
	if _, err := c.PKI(context.Background(), id); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("PKI: %v, want not found", err)
	}
	if n := len(requests(srv, "GET", id+"/certificateAuthorities")); n != 1 {
		t.Errorf("%d CA list requests reached Graph, want 1", n)
	}
}
