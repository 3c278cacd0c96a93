// Command gen makes the certificates of the contoso example and its tenant
// snapshot:
//
//	go run ./examples/contoso/gen
//
// It writes new keys and certificates every time it runs (the keys are
// thrown away), so the example's thumbprints change with each run; nothing
// in the example pins them. The render golden files use these certificates:
// after a run, update them with go test ./internal/plan/render -update.
//
// The snapshot, tenant.json, is a tenant that has drifted from main.hcl in
// every way a plan shows: a CA with an old CRL URL, a missing CA, a CA and a
// whole PKI added by hand, the Fabrikam PKI not created yet, the method
// configuration still at its defaults, and a CA left in the legacy store. Its
// authentication strengths match strengths.hcl.
//
// certs/tests/ holds the user certificates and CRLs of tests.hcl, issued by
// the same CAs in the same run (the CA keys never leave the process, so the
// test certificates cannot be issued later without regenerating the CAs).
package main

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
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
	out := flag.String("out", filepath.Join("examples", "contoso"), "the example's directory")
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

	// Certificates only the drifted tenant has.
	retired := contosoRoot.NewIntermediate(dn("US", "Contoso", "PKI", "Contoso Issuing CA 0"), rsa)
	tailspin := pkitest.NewRoot(dn("US", "Tailspin Toys", "", "Tailspin Toys Root CA"))

	files := map[string][]byte{
		"certs/contoso-root.pem":      contosoRoot.PEM(),
		"certs/contoso-issuing.pem":   contosoIssuing.PEM(),
		"certs/contoso-smartcard.pem": contosoSmartcard.PEM(),
		"certs/fabrikam-root.pem":     fabrikamRoot.PEM(),
		"certs/fabrikam-issuing.pem":  fabrikamIssuing.PEM(),
	}
	testFiles(files, contosoIssuing, contosoSmartcard, fabrikamIssuing)

	s := store.NewStore()
	s.SetTenantID("4a6f2c1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b")
	for _, g := range []wire.Group{
		{ID: "5d1c7e0a-3b9f-4c2d-8e6a-0f1b2c3d4e01", DisplayName: "CBA Users"},
		{ID: "5d1c7e0a-3b9f-4c2d-8e6a-0f1b2c3d4e02", DisplayName: "Fabrikam Contractors"},
		{ID: "5d1c7e0a-3b9f-4c2d-8e6a-0f1b2c3d4e03", DisplayName: "Break Glass Accounts"},
	} {
		s.AddGroup(g)
	}
	contoso := id(s.CreatePKI(wire.Object{"displayName": str("Contoso PKI")}))
	caObj := func(der []byte, typ, crl string) wire.Object {
		ca := wire.CA{Certificate: der, CertificateAuthorityType: typ}
		if crl != "" {
			ca.CRLURL = &crl
		}
		return wire.ToObject(ca)
	}
	for _, ca := range []wire.Object{
		caObj(contosoRoot.DER, "root", "http://crl.contoso.com/root.crl"), // an old URL
		caObj(contosoIssuing.DER, "intermediate", "http://crl.contoso.com/contoso-issuing.crl"),
		caObj(retired.DER, "intermediate", "http://crl.contoso.com/contoso-issuing-0.crl"),
	} {
		if _, err := s.CreateCA(contoso, ca); err != nil {
			return err
		}
	}
	hand := id(s.CreatePKI(wire.Object{"displayName": str("Tailspin Toys")}))
	if _, err := s.CreateCA(hand, caObj(tailspin.DER, "root", "")); err != nil {
		return err
	}
	s.PatchX509(wire.Object{"state": str("enabled")})
	s.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: contosoRoot.DER, IsRootAuthority: true}}})
	if err := addStrengths(s, contosoSmartcard); err != nil {
		return err
	}
	files["tenant.json"] = s.Snapshot()

	for name, data := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// The policy OIDs main.hcl's rules use.
const (
	pivPolicy       = "1.3.6.1.4.1.311.21.8.7587021.751874.11953646.1.402"
	fabrikamPolicy  = "1.3.6.1.4.1.99999.1.2"
	testCertYears   = 8 // within the CAs' ten years, so the tests keep passing
	testCRLValidity = 8 * 365 * 24 * time.Hour
)

// testFiles adds the user certificates and CRLs of tests.hcl: one
// certificate per rule of main.hcl, one no rule matches, one revoked by its
// issuing CA's CRL, and one from a CA outside the trust store. The CRLs stay
// current for years, so that the example's tests do not depend on the day
// they run.
func testFiles(files map[string][]byte, contosoIssuing, contosoSmartcard, fabrikamIssuing *pkitest.CA) {
	now := time.Now().UTC().Truncate(time.Second)
	validity := pkitest.WithValidity(now.Add(-time.Hour), now.AddDate(testCertYears, 0, 0))
	user := func(ca *pkitest.CA, o, cn, upn string, opts ...pkitest.Option) *pkitest.Leaf {
		return ca.NewLeaf(append([]pkitest.Option{dn("US", o, "Users", cn), pkitest.WithUPN(upn), validity}, opts...)...)
	}

	smartcard := user(contosoSmartcard, "Contoso", "Alice Smith", "alice@contoso.com")
	piv := user(contosoSmartcard, "Contoso", "Bob Jones", "bob@contoso.com", pkitest.WithPolicies(pivPolicy))
	contractor := user(fabrikamIssuing, "Fabrikam", "Carol Diaz", "carol@fabrikam.com", pkitest.WithPolicies(fabrikamPolicy))
	software := user(fabrikamIssuing, "Fabrikam", "Carol Diaz (software)", "carol@fabrikam.com")
	plain := user(contosoIssuing, "Contoso", "Dave Brown", "dave@contoso.com", pkitest.WithEmail("dave@contoso.com"))
	revoked := user(contosoIssuing, "Contoso", "Erin Green", "erin@contoso.com")
	northwind := pkitest.NewRoot(dn("US", "Northwind Traders", "", "Northwind Root CA"))
	untrusted := user(northwind, "Northwind Traders", "Mallory White", "mallory@contoso.com")

	crl := func(ca *pkitest.CA, opts ...pkitest.CRLOption) []byte {
		opts = append([]pkitest.CRLOption{pkitest.WithUpdate(now.Add(-time.Hour), now.Add(testCRLValidity))}, opts...)
		return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: ca.NewCRL(opts...)})
	}
	for name, data := range map[string][]byte{
		"smartcard.pem":           smartcard.PEM(),
		"piv.pem":                 piv.PEM(),
		"contractor.pem":          contractor.PEM(),
		"contractor-software.pem": software.PEM(),
		"user.pem":                plain.PEM(),
		"revoked.pem":             revoked.PEM(),
		"untrusted.pem":           untrusted.PEM(),
		"contoso-issuing.crl":     crl(contosoIssuing, pkitest.WithRevoked(revoked.Cert.SerialNumber)),
		"contoso-smartcard.crl":   crl(contosoSmartcard),
		"fabrikam-issuing.crl":    crl(fabrikamIssuing),
	} {
		files["certs/tests/"+name] = data
	}
}

func str(s string) []byte { return []byte(fmt.Sprintf("%q", s)) }

// id reads the id of an object the store returned.
func id(obj []byte) string {
	var v struct{ ID string }
	if err := json.Unmarshal(obj, &v); err != nil {
		panic(err)
	}
	return v.ID
}
