package config

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// TestCertificateFunctionMatchesOpenSSL compares certificate(path) with what
// `openssl x509` prints for the same generated certificate: thumbprint, SKI,
// AKI, serial, subject and issuer.
func TestCertificateFunctionMatchesOpenSSL(t *testing.T) {
	if testing.Short() {
		t.Skip("host-dependent (OpenSSL): skipped with -short")
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	dn := func(cn string) pkitest.Option {
		return pkitest.WithSubject(pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "com"}},
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "contoso"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "US"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "Contoso"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "PKI"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: cn}},
		})
	}
	root := pkitest.NewRoot(dn("Contoso Root"))
	ca := root.NewIntermediate(dn("Contoso Issuing"), pkitest.WithSerial(big.NewInt(0x0a1b2c)))
	dir := t.TempDir()
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	ssl := func(args ...string) string {
		out, err := exec.Command(openssl, append([]string{"x509", "-noout", "-in", path}, args...)...).Output()
		if err != nil {
			t.Fatalf("openssl %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	after := func(s, sep string) string { _, v, _ := strings.Cut(s, sep); return v }
	hex := func(s string) string {
		return strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "keyid:"), ":", ""))
	}
	exts := strings.Split(ssl("-ext", "subjectKeyIdentifier,authorityKeyIdentifier"), "\n")
	var ski, aki string
	for i, l := range exts {
		switch {
		case strings.Contains(l, "Subject Key Identifier"):
			ski = hex(exts[i+1])
		case strings.Contains(l, "Authority Key Identifier"):
			aki = hex(exts[i+1])
		}
	}
	want := map[string]string{
		"thumbprint":               hex(after(ssl("-fingerprint", "-sha1"), "=")),
		"sha256":                   hex(after(ssl("-fingerprint", "-sha256"), "=")),
		"serial_number":            after(ssl("-serial"), "="),
		"subject":                  after(ssl("-subject", "-nameopt", "RFC2253"), "subject="),
		"issuer":                   after(ssl("-issuer", "-nameopt", "RFC2253"), "issuer="),
		"subject_key_identifier":   ski,
		"authority_key_identifier": aki,
	}

	v, err := Functions(dir)["certificate"].Call([]cty.Value{cty.StringVal("ca.pem")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k := range want {
		got[k] = v.GetAttr(k).AsString()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("certificate() differs from openssl (-openssl +certificate()):\n%s", diff)
	}
	if got["serial_number"] != "0A1B2C" || got["subject"] != "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US,DC=contoso,DC=com" {
		t.Errorf("unexpected serial %s or subject %s", got["serial_number"], got["subject"])
	}
	if v.GetAttr("is_ca").False() || v.GetAttr("self_signed").True() {
		t.Error("an intermediate must be is_ca and not self_signed")
	}
	nb, _ := time.Parse(time.RFC3339, v.GetAttr("not_before").AsString())
	if !nb.Equal(ca.Cert.NotBefore.UTC()) {
		t.Errorf("not_before %s, want %s", nb, ca.Cert.NotBefore)
	}
}

// TestFileFunctionsRefusePrivateKeys checks that no file function returns the
// contents of a file that holds a private key.
func TestFileFunctionsRefusePrivateKeys(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Keyed"))
	dir := t.TempDir()
	key := pkitest.KeyPEM(root.Key)
	if err := os.WriteFile(filepath.Join(dir, "k.pem"), append(root.PEM(), key...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"file", "filebase64", "filesha256", "certificate"} {
		_, err := Functions(dir)[fn].Call([]cty.Value{cty.StringVal("k.pem")})
		if err == nil || !strings.Contains(err.Error(), "contains a private key") {
			t.Errorf("%s: error %v, want a refusal", fn, err)
		}
		if err != nil && strings.Contains(err.Error(), string(key[40:80])) {
			t.Errorf("%s: the error echoes the key", fn)
		}
	}
}

// A layout of one directory per CA keeps at most maxDirs directories open,
// and reads every file.
func TestFileReaderKeepsFewDirectoriesOpen(t *testing.T) {
	dir := t.TempDir()
	n := 2*maxDirs + 5
	for i := range n {
		sub := filepath.Join(dir, "certs", fmt.Sprintf("ca%03d", i))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, "name.txt"), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := newFileReader(dir)
	defer r.close()
	for i := range n {
		data, err := r.read(fmt.Sprintf("certs/ca%03d/name.txt", i))
		if err != nil || string(data) != fmt.Sprint(i) {
			t.Fatalf("file %d: %q, %v", i, data, err)
		}
	}
	if len(r.dirs) > maxDirs {
		t.Errorf("%d directories kept open, want at most %d", len(r.dirs), maxDirs)
	}
}
