package health

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// now is the fixed clock of these tests.
var now = time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)

const oneDay = 24 * time.Hour

func genCA(cn string, notAfter time.Time) *pkitest.CA {
	return pkitest.NewRoot(pkitest.WithCN(cn), pkitest.WithValidity(now.AddDate(-1, 0, 0), notAfter))
}

// declared is a desired state with one PKI "p" holding the CAs by name.
func declared(cas map[string]*pkitest.CA, names ...string) model.State {
	p := model.PKI{Name: "p"}
	for _, n := range names {
		p.CAs = append(p.CAs, model.CA{Name: n, Certificate: cas[n].DER})
	}
	return model.State{ManagesTrustStore: true, PKIs: []model.PKI{p}}
}

// verdict is a finding reduced to what a test compares.
func verdicts(r Report) []string {
	out := []string{}
	for _, f := range r.Findings {
		exp := "-"
		if !f.Expires.IsZero() {
			exp = f.Expires.Sub(now).String()
		}
		addr := string(f.Address)
		if addr == "" {
			addr = "(tenant)"
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s", f.Severity, f.Kind, addr, f.Subject, exp))
	}
	return out
}

func TestExpiryThresholds(t *testing.T) {
	cases := map[string]struct {
		left time.Duration
		days int
		want []string
	}{
		"10 days":               {10 * oneDay, 35, []string{"error ca_expiry p.ca CN=CA 240h0m0s"}},
		"exactly 15 days":       {15 * oneDay, 35, []string{"error ca_expiry p.ca CN=CA 360h0m0s"}},
		"just over 15 days":     {15*oneDay + time.Second, 35, []string{"warning ca_expiry p.ca CN=CA 360h0m1s"}},
		"18 days":               {18 * oneDay, 35, []string{"warning ca_expiry p.ca CN=CA 432h0m0s"}},
		"exactly the horizon":   {35 * oneDay, 35, []string{"warning ca_expiry p.ca CN=CA 840h0m0s"}},
		"beyond the horizon":    {35*oneDay + time.Second, 35, []string{}},
		"30 days, horizon 20":   {30 * oneDay, 20, []string{}},
		"18 days, horizon 20":   {18 * oneDay, 20, []string{"warning ca_expiry p.ca CN=CA 432h0m0s"}},
		"expired":               {-3 * oneDay, 35, []string{"error ca_expiry p.ca CN=CA -72h0m0s"}},
		"10 days, horizon 5":    {10 * oneDay, 5, []string{}},
		"4 days, horizon 5":     {4 * oneDay, 5, []string{"error ca_expiry p.ca CN=CA 96h0m0s"}},
		"valid for ten years":   {10 * 365 * oneDay, 35, []string{}},
		"default horizon (35d)": {34 * oneDay, 0, []string{"warning ca_expiry p.ca CN=CA 816h0m0s"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cas := map[string]*pkitest.CA{"ca": genCA("CA", now.Add(c.left))}
			r, err := Check(context.Background(), declared(cas, "ca"), nil, Options{Now: now, Days: c.days, Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			got := verdicts(r)
			for i := range got {
				got[i] = replaceAddr(got[i])
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func replaceAddr(s string) string {
	const long = "pki.p.certificate_authority."
	for i := 0; i+len(long) <= len(s); i++ {
		if s[i:i+len(long)] == long {
			return s[:i] + "p." + s[i+len(long):]
		}
	}
	return s
}

func TestExpiryMessages(t *testing.T) {
	cas := map[string]*pkitest.CA{"old": genCA("Old", now.Add(-2*oneDay)), "soon": genCA("Soon", now.Add(5*time.Hour))}
	r, err := Check(context.Background(), declared(cas, "old", "soon"), nil, Options{Now: now, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{
		Severity: Error, Kind: CAExpiry, Subject: "CN=Old", Thumbprint: pki.SHA1Thumbprint(cas["old"].DER),
		Address: "pki.p.certificate_authority.old", Expires: now.Add(-2 * oneDay), Title: "CA expired 2 days ago",
		Detail: "The CA certificate expired on 2031-02-27T12:00:00Z. Entra fails every sign-in with a certificate it issued, and refuses new uploads to the trust store while an expired CA is in it. Declared as pki.p.certificate_authority.old.",
		Todo:   "Renew the CA, add the renewed certificate to the trust store before the old one expires, issue user certificates from it, then remove the old CA.",
	}, {
		Severity: Error, Kind: CAExpiry, Subject: "CN=Soon", Thumbprint: pki.SHA1Thumbprint(cas["soon"].DER),
		Address: "pki.p.certificate_authority.soon", Expires: now.Add(5 * time.Hour), Title: "CA expires in 5 hours",
		Detail: "The CA certificate expires on 2031-03-01T17:00:00Z, in 5 hours. From then on Entra fails every sign-in with a certificate it issued. Declared as pki.p.certificate_authority.soon.",
		Todo:   "Renew the CA, add the renewed certificate to the trust store before the old one expires, issue user certificates from it, then remove the old CA.",
	}}
	if diff := cmp.Diff(want, r.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r.CAs != 2 || r.Days != DefaultDays || !r.Offline || !r.Now.Equal(now) {
		t.Errorf("report: %+v", r)
	}
}

// renewed returns a certificate with ca's subject and key (so its subject
// key identifier) valid until notAfter: ca renewed with the same key.
func renewed(t *testing.T, ca *pkitest.CA, notAfter time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), RawSubject: ca.Cert.RawSubject, NotBefore: now.Add(-oneDay), NotAfter: notAfter,
		SubjectKeyId: ca.Cert.SubjectKeyId, BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ca.Key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestRenewalImpact(t *testing.T) {
	cas := map[string]*pkitest.CA{
		"exp10": genCA("Expiring Ten", now.Add(10*oneDay)),
		"exp20": genCA("Expiring Twenty", now.Add(20*oneDay)),
		"kept":  genCA("Kept", now.Add(20*oneDay)),
		"root":  genCA("Healthy Root", now.AddDate(5, 0, 0)),
	}
	desired := declared(cas, "exp10", "exp20", "kept", "root")
	// kept was renewed already, with the same key and subject: the renewed
	// certificate is in the trust store, so nothing that names kept breaks.
	desired.PKIs[0].CAs = append(desired.PKIs[0].CAs, model.CA{Name: "kept2", Certificate: renewed(t, cas["kept"], now.AddDate(3, 0, 0))})
	desired.X509 = &model.X509Config{
		Rules: []model.Rule{
			{Name: "ten", Issuer: "cn=expiring  ten", Mode: model.MultiFactor}, // case and spaces differ
			{Name: "root", Issuer: "CN=Healthy Root", Mode: model.MultiFactor},
			{Name: "kept", Issuer: "CN=Kept", Mode: model.MultiFactor},
			{Name: "oid", PolicyOID: "1.2.3", Mode: model.MultiFactor},
		},
		CRLValidation: model.CRLValidation{Required: true, ExemptSKIs: []string{
			pki.SubjectKeyID(cas["root"].Cert), pki.SubjectKeyID(cas["exp20"].Cert), pki.SubjectKeyID(cas["kept"].Cert),
			strings.ToLower(pki.SubjectKeyID(cas["exp20"].Cert)), // the same SKI again: one finding
		}},
		CAScopes: []model.CAScope{
			{SKI: pki.SubjectKeyID(cas["root"].Cert)},
			{SKI: pki.SubjectKeyID(cas["exp10"].Cert)},
			{SKI: pki.SubjectKeyID(cas["kept"].Cert)},
		},
	}
	ski := func(name string) string { return pki.SubjectKeyID(cas[name].Cert) }
	strength := func(name string, absent bool, skis ...string) model.AuthStrength {
		return model.AuthStrength{Name: name, DisplayName: name, Absent: absent, AllowedCombinations: []string{model.CombinationX509MultiFactor},
			X509: &model.StrengthX509{AppliesTo: []string{model.CombinationX509MultiFactor}, AllowedIssuerSKIs: skis}}
	}
	withColons := func(s string) string { // the same SKI as a person might write it
		var parts []string
		for i := 0; i < len(s); i += 2 {
			parts = append(parts, strings.ToLower(s[i:i+2]))
		}
		return strings.Join(parts, ":")
	}
	desired.Strengths = []model.AuthStrength{
		strength("secret", false, ski("root"), ski("exp10")),              // names exp10: as severe as its expiry
		strength("twenty", false, ski("exp20"), withColons(ski("exp20"))), // the same SKI twice: one finding
		strength("fine", false, ski("root")),                              // names no expiring CA
		strength("kept", false, ski("kept")),                              // renewed already, same key
		strength("leaving", true, ski("exp10")),                           // ensure = "absent": about to go
		{Name: "nox509", DisplayName: "No x509", AllowedCombinations: []string{model.CombinationX509MultiFactor}},
	}
	r, err := Check(context.Background(), desired, nil, Options{Now: now, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error ca_expiry pki.p.certificate_authority.exp10 CN=Expiring Ten 240h0m0s",
		"error renewal_impact authentication_strength.secret.x509_certificate CN=Expiring Ten 240h0m0s",
		"error renewal_impact x509_certificate.certificate_authority_scope[1] CN=Expiring Ten 240h0m0s",
		"error renewal_impact x509_certificate.rule.ten CN=Expiring Ten 240h0m0s",
		"warning ca_expiry pki.p.certificate_authority.exp20 CN=Expiring Twenty 480h0m0s",
		"warning ca_expiry pki.p.certificate_authority.kept CN=Kept 480h0m0s",
		"warning renewal_impact authentication_strength.twenty.x509_certificate CN=Expiring Twenty 480h0m0s",
		"warning renewal_impact x509_certificate.crl_validation CN=Expiring Twenty 480h0m0s",
	}
	if diff := cmp.Diff(want, verdicts(r)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range r.Findings {
		if f.Kind == RenewalImpact && (f.Todo == "" || f.Detail == "" || f.Thumbprint == "") {
			t.Errorf("renewal impact without detail, todo or thumbprint: %+v", f)
		}
		if f.Address == "authentication_strength.secret.x509_certificate" {
			want := Finding{
				Severity: Error, Kind: RenewalImpact, Subject: "CN=Expiring Ten", Thumbprint: pki.SHA1Thumbprint(cas["exp10"].DER),
				Address: f.Address, Expires: now.Add(10 * oneDay), Title: "Names a CA that expires in 10 days",
				Detail: "authentication_strength.secret.x509_certificate allows certificates issued by the CA with subject key identifier " + ski("exp10") + ", this CA, which expires on 2031-03-11. A CA renewed with a new key has a new subject key identifier: certificates it issues do not satisfy the strength, and Conditional Access policies that require it block their sign-ins.",
				Todo:   "Before the renewed CA issues user certificates, add its subject_key_identifier to allowed_issuer_skis (at most 5), and remove the old one once it has expired.",
			}
			if diff := cmp.Diff(want, f); diff != "" {
				t.Errorf("strength finding (-want +got):\n%s", diff)
			}
		}
	}
}

// TestTenantPlaces: when the configuration does not manage x509_certificate,
// the tenant's rules, exemptions and scopes are the places that count (they
// have no address); when it does, only the configuration's.
func TestTenantPlaces(t *testing.T) {
	cas := map[string]*pkitest.CA{"exp": genCA("Expiring", now.Add(20*oneDay)), "ok": genCA("Fine", now.AddDate(1, 0, 0))}
	tenantX509 := &model.X509Config{
		Rules:         []model.Rule{{Issuer: "CN=Expiring", Mode: model.MultiFactor}, {Issuer: "CN=Fine", Mode: model.MultiFactor}},
		CRLValidation: model.CRLValidation{ExemptSKIs: []string{pki.SubjectKeyID(cas["exp"].Cert)}},
		CAScopes:      []model.CAScope{{SKI: pki.SubjectKeyID(cas["ok"].Cert)}, {SKI: pki.SubjectKeyID(cas["exp"].Cert)}},
	}
	// The tenant's strengths are not places: cbactl manages only the
	// strengths the configuration declares.
	observed := &model.State{X509: tenantX509, Strengths: []model.AuthStrength{{ID: "s-1", DisplayName: "Hand made", PolicyType: "custom",
		X509: &model.StrengthX509{AllowedIssuerSKIs: []string{pki.SubjectKeyID(cas["exp"].Cert)}}}}}
	desired := declared(cas, "exp", "ok")
	r, err := Check(context.Background(), desired, observed, Options{Now: now, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"warning ca_expiry pki.p.certificate_authority.exp CN=Expiring 480h0m0s",
		"warning renewal_impact (tenant) CN=Expiring 480h0m0s",
		"warning renewal_impact (tenant) CN=Expiring 480h0m0s",
		"warning renewal_impact (tenant) CN=Expiring 480h0m0s",
	}
	if diff := cmp.Diff(want, verdicts(r)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	var details []string
	for _, f := range r.Findings[1:] {
		details = append(details, f.Detail[:strings.Index(f.Detail, ")")+1])
	}
	wantDetails := []string{
		`The tenant's CA scope (the configuration does not manage x509_certificate)`,
		`The tenant's CRL validation configuration (the configuration does not manage x509_certificate)`,
		`The tenant's authentication binding rule for the issuer "CN=Expiring" (the configuration does not manage x509_certificate)`,
	}
	if diff := cmp.Diff(wantDetails, details); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}

	desired.X509 = &model.X509Config{Rules: []model.Rule{{Name: "mine", Issuer: "CN=Fine", Mode: model.MultiFactor}}}
	r, err = Check(context.Background(), desired, observed, Options{Now: now, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], verdicts(r)); diff != "" {
		t.Errorf("managed x509_certificate: the tenant's places count (-want +got):\n%s", diff)
	}
}

func TestTenantCAs(t *testing.T) {
	cas := map[string]*pkitest.CA{
		"both":    genCA("Both", now.Add(10*oneDay)),
		"pkionly": genCA("PKI Only", now.Add(20*oneDay)),
		"legacy":  genCA("Legacy Only", now.Add(-oneDay)),
		"twice":   genCA("Twice", now.Add(30*oneDay)),
		"fine":    genCA("Fine", now.AddDate(2, 0, 0)),
	}
	desired := declared(cas, "both")
	observed := &model.State{
		PKIs: []model.PKI{{DisplayName: "Corp", CAs: []model.CA{
			{Certificate: cas["both"].DER}, {Certificate: cas["pkionly"].DER}, {Certificate: cas["twice"].DER}, {Certificate: cas["fine"].DER},
		}}},
		LegacyCAs: []model.LegacyCA{{Certificate: cas["legacy"].DER}, {Certificate: cas["twice"].DER}, {Certificate: cas["both"].DER}},
	}
	r, err := Check(context.Background(), desired, observed, Options{Now: now, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error ca_expiry (tenant) CN=Legacy Only -24h0m0s",
		"error ca_expiry pki.p.certificate_authority.both CN=Both 240h0m0s",
		"warning ca_expiry (tenant) CN=PKI Only 480h0m0s",
		"warning ca_expiry (tenant) CN=Twice 720h0m0s",
	}
	if diff := cmp.Diff(want, verdicts(r)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r.CAs != 5 {
		t.Errorf("%d CAs, want 5", r.CAs)
	}
	wantWhere := map[string]string{
		"CN=Legacy Only": "Only in the tenant's classic trust store, not declared in the configuration.",
		"CN=Both":        `Declared as pki.p.certificate_authority.both; in the tenant's PKI container "Corp" and classic trust store.`,
		"CN=Twice":       `Only in the tenant's PKI container "Corp" and classic trust store, not declared in the configuration.`,
	}
	for _, f := range r.Findings {
		if w, ok := wantWhere[f.Subject]; ok && !hasSuffix(f.Detail, w) {
			t.Errorf("%s: detail %q does not end with %q", f.Subject, f.Detail, w)
		}
	}
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

func TestCRLs(t *testing.T) {
	fresh := now.Add(7 * oneDay)
	cas := map[string]*pkitest.CA{}
	for _, n := range []string{"fresh", "stale", "soon", "gone", "wrong", "future", "delta", "nocrl", "tenantcrl"} {
		cas[n] = genCA(n, now.AddDate(5, 0, 0))
	}
	bodies := map[string][]byte{
		"/fresh.crl":       cas["fresh"].NewCRL(pkitest.WithUpdate(now.Add(-time.Hour), fresh)),
		"/stale.crl":       cas["stale"].NewCRL(pkitest.WithUpdate(now.Add(-9*oneDay), now.Add(-2*oneDay))),
		"/soon.crl":        cas["soon"].NewCRL(pkitest.WithUpdate(now.Add(-6*oneDay), now.Add(3*time.Hour))),
		"/wrong.crl":       cas["fresh"].NewCRL(pkitest.WithUpdate(now.Add(-time.Hour), fresh)),
		"/future.crl":      cas["future"].NewCRL(pkitest.WithUpdate(now.Add(time.Hour), fresh)), // a crl check warning only
		"/delta.crl":       cas["delta"].NewCRL(pkitest.WithCRLNumber(5), pkitest.WithUpdate(now.Add(-time.Hour), fresh)),
		"/delta-delta.crl": cas["delta"].NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(5), pkitest.WithUpdate(now.Add(-2*oneDay), now.Add(-time.Hour))),
		"/tenant.crl":      cas["tenantcrl"].NewCRL(pkitest.WithUpdate(now.Add(-9*oneDay), now.Add(-oneDay))),
	}
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()

	desired := declared(cas, "fresh", "stale", "soon", "gone", "wrong", "future", "delta", "nocrl", "tenantcrl")
	for i := range desired.PKIs[0].CAs {
		ca := &desired.PKIs[0].CAs[i]
		switch ca.Name {
		case "nocrl", "tenantcrl":
		case "delta":
			ca.CRLURL, ca.DeltaCRLURL = srv.URL+"/delta.crl", srv.URL+"/delta-delta.crl"
		default:
			ca.CRLURL = srv.URL + "/" + ca.Name + ".crl"
		}
	}
	// The tenant has a CRL URL for tenantcrl that the configuration lacks:
	// Entra uses it, so it is checked.
	observed := &model.State{PKIs: []model.PKI{{DisplayName: "P", CAs: []model.CA{{Certificate: cas["tenantcrl"].DER, CRLURL: srv.URL + "/tenant.crl"}}}}}

	r, err := Check(context.Background(), desired, observed, Options{Now: now, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error crl_stale pki.p.certificate_authority.stale CN=stale -48h0m0s",
		"error crl_stale pki.p.certificate_authority.tenantcrl CN=tenantcrl -24h0m0s",
		"error crl_stale pki.p.certificate_authority.delta CN=delta -1h0m0s",
		"error crl_unreachable pki.p.certificate_authority.gone CN=gone -",
		"error crl_unreachable pki.p.certificate_authority.wrong CN=wrong -",
		"warning crl_expiring pki.p.certificate_authority.soon CN=soon 3h0m0s",
	}
	if diff := cmp.Diff(want, verdicts(r)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	byAddr := map[model.Address]Finding{}
	for _, f := range r.Findings {
		byAddr[f.Address] = f
	}
	if f := byAddr["pki.p.certificate_authority.delta"]; f.CRLURL != srv.URL+"/delta-delta.crl" || f.Title != "Delta CRL stale: its nextUpdate has passed" {
		t.Errorf("delta finding: %+v", f)
	}
	if f := byAddr["pki.p.certificate_authority.gone"]; f.CRLURL != srv.URL+"/gone.crl" || f.Title != "CRL unreachable or invalid (http-status)" || !contains([]string{f.Thumbprint}, pki.SHA1Thumbprint(cas["gone"].DER)) {
		t.Errorf("404 finding: %+v", f)
	}
	if f := byAddr["pki.p.certificate_authority.wrong"]; f.Title != "CRL unreachable or invalid (wrong-signer)" {
		t.Errorf("wrong signer finding: %+v", f)
	}
	if f := byAddr["pki.p.certificate_authority.tenantcrl"]; f.CRLURL != srv.URL+"/tenant.crl" {
		t.Errorf("tenant CRL finding: %+v", f)
	}

	// Offline: the same CAs, no download, no CRL finding.
	requests.Store(0)
	r, err = Check(context.Background(), desired, observed, Options{Now: now, HTTPClient: srv.Client(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || requests.Load() != 0 {
		t.Errorf("offline: %d requests, findings %v", requests.Load(), verdicts(r))
	}
}

func TestCheckErrors(t *testing.T) {
	if _, err := Check(context.Background(), model.State{}, nil, Options{Now: now, Days: -1}); err == nil {
		t.Error("a negative horizon is accepted")
	}
	bad := model.State{PKIs: []model.PKI{{Name: "p", CAs: []model.CA{{Name: "x", Certificate: []byte("junk")}}}}}
	if _, err := Check(context.Background(), bad, nil, Options{Now: now}); err == nil {
		t.Error("an unparsable declared certificate is accepted")
	}
	obs := &model.State{LegacyCAs: []model.LegacyCA{{Certificate: []byte("junk")}}}
	if _, err := Check(context.Background(), model.State{}, obs, Options{Now: now}); err == nil {
		t.Error("an unparsable tenant certificate is accepted")
	}
}

func TestDeclaredCAsBundleAddress(t *testing.T) {
	ca := genCA("Bundle", now.AddDate(1, 0, 0))
	st := model.State{PKIs: []model.PKI{{Name: "b", CAs: []model.CA{{Certificate: ca.DER, CRLURL: "http://x/b.crl"}}}}}
	got, err := DeclaredCAs(st)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Address(fmt.Sprintf("pki.b.certificate_authority[%q]", pki.SHA1Thumbprint(ca.DER)))
	if len(got) != 1 || got[0].Address != want || len(got[0].CRLs) != 1 || got[0].CRLs[0].URL != "http://x/b.crl" {
		t.Errorf("got %+v, want address %s", got, want)
	}
}
