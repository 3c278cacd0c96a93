package pki

import (
	"bytes"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

func TestSerialHex(t *testing.T) {
	huge, _ := new(big.Int).SetString("1E8C974144BF86964423FA6464082D8A", 16)
	tests := map[string]struct {
		serial *big.Int
		want   string
	}{
		"zero":               {big.NewInt(0), "00"},
		"one":                {big.NewInt(1), "01"},
		"odd digit count":    {big.NewInt(0x0a1b2c), "0A1B2C"},
		"high bit set":       {big.NewInt(0x80), "80"},
		"two bytes":          {big.NewInt(0x0100), "0100"},
		"128-bit":            {huge, "1E8C974144BF86964423FA6464082D8A"},
		"negative (lenient)": {big.NewInt(-0x1234), "-1234"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := SerialHex(&x509.Certificate{SerialNumber: tc.serial})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := SerialHex(nil); got != "" {
		t.Errorf("SerialHex(nil) = %q", got)
	}
}

func TestIsSelfSigned(t *testing.T) {
	root := pkitest.NewRoot()
	rsaRoot := pkitest.NewRoot(pkitest.WithRSA(2048), pkitest.WithSHA1Signature())
	inter := root.NewIntermediate()
	leaf := inter.NewLeaf()
	// Same subject as its issuer, but signed by the issuer's key.
	sameName := root.NewIntermediate(pkitest.WithSubject(root.Cert.Subject.ToRDNSequence()))
	if !bytes.Equal(sameName.Cert.RawSubject, sameName.Cert.RawIssuer) {
		t.Fatal("test setup: subject and issuer differ")
	}
	tampered := *root.Cert
	tampered.Signature = append([]byte(nil), root.Cert.Signature...)
	tampered.Signature[len(tampered.Signature)-1] ^= 0xff

	tests := map[string]struct {
		cert *x509.Certificate
		want bool
	}{
		"root":                        {root.Cert, true},
		"SHA-1 RSA root":              {rsaRoot.Cert, true},
		"root without CA constraints": {pkitest.NewRoot(pkitest.WithNotCA()).Cert, true},
		"intermediate":                {inter.Cert, false},
		"leaf":                        {leaf.Cert, false},
		"same name, other key":        {sameName.Cert, false},
		"bad signature":               {&tampered, false},
		"nil":                         {nil, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsSelfSigned(tc.cert); got != tc.want {
				t.Errorf("IsSelfSigned = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	nb := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	na := time.Date(2035, 1, 2, 3, 4, 5, 0, time.UTC)
	root := pkitest.NewRoot(pkitest.WithSubject(contosoIssuing), pkitest.WithSerial(big.NewInt(0x0a1b2c)), pkitest.WithValidity(nb, na))
	leaf := root.NewLeaf(pkitest.WithCN("Bob"), pkitest.WithSerial(big.NewInt(7)), pkitest.WithValidity(nb, na), pkitest.WithoutSKI())

	tests := map[string]struct {
		cert *x509.Certificate
		want Summary
	}{
		"root": {root.Cert, Summary{
			Subject:                "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US",
			Issuer:                 "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US",
			SubjectKeyIdentifier:   upperHex(root.Cert.SubjectKeyId),
			AuthorityKeyIdentifier: upperHex(root.Cert.SubjectKeyId),
			Thumbprint:             SHA1Thumbprint(root.DER),
			SHA256:                 SHA256Fingerprint(root.DER),
			SerialNumber:           "0A1B2C",
			NotBefore:              nb,
			NotAfter:               na,
			IsCA:                   true,
			SelfSigned:             true,
		}},
		"leaf without SKI": {leaf.Cert, Summary{
			Subject:                "CN=Bob",
			Issuer:                 "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US",
			SubjectKeyIdentifier:   "",
			AuthorityKeyIdentifier: upperHex(root.Cert.SubjectKeyId),
			Thumbprint:             SHA1Thumbprint(leaf.DER),
			SHA256:                 SHA256Fingerprint(leaf.DER),
			SerialNumber:           "07",
			NotBefore:              nb,
			NotAfter:               na,
		}},
		"nil": {nil, Summary{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Summarize(tc.cert)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if len(SHA1Thumbprint(root.DER)) != 40 || len(SHA256Fingerprint(root.DER)) != 64 {
		t.Error("thumbprint lengths")
	}
	if len(root.Cert.SubjectKeyId) != 20 {
		t.Errorf("root SKI is %d bytes, want 20", len(root.Cert.SubjectKeyId))
	}
}

func TestNormalizeHex(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"0a1b2c":               "0A1B2C",
		"0A:1B:2C":             "0A1B2C",
		"0a 1b 2c":             "0A1B2C",
		" \t0a:1b 2c\n":        "0A1B2C",
		"aa:bb:cc:dd:ee:ff:00": "AABBCCDDEEFF00",
		"AABBCCDDEEFF00112233": "AABBCCDDEEFF00112233",
		"0a-1b":                "0A-1B", // dashes are not separators here
	} {
		if got := NormalizeHex(in); got != want {
			t.Errorf("NormalizeHex(%q) = %q, want %q", in, got, want)
		}
	}
}
