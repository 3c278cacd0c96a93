package pki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// selfSigned creates a certificate from tmpl, signed by its own new key.
func selfSigned(t *testing.T, tmpl *x509.Certificate, pub any, priv any) *x509.Certificate {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(1)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ecKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ptr[T any](v T) *T { return &v }

func TestInspectDetails(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	nb, na := now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)

	root := pkitest.NewRoot(pkitest.WithSubject(contosoIssuing), pkitest.WithValidity(nb, na.AddDate(5, 0, 0)))
	leaf := root.NewLeaf(
		pkitest.WithSubject(annLee),
		pkitest.WithValidity(nb, na),
		pkitest.WithUPN("ann@contoso.com"),
		pkitest.WithEmail("ann.lee@contoso.com"),
		pkitest.WithPolicies("1.2.3.4", "2.16.840.1.101.2.1.11.42"),
		pkitest.WithCRLDistributionPoints("http://crl.contoso.com/issuing.crl"),
	)

	// A CA with a path length limit, Ed25519, DNS/URI/IP names and an EKU
	// extension whose unknown usage comes first.
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ekuValue, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 2, 3, 4}, {1, 3, 6, 1, 5, 5, 7, 3, 2}, {1, 3, 6, 1, 4, 1, 311, 20, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://pki.contoso.com/ca")
	ed := selfSigned(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Ed CA"},
		NotBefore:             nb,
		NotAfter:              na,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            2,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		DNSNames:              []string{"ca.contoso.com"},
		URIs:                  []*url.URL{u},
		IPAddresses:           []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("2001:db8::1")},
		ExtraExtensions:       []pkix.Extension{{Id: oidExtKeyUsage, Value: ekuValue}},
	}, edPub, edPriv)
	p384 := ecKey(t, elliptic.P384())
	zeroPath := selfSigned(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "Zero"}, NotBefore: nb, NotAfter: na,
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 0, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign,
	}, p384.Public(), p384)

	tests := map[string]struct {
		cert *x509.Certificate
		want Inspection
	}{
		"leaf": {leaf.Cert, Inspection{
			Summary:               Summarize(leaf.Cert),
			KeyType:               "ECDSA",
			KeyBits:               256,
			KeyCurve:              "P-256",
			SignatureAlgorithm:    "ECDSA-SHA256",
			KeyUsage:              []string{"digitalSignature"},
			ExtendedKeyUsage:      []string{"clientAuth"},
			Policies:              []string{"1.2.3.4", "2.16.840.1.101.2.1.11.42"},
			CRLDistributionPoints: []string{"http://crl.contoso.com/issuing.crl"},
			SANs:                  SANs{UPN: []string{"ann@contoso.com"}, Email: []string{"ann.lee@contoso.com"}},
		}},
		"root": {root.Cert, Inspection{
			Summary:            Summarize(root.Cert),
			KeyType:            "ECDSA",
			KeyBits:            256,
			KeyCurve:           "P-256",
			SignatureAlgorithm: "ECDSA-SHA256",
			KeyUsage:           []string{"keyCertSign", "cRLSign"},
		}},
		"Ed25519 CA with path length and unordered EKUs": {ed, Inspection{
			Summary:            Summarize(ed),
			KeyType:            "Ed25519",
			KeyBits:            256,
			SignatureAlgorithm: "Ed25519",
			PathLength:         ptr(2),
			KeyUsage:           []string{"digitalSignature", "keyCertSign", "cRLSign"},
			ExtendedKeyUsage:   []string{"1.2.3.4", "clientAuth", "smartcardLogon"},
			SANs: SANs{
				DNS: []string{"ca.contoso.com"},
				URI: []string{"https://pki.contoso.com/ca"},
				IP:  []string{"192.0.2.1", "2001:db8::1"},
			},
		}},
		"path length zero, P-384": {zeroPath, Inspection{
			Summary:            Summarize(zeroPath),
			KeyType:            "ECDSA",
			KeyBits:            384,
			KeyCurve:           "P-384",
			SignatureAlgorithm: "ECDSA-SHA384",
			PathLength:         ptr(0),
			KeyUsage:           []string{"keyCertSign"},
		}},
		"nil": {nil, Inspection{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Inspect(tc.cert, now)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectKey(t *testing.T) {
	root := pkitest.NewRoot()
	tests := map[string]struct {
		cert *x509.Certificate
		want string
	}{
		"RSA 2048":    {root.NewLeaf(pkitest.WithRSA(2048)).Cert, "RSA 2048"},
		"ECDSA P-256": {root.NewLeaf().Cert, "ECDSA P-256"},
	}
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	tests["Ed25519"] = struct {
		cert *x509.Certificate
		want string
	}{selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "ed"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, edPub, edPriv), "Ed25519"}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Inspect(tc.cert, time.Now()).Key(); got != tc.want {
				t.Errorf("Key() = %q, want %q", got, tc.want)
			}
		})
	}
	// A key type crypto/x509 does not know is named by its OID.
	c := &x509.Certificate{RawSubjectPublicKeyInfo: mustMarshal(t, struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 3, 101, 113}}, asn1.BitString{Bytes: []byte{1}, BitLength: 8}})}
	if got := Inspect(c, time.Now()); got.KeyType != "unknown (OID.1.3.101.113)" || got.Key() != "unknown (OID.1.3.101.113)" {
		t.Errorf("unknown key: KeyType %q, Key() %q", got.KeyType, got.Key())
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// finding is a Finding reduced to what the tests check: its severity and a
// part of its message.
type finding struct {
	Severity Severity
	Contains string
}

func TestInspectFindings(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	validity := func(from, to time.Duration) pkitest.Option {
		return pkitest.WithValidity(now.Add(from), now.Add(to))
	}
	root := pkitest.NewRoot(validity(-400*day, 3650*day))
	ca := func(opts ...pkitest.Option) *x509.Certificate { return root.NewIntermediate(opts...).Cert }
	leaf := func(opts ...pkitest.Option) *x509.Certificate { return root.NewLeaf(opts...).Cert }
	vector, err := ParseCertificate(entraVectorDER(t))
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		cert *x509.Certificate
		now  time.Time
		want []finding
	}{
		"healthy CA":   {ca(validity(-day, 36*day)), now, nil},
		"healthy leaf": {leaf(validity(-day, day)), now, nil},
		"CA expired": {ca(validity(-400*day, -3*day)), now, []finding{
			{SeverityError, "the CA expired on " + now.Add(-3*day).Format(time.RFC3339) + ", 3 days ago"},
		}},
		"CA expires within 15 days": {ca(validity(-day, 10*day)), now, []finding{
			{SeverityWarning, "the CA expires in 10 days, on " + now.Add(10*day).Format(time.RFC3339) + ": renew it"},
		}},
		"CA expires in exactly 15 days": {ca(validity(-day, 15*day)), now, []finding{
			{SeverityWarning, "the CA expires in 15 days"}, {SeverityWarning, "renew it and upload its successor now"},
		}},
		"CA expires within 35 days": {ca(validity(-day, 30*day)), now, []finding{
			{SeverityWarning, "the CA expires in 30 days"}, {SeverityWarning, "within the 35 days"},
		}},
		"CA expires in exactly 35 days": {ca(validity(-day, 35*day)), now, []finding{
			{SeverityWarning, "the CA expires in 35 days"}, {SeverityWarning, "plan its renewal"},
		}},
		"CA expires in hours": {ca(validity(-day, 5*time.Hour)), now, []finding{
			{SeverityWarning, "the CA expires in less than a day"},
		}},
		"leaf expired": {leaf(validity(-400*day, -day)), now, []finding{
			{SeverityWarning, "the certificate expired on"}, {SeverityWarning, "AADSTS500172"},
		}},
		"not yet valid": {leaf(validity(2*day, 400*day)), now, []finding{
			{SeverityWarning, "not valid before " + now.Add(2*day).Format(time.RFC3339) + " (in 2 days)"},
		}},
		"SHA-1 signature by an RSA issuer": {root.NewIntermediate(pkitest.WithRSA(1024)).NewLeaf(pkitest.WithSHA1Signature()).Cert, time.Now(), []finding{
			{SeverityWarning, "signed with SHA-1 (SHA1-RSA)"},
		}},
		"weak RSA key": {leaf(pkitest.WithRSA(1024)), time.Now(), []finding{
			{SeverityWarning, "weak key: RSA 1024 bits; use at least 2048"},
		}},
		"RSA 2048 is fine": {leaf(pkitest.WithRSA(2048)), time.Now(), nil},
		"self-signed SHA-1 root": {pkitest.NewRoot(pkitest.WithRSA(2048), pkitest.WithSHA1Signature()).Cert, time.Now(), []finding{
			{SeverityWarning, "signed with SHA-1 (SHA1-RSA), which is no longer collision-resistant (the self-signature of a root"},
		}},
		"CA without SKI": {ca(pkitest.WithoutSKI()), time.Now(), []finding{
			{SeverityWarning, "the CA has no subject key identifier"},
		}},
		"leaf without AKI": {leaf(pkitest.WithoutAKI()), time.Now(), []finding{
			{SeverityWarning, "no authority key identifier"},
		}},
		"root without AKI is fine": {pkitest.NewRoot(pkitest.WithoutAKI()).Cert, time.Now(), nil},
		"PowerShell vector while valid": {vector, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), []finding{
			{SeverityWarning, "signed with SHA-1 (SHA1-RSA)"},
		}},
		"PowerShell vector after it expired": {vector, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), []finding{
			{SeverityWarning, "signed with SHA-1 (SHA1-RSA)"},
			{SeverityWarning, "the certificate expired on 2026-03-25T16:04:36Z, 240 days ago"},
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Inspect(tc.cert, tc.now).Findings
			// Every expectation must match a finding of its severity, and
			// every finding must be expected.
			matched := make([]bool, len(got))
			for _, w := range tc.want {
				found := false
				for i, f := range got {
					if f.Severity == w.Severity && strings.Contains(f.Message, w.Contains) {
						matched[i], found = true, true
					}
				}
				if !found {
					t.Errorf("no %s finding containing %q in %v", w.Severity, w.Contains, got)
				}
			}
			for i, f := range got {
				if !matched[i] {
					t.Errorf("unexpected finding: %s: %s", f.Severity, f.Message)
				}
			}
		})
	}
}
