package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

var (
	oidCN    = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidOU    = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidO     = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidC     = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidL     = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidST    = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidDC    = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

func atv(oid asn1.ObjectIdentifier, v any) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}

// rdn1 builds an RDNSequence of single-valued RDNs, in encoded order.
func rdn1(atvs ...pkix.AttributeTypeAndValue) pkix.RDNSequence {
	var s pkix.RDNSequence
	for _, a := range atvs {
		s = append(s, pkix.RelativeDistinguishedNameSET{a})
	}
	return s
}

func TestFormatDN(t *testing.T) {
	tests := map[string]struct {
		rdns        pkix.RDNSequence
		rule, coded string
	}{
		"plain": {
			rdns:  rdn1(atv(oidC, "US"), atv(oidO, "Contoso"), atv(oidOU, "PKI"), atv(oidCN, "Contoso Issuing")),
			rule:  "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US",
			coded: "C=US,O=Contoso,OU=PKI,CN=Contoso Issuing",
		},
		"comma is quoted": {
			rdns:  rdn1(atv(oidO, "Contoso, Ltd"), atv(oidCN, "CA")),
			rule:  `CN=CA,O="Contoso, Ltd"`,
			coded: `O="Contoso, Ltd",CN=CA`,
		},
		"plus is quoted": {
			rdns: rdn1(atv(oidCN, "R+D")), rule: `CN="R+D"`, coded: `CN="R+D"`,
		},
		"inner quotes are doubled": {
			rdns: rdn1(atv(oidCN, `say "hi"`)), rule: `CN="say ""hi"""`, coded: `CN="say ""hi"""`,
		},
		"leading space": {
			rdns: rdn1(atv(oidCN, " lead")), rule: `CN=" lead"`, coded: `CN=" lead"`,
		},
		"trailing space": {
			rdns: rdn1(atv(oidCN, "trail ")), rule: `CN="trail "`, coded: `CN="trail "`,
		},
		"leading tab": {
			rdns: rdn1(atv(oidCN, "\tx")), rule: "CN=\"\tx\"", coded: "CN=\"\tx\"",
		},
		"inner spaces are kept unquoted": {
			rdns: rdn1(atv(oidCN, "Contoso  User")), rule: "CN=Contoso  User", coded: "CN=Contoso  User",
		},
		"empty value": {
			rdns: rdn1(atv(oidCN, "")), rule: `CN=""`, coded: `CN=""`,
		},
		"equals, angle brackets, hash, semicolon, newline": {
			rdns:  rdn1(atv(oidCN, "a=b"), atv(oidOU, "<x>"), atv(oidO, "#1"), atv(oidL, "a;b"), atv(oidST, "a\nb")),
			rule:  "S=\"a\nb\",L=\"a;b\",O=\"#1\",OU=\"<x>\",CN=\"a=b\"",
			coded: "CN=\"a=b\",OU=\"<x>\",O=\"#1\",L=\"a;b\",S=\"a\nb\"",
		},
		"inner carriage return is not quoted (as on Windows)": {
			rdns: rdn1(atv(oidCN, "a\rb")), rule: "CN=a\rb", coded: "CN=a\rb",
		},
		"other characters need no quotes": {
			rdns: rdn1(atv(oidCN, `a.b-c_d/e\f(g)&'*!@`)), rule: `CN=a.b-c_d/e\f(g)&'*!@`, coded: `CN=a.b-c_d/e\f(g)&'*!@`,
		},
		"multi-valued RDN": {
			rdns: pkix.RDNSequence{
				{atv(oidC, "US")},
				{atv(oidOU, "Eng"), atv(oidCN, "Bob")},
			},
			rule:  "OU=Eng+CN=Bob,C=US",
			coded: "C=US,OU=Eng CN=Bob",
		},
		"unknown OID": {
			rdns:  rdn1(atv(asn1.ObjectIdentifier{1, 2, 3, 4}, "x"), atv(oidCN, "y")),
			rule:  "CN=y,OID.1.2.3.4=x",
			coded: "OID.1.2.3.4=x,CN=y",
		},
		"DC and E labels": {
			rdns:  rdn1(atv(oidDC, "com"), atv(oidDC, "contoso"), atv(oidCN, "Bob"), atv(oidEmail, "bob@contoso.com")),
			rule:  "E=bob@contoso.com,CN=Bob,DC=contoso,DC=com",
			coded: "DC=com,DC=contoso,CN=Bob,E=bob@contoso.com",
		},
		"all Windows labels": {
			rdns: rdn1(
				atv(asn1.ObjectIdentifier{2, 5, 4, 9}, "1 Main St"),
				atv(asn1.ObjectIdentifier{2, 5, 4, 5}, "42"),
				atv(asn1.ObjectIdentifier{2, 5, 4, 42}, "Ann"),
				atv(asn1.ObjectIdentifier{2, 5, 4, 4}, "Lee"),
				atv(asn1.ObjectIdentifier{2, 5, 4, 12}, "Dr"),
				atv(asn1.ObjectIdentifier{2, 5, 4, 43}, "AL"),
				atv(asn1.ObjectIdentifier{2, 5, 4, 17}, "98052"),
			),
			coded: "STREET=1 Main St,SERIALNUMBER=42,G=Ann,SN=Lee,T=Dr,I=AL,PostalCode=98052",
			rule:  "PostalCode=98052,I=AL,T=Dr,SN=Lee,G=Ann,SERIALNUMBER=42,STREET=1 Main St",
		},
		"byte value as hex": {
			rdns: rdn1(atv(oidCN, []byte{0x01, 0xab})), rule: `CN="#01AB"`, coded: `CN="#01AB"`,
		},
		"non-string raw value as hex of its encoding": {
			rdns:  rdn1(atv(oidCN, asn1.RawValue{Class: 0, Tag: asn1.TagInteger, Bytes: []byte{5}, FullBytes: []byte{2, 1, 5}})),
			rule:  `CN="#020105"`,
			coded: `CN="#020105"`,
		},
		"integer value with %v": {
			rdns: rdn1(atv(oidCN, int64(5))), rule: "CN=5", coded: "CN=5",
		},
		"nil value is empty": {
			rdns: rdn1(atv(oidCN, nil)), rule: `CN=""`, coded: `CN=""`,
		},
		"empty sequence": {
			rdns: nil, rule: "", coded: "",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.rule, FormatDN(tc.rdns, RuleOrder)); diff != "" {
				t.Errorf("RuleOrder (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.coded, FormatDN(tc.rdns, EncodedOrder)); diff != "" {
				t.Errorf("EncodedOrder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRDNSequenceStringTypes(t *testing.T) {
	str := func(tag int, b []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: b}
	}
	tests := map[string]struct {
		value asn1.RawValue
		want  string
	}{
		"UTF8String":            {str(asn1.TagUTF8String, []byte("Zoë")), "CN=Zoë"},
		"PrintableString":       {str(asn1.TagPrintableString, []byte("Bob")), "CN=Bob"},
		"IA5String":             {str(asn1.TagIA5String, []byte("corp")), "CN=corp"},
		"TeletexString latin-1": {str(asn1.TagT61String, []byte{'Z', 'o', 0xeb}), "CN=Zoë"},
		"BMPString":             {str(asn1.TagBMPString, []byte{0, 'Z', 0, 'o', 0, 0xeb}), "CN=Zoë"},
		"UniversalString":       {str(28, []byte{0, 0, 0, 'Z', 0, 0, 0, 'o', 0, 0, 0, 0xeb}), "CN=Zoë"},
		"OCTET STRING as hex":   {str(asn1.TagOctetString, []byte{0xde, 0xad}), `CN="#0402DEAD"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			der, err := asn1.Marshal(pkix.RDNSequence{{{Type: oidCN, Value: tc.value}}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := FormatRawDN(der, EncodedOrder)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ParseRDNSequence([]byte{0x30, 0x03, 0x31}); err == nil {
		t.Error("ParseRDNSequence accepted truncated input")
	}
	if _, err := ParseRDNSequence([]byte{0x30, 0x00, 0x00}); err == nil {
		t.Error("ParseRDNSequence accepted trailing data")
	}
}

// contosoIssuing is the subject C=US,O=Contoso,OU=PKI,CN=Contoso Issuing, in encoded order.
var contosoIssuing = rdn1(atv(oidC, "US"), atv(oidO, "Contoso"), atv(oidOU, "PKI"), atv(oidCN, "Contoso Issuing"))

func TestGeneratedCertificateDNs(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithSubject(contosoIssuing), pkitest.WithSerial(big.NewInt(0x0a1b2c)))
	leaf := root.NewLeaf(
		pkitest.WithSubject(pkix.RDNSequence{
			{atv(oidDC, "com")},
			{atv(oidDC, "contoso")},
			{atv(oidOU, "Users"), atv(oidCN, "Bob, Jr.")},
		}),
		pkitest.WithSerial(big.NewInt(0x80)),
	)
	tests := map[string]struct {
		got, want string
	}{
		"root serial":          {SerialHex(root.Cert), "0A1B2C"},
		"root issuer rule":     {IssuerDN(root.Cert, RuleOrder), "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US"},
		"root issuer encoded":  {IssuerDN(root.Cert, EncodedOrder), "C=US,O=Contoso,OU=PKI,CN=Contoso Issuing"},
		"root subject rule":    {SubjectDN(root.Cert, RuleOrder), "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US"},
		"root subject encoded": {SubjectDN(root.Cert, EncodedOrder), "C=US,O=Contoso,OU=PKI,CN=Contoso Issuing"},
		"leaf issuer encoded":  {IssuerDN(leaf.Cert, EncodedOrder), "C=US,O=Contoso,OU=PKI,CN=Contoso Issuing"},
		"leaf subject rule":    {SubjectDN(leaf.Cert, RuleOrder), `OU=Users+CN="Bob, Jr.",DC=contoso,DC=com`},
		"leaf subject encoded": {SubjectDN(leaf.Cert, EncodedOrder), `DC=com,DC=contoso,OU=Users CN="Bob, Jr."`},
		"leaf serial":          {SerialHex(leaf.Cert), "80"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
