package pki

import (
	"crypto/sha1" // #nosec G505 -- the thumbprint is an identifier
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// annLee is the subject DC=com,DC=contoso,OU=Users,CN=Ann Lee, in encoded order.
var annLee = rdn1(atv(oidDC, "com"), atv(oidDC, "contoso"), atv(oidOU, "Users"), atv(oidCN, "Ann Lee"))

// thumbprintOf computes the SHA-1 of der independently of SHA1Thumbprint.
func thumbprintOf(der []byte) string {
	return fmt.Sprintf("%X", sha1.Sum(der)) // #nosec G401 -- identifier only
}

func TestCertificateUserIDs(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithSubject(contosoIssuing))
	ann := root.NewLeaf(
		pkitest.WithSubject(annLee),
		pkitest.WithSerial(big.NewInt(0x0a1b2c)),
		pkitest.WithUPN("ann@contoso.com", "ann.lee@contoso.com"),
		pkitest.WithEmail("ann.lee@contoso.com", "ann@fabrikam.com"),
	)
	bare := root.NewLeaf(pkitest.WithCN("Lee, Ann"), pkitest.WithSerial(big.NewInt(0x8001)), pkitest.WithoutSKI())
	noSubject := root.NewLeaf(pkitest.WithSubject(pkix.RDNSequence{}), pkitest.WithSerial(big.NewInt(7)), pkitest.WithUPN("x@contoso.com"))
	vector, err := ParseCertificate(entraVectorDER(t))
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		cert *x509.Certificate
		want map[string]string
	}{
		// The acceptance vector of issue 5.
		"encoded-order subject and issuer, UPN and e-mail": {ann.Cert, map[string]string{
			"PrincipalName":         "X509:<PN>ann@contoso.com",
			"RFC822Name":            "X509:<RFC822>ann.lee@contoso.com",
			"SubjectKeyIdentifier":  "X509:<SKI>" + strings.ToUpper(fmt.Sprintf("%x", pkitest.KeyID(ann.Key.Public()))),
			"SHA1PublicKey":         "X509:<SHA1-PUKEY>" + thumbprintOf(ann.DER),
			"IssuerAndSubject":      "X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<S>DC=com,DC=contoso,OU=Users,CN=Ann Lee",
			"Subject":               "X509:<S>DC=com,DC=contoso,OU=Users,CN=Ann Lee",
			"IssuerAndSerialNumber": "X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<SR>2c1b0a",
		}},
		// Microsoft's Entra PowerShell module test certificate: the values its
		// Pester test expects, except IssuerAndSerialNumber, where cbactl
		// follows the documentation (bytes reversed).
		"Entra PowerShell module vector": {vector, map[string]string{
			"PrincipalName":         "X509:<PN>contoso@microsoft.com",
			"SubjectKeyIdentifier":  "X509:<SKI>C6F4E96CAAD84640361F9FB5F74F6308247CB8B4",
			"SHA1PublicKey":         "X509:<SHA1-PUKEY>34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA",
			"IssuerAndSubject":      "X509:<I>CN=Contoso<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User",
			"Subject":               "X509:<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User",
			"IssuerAndSerialNumber": "X509:<I>CN=Contoso<SR>8a2d086464fa23449686bf4441978c1e",
		}},
		// No SAN, no SKI: those fields are absent. A value that needs quoting
		// is quoted; the serial's top bit is set, so its zero byte is kept.
		"absent fields, quoting, high-bit serial": {bare.Cert, map[string]string{
			"SHA1PublicKey":         "X509:<SHA1-PUKEY>" + thumbprintOf(bare.DER),
			"IssuerAndSubject":      `X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<S>CN="Lee, Ann"`,
			"Subject":               `X509:<S>CN="Lee, Ann"`,
			"IssuerAndSerialNumber": "X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<SR>018000",
		}},
		// An empty subject gives no Subject or IssuerAndSubject value.
		"empty subject": {noSubject.Cert, map[string]string{
			"PrincipalName":         "X509:<PN>x@contoso.com",
			"SubjectKeyIdentifier":  "X509:<SKI>" + SubjectKeyID(noSubject.Cert),
			"SHA1PublicKey":         "X509:<SHA1-PUKEY>" + thumbprintOf(noSubject.DER),
			"IssuerAndSerialNumber": "X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<SR>07",
		}},
		"nil": {nil, map[string]string{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := CertificateUserIDs(tc.cert)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for k := range got {
				if !slices.Contains(UserIDFields, k) {
					t.Errorf("key %q is not in UserIDFields", k)
				}
			}
		})
	}
}

func TestUserIDFieldsOrder(t *testing.T) {
	want := []string{"PrincipalName", "RFC822Name", "SubjectKeyIdentifier", "SHA1PublicKey",
		"IssuerAndSubject", "Subject", "IssuerAndSerialNumber"}
	if diff := cmp.Diff(want, UserIDFields); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestIssuerAndSerialNumberBigEndian(t *testing.T) {
	vector, err := ParseCertificate(entraVectorDER(t))
	if err != nil {
		t.Fatal(err)
	}
	// The value the Entra PowerShell module's own test expects.
	if got, want := IssuerAndSerialNumberBigEndian(vector), "X509:<I>CN=Contoso<SR>1e8c974144bf86964423fa6464082d8a"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := IssuerAndSerialNumberBigEndian(nil); got != "" {
		t.Errorf("nil certificate: got %q", got)
	}
}

func TestSerialByteOrder(t *testing.T) {
	big20, _ := new(big.Int).SetString("ff0102030405060708090a0b0c0d0e0f10111213", 16)
	tests := map[string]struct {
		serial             *big.Int
		little, bigEndian  string
		opensslUpperSerial string // SerialHex, for contrast
	}{
		"issue vector":        {big.NewInt(0x0a1b2c), "2c1b0a", "0a1b2c", "0A1B2C"},
		"one byte":            {big.NewInt(7), "07", "07", "07"},
		"leading zero nibble": {big.NewInt(0x0100), "0001", "0100", "0100"},
		// The DER INTEGER of 0x8001 is 00 80 01. Windows (certutil, .NET's
		// SerialNumber) keeps the zero byte, so the reversed form ends in 00;
		// big.Int.Bytes() would drop it and give "0180".
		"top bit set":         {big.NewInt(0x8001), "018000", "008001", "8001"},
		"single byte top bit": {big.NewInt(0x80), "8000", "0080", "80"},
		"20 bytes, top bit":   {big20, "131211100f0e0d0c0b0a090807060504030201ff00", "00ff0102030405060708090a0b0c0d0e0f10111213", "FF0102030405060708090A0B0C0D0E0F10111213"},
		"zero":                {big.NewInt(0), "00", "00", "00"},
		// Only reachable with GODEBUG=x509negativeserial=1: two's complement.
		"negative": {big.NewInt(-1), "ff", "ff", "-01"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := &x509.Certificate{SerialNumber: tc.serial}
			if got := SerialLittleEndian(c); got != tc.little {
				t.Errorf("SerialLittleEndian = %q, want %q", got, tc.little)
			}
			if got := SerialBigEndian(c); got != tc.bigEndian {
				t.Errorf("SerialBigEndian = %q, want %q", got, tc.bigEndian)
			}
			if got := SerialHex(c); got != tc.opensslUpperSerial {
				t.Errorf("SerialHex = %q, want %q", got, tc.opensslUpperSerial)
			}
		})
	}
	for _, c := range []*x509.Certificate{nil, {}} {
		if got := SerialLittleEndian(c) + SerialBigEndian(c); got != "" {
			t.Errorf("no serial: got %q", got)
		}
	}
}

// TestSerialBytesMatchDER checks that SerialBigEndian is exactly the content
// of the serialNumber INTEGER in the certificate's DER.
func TestSerialBytesMatchDER(t *testing.T) {
	root := pkitest.NewRoot()
	serials := []*big.Int{big.NewInt(1), big.NewInt(0x7f), big.NewInt(0x80), big.NewInt(0xff00), big.NewInt(0x0a1b2c)}
	for range 20 {
		serials = append(serials, nil) // random 127-bit serials
	}
	for _, s := range serials {
		var opts []pkitest.Option
		if s != nil {
			opts = append(opts, pkitest.WithSerial(s))
		}
		leaf := root.NewLeaf(opts...)
		var tbs struct {
			Version int `asn1:"optional,explicit,default:0,tag:0"`
			Serial  asn1.RawValue
		}
		if _, err := asn1.Unmarshal(leaf.Cert.RawTBSCertificate, &tbs); err != nil {
			t.Fatal(err)
		}
		if got, want := SerialBigEndian(leaf.Cert), fmt.Sprintf("%x", tbs.Serial.Bytes); got != want {
			t.Errorf("serial %s: SerialBigEndian = %q, DER content %q", leaf.Cert.SerialNumber.Text(16), got, want)
		}
		le := SerialLittleEndian(leaf.Cert)
		if len(le) != len(SerialBigEndian(leaf.Cert)) {
			t.Errorf("serial %s: little-endian %q and big-endian %q differ in length", leaf.Cert.SerialNumber.Text(16), le, SerialBigEndian(leaf.Cert))
		}
	}
}
