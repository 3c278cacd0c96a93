package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DNOrder says in which order FormatDN writes the RDNs of a distinguished name.
type DNOrder int

const (
	// RuleOrder writes the most specific RDN first (the reverse of the DER
	// encoding order), as Entra writes authentication-binding rule issuers and
	// as `openssl x509 -nameopt RFC2253` orders them:
	// "CN=Contoso Issuing,OU=PKI,O=Contoso,C=US".
	RuleOrder DNOrder = iota
	// EncodedOrder writes the RDNSequence in DER order (most general first),
	// as certificateUserIds values want it: "C=US,O=Contoso,OU=PKI,CN=Contoso Issuing".
	EncodedOrder
)

// String returns the order's Go name.
func (o DNOrder) String() string {
	switch o {
	case RuleOrder:
		return "RuleOrder"
	case EncodedOrder:
		return "EncodedOrder"
	default:
		return fmt.Sprintf("DNOrder(%d)", int(o))
	}
}

// attributeLabels are the keywords Windows CryptoAPI (CertNameToStr with
// CERT_X500_NAME_STR) writes for attribute types. Other types are written as
// "OID." followed by the dotted OID.
var attributeLabels = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.11":                   "OU",
	"2.5.4.10":                   "O",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "S",
	"2.5.4.6":                    "C",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "E",
	"2.5.4.9":                    "STREET",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.42":                   "G",
	"2.5.4.4":                    "SN",
	"2.5.4.12":                   "T",
	// Further CertNameToStr keywords (the X.500 keyword list Windows documents
	// for CertNameToStr-compatible names).
	"2.5.4.43": "I",
	"2.5.4.13": "Description",
	"2.5.4.17": "PostalCode",
	"2.5.4.18": "POBox",
	"2.5.4.20": "Phone",
	"2.5.4.24": "X21Address",
	"2.5.4.46": "dnQualifier",
}

// AttributeLabel returns the Windows keyword for an attribute type ("CN",
// "DC", "E", ...) or "OID." followed by the dotted OID when there is none.
func AttributeLabel(oid asn1.ObjectIdentifier) string {
	s := oid.String()
	if l, ok := attributeLabels[s]; ok {
		return l
	}
	return "OID." + s
}

// FormatDN writes a distinguished name the way Windows CryptoAPI does: RDNs
// joined by "," with no space, attribute keywords as in AttributeLabel, and
// values quoted only when needed.
//
// A value is wrapped in double quotes, with each inner '"' doubled, when it is
// empty, starts or ends with a space or one of \t \n \v \f \r, or contains any
// of , + = " \n < > # ;. Spaces inside values are kept. String values are
// written as they are; byte values ([]byte, or an asn1.RawValue that is not a
// character string) as '#' and upper-case hex of their encoding; anything else
// with fmt's %v.
//
// The attributes of a multi-valued RDN keep their encoded order and are joined
// by "+" in RuleOrder and by a single space in EncodedOrder (what .NET writes
// with X500DistinguishedNameFlags.DoNotUsePlusSign).
func FormatDN(rdns pkix.RDNSequence, order DNOrder) string {
	multiSep := "+"
	if order == EncodedOrder {
		multiSep = " "
	}
	var b strings.Builder
	n := len(rdns)
	for i := range n {
		rdn := rdns[i]
		if order == RuleOrder {
			rdn = rdns[n-1-i]
		}
		if i > 0 {
			b.WriteByte(',')
		}
		for j, atv := range rdn {
			if j > 0 {
				b.WriteString(multiSep)
			}
			b.WriteString(AttributeLabel(atv.Type))
			b.WriteByte('=')
			writeValue(&b, attributeValueString(atv.Value))
		}
	}
	return b.String()
}

// SubjectDN formats c's subject as FormatDN does, reading c.RawSubject so that
// the RDN order, multi-valued RDNs and unusual attributes are kept exactly.
func SubjectDN(c *x509.Certificate, order DNOrder) string {
	if c == nil {
		return ""
	}
	return FormatDN(nameRDNs(c.RawSubject, c.Subject), order)
}

// IssuerDN formats c's issuer as FormatDN does, reading c.RawIssuer.
func IssuerDN(c *x509.Certificate, order DNOrder) string {
	if c == nil {
		return ""
	}
	return FormatDN(nameRDNs(c.RawIssuer, c.Issuer), order)
}

// FormatRawDN parses a DER Name (such as a certificate's RawSubject, or a
// CRL's RawIssuer) and formats it with FormatDN.
func FormatRawDN(der []byte, order DNOrder) (string, error) {
	rdns, err := ParseRDNSequence(der)
	if err != nil {
		return "", err
	}
	return FormatDN(rdns, order), nil
}

func nameRDNs(raw []byte, parsed pkix.Name) pkix.RDNSequence {
	if rdns, err := ParseRDNSequence(raw); err == nil {
		return rdns
	}
	// Only reachable for hand-built certificates without raw bytes.
	return parsed.ToRDNSequence()
}

type rawAttributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// The "SET" suffix makes encoding/asn1 expect a SET.
type rawRDNSET []rawAttributeTypeAndValue

// ParseRDNSequence parses a DER X.501 Name in encoded order. Character-string
// values (UTF8String, PrintableString, IA5String, TeletexString, BMPString,
// UniversalString, ...) become Go strings; any other value is kept as an
// asn1.RawValue, which FormatDN writes as '#' and hex.
func ParseRDNSequence(der []byte) (pkix.RDNSequence, error) {
	var raw []rawRDNSET
	rest, err := asn1.Unmarshal(der, &raw)
	if err != nil {
		return nil, fmt.Errorf("parse distinguished name: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("parse distinguished name: trailing data")
	}
	out := make(pkix.RDNSequence, 0, len(raw))
	for _, set := range raw {
		rdn := make(pkix.RelativeDistinguishedNameSET, 0, len(set))
		for _, atv := range set {
			var v any = atv.Value
			if s, ok := decodeDirectoryString(atv.Value); ok {
				v = s
			}
			rdn = append(rdn, pkix.AttributeTypeAndValue{Type: atv.Type, Value: v})
		}
		out = append(out, rdn)
	}
	return out, nil
}

// decodeDirectoryString decodes the ASN.1 character-string types.
func decodeDirectoryString(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return "", false
	}
	b := v.Bytes
	switch v.Tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	case asn1.TagPrintableString, asn1.TagIA5String, asn1.TagNumericString, asn1.TagT61String,
		26 /* VisibleString */, 25 /* GraphicString */, 27 /* GeneralString */ :
		if utf8.Valid(b) {
			return string(b), true
		}
		// Eight-bit strings that are not UTF-8: read them as Latin-1.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), true
	case asn1.TagBMPString:
		if len(b)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u)), true
	case 28: // UniversalString (UTF-32BE)
		if len(b)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(b)/4)
		for i := range r {
			c := rune(b[4*i])<<24 | rune(b[4*i+1])<<16 | rune(b[4*i+2])<<8 | rune(b[4*i+3])
			if !utf8.ValidRune(c) {
				return "", false
			}
			r[i] = c
		}
		return string(r), true
	}
	return "", false
}

// attributeValueString turns an attribute value into the text FormatDN writes.
func attributeValueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return "#" + upperHex(x)
	case asn1.RawValue:
		if s, ok := decodeDirectoryString(x); ok {
			return s
		}
		full := x.FullBytes
		if len(full) == 0 {
			full, _ = asn1.Marshal(x)
		}
		return "#" + upperHex(full)
	default:
		return fmt.Sprintf("%v", x)
	}
}

// writeValue writes s, quoted the CryptoAPI way when needed.
func writeValue(b *strings.Builder, s string) {
	if !needsQuoting(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(s, `"`, `""`))
	b.WriteByte('"')
}

// needsQuoting follows Windows: quote empty values, values with leading or
// trailing space/\t/\n/\v/\f/\r, and values containing , + = " \n < > # ;.
// (\r alone inside a value does not trigger quoting on Windows.)
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	if isQuotableSpace(s[0]) || isQuotableSpace(s[len(s)-1]) {
		return true
	}
	return strings.ContainsAny(s, ",+=\"\n<>#;")
}

func isQuotableSpace(c byte) bool { return c == ' ' || (c >= 0x09 && c <= 0x0d) }

func upperHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	var s strings.Builder
	s.Grow(2 * len(b))
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&0x0f])
	}
	return s.String()
}
