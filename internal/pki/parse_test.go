package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// result is what a parse call gave: the certificates' CNs, or the error kind.
type result struct {
	Kind ErrorKind
	CNs  []string
}

func ok(cns ...string) result    { return result{CNs: cns} }
func fail(k ErrorKind) result    { return result{Kind: k} }
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func resultOf(t *testing.T, certs []*x509.Certificate, err error) result {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is %T, not *ParseError", err, err)
		}
		if msg := pe.Error(); msg == "" || msg[0] < 'a' || msg[0] > 'z' {
			t.Errorf("error message %q does not start in lower case", pe.Error())
		}
		return result{Kind: pe.Kind}
	}
	var cns []string
	for _, c := range certs {
		cns = append(cns, c.Subject.CommonName)
	}
	return result{CNs: cns}
}

type fixtures struct {
	root, inter *pkitest.CA
	leaf        *pkitest.Leaf
	p7          []byte // DER bundle: Leaf, Inter, Root
}

func newFixtures() fixtures {
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Inter"))
	leaf := inter.NewLeaf(pkitest.WithCN("Leaf"))
	return fixtures{root: root, inter: inter, leaf: leaf, p7: pkitest.Bundle(leaf.Cert, inter.Cert, root.Cert)}
}

// berOuter re-encodes the outer SEQUENCE of der with an indefinite length.
func berOuter(t testing.TB, der []byte) []byte {
	t.Helper()
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		t.Fatal(err)
	}
	return cat([]byte{0x30, 0x80}, outer.Bytes, []byte{0, 0})
}

func TestParse(t *testing.T) {
	fx := newFixtures()
	leafPEM, interPEM, rootPEM := fx.leaf.PEM(), fx.inter.PEM(), fx.root.PEM()
	crl := fx.root.NewCRL()
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr"}}, fx.leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	enveloped, err := asn1.Marshal(struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}, asn1.RawValue{Class: 0, Tag: asn1.TagSequence, IsCompound: true, Bytes: []byte{2, 1, 0}}})
	if err != nil {
		t.Fatal(err)
	}
	trusted := cat(fx.leaf.DER, []byte{0x30, 0x00}) // OpenSSL TRUSTED CERTIFICATE: cert + empty aux
	crlf := bytes.ReplaceAll(leafPEM, []byte("\n"), []byte("\r\n"))

	tests := map[string]struct {
		in              []byte
		many, one, pkcs result // ParseCertificates, ParseCertificate, ParsePKCS7
	}{
		"PEM certificate": {
			in: leafPEM, many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"PEM with surrounding text": {
			in:   cat([]byte("subject=CN=Leaf\nissuer=CN=Inter\n\n"), leafPEM, []byte("\ntrailing notes\n")),
			many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"PEM with CRLF line endings": {
			in: crlf, many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"legacy X509 CERTIFICATE label": {
			in: pemOf("X509 CERTIFICATE", fx.leaf.DER), many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"OpenSSL TRUSTED CERTIFICATE": {
			in: pemOf("TRUSTED CERTIFICATE", trusted), many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"PEM bundle keeps order": {
			in: cat(leafPEM, interPEM, rootPEM), many: ok("Leaf", "Inter", "Root"), one: fail(ErrMultiple), pkcs: fail(ErrNotPKCS7),
		},
		"PEM bundle with a PKCS7 block expanded in place": {
			in:   cat(rootPEM, pemOf("PKCS7", pkitest.Bundle(fx.leaf.Cert, fx.inter.Cert)), rootPEM),
			many: ok("Root", "Leaf", "Inter", "Root"), one: fail(ErrMultiple), pkcs: ok("Leaf", "Inter"),
		},
		"PEM certificate next to a CRL": {
			in: cat(pemOf("X509 CRL", crl), leafPEM), many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"DER certificate": {
			in: fx.leaf.DER, many: ok("Leaf"), one: ok("Leaf"), pkcs: fail(ErrNotPKCS7),
		},
		"concatenated DER certificates": {
			in: cat(fx.leaf.DER, fx.inter.DER), many: ok("Leaf", "Inter"), one: fail(ErrMultiple), pkcs: fail(ErrNotPKCS7),
		},
		"DER PKCS7": {
			in: fx.p7, many: ok("Leaf", "Inter", "Root"), one: fail(ErrNoCertificate), pkcs: ok("Leaf", "Inter", "Root"),
		},
		"BER (indefinite length) PKCS7": {
			in: berOuter(t, fx.p7), many: ok("Leaf", "Inter", "Root"), one: fail(ErrNoCertificate), pkcs: ok("Leaf", "Inter", "Root"),
		},
		"PEM PKCS7": {
			in: pemOf("PKCS7", fx.p7), many: ok("Leaf", "Inter", "Root"), one: fail(ErrNoCertificate), pkcs: ok("Leaf", "Inter", "Root"),
		},
		"PEM PKCS #7 SIGNED DATA": {
			in: pemOf("PKCS #7 SIGNED DATA", fx.p7), many: ok("Leaf", "Inter", "Root"), one: fail(ErrNoCertificate), pkcs: ok("Leaf", "Inter", "Root"),
		},
		"PKCS7 with one certificate": {
			in: pkitest.Bundle(fx.root.Cert), many: ok("Root"), one: fail(ErrNoCertificate), pkcs: ok("Root"),
		},
		"PKCS7 without certificates": {
			in: pkitest.Bundle(), many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNoCertificate),
		},
		"PEM PKCS7 without certificates": {
			in: pemOf("PKCS7", pkitest.Bundle()), many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNoCertificate),
		},
		"PKCS7 envelopedData": {
			in: enveloped, many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"truncated PKCS7": {
			in: fx.p7[:len(fx.p7)-20], many: fail(ErrMalformed), one: fail(ErrNoCertificate), pkcs: fail(ErrMalformed),
		},
		"two PKCS7 PEM blocks": {
			in:   cat(pemOf("PKCS7", fx.p7), pemOf("PKCS7", fx.p7)),
			many: ok("Leaf", "Inter", "Root", "Leaf", "Inter", "Root"), one: fail(ErrNoCertificate), pkcs: fail(ErrMalformed),
		},
		"PKCS7 PEM block holding a certificate": {
			in: pemOf("PKCS7", fx.leaf.DER), many: fail(ErrMalformed), one: fail(ErrNoCertificate), pkcs: fail(ErrMalformed),
		},
		"PEM CRL only": {
			in: pemOf("X509 CRL", crl), many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"DER CRL": {
			in: crl, many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"DER CSR": {
			in: csr, many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"empty": {
			in: nil, many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"whitespace": {
			in: []byte(" \n\t\r\n"), many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"text without PEM": {
			in: []byte("thumbprint = \"D4DE20D0\"\n"), many: fail(ErrNoCertificate), one: fail(ErrNoCertificate), pkcs: fail(ErrNotPKCS7),
		},
		"binary garbage": {
			in: []byte{0x30, 0x82, 0xff, 0xff, 0x01, 0x02}, many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrNotPKCS7),
		},
		"truncated DER certificate": {
			in: fx.leaf.DER[:len(fx.leaf.DER)-10], many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrNotPKCS7),
		},
		"DER certificate with trailing garbage": {
			in: cat(fx.leaf.DER, []byte{1, 2, 3}), many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrNotPKCS7),
		},
		"PEM certificate with a bad body": {
			in:   []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
			many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrNotPKCS7),
		},
		"PEM certificate with bad base64": {
			in:   []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
			many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrMalformed),
		},
		"PEM block without END line before a good block": {
			in:   cat([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n"), leafPEM),
			many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrMalformed),
		},
		"PEM BEGIN line without closing dashes": {
			in:   []byte("-----BEGIN CERTIFICATE\nMIIB\n"),
			many: fail(ErrMalformed), one: fail(ErrMalformed), pkcs: fail(ErrMalformed),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			certs, err := ParseCertificates(tc.in)
			if diff := cmp.Diff(tc.many, resultOf(t, certs, err)); diff != "" {
				t.Errorf("ParseCertificates (-want +got):\n%s\nerror: %v", diff, err)
			}
			c, err := ParseCertificate(tc.in)
			var one []*x509.Certificate
			if c != nil {
				one = []*x509.Certificate{c}
			}
			if diff := cmp.Diff(tc.one, resultOf(t, one, err)); diff != "" {
				t.Errorf("ParseCertificate (-want +got):\n%s\nerror: %v", diff, err)
			}
			certs, err = ParsePKCS7(tc.in)
			if diff := cmp.Diff(tc.pkcs, resultOf(t, certs, err)); diff != "" {
				t.Errorf("ParsePKCS7 (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestParseErrorMessages(t *testing.T) {
	fx := newFixtures()
	crl := fx.root.NewCRL()
	tests := map[string]struct {
		err  error
		want string
	}{
		"CRL block is named": {
			err:  second(ParseCertificate(pemOf("X509 CRL", crl))),
			want: `no certificate found: input holds only "X509 CRL" PEM blocks`,
		},
		"several block types are named": {
			err:  second(ParseCertificates(cat(pemOf("X509 CRL", crl), pemOf("CERTIFICATE REQUEST", []byte{1}), pemOf("X509 CRL", crl)))),
			want: `no certificate found: input holds only "X509 CRL" and "CERTIFICATE REQUEST" PEM blocks`,
		},
		"PKCS7 where one certificate is required": {
			err:  second(ParseCertificate(pemOf("PKCS7", fx.p7))),
			want: `no certificate found: input holds only "PKCS7" PEM blocks, and a PKCS #7 bundle is not accepted where one certificate is required`,
		},
		"multiple": {
			err:  second(ParseCertificate(cat(fx.leaf.PEM(), fx.root.PEM()))),
			want: "input holds 2 certificates; exactly one is required",
		},
		"certificate given to ParsePKCS7": {
			err:  second(ParsePKCS7(fx.leaf.PEM())),
			want: `not a PKCS #7 bundle: input holds only "CERTIFICATE" PEM blocks`,
		},
		"DER certificate given to ParsePKCS7": {
			err:  second(ParsePKCS7(fx.leaf.DER)),
			want: "not a PKCS #7 bundle: input is a single X.509 certificate",
		},
		"DER CRL": {
			err:  second(ParseCertificates(crl)),
			want: "no certificate found: input is a certificate revocation list (CRL)",
		},
		"malformed block": {
			err:  second(ParseCertificates([]byte("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"))),
			want: `malformed PEM block 1 ("CERTIFICATE"): bad base64, bad headers or no matching END line`,
		},
		"PEM private key": {
			err:  second(ParseCertificates(pkitest.KeyPEM(fx.leaf.Key))),
			want: `input contains a private key (a "PRIVATE KEY" PEM block): only certificates are accepted, so remove the key from the file`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, tc.err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func TestParseErrorKinds(t *testing.T) {
	inner := errors.New("cause")
	err := error(&ParseError{Kind: ErrMalformed, Msg: "bad input", Err: inner})
	if !errors.Is(err, inner) {
		t.Error("Unwrap does not reach the cause")
	}
	if !errors.Is(err, &ParseError{Kind: ErrMalformed}) || errors.Is(err, &ParseError{Kind: ErrPrivateKey}) {
		t.Error("errors.Is does not compare kinds")
	}
	if !IsKind(err, ErrMalformed) || IsKind(err, ErrMultiple) || IsKind(nil, ErrMalformed) {
		t.Error("IsKind")
	}
	if got := err.Error(); got != "bad input: cause" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&ParseError{Kind: ErrNotPKCS7}).Error(); got != "not PKCS #7" {
		t.Errorf("Error() without Msg = %q", got)
	}
}

// keyInputs returns inputs that hold private keys, each with the key's
// encoded forms that must never appear in an error.
func keyInputs(t *testing.T, fx fixtures) map[string][]byte {
	t.Helper()
	rsaRoot := pkitest.NewRoot(pkitest.WithRSA(2048))
	rsaKey := rsaRoot.Key.(*rsa.PrivateKey)
	ecKey := fx.leaf.Key.(*ecdsa.PrivateKey)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(rsaKey)
	rsaPKCS8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	// EncryptedPrivateKeyInfo { PBES2 AlgorithmIdentifier, OCTET STRING }.
	encrypted, err := asn1.Marshal(struct {
		Alg  pkix.AlgorithmIdentifier
		Data []byte
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}, Parameters: asn1.RawValue{FullBytes: []byte{0x30, 0}}}, bytes.Repeat([]byte{0x42}, 64)})
	if err != nil {
		t.Fatal(err)
	}
	// PKCS #12 PFX { version 3, ContentInfo data, ... }.
	pfx, err := asn1.Marshal(struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"explicit,tag:0"`
		}
	}{Version: 3, AuthSafe: struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}, asn1.RawValue{Tag: asn1.TagOctetString, Bytes: []byte{1, 2, 3}}}})
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"certificate then PKCS #8 key PEM":   cat(fx.leaf.PEM(), pkitest.KeyPEM(fx.leaf.Key)),
		"key PEM then certificate":           cat(pkitest.KeyPEM(fx.leaf.Key), fx.leaf.PEM()),
		"RSA PRIVATE KEY PEM":                cat(fx.root.PEM(), pemOf("RSA PRIVATE KEY", pkcs1)),
		"EC PRIVATE KEY PEM":                 pemOf("EC PRIVATE KEY", sec1),
		"ENCRYPTED PRIVATE KEY PEM":          pemOf("ENCRYPTED PRIVATE KEY", encrypted),
		"OPENSSH PRIVATE KEY PEM":            pemOf("OPENSSH PRIVATE KEY", append([]byte("openssh-key-v1\x00"), sec1...)),
		"lower-case label":                   bytes.ReplaceAll(pkitest.KeyPEM(fx.leaf.Key), []byte("PRIVATE KEY"), []byte("private key")),
		"key block with a broken BEGIN line": bytes.Replace(pkitest.KeyPEM(fx.leaf.Key), []byte("-----BEGIN PRIVATE KEY-----"), []byte("BEGIN PRIVATE KEY"), 1),
		"PKCS #8 key in a CERTIFICATE block": pemOf("CERTIFICATE", pkcs8),
		"DER PKCS #8 EC key":                 pkcs8,
		"DER PKCS #8 RSA key":                rsaPKCS8,
		"DER PKCS #1 RSA key":                pkcs1,
		"DER SEC 1 EC key":                   sec1,
		"DER encrypted PKCS #8 key":          encrypted,
		"DER PKCS #12 archive":               pfx,
		"PuTTY key":                          []byte("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIDe0\n"),
	}
}

func TestPrivateKeyIsRefused(t *testing.T) {
	fx := newFixtures()
	parsers := map[string]func([]byte) error{
		"ParseCertificates": func(b []byte) error { return second(ParseCertificates(b)) },
		"ParseCertificate":  func(b []byte) error { return second(ParseCertificate(b)) },
		"ParsePKCS7":        func(b []byte) error { return second(ParsePKCS7(b)) },
	}
	for name, in := range keyInputs(t, fx) {
		t.Run(name, func(t *testing.T) {
			if !ContainsPrivateKey(in) {
				t.Fatal("ContainsPrivateKey = false")
			}
			for pname, parse := range parsers {
				err := parse(in)
				if !IsKind(err, ErrPrivateKey) {
					t.Fatalf("%s: error %v, want kind ErrPrivateKey", pname, err)
				}
				assertNoKeyMaterial(t, err.Error(), in)
			}
		})
	}
}

// assertNoKeyMaterial fails if msg quotes any base64 line of in, any 8-byte
// run of in, or a PEM key marker.
func assertNoKeyMaterial(t *testing.T, msg string, in []byte) {
	t.Helper()
	if strings.Contains(msg, "PRIVATE KEY-----") {
		t.Errorf("error %q contains a PEM key marker", msg)
	}
	for _, line := range strings.Split(string(in), "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 8 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Errorf("error %q contains input line %q", msg, line)
		}
	}
	for i := 0; i+8 <= len(in); i++ {
		if strings.Contains(msg, string(in[i:i+8])) && !isPrintableASCII(in[i:i+8]) {
			t.Errorf("error %q contains input bytes", msg)
			break
		}
	}
	if strings.Contains(msg, base64.StdEncoding.EncodeToString(in)[:16]) {
		t.Errorf("error %q contains base64 of the input", msg)
	}
}

func isPrintableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func TestContainsPrivateKeyNegatives(t *testing.T) {
	fx := newFixtures()
	tests := map[string][]byte{
		"PEM certificate":                    fx.leaf.PEM(),
		"DER certificate":                    fx.leaf.DER,
		"PKCS7":                              fx.p7,
		"CRL":                                fx.root.NewCRL(),
		"public key PEM":                     pemOf("PUBLIC KEY", mustMarshalPKIX(t, fx.leaf.Key.Public())),
		"text mentioning keys":               []byte("never commit a private key\n"),
		"empty":                              nil,
		"RSA certificate bundle":             cat(pkitest.NewRoot(pkitest.WithRSA(2048)).PEM(), fx.root.PEM()),
		"DER RSA public key":                 x509.MarshalPKCS1PublicKey(&pkitest.NewRoot(pkitest.WithRSA(2048)).Key.(*rsa.PrivateKey).PublicKey),
		"DER SEQUENCE of mixed small values": {0x30, 0x12, 2, 1, 1, 2, 1, 1, 4, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0},
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if ContainsPrivateKey(in) {
				t.Error("ContainsPrivateKey = true")
			}
		})
	}
}

func mustMarshalPKIX(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestPKCS7RoundTrip(t *testing.T) {
	fx := newFixtures()
	want := []*x509.Certificate{fx.leaf.Cert, fx.inter.Cert, fx.root.Cert}
	inputs := map[string][]byte{
		"DER":                 fx.p7,
		"PEM PKCS7":           pemOf("PKCS7", fx.p7),
		"PEM PKCS #7 SIGNED":  pemOf("PKCS #7 SIGNED DATA", fx.p7),
		"PEM with text":       cat([]byte("bundle:\n"), pemOf("PKCS7", fx.p7)),
		"BER outer structure": berOuter(t, fx.p7),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			for fname, parse := range map[string]func([]byte) ([]*x509.Certificate, error){
				"ParsePKCS7": ParsePKCS7, "ParseCertificates": ParseCertificates,
			} {
				got, err := parse(in)
				if err != nil {
					t.Fatalf("%s: %v", fname, err)
				}
				if diff := cmp.Diff(rawOf(want), rawOf(got)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", fname, diff)
				}
			}
		})
	}
}

func rawOf(certs []*x509.Certificate) [][]byte {
	var out [][]byte
	for _, c := range certs {
		out = append(out, c.Raw)
	}
	return out
}

// TestHostileInputs feeds inputs that once made scanning quadratic or that
// stress the BER decoder; they must fail cleanly (and quickly).
func TestHostileInputs(t *testing.T) {
	signedDataHeader := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	tests := map[string]struct {
		in         []byte
		many, pkcs ErrorKind
	}{
		"deeply nested indefinite lengths": {
			in:   cat(signedDataHeader, bytes.Repeat([]byte{0xa0, 0x80}, 100000)),
			many: ErrMalformed, pkcs: ErrMalformed,
		},
		"huge declared length": {
			in:   cat(signedDataHeader, []byte{0xa0, 0x84, 0x7f, 0xff, 0xff, 0xff}),
			many: ErrMalformed, pkcs: ErrMalformed,
		},
		"many BEGIN markers without newlines": {
			in:   bytes.Repeat([]byte("-----BEGIN "), 100000),
			many: ErrMalformed, pkcs: ErrMalformed,
		},
		"many BEGIN lines without END": {
			in:   bytes.Repeat([]byte("-----BEGIN X-----\n"), 50000),
			many: ErrMalformed, pkcs: ErrMalformed,
		},
		"long BEGIN line": {
			in:   cat([]byte("-----BEGIN "), bytes.Repeat([]byte("A"), 100000), []byte("-----\n")),
			many: ErrMalformed, pkcs: ErrMalformed,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCertificates(tc.in); !IsKind(err, tc.many) {
				t.Errorf("ParseCertificates: %v, want kind %v", err, tc.many)
			}
			if _, err := ParsePKCS7(tc.in); !IsKind(err, tc.pkcs) {
				t.Errorf("ParsePKCS7: %v, want kind %v", err, tc.pkcs)
			}
		})
	}
}

// TestContainsFoldKEY pins the shortcut of the textual key checks: every
// marker they look for spells KEY, in any case.
func TestContainsFoldKEY(t *testing.T) {
	tests := map[string]bool{
		"-----BEGIN PRIVATE KEY-----": true,
		"-----begin private key-----": true,
		"PuTTY-User-Key-File-3":       true,
		"kEy":                         true,
		"ke":                          false,
		"k e y":                       false,
		"\xcbEY":                      false, // 0xcb|0x20 is not 'k'
		"KE\x59":                      true,  // 0x59 is 'Y'
		"":                            false,
	}
	for in, want := range tests {
		if got := containsFoldKEY([]byte(in)); got != want {
			t.Errorf("containsFoldKEY(%q) = %v, want %v", in, got, want)
		}
	}
}
