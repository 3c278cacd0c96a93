package pki

import (
	"crypto/x509"
	"time"
)

// Summary holds the fields of cbactl's HCL function certificate(path), and
// what plans show for a certificate.
type Summary struct {
	Subject, Issuer        string // RuleOrder DNs
	SubjectKeyIdentifier   string // upper-case hex, "" if absent
	AuthorityKeyIdentifier string // upper-case hex, "" if absent
	Thumbprint             string // SHA-1 of the DER, upper-case hex
	SHA256                 string // SHA-256 of the DER, upper-case hex
	SerialNumber           string // SerialHex
	NotBefore, NotAfter    time.Time
	IsCA                   bool // BasicConstraintsValid && IsCA
	SelfSigned             bool
}

// Summarize computes c's Summary.
func Summarize(c *x509.Certificate) Summary {
	if c == nil {
		return Summary{}
	}
	return Summary{
		Subject:                SubjectDN(c, RuleOrder),
		Issuer:                 IssuerDN(c, RuleOrder),
		SubjectKeyIdentifier:   SubjectKeyID(c),
		AuthorityKeyIdentifier: AuthorityKeyID(c),
		Thumbprint:             SHA1Thumbprint(c.Raw),
		SHA256:                 SHA256Fingerprint(c.Raw),
		SerialNumber:           SerialHex(c),
		NotBefore:              c.NotBefore,
		NotAfter:               c.NotAfter,
		IsCA:                   c.BasicConstraintsValid && c.IsCA,
		SelfSigned:             IsSelfSigned(c),
	}
}
