package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// fuzzSeeds returns generated certificates, bundles and near-misses that seed
// the fuzz corpora, so that plain `go test` runs them too.
func fuzzSeeds(t testing.TB) [][]byte {
	t.Helper()
	root := pkitest.NewRoot(pkitest.WithSubject(contosoIssuing))
	inter := root.NewIntermediate(pkitest.WithRSA(2048), pkitest.WithoutSKI())
	leaf := inter.NewLeaf(
		pkitest.WithSubject(pkix.RDNSequence{{atv(oidDC, "com")}, {atv(oidOU, "Users"), atv(oidCN, `Bob "B", Jr.`)}}),
		pkitest.WithUPN("bob@contoso.com"), pkitest.WithEmail("bob@contoso.com"),
		pkitest.WithPolicies("1.2.3.4"), pkitest.WithCRLDistributionPoints("http://crl.contoso.com/i.crl"),
	)
	p7 := pkitest.Bundle(leaf.Cert, inter.Cert, root.Cert)
	return [][]byte{
		nil,
		[]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN PRIVATE KEY-----"),
		[]byte("-----BEGIN X509 CRL-----\n-----BEGIN CERTIFICATE"),
		root.PEM(),
		leaf.DER,
		entraVectorDER(t),
		cat(leaf.PEM(), inter.PEM(), root.PEM()),
		cat(leaf.PEM(), pkitest.KeyPEM(leaf.Key)),
		p7,
		pemOf("PKCS7", p7),
		berOuter(t, p7),
		pkitest.Bundle(),
		root.NewCRL(),
		leaf.DER[:len(leaf.DER)/2],
		p7[:len(p7)-7],
	}
}

// checkParseError checks the invariants of every error the parsers return.
func checkParseError(t *testing.T, data []byte, err error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is %T, not *ParseError", err, err)
	}
	if pe.Kind < ErrNoCertificate || pe.Kind > ErrNotPKCS7 {
		t.Fatalf("unknown error kind %d", pe.Kind)
	}
	msg := err.Error()
	if strings.Contains(msg, "PRIVATE KEY-----") {
		t.Fatalf("error message contains a key marker: %q", msg)
	}
	if ContainsPrivateKey(data) && !IsKind(err, ErrPrivateKey) {
		t.Fatalf("input holds a private key but the error is %v", err)
	}
}

func FuzzParseCertificates(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificates(data)
		if err != nil {
			checkParseError(t, data, err)
		} else {
			if len(certs) == 0 {
				t.Fatal("no error and no certificates")
			}
			for _, c := range certs {
				_ = Summarize(c)
				_ = SubjectDN(c, EncodedOrder)
				_ = IssuerDN(c, EncodedOrder)
				_ = UPNs(c)
			}
		}
		one, err := ParseCertificate(data)
		if err != nil {
			checkParseError(t, data, err)
			return
		}
		_ = Summarize(one)
		found := false
		for _, c := range certs {
			found = found || c.Equal(one)
		}
		if !found {
			t.Fatal("ParseCertificate returned a certificate ParseCertificates did not")
		}
	})
}

func FuzzParsePKCS7(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParsePKCS7(data)
		if err != nil {
			checkParseError(t, data, err)
			return
		}
		if len(certs) == 0 {
			t.Fatal("no error and no certificates")
		}
		for _, c := range certs {
			_ = Summarize(c)
		}
	})
}

func FuzzFormatDN(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		if c, err := ParseCertificate(s); err == nil {
			f.Add(c.RawSubject)
			f.Add(c.RawIssuer)
		}
	}
	for _, rdns := range []pkix.RDNSequence{
		contosoIssuing,
		{{atv(oidOU, "a"), atv(oidCN, " b ")}, {atv(asn1.ObjectIdentifier{1, 2, 3}, `"q"`)}},
		{{atv(oidCN, asn1.RawValue{Tag: asn1.TagBMPString, Bytes: []byte{0, 'x', 0xd8, 0}})}},
		{{atv(oidCN, asn1.RawValue{Tag: 28, Bytes: []byte{0, 0x11, 0, 0}})}},
		{{atv(oidCN, 42)}, {atv(oidCN, true)}, {atv(oidCN, []byte{1})}},
	} {
		der, err := asn1.Marshal(rdns)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rdns pkix.RDNSequence
		if _, err := asn1.Unmarshal(data, &rdns); err == nil {
			_ = FormatDN(rdns, RuleOrder)
			_ = FormatDN(rdns, EncodedOrder)
		}
		parsed, err := ParseRDNSequence(data)
		if err != nil {
			return
		}
		rule, coded := FormatDN(parsed, RuleOrder), FormatDN(parsed, EncodedOrder)
		if len(parsed) == 1 && len(parsed[0]) == 1 && rule != coded {
			t.Fatalf("single-attribute DN differs by order: %q vs %q", rule, coded)
		}
		if s, err := FormatRawDN(data, EncodedOrder); err != nil || s != coded {
			t.Fatalf("FormatRawDN = %q, %v; want %q", s, err, coded)
		}
	})
}
