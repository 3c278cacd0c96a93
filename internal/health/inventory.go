package health

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// CA is one certificate authority of the trust store: declared, in the
// tenant (PKI store or classic store), or both. A CA is identified by its
// certificate's thumbprint.
type CA struct {
	// Address is the configuration's address of the CA: its block, or for a
	// CA of an upload bundle pki.NAME.certificate_authority["THUMBPRINT"].
	// Empty for a CA only in the tenant.
	Address    model.Address
	Cert       *x509.Certificate
	Thumbprint string // SHA-1, upper-case hex
	Subject    string // as authentication binding rules write it
	SKI        string // upper-case hex; "" when the certificate has none
	// Tenant says where the tenant holds the CA (`PKI container "X"`,
	// "classic trust store"); empty when it is only declared or no tenant
	// was read.
	Tenant []string
	// CRLs are the CA's distinct CRL URL pairs: the declared one first (even
	// when empty), then any other the tenant has.
	CRLs []CRLSource
}

// CRLSource is a CA's CRL URL and delta CRL URL; both may be empty.
type CRLSource struct {
	URL, DeltaURL string
}

func (s CRLSource) empty() bool { return s.URL == "" && s.DeltaURL == "" }

// DeclaredCAs lists the CAs of the desired state in declaration order:
// certificate_authority blocks by address, the CAs of an upload bundle by
// thumbprint (as plans address them). Each has exactly one CRLSource.
func DeclaredCAs(st model.State) ([]CA, error) {
	var out []CA
	for _, p := range st.PKIs {
		for _, ca := range p.CAs {
			cert, err := x509.ParseCertificate(ca.Certificate)
			if err != nil {
				return nil, fmt.Errorf("parse the certificate of a CA of pki.%s: %w", p.Name, err)
			}
			addr := model.CAAddress(p.Name, ca.Name)
			if ca.Name == "" {
				addr = model.Address(fmt.Sprintf("%s.certificate_authority[%q]", model.PKIAddress(p.Name), ca.Thumbprint()))
			}
			c := newCA(cert)
			c.Address = addr
			c.CRLs = []CRLSource{{URL: ca.CRLURL, DeltaURL: ca.DeltaCRLURL}}
			out = append(out, c)
		}
	}
	return out, nil
}

func newCA(cert *x509.Certificate) CA {
	return CA{
		Cert:       cert,
		Thumbprint: pki.SHA1Thumbprint(cert.Raw),
		Subject:    pki.SubjectDN(cert, pki.RuleOrder),
		SKI:        pki.SubjectKeyID(cert),
	}
}

// Inventory merges the declared CAs with the tenant's (observed may be nil:
// no tenant read): one CA per thumbprint, declared ones first in declaration
// order, then the tenant's PKI store, then its classic store, each in the
// order the tenant lists them.
func Inventory(desired model.State, observed *model.State) ([]CA, error) {
	out, err := DeclaredCAs(desired)
	if err != nil {
		return nil, err
	}
	byThumb := map[string]int{}
	for i, c := range out {
		if _, dup := byThumb[c.Thumbprint]; !dup {
			byThumb[c.Thumbprint] = i
		}
	}
	if observed == nil {
		return out, nil
	}
	add := func(der []byte, where string, src CRLSource) error {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("parse the certificate of a CA in %s: %w", where, err)
		}
		tp := pki.SHA1Thumbprint(der)
		i, ok := byThumb[tp]
		if !ok {
			c := newCA(cert)
			c.CRLs = []CRLSource{src}
			out = append(out, c)
			i = len(out) - 1
			byThumb[tp] = i
		} else if !hasSource(out[i].CRLs, src) && !src.empty() {
			out[i].CRLs = append(out[i].CRLs, src)
		}
		if !contains(out[i].Tenant, where) {
			out[i].Tenant = append(out[i].Tenant, where)
		}
		return nil
	}
	for _, p := range observed.PKIs {
		for _, ca := range p.CAs {
			if err := add(ca.Certificate, fmt.Sprintf("PKI container %q", p.DisplayName), CRLSource{URL: ca.CRLURL, DeltaURL: ca.DeltaCRLURL}); err != nil {
				return nil, err
			}
		}
	}
	for _, ca := range observed.LegacyCAs {
		if err := add(ca.Certificate, "classic trust store", CRLSource{URL: ca.CRLURL, DeltaURL: ca.DeltaCRLURL}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func hasSource(list []CRLSource, s CRLSource) bool {
	for _, l := range list {
		if strings.EqualFold(strings.TrimSpace(l.URL), strings.TrimSpace(s.URL)) &&
			strings.EqualFold(strings.TrimSpace(l.DeltaURL), strings.TrimSpace(s.DeltaURL)) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
