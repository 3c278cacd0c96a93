package render

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// cert reads one of the fixed certificates committed in testdata/certs, so
// that golden files hold stable thumbprints and dates. (They began as copies
// of the example's, which examples/contoso/gen regenerates at random; the
// goldens must not follow a regeneration.)
func cert(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "certs", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		t.Fatal(err)
	}
	return c.Raw
}

func desiredState(t *testing.T) model.State {
	x := model.DefaultX509()
	x.State = model.StateEnabled
	x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: "0b8e2d7c-1111-4f00-9000-000000000001", GroupName: "CBA Users"}}}
	x.ExcludeTargets = []model.Target{{Type: model.TargetGroup, ID: "0b8e2d7c-1111-4f00-9000-000000000002", GroupName: "Break Glass Accounts"}}
	x.Rules = []model.Rule{
		{Name: "smartcard", Issuer: "CN=Contoso Smart Card CA,OU=PKI,O=Contoso,C=US", Mode: model.MultiFactor},
		{Name: "piv", PolicyOID: "1.3.6.1.4.1.311.21.8.1", Mode: model.MultiFactor, Affinity: model.AffinityHigh},
	}
	x.UsernameBindings = []model.UsernameBinding{
		{Field: model.FieldPrincipalName, Attribute: model.AttrUserPrincipalName, Priority: 1},
		{Field: model.FieldIssuerAndSerialNumber, Attribute: model.AttrCertificateUserIDs, Priority: 2},
	}
	x.CRLValidation = model.CRLValidation{Required: true}
	x.IssuerHints = true
	return model.State{
		ManagesTrustStore: true,
		PKIs: []model.PKI{{
			Name: "contoso", DisplayName: "Contoso PKI",
			CAs: []model.CA{
				{Name: "root", Certificate: cert(t, "contoso-root.pem"), Type: model.CATypeRoot, CRLURL: "http://crl.contoso.com/contoso-root.crl"},
				{Name: "issuing", Certificate: cert(t, "contoso-issuing.pem"), Type: model.CATypeIntermediate, CRLURL: "http://crl.contoso.com/contoso-issuing.crl", IssuerHint: true},
			},
		}},
		X509: &x,
	}
}

// observedState is a tenant that differs from desiredState in every way a
// plan can show.
func observedState(t *testing.T) model.State {
	x := model.DefaultX509()
	x.IncludeTargets = []model.IncludeTarget{
		{Target: model.Target{Type: model.TargetGroup, ID: model.AllUsersTargetID}},
	}
	x.Rules = []model.Rule{{PolicyOID: "1.3.6.1.4.1.311.21.8.1", Mode: model.SingleFactor, Affinity: model.AffinityHigh}}
	x.UsernameBindings = []model.UsernameBinding{
		{Field: model.FieldPrincipalName, Attribute: model.AttrUserPrincipalName, Priority: 2},
		{Field: model.FieldIssuerAndSerialNumber, Attribute: model.AttrCertificateUserIDs, Priority: 1},
	}
	return model.State{
		ManagesTrustStore: true,
		PKIs: []model.PKI{
			{ID: "pki-1", DisplayName: "Contoso PKI", CAs: []model.CA{
				{ID: "ca-1", Certificate: cert(t, "contoso-root.pem"), Type: model.CATypeRoot, CRLURL: "http://crl.contoso.com/old-root.crl"},
				{ID: "ca-2", Certificate: cert(t, "contoso-smartcard.pem"), Type: model.CATypeIntermediate},
			}},
			{ID: "pki-2", DisplayName: "Fabrikam (added by hand)", CAs: []model.CA{
				{ID: "ca-3", Certificate: cert(t, "fabrikam-root.pem"), Type: model.CATypeRoot},
			}},
		},
		X509:      &x,
		LegacyCAs: []model.LegacyCA{{Certificate: cert(t, "fabrikam-issuing.pem"), CRLURL: "http://pki.fabrikam.com/crl/fabrikam-issuing.crl"}},
	}
}

// renewedState is desiredState with the issuing CA renewed: the same
// subject, another certificate, which Graph cannot update in place.
func renewedState(t *testing.T) model.State {
	st := desiredState(t)
	cas := append([]model.CA(nil), st.PKIs[0].CAs...)
	cas[1].Certificate = cert(t, "contoso-issuing-renewed.pem")
	st.PKIs = []model.PKI{st.PKIs[0]}
	st.PKIs[0].CAs = cas
	return st
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan/render -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	cases := map[string]*plan.Plan{
		"create":     plan.Diff(desiredState(t), model.State{ManagesTrustStore: true, X509: ptr(model.DefaultX509())}),
		"changes":    plan.Diff(desiredState(t), observedState(t)),
		"no-changes": plan.Diff(desiredState(t), desiredState(t)),
		"replace":    plan.Diff(renewedState(t), desiredState(t)),
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			var text, color, js, md bytes.Buffer
			if err := Text(&text, p, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := Text(&color, p, Options{Color: true}); err != nil {
				t.Fatal(err)
			}
			if err := JSON(&js, p); err != nil {
				t.Fatal(err)
			}
			if err := Markdown(&md, p); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".txt", text.Bytes())
			golden(t, name+".json", js.Bytes())
			golden(t, name+".md", md.Bytes())
			if bytes.Equal(text.Bytes(), color.Bytes()) && p.HasChanges() {
				t.Error("colour output has no colour")
			}
			if bytes.Contains(text.Bytes(), []byte("\x1b[")) {
				t.Error("plain output has escape sequences")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestLabel(t *testing.T) {
	for addr, want := range map[model.Address]string{
		"pki.contoso":                               "contoso",
		"pki.contoso.certificate_authority.root":    "root",
		`pki["Hand made"]`:                          "Hand made",
		`pki.contoso.certificate_authority["AB12"]`: "AB12",
		"pki.contoso.upload":                        "",
		"x509_certificate":                          "",
	} {
		if got := Label(addr); got != want {
			t.Errorf("Label(%s) = %q, want %q", addr, got, want)
		}
	}
}

// A plan with an error never reads as a clean one, in any format.
func TestFailedPlan(t *testing.T) {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Diagnostics: []plan.Diagnostic{
		{Severity: "error", Summary: "Ambiguous PKI container", Detail: "two containers"},
		{Severity: "warning", Summary: "Something", Detail: "else"},
	}}
	var text, md bytes.Buffer
	if err := Text(&text, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if text.String() != FailedText+"\n" {
		t.Errorf("text:\n%s", text.String())
	}
	for _, want := range []string{"### cbactl plan: failed\n", "> [!CAUTION]\n> **Ambiguous PKI container**", "> [!WARNING]\n> **Something**"} {
		if !bytes.Contains(md.Bytes(), []byte(want)) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	if bytes.Contains(md.Bytes(), []byte("no changes")) || bytes.Contains(md.Bytes(), []byte("[!ERROR]")) {
		t.Errorf("Markdown:\n%s", md.String())
	}
}

// goldens renders p in text, JSON and Markdown, compares each with its golden
// file (name.txt, name.json, name.md) and returns the text and the JSON.
func goldens(t *testing.T, name string, p *plan.Plan) (text, js []byte) {
	t.Helper()
	var tb, jb, mb bytes.Buffer
	if err := Text(&tb, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&jb, p); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&mb, p); err != nil {
		t.Fatal(err)
	}
	golden(t, name+".txt", tb.Bytes())
	golden(t, name+".json", jb.Bytes())
	golden(t, name+".md", mb.Bytes())
	return tb.Bytes(), jb.Bytes()
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errBrokenPipe = errors.New("write: broken pipe")

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		k := w.n
		w.n = 0
		return k, errBrokenPipe
	}
	w.n -= len(b)
	return len(b), nil
}

// TestTextWriteError: Text reports a failed write, early or late in the
// plan, and writes the whole plan before it returns.
func TestTextWriteError(t *testing.T) {
	p := plan.Diff(desiredState(t), model.State{ManagesTrustStore: true, X509: ptr(model.DefaultX509())})
	var full bytes.Buffer
	if err := Text(&full, p, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, full.Len() / 2, full.Len() - 1} {
		if err := Text(&failingWriter{n: n}, p, Options{}); !errors.Is(err, errBrokenPipe) {
			t.Errorf("failing after %d of %d bytes: %v", n, full.Len(), err)
		}
	}
	if err := Text(&failingWriter{n: full.Len()}, p, Options{}); err != nil {
		t.Errorf("room for the whole plan: %v", err)
	}
}
