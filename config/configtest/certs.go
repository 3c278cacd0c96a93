// Package configtest writes the certificates that the configuration test
// fixtures (config/testdata) refer to. Tests of config and of the CLI call
// WriteCerts into a temporary directory, then copy a fixture beside it.
package configtest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// Files are the certificate files WriteCerts produces, by name relative to
// the directory, with their contents.
type Files map[string][]byte

var (
	once  sync.Once
	cache Files
)

// Certs returns the fixture certificates, generated once per process. Their
// validity is relative to now at the first call.
func Certs(now time.Time) Files {
	once.Do(func() { cache = generate(now) })
	return cache
}

// WriteCerts writes the fixture certificates below dir (as dir/certs/...).
func WriteCerts(dir string, now time.Time) error {
	for name, data := range Certs(now) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func name(cn string) pkitest.Option {
	return pkitest.WithSubject(pkix.Name{
		Country: []string{"US"}, Organization: []string{"Fixture"}, CommonName: cn,
	}.ToRDNSequence())
}

func generate(now time.Time) Files {
	day := 24 * time.Hour
	root := pkitest.NewRoot(name("Fixture Root"))
	issuing := root.NewIntermediate(name("Fixture Issuing"))
	partner := pkitest.NewRoot(name("Partner Root"))
	f := Files{
		"certs/root.pem":            root.PEM(),
		"certs/root-2.pem":          pkitest.NewRoot(name("Fixture Root 2")).PEM(),
		"certs/issuing.pem":         issuing.PEM(),
		"certs/issuing-2.pem":       root.NewIntermediate(name("Fixture Issuing 2")).PEM(),
		"certs/issuing-3.der":       root.NewIntermediate(name("Fixture Issuing 3")).DER,
		"certs/partner.pem":         partner.PEM(),
		"certs/partner-issuing.pem": partner.NewIntermediate(name("Partner Issuing")).PEM(),
		"certs/leaf.pem":            issuing.NewLeaf(name("Not A CA")).PEM(),
		"certs/expired.pem": root.NewIntermediate(name("Fixture Expired"),
			pkitest.WithValidity(now.Add(-400*day), now.Add(-day))).PEM(),
		"certs/expiring-10d.pem": root.NewIntermediate(name("Fixture Expiring Soon"),
			pkitest.WithValidity(now.Add(-day), now.Add(10*day))).PEM(),
		"certs/expiring-30d.pem": root.NewIntermediate(name("Fixture Expiring"),
			pkitest.WithValidity(now.Add(-day), now.Add(30*day))).PEM(),
		"certs/big.pem":      pkitest.NewRoot(name("Fixture Big"), pkitest.WithExtraExtensionBytes(9000)).PEM(),
		"certs/with-key.pem": append(root.PEM(), pkitest.KeyPEM(root.Key)...),
		"certs/bundle.p7b":   pkitest.Bundle(root.Cert, issuing.Cert),
	}

	user := issuing.NewLeaf(name("Ann Lee"), pkitest.WithUPN("ann@contoso.com"), pkitest.WithSerial(big.NewInt(0x0a1b2c)))
	f["certs/user.pem"] = user.PEM()
	f["certs/issuing.crl"] = pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: issuing.NewCRL()})

	// 251 CAs: one more than Entra allows in a PKI container.
	many := make([]*x509.Certificate, 0, 251)
	for i := range 251 {
		many = append(many, root.NewIntermediate(name(fmt.Sprintf("Fixture Many %d", i))).Cert)
	}
	f["certs/bundle-251.p7b"] = pkitest.Bundle(many...)

	// Subjects of about 4 KB each: four of them exceed Entra's 16 KB of
	// issuer hints.
	for i := 1; i <= 5; i++ {
		rdns := pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: strings.Repeat("Long Organization ", 240)}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: fmt.Sprintf("Fixture Long Subject %d", i)}},
		}
		f[fmt.Sprintf("certs/long-subject-%d.pem", i)] = root.NewIntermediate(pkitest.WithSubject(rdns)).PEM()
	}
	return f
}
