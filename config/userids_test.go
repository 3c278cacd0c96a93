package config_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCertUserIDsDecode(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Users Root"))
	alice := root.NewLeaf(pkitest.WithCN("Alice"), pkitest.WithUPN("alice@contoso.com"))
	bob := root.NewLeaf(pkitest.WithCN("Bob"), pkitest.WithUPN("bob@contoso.com"))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"certs/alice.pem": string(alice.PEM()),
		"users/bob.pem":   string(bob.PEM()),
		"users/ids.csv":   "user,certificate,value\nbob@contoso.com,bob.pem,\nBOB@contoso.com,,X509:<RFC822>bob@contoso.com\ncarol@contoso.com,,X509:<PN>carol@contoso\n",
		"main.hcl": `
x509_certificate {
  state = "enabled"
  username_binding {
    certificate_field = "IssuerAndSerialNumber"
    user_attribute    = "certificateUserIds"
    priority          = 1
  }
}
certificate_user_ids {
  csv = "users/ids.csv"
  user "alice@contoso.com" {
    certificates = ["certs/alice.pem"]
    values       = ["X509:<PN>alice@contoso"]
  }
}
`,
	})
	cfg, diags := config.Load(dir, config.LoadOptions{Now: time.Now()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := cfg.Desired.CertUserIDs
	if c == nil || !c.Exclusive || !slices.Equal(c.Fields, []model.CertificateField{model.FieldIssuerAndSerialNumber}) {
		t.Fatalf("block = %+v", c)
	}
	aliceIDs := pki.CertificateUserIDs(mustParse(t, alice.DER))
	bobIDs := pki.CertificateUserIDs(mustParse(t, bob.DER))
	want := []model.DeclaredUser{
		{Key: "alice@contoso.com", Values: []string{"X509:<PN>alice@contoso", aliceIDs[pki.FieldIssuerAndSerialNumber]}, Kinds: []model.CertificateField{model.FieldPrincipalName}},
		{Key: "bob@contoso.com", Values: []string{bobIDs[pki.FieldIssuerAndSerialNumber], "X509:<RFC822>bob@contoso.com"}, Kinds: []model.CertificateField{model.FieldRFC822Name}},
		{Key: "carol@contoso.com", Values: []string{"X509:<PN>carol@contoso"}, Kinds: []model.CertificateField{model.FieldPrincipalName}},
	}
	if len(c.Users) != len(want) {
		t.Fatalf("users = %+v", c.Users)
	}
	for i := range want {
		if c.Users[i].Key != want[i].Key || !slices.Equal(c.Users[i].Values, want[i].Values) || !slices.Equal(c.Users[i].Kinds, want[i].Kinds) {
			t.Errorf("user %d = %+v, want %+v", i, c.Users[i], want[i])
		}
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCertUserIDsValidate(t *testing.T) {
	eleven := `"X509:<PN>a0"`
	for i := 1; i < 11; i++ {
		eleven += `, "X509:<PN>a` + string(rune('a'+i)) + `"`
	}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"wrong case", `user "a@x" { values = ["x509:<PN>a@x"] }`, `Wrong case in certificateUserIds prefix`},
		{"no prefix", `user "a@x" { values = ["a@x"] }`, `Invalid certificateUserIds value`},
		{"too long", `user "a@x" { values = ["X509:<PN>` + strings.Repeat("a", 1020) + `"] }`, `certificateUserIds value too long`},
		{"too many", `user "a@x" { values = [` + eleven + `] }`, `Too many certificateUserIds values`},
		{"two users", `user "a@x" { values = ["X509:<PN>same"] }
  user "b@x" { values = ["X509:<pn>x", "x509:<PN>SAME", "X509:<PN>Same"] }`, `declared for both a@x and b@x`},
		{"bad header", `csv = "u.csv"`, `Invalid CSV header`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"u.csv": "upn,value\n", "main.hcl": "certificate_user_ids {\n  " + tc.body + "\n}\n"})
			_, diags := config.Load(dir, config.LoadOptions{Now: time.Now()})
			var all strings.Builder
			for _, d := range diags {
				all.WriteString(d.Summary + ": " + d.Detail + "\n")
			}
			if !diags.HasErrors() || !strings.Contains(all.String(), tc.want) {
				t.Fatalf("diagnostics %v, want an error with %q", diags, tc.want)
			}
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Subject == nil {
					t.Errorf("error without a location: %v", d)
				}
			}
		})
	}
}

// TestExampleUsersCSV loads the example CSV of examples/contoso (with a
// generated certificate where it names one): it must stay valid.
func TestExampleUsersCSV(t *testing.T) {
	data, err := os.ReadFile("../examples/contoso/users/certificate-user-ids.csv")
	if err != nil {
		t.Fatal(err)
	}
	alice := pkitest.NewRoot(pkitest.WithCN("Contoso Users")).NewLeaf(pkitest.WithCN("Alice"), pkitest.WithUPN("alice@contoso.com"))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"users/certificate-user-ids.csv": string(data),
		"users/certs/alice.pem":          string(alice.PEM()),
		"main.hcl": `certificate_user_ids {
  fields = ["IssuerAndSerialNumber", "SubjectKeyIdentifier"]
  csv    = "users/certificate-user-ids.csv"
}
`,
	})
	cfg, diags := config.Load(dir, config.LoadOptions{Now: time.Now()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if n := len(cfg.Desired.CertUserIDs.Users); n != 3 {
		t.Errorf("%d users, want 3", n)
	}
}

// FuzzCertUserIDsCSV loads any CSV as the block's file: never a panic, and
// every declared value is of a kind, at most 1024 characters, with at most
// 10 per user, unless loading reports an error.
func FuzzCertUserIDsCSV(f *testing.F) {
	for _, s := range []string{
		"user,value\na@x,X509:<PN>a\n",
		"user,certificate,value\na@x,,X509:<PN>a\nA@X,,\"X509:<I>DC=org,CN=CA<SR>01\"\n",
		"user,certificate\na@x,../../etc/passwd\n",
		"\ufeffuser,value\n\"a@x\",\"X509:<PN>\"\"q\"\"\"\n",
		"user\n", "", "user,value,value\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"u.csv": data, "main.hcl": "certificate_user_ids {\n  csv = \"u.csv\"\n}\n"})
		cfg, diags := config.Load(dir, config.LoadOptions{Now: time.Now()})
		if diags.HasErrors() {
			return
		}
		for _, u := range cfg.Desired.CertUserIDs.Users {
			if len(u.Values) > model.MaxCertUserIDs {
				t.Fatalf("%s declared with %d values", u.Key, len(u.Values))
			}
			for _, v := range u.Values {
				if _, ok := model.KindOf(v); !ok || len(v) > model.MaxCertUserIDLength {
					t.Fatalf("%s declared with %q", u.Key, v)
				}
			}
		}
	})
}
