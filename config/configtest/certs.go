// Package configtest writes the certificates that the configuration test
// fixtures (config/testdata) refer to. Tests of config and of the CLI call
// WriteCerts into a temporary directory, then copy a fixture beside it.
package configtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	chainCerts(f, root, now)
	return f
}

// chainCerts adds the certificates of the trust-chain fixtures
// (testdata/diagnostics/chain*.hcl), all named certs/chain-*.
func chainCerts(f Files, root *pkitest.CA, now time.Time) {
	// A chain whose root is not written anywhere.
	orphanRoot := pkitest.NewRoot(name("Chain Orphan Root"))
	orphanIssuing := orphanRoot.NewIntermediate(name("Chain Orphan Issuing"))
	orphanSub := orphanIssuing.NewIntermediate(name("Chain Orphan Sub"))
	f["certs/chain-orphan-issuing.pem"] = orphanIssuing.PEM()
	f["certs/chain-orphan-sub.pem"] = orphanSub.PEM()
	f["certs/chain-orphans.p7b"] = pkitest.Bundle(orphanIssuing.Cert, orphanSub.Cert)

	// Key identifiers missing.
	f["certs/chain-no-aki.pem"] = root.NewIntermediate(name("Chain No AKI"), pkitest.WithoutAKI()).PEM()
	noSKI := root.NewIntermediate(name("Chain No SKI"), pkitest.WithoutSKI())
	f["certs/chain-no-ski.pem"] = noSKI.PEM()
	// Its AKI is the no-SKI CA's computed key identifier, which no declared
	// CA has as its SKI.
	f["certs/chain-under-no-ski.pem"] = noSKI.NewIntermediate(name("Chain Under No SKI")).PEM()

	// A CA certificate whose CDP names its parent's CRL, as usual.
	cdp := root.NewIntermediate(name("Chain CDP"), pkitest.WithCRLDistributionPoints("http://crl.example.com/fixture-root.crl"))
	f["certs/chain-cdp.pem"] = cdp.PEM()
	f["certs/chain-cdp.p7b"] = pkitest.Bundle(root.Cert, cdp.Cert)
	// A CA certificate whose first CDP is https:// and second http://: Entra
	// takes the first HTTP one for an uploaded CA.
	httpsFirst := root.NewIntermediate(name("CDP HTTPS First"),
		pkitest.WithCRLDistributionPoints("https://crl.example.com/https-first.crl", "http://crl.example.com/http-second.crl"))
	f["certs/cdp-https-first.pem"] = httpsFirst.PEM()
	f["certs/cdp-https-first.p7b"] = pkitest.Bundle(root.Cert, httpsFirst.Cert)

	// Odd key identifiers, made by hand: crypto/x509 would derive the AKI
	// from the issuer.
	oddKey := newKey()
	f["certs/chain-root-aki.pem"] = handmade(now, name2("Chain Odd Root"), name2("Chain Odd Root"),
		pkitest.KeyID(oddKey.Public()), []byte("not-the-root-ski-20b"), oddKey.Public(), oddKey)
	akiKey := newKey()
	f["certs/chain-aki-is-ski.pem"] = handmade(now, name2("Chain AKI Is SKI"), root.Cert.RawSubject,
		pkitest.KeyID(akiKey.Public()), pkitest.KeyID(akiKey.Public()), akiKey.Public(), root.Key)

	// Two CAs that issued each other: a loop without a root.
	ka, kb := newKey(), newKey()
	f["certs/chain-cycle-a.pem"] = handmade(now, name2("Chain Cycle A"), name2("Chain Cycle B"),
		pkitest.KeyID(ka.Public()), pkitest.KeyID(kb.Public()), ka.Public(), kb)
	f["certs/chain-cycle-b.pem"] = handmade(now, name2("Chain Cycle B"), name2("Chain Cycle A"),
		pkitest.KeyID(kb.Public()), pkitest.KeyID(ka.Public()), kb.Public(), ka)
}

// name2 is the DER of name(cn)'s subject.
func name2(cn string) []byte {
	der, err := asn1.Marshal(pkix.Name{Country: []string{"US"}, Organization: []string{"Fixture"}, CommonName: cn}.ToRDNSequence())
	if err != nil {
		panic(err)
	}
	return der
}

func newKey() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// handmade returns a PEM CA certificate with exactly the given subject,
// issuer (both DER names) and key identifiers, signed by signer.
func handmade(now time.Time, subject, issuer, ski, aki []byte, pub crypto.PublicKey, signer crypto.Signer) []byte {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)),
		RawSubject:            subject,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          ski,
		AuthorityKeyId:        aki,
	}
	// The parent only lends its name: without an SKI of its own, crypto/x509
	// keeps the template's AKI.
	parent := &x509.Certificate{RawSubject: issuer}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
