package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
)

// The certificate fields of Entra username bindings (x509CertificateField),
// as cbactl's configuration names them.
const (
	FieldPrincipalName         = "PrincipalName"
	FieldRFC822Name            = "RFC822Name"
	FieldSubjectKeyIdentifier  = "SubjectKeyIdentifier"
	FieldSHA1PublicKey         = "SHA1PublicKey"
	FieldIssuerAndSubject      = "IssuerAndSubject"
	FieldSubject               = "Subject"
	FieldIssuerAndSerialNumber = "IssuerAndSerialNumber"
)

// UserIDFields lists the seven certificate fields in the order cbactl's
// configuration language documents them. Callers must not modify it.
var UserIDFields = []string{
	FieldPrincipalName,
	FieldRFC822Name,
	FieldSubjectKeyIdentifier,
	FieldSHA1PublicKey,
	FieldIssuerAndSubject,
	FieldSubject,
	FieldIssuerAndSerialNumber,
}

// CertificateUserIDs returns, for each certificate field that c has, the
// value Microsoft Entra expects in a user's certificateUserIds attribute for
// a username binding on that field. The keys are the Field* constants; a
// field c lacks has no key:
//
//   - PrincipalName "X509:<PN>" and the first UPN of the subject alternative
//     names (otherName 1.3.6.1.4.1.311.20.2.3); absent without one;
//   - RFC822Name "X509:<RFC822>" and the first rfc822Name of the subject
//     alternative names; absent without one (an E= attribute in the subject
//     is not used);
//   - SubjectKeyIdentifier "X509:<SKI>" and the extension's value in
//     upper-case hex; absent without the extension;
//   - SHA1PublicKey "X509:<SHA1-PUKEY>" and the SHA-1 of the whole DER
//     certificate in upper-case hex (the thumbprint; despite the name, not a
//     hash of the public key);
//   - IssuerAndSubject "X509:<I>" issuer "<S>" subject, and Subject "X509:<S>"
//     subject, with both names as FormatDN writes them in EncodedOrder (most
//     general RDN first, no space after the commas); absent when the subject
//     (or, for IssuerAndSubject, the issuer) is an empty name;
//   - IssuerAndSerialNumber "X509:<I>" issuer "<SR>" SerialLittleEndian(c);
//     absent when the issuer is an empty name.
func CertificateUserIDs(c *x509.Certificate) map[string]string {
	ids := make(map[string]string, len(UserIDFields))
	if c == nil {
		return ids
	}
	if upns := UPNs(c); len(upns) > 0 && upns[0] != "" {
		ids[FieldPrincipalName] = "X509:<PN>" + upns[0]
	}
	if len(c.EmailAddresses) > 0 && c.EmailAddresses[0] != "" {
		ids[FieldRFC822Name] = "X509:<RFC822>" + c.EmailAddresses[0]
	}
	if len(c.SubjectKeyId) > 0 {
		ids[FieldSubjectKeyIdentifier] = "X509:<SKI>" + SubjectKeyID(c)
	}
	ids[FieldSHA1PublicKey] = "X509:<SHA1-PUKEY>" + SHA1Thumbprint(c.Raw)
	issuer, subject := IssuerDN(c, EncodedOrder), SubjectDN(c, EncodedOrder)
	if subject != "" {
		ids[FieldSubject] = "X509:<S>" + subject
		if issuer != "" {
			ids[FieldIssuerAndSubject] = "X509:<I>" + issuer + "<S>" + subject
		}
	}
	if issuer != "" {
		ids[FieldIssuerAndSerialNumber] = "X509:<I>" + issuer + "<SR>" + SerialLittleEndian(c)
	}
	return ids
}

// IssuerAndSerialNumberBigEndian returns the IssuerAndSerialNumber value with
// the serial in big-endian order (SerialBigEndian), the form Microsoft's Entra
// PowerShell module (Get-EntraUserCertificateUserIdsFromCertificate) writes,
// which disagrees with Entra's documentation. It is "" when c's issuer is an
// empty name.
func IssuerAndSerialNumberBigEndian(c *x509.Certificate) string {
	issuer := IssuerDN(c, EncodedOrder)
	if issuer == "" {
		return ""
	}
	return "X509:<I>" + issuer + "<SR>" + SerialBigEndian(c)
}

// SerialLittleEndian returns c's serial number the way Entra's documentation
// says to write it in an IssuerAndSerialNumber certificateUserIds value: the
// bytes of the serial, as Windows (certutil, .NET's SerialNumber) shows them,
// in reverse order, as lower-case hex. Serial 0x0a1b2c gives "2c1b0a".
//
// The bytes are those of the DER INTEGER, two's complement: a positive serial
// whose top bit is set keeps its leading zero byte, because Windows keeps it
// (certutil shows serial 0x8001 as "00 80 01"), so 0x8001 gives "018000", not
// "0180". Serial 0 gives "00". For serials whose top bit is clear (most, and
// every serial of a CA that follows RFC 5280's advice) this is the same as
// reversing the bytes of the minimal unsigned number.
func SerialLittleEndian(c *x509.Certificate) string {
	b := serialBytes(c)
	r := make([]byte, len(b))
	for i, x := range b {
		r[len(b)-1-i] = x
	}
	return hex.EncodeToString(r)
}

// SerialBigEndian returns c's serial number as lower-case big-endian hex of
// the DER INTEGER's bytes (the leading zero byte of a serial whose top bit is
// set included): serial 0x0a1b2c gives "0a1b2c", 0x8001 gives "008001". This
// is what Microsoft's Entra PowerShell module writes after <SR>.
func SerialBigEndian(c *x509.Certificate) string {
	return hex.EncodeToString(serialBytes(c))
}

// serialBytes returns the contents of c's serial number as a DER INTEGER:
// minimal two's complement, big-endian. crypto/x509 only accepts minimally
// encoded serials, so this equals the bytes in the certificate.
func serialBytes(c *x509.Certificate) []byte {
	if c == nil || c.SerialNumber == nil {
		return nil
	}
	return integerContents(c.SerialNumber)
}

func integerContents(n *big.Int) []byte {
	der, err := asn1.Marshal(n)
	if err != nil {
		return nil // not reachable: encoding/asn1 marshals every *big.Int
	}
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(der, &v); err != nil {
		return nil
	}
	return v.Bytes
}
