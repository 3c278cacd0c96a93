// Command gen makes the certificates of the contoso example:
//
//	go run ./examples/contoso/gen
//
// It writes new keys and certificates every time it runs (the keys are
// thrown away), so the example's thumbprints change with each run; nothing
// in the example pins them.
package main

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

var (
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
)

// dn builds a subject in encoded order: country, organization, unit, name.
func dn(c, o, ou, cn string) pkitest.Option {
	rdns := pkix.RDNSequence{{{Type: oidC, Value: c}}, {{Type: oidO, Value: o}}}
	if ou != "" {
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{{Type: oidOU, Value: ou}})
	}
	rdns = append(rdns, pkix.RelativeDistinguishedNameSET{{Type: oidCN, Value: cn}})
	return pkitest.WithSubject(rdns)
}

func main() {
	out := flag.String("out", filepath.Join("examples", "contoso", "certs"), "directory to write the certificates to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	rsa := pkitest.WithRSA(2048)
	contosoRoot := pkitest.NewRoot(dn("US", "Contoso", "", "Contoso Root CA"), rsa)
	contosoIssuing := contosoRoot.NewIntermediate(dn("US", "Contoso", "PKI", "Contoso Issuing CA 1"), rsa,
		pkitest.WithCRLDistributionPoints("http://crl.contoso.com/contoso-root.crl"))
	contosoSmartcard := contosoRoot.NewIntermediate(dn("US", "Contoso", "PKI", "Contoso Smart Card CA"), rsa,
		pkitest.WithCRLDistributionPoints("http://crl.contoso.com/contoso-root.crl"))
	fabrikamRoot := pkitest.NewRoot(dn("NL", "Fabrikam", "", "Fabrikam Root CA"))
	fabrikamIssuing := fabrikamRoot.NewIntermediate(dn("NL", "Fabrikam", "Partner Services", "Fabrikam Issuing CA"),
		pkitest.WithCRLDistributionPoints("http://pki.fabrikam.com/crl/fabrikam-root.crl"))

	files := map[string][]byte{
		"contoso-root.pem":      contosoRoot.PEM(),
		"contoso-issuing.pem":   contosoIssuing.PEM(),
		"contoso-smartcard.pem": contosoSmartcard.PEM(),
		"fabrikam-root.pem":     fabrikamRoot.PEM(),
		"fabrikam-issuing.pem":  fabrikamIssuing.PEM(),
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
