package pki

import (
	"bytes"
	"crypto/sha1" // #nosec G505 -- SHA-1 thumbprints are identifiers, not a security property
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"strings"
)

// SHA1Thumbprint returns the upper-case hex SHA-1 of a DER certificate: the
// "thumbprint" Windows, Graph and Entra use to identify certificates (and the
// SHA1-PUKEY certificateUserIds value). It is an identifier, not a security
// property.
func SHA1Thumbprint(der []byte) string {
	sum := sha1.Sum(der) // #nosec G401 -- identifier only
	return upperHex(sum[:])
}

// SHA256Fingerprint returns the upper-case hex SHA-256 of a DER certificate.
func SHA256Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return upperHex(sum[:])
}

// SubjectKeyID returns the upper-case hex of c's subject key identifier
// extension, or "" if c has none.
func SubjectKeyID(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return upperHex(c.SubjectKeyId)
}

// AuthorityKeyID returns the upper-case hex of the keyIdentifier in c's
// authority key identifier extension, or "" if there is none.
func AuthorityKeyID(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return upperHex(c.AuthorityKeyId)
}

// SerialHex returns c's serial number as `openssl x509 -serial` prints it:
// big-endian upper-case hex with an even number of digits ("0A1B2C"; 0 gives
// "00"). A negative serial (which crypto/x509 normally refuses) gets a '-'.
func SerialHex(c *x509.Certificate) string {
	if c == nil || c.SerialNumber == nil {
		return ""
	}
	return serialHex(c.SerialNumber)
}

func serialHex(n *big.Int) string {
	sign := ""
	if n.Sign() < 0 {
		sign = "-"
	}
	b := new(big.Int).Abs(n).Bytes()
	if len(b) == 0 {
		return "00"
	}
	return sign + upperHex(b)
}

// IsSelfSigned reports whether c's subject and issuer are byte-for-byte the
// same and c's signature verifies with its own public key. The check is purely
// cryptographic: it accepts SHA-1 signatures and ignores basic constraints and
// key usage.
func IsSelfSigned(c *x509.Certificate) bool {
	if c == nil || len(c.RawSubject) == 0 || !bytes.Equal(c.RawSubject, c.RawIssuer) || c.PublicKey == nil {
		return false
	}
	return c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// NormalizeHex is a hex identifier (a thumbprint, a subject key identifier)
// in canonical form: surrounding space trimmed, the colons and spaces of
// forms pasted from OpenSSL or Windows dropped, upper case. It is cbactl's
// one hex normaliser.
func NormalizeHex(s string) string {
	return strings.ToUpper(hexSeparators.Replace(strings.TrimSpace(s)))
}

var hexSeparators = strings.NewReplacer(":", "", " ", "")
