package config

import (
	"bytes"
	"crypto/x509"
	"sync"

	"github.com/cbactl/cbactl/internal/pki"
)

// certFacts holds what decoding, validation and chain analysis ask about CA
// certificates, each fact worked out once per certificate and shared. It is
// safe for concurrent use.
type certFacts struct {
	mu         sync.Mutex
	selfSigned map[*x509.Certificate]bool // by signature check
}

func newCertFacts() *certFacts {
	return &certFacts{selfSigned: map[*x509.Certificate]bool{}}
}

// isSelfSigned reports whether c is self-signed: issued under its own name
// by its own key. The names and key identifiers decide without a signature
// check where they can: a subject that differs from the issuer means another
// CA issued c, and the same names with c's authority key identifier equal to
// its subject key identifier (a root's AKI names its own key, RFC 5280
// §4.2.1.1) mean its own key did. Otherwise, the same names without both
// key identifiers or with different ones, c's signature decides
// (pki.IsSelfSigned), and it is checked once.
func (f *certFacts) isSelfSigned(c *x509.Certificate) bool {
	if c == nil || len(c.RawSubject) == 0 || !bytes.Equal(c.RawSubject, c.RawIssuer) || c.PublicKey == nil {
		return false
	}
	if len(c.SubjectKeyId) > 0 && bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId) {
		return true
	}
	f.mu.Lock()
	v, ok := f.selfSigned[c]
	f.mu.Unlock()
	if !ok {
		v = pki.IsSelfSigned(c)
		f.mu.Lock()
		f.selfSigned[c] = v
		f.mu.Unlock()
	}
	return v
}
