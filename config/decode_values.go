package config

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
)

// normalizeHex upper-cases a hex string and drops colons and spaces, so a
// thumbprint can be pasted from OpenSSL or Windows: pki.NormalizeHex.
func normalizeHex(s string) string {
	return pki.NormalizeHex(s)
}

func isHex(s string) bool {
	_, ok := new(big.Int).SetString(s, 16)
	return ok && !strings.ContainsAny(s, "+-_")
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// parseCRL accepts a DER or PEM ("X509 CRL") certificate revocation list and
// returns its DER: pki.ParseCRL.
func parseCRL(data []byte) ([]byte, error) {
	l, err := pki.ParseCRL(data)
	if err != nil {
		return nil, fmt.Errorf("not a certificate revocation list: %w", err)
	}
	return l.Raw, nil
}
