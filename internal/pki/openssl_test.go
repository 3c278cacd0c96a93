package pki

import (
	"bytes"
	"crypto/x509"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

func opensslPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("host-dependent (OpenSSL): skipped with -short")
	}
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not on PATH")
	}
	return path
}

// openssl runs openssl with args and returns its stdout.
func openssl(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// opensslView is what openssl prints for a certificate, reduced to our formats.
type opensslView struct {
	Thumbprint, Serial, SKI, AKI, Subject, Issuer string
}

func viewWithOpenSSL(t *testing.T, bin string, der []byte) opensslView {
	t.Helper()
	file := filepath.Join(t.TempDir(), "cert.der")
	if err := os.WriteFile(file, der, 0o600); err != nil {
		t.Fatal(err)
	}
	x509Cmd := func(args ...string) string {
		return openssl(t, bin, append([]string{"x509", "-inform", "DER", "-in", file, "-noout"}, args...)...)
	}
	after := func(s, sep string) string {
		_, v, _ := strings.Cut(strings.TrimSpace(s), sep)
		return v
	}
	var v opensslView
	v.Thumbprint = strings.ReplaceAll(after(x509Cmd("-fingerprint", "-sha1"), "="), ":", "")
	v.Serial = after(x509Cmd("-serial"), "=")
	v.Subject = after(x509Cmd("-subject", "-nameopt", "RFC2253"), "=")
	v.Issuer = after(x509Cmd("-issuer", "-nameopt", "RFC2253"), "=")
	lines := strings.Split(x509Cmd("-ext", "subjectKeyIdentifier,authorityKeyIdentifier"), "\n")
	for i := 0; i+1 < len(lines); i++ {
		value := strings.TrimSpace(lines[i+1])
		value = strings.TrimPrefix(value, "keyid:") // OpenSSL 1.1 prints "keyid:" before the AKI
		value = strings.ReplaceAll(value, ":", "")
		switch {
		case strings.Contains(lines[i], "Subject Key Identifier"):
			v.SKI = value
		case strings.Contains(lines[i], "Authority Key Identifier"):
			v.AKI = value
		}
	}
	return v
}

func ourView(c *x509.Certificate) opensslView {
	return opensslView{
		Thumbprint: SHA1Thumbprint(c.Raw),
		Serial:     SerialHex(c),
		SKI:        SubjectKeyID(c),
		AKI:        AuthorityKeyID(c),
		Subject:    SubjectDN(c, RuleOrder),
		Issuer:     IssuerDN(c, RuleOrder),
	}
}

func TestAgainstOpenSSL(t *testing.T) {
	bin := opensslPath(t)
	root := pkitest.NewRoot(
		pkitest.WithSubject(rdn1(atv(oidDC, "com"), atv(oidDC, "contoso"), atv(oidC, "US"), atv(oidO, "Contoso"), atv(oidCN, "Contoso Root"))),
		pkitest.WithSerial(big.NewInt(0x0a1b2c)),
	)
	inter := root.NewIntermediate(
		pkitest.WithSubject(contosoIssuing),
		pkitest.WithRSA(2048),
		pkitest.WithSerial(new(big.Int).Lsh(big.NewInt(0xff), 120)),
	)
	leaf := inter.NewLeaf(
		pkitest.WithSubject(rdn1(atv(oidDC, "com"), atv(oidDC, "contoso"), atv(oidOU, "User Accounts"), atv(oidCN, "Contoso User"))),
		pkitest.WithSHA1Signature(),
		pkitest.WithSerial(big.NewInt(1)),
	)
	noKeyIDs := root.NewLeaf(pkitest.WithCN("No Key IDs"), pkitest.WithoutSKI(), pkitest.WithoutAKI())

	tests := map[string][]byte{
		"root":                     root.DER,
		"intermediate (RSA)":       inter.DER,
		"leaf (SHA-1 signature)":   leaf.DER,
		"leaf without SKI and AKI": noKeyIDs.DER,
		"Entra PowerShell vector":  entraVectorDER(t),
	}
	for name, der := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(viewWithOpenSSL(t, bin, der), ourView(c)); diff != "" {
				t.Errorf("openssl vs pki (-openssl +pki):\n%s", diff)
			}
		})
	}
}

func TestPKCS7AgainstOpenSSL(t *testing.T) {
	bin := opensslPath(t)
	fx := newFixtures()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	want := rawOf([]*x509.Certificate{fx.leaf.Cert, fx.inter.Cert, fx.root.Cert})

	t.Run("openssl reads pkitest.Bundle", func(t *testing.T) {
		p7 := write("bundle.p7b", fx.p7)
		out := openssl(t, bin, "pkcs7", "-inform", "DER", "-in", p7, "-print_certs")
		got, err := ParseCertificates([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rawOf(got)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("ParsePKCS7 reads openssl crl2pkcs7", func(t *testing.T) {
		chain := write("chain.pem", cat(fx.leaf.PEM(), fx.inter.PEM(), fx.root.PEM()))
		for _, form := range []string{"PEM", "DER"} {
			out := openssl(t, bin, "crl2pkcs7", "-nocrl", "-certfile", chain, "-outform", form)
			got, err := ParsePKCS7([]byte(out))
			if err != nil {
				t.Fatalf("%s: %v", form, err)
			}
			if diff := cmp.Diff(want, rawOf(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", form, diff)
			}
		}
	})
	t.Run("openssl verifies pkitest CRLs", func(t *testing.T) {
		ca := write("ca.pem", fx.root.PEM())
		crl := write("crl.der", fx.root.NewCRL(pkitest.WithRevoked(big.NewInt(42)), pkitest.WithCRLNumber(7)))
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "crl", "-inform", "DER", "-in", crl, "-CAfile", ca, "-noout", "-crlnumber")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("openssl crl: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "verify OK") {
			t.Errorf("openssl did not verify the CRL: %s", stderr.String())
		}
		if got := strings.TrimSpace(string(out)); got != "crlNumber=0x07" && got != "crlNumber=07" {
			t.Errorf("crlNumber = %q", got)
		}
	})
}
