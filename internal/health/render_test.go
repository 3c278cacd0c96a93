package health

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReport has a finding of every kind (renewal impact of a rule and of
// an authentication strength), one of a CA only in the tenant
// (no address) and a subject with a character Markdown tables must escape.
func sampleReport() Report {
	exp10 := now.Add(10 * oneDay)
	return Report{Now: now, Days: 35, CAs: 6, Findings: []Finding{
		{Severity: Error, Kind: CRLStale, Subject: "CN=Stale CA,O=Contoso", Thumbprint: "1111111111111111111111111111111111111111",
			Address: "pki.contoso.certificate_authority.stale", Expires: now.Add(-2 * oneDay), CRLURL: "http://crl.contoso.com/stale.crl",
			Title: "CRL stale: its nextUpdate has passed", Detail: "The CRL expired at 2031-02-27T12:00:00Z (nextUpdate), 2d ago.", Todo: "Publish a new CRL at http://crl.contoso.com/stale.crl now."},
		{Severity: Error, Kind: CRLUnreachable, Subject: "CN=Gone CA", Thumbprint: "2222222222222222222222222222222222222222",
			Address: "pki.contoso.certificate_authority.gone", CRLURL: "http://crl.contoso.com/gone.crl",
			Title: "CRL unreachable or invalid (http-status)", Detail: "The server answered HTTP 404 Not Found for the CRL.", Todo: "Make http://crl.contoso.com/gone.crl serve the CA's current CRL."},
		{Severity: Warning, Kind: CRLExpiring, Subject: "CN=Soon CA", Thumbprint: "3333333333333333333333333333333333333333",
			Address: "pki.contoso.certificate_authority.soon", Expires: now.Add(5 * time.Hour), CRLURL: "http://crl.contoso.com/soon.crl",
			Title: "CRL expires within 24 hours", Detail: "The CRL's nextUpdate is 2031-03-01T17:00:00Z, in 5h.", Todo: "Make sure a new CRL is published."},
		{Severity: Error, Kind: CAExpiry, Subject: "CN=Issuing | Ten,O=Contoso", Thumbprint: "4444444444444444444444444444444444444444",
			Address: "pki.contoso.certificate_authority.issuing", Expires: exp10,
			Title: "CA expires in 10 days", Detail: "The CA certificate expires on 2031-03-11T12:00:00Z, in 10 days.", Todo: "Renew the CA."},
		{Severity: Error, Kind: RenewalImpact, Subject: "CN=Issuing | Ten,O=Contoso", Thumbprint: "4444444444444444444444444444444444444444",
			Address: "authentication_strength.secret.x509_certificate", Expires: exp10,
			Title: "Names a CA that expires in 10 days", Detail: "authentication_strength.secret.x509_certificate allows certificates issued by this CA.", Todo: "Add the renewed CA's subject_key_identifier to allowed_issuer_skis."},
		{Severity: Error, Kind: RenewalImpact, Subject: "CN=Issuing | Ten,O=Contoso", Thumbprint: "4444444444444444444444444444444444444444",
			Address: "x509_certificate.rule.contractors", Expires: exp10,
			Title: "Names a CA that expires in 10 days", Detail: "x509_certificate.rule.contractors applies to certificates issued by this CA.", Todo: "Update the rule after renewal."},
		{Severity: Warning, Kind: CAExpiry, Subject: "CN=Tenant Only CA", Thumbprint: "5555555555555555555555555555555555555555",
			Expires: now.Add(25 * oneDay), Title: "CA expires in 25 days", Detail: "Only in the tenant's classic trust store.", Todo: "Renew the CA."},
	}}
}

func TestRender(t *testing.T) {
	healthy := Report{Now: now, Days: 35, CAs: 3, Offline: true}
	for _, c := range []struct {
		name   string
		report Report
	}{{"report", sampleReport()}, {"healthy", healthy}} {
		for ext, render := range map[string]func(*bytes.Buffer, Report) error{
			"txt":  func(b *bytes.Buffer, r Report) error { return Text(b, r, TextOptions{}) },
			"json": func(b *bytes.Buffer, r Report) error { return JSON(b, r) },
			"md":   func(b *bytes.Buffer, r Report) error { return Markdown(b, r) },
		} {
			t.Run(c.name+"."+ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := render(&b, c.report); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", c.name+"."+ext), b.String())
			})
		}
	}
}

func TestTextColor(t *testing.T) {
	var plain, color bytes.Buffer
	r := sampleReport()
	if err := Text(&plain, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&color, r, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("colour without TextOptions.Color")
	}
	if !strings.Contains(color.String(), ansiRed+"error  "+ansiReset) || !strings.Contains(color.String(), ansiYellow+"warning"+ansiReset) {
		t.Errorf("no coloured severities:\n%q", color.String())
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/health -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
