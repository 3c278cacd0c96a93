// Package pkitest generates certificate authorities, end-entity certificates,
// CRLs and PKCS #7 bundles for tests and example fixtures.
//
// It does not import "testing", so example generators can use it too. Every
// function panics on internal errors: the inputs are fixed by the caller's
// code, so a failure is a programming error.
//
// Defaults: ECDSA P-256 keys, SHA-256 signatures, random positive 127-bit
// serials, validity from one hour ago until two years ahead (ten years for
// CAs), subject key identifiers computed as RFC 5280 method 1 (SHA-1 of the
// subjectPublicKey bits), and authority key identifiers equal to the issuer's
// subject key identifier.
package pkitest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- RFC 5280 key identifiers are SHA-1 by definition
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/smallstep/pkcs7"
)

// CA is a generated certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
}

// Leaf is a generated end-entity certificate.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
}

// PEM returns the CA certificate as a CERTIFICATE PEM block.
func (c *CA) PEM() []byte { return certPEM(c.DER) }

// PEM returns the leaf certificate as a CERTIFICATE PEM block.
func (l *Leaf) PEM() []byte { return certPEM(l.DER) }

// KeyPEM returns k as a PKCS #8 "PRIVATE KEY" PEM block, for tests that need a
// file holding a key.
func KeyPEM(k crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	must(err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PEMBundle returns the certificates as concatenated CERTIFICATE PEM blocks.
func PEMBundle(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		b.Write(certPEM(c.Raw))
	}
	return b.Bytes()
}

// Bundle returns a DER degenerate certs-only PKCS #7 SignedData (a .p7b)
// holding the certificates in order.
func Bundle(certs ...*x509.Certificate) []byte {
	var raw []byte
	for _, c := range certs {
		raw = append(raw, c.Raw...)
	}
	der, err := pkcs7.DegenerateCertificate(raw)
	must(err)
	return der
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// --- options ---

// template collects the options of one certificate.
type template struct {
	subject             pkix.RDNSequence
	serial              *big.Int
	notBefore, notAfter time.Time
	upns, emails        []string
	policies            []string
	crlDPs              []string
	noSKI, noAKI        bool
	rsaBits             int
	sha1                bool
	notCA               bool
	extraBytes          int
}

// Option configures a generated certificate (root, intermediate or leaf).
type Option func(*template)

// WithSubject sets the exact subject RDNSequence, in encoded order (most
// general first). The attributes of a multi-valued RDN are encoded in the
// order given, without DER sorting (as some Windows CAs write them), so the
// caller controls that order too. String values are encoded as
// IA5String for DC and E, PrintableString for C, and UTF8String otherwise;
// values of other Go types are marshalled as they are.
func WithSubject(rdns pkix.RDNSequence) Option {
	return func(t *template) { t.subject = cloneRDNs(rdns) }
}

// WithCN sets the subject to CN=cn only.
func WithCN(cn string) Option {
	return WithSubject(pkix.RDNSequence{{{Type: oidCN, Value: cn}}})
}

// WithSerial sets the serial number.
func WithSerial(n *big.Int) Option {
	return func(t *template) { t.serial = new(big.Int).Set(n) }
}

// WithValidity sets notBefore and notAfter.
func WithValidity(notBefore, notAfter time.Time) Option {
	return func(t *template) { t.notBefore, t.notAfter = notBefore, notAfter }
}

// WithUPN adds Microsoft UPN subject alternative names (otherName
// 1.3.6.1.4.1.311.20.2.3 holding a UTF8String in [0] EXPLICIT, as Windows
// encodes them).
func WithUPN(upn ...string) Option {
	return func(t *template) { t.upns = append(t.upns, upn...) }
}

// WithEmail adds rfc822Name subject alternative names.
func WithEmail(addr ...string) Option {
	return func(t *template) { t.emails = append(t.emails, addr...) }
}

// WithPolicies adds certificate policies, given as dotted OIDs.
func WithPolicies(oids ...string) Option {
	return func(t *template) { t.policies = append(t.policies, oids...) }
}

// WithCRLDistributionPoints adds CRL distribution point URLs.
func WithCRLDistributionPoints(urls ...string) Option {
	return func(t *template) { t.crlDPs = append(t.crlDPs, urls...) }
}

// WithoutSKI omits the subject key identifier extension.
func WithoutSKI() Option { return func(t *template) { t.noSKI = true } }

// WithoutAKI omits the authority key identifier extension.
func WithoutAKI() Option { return func(t *template) { t.noAKI = true } }

// WithRSA makes the certificate's key RSA of the given size (the default is
// ECDSA P-256).
func WithRSA(bits int) Option { return func(t *template) { t.rsaBits = bits } }

// WithSHA1Signature makes the issuer sign with SHA-1 (SHA1WithRSA or
// ECDSAWithSHA1, after the issuer's key type).
func WithSHA1Signature() Option { return func(t *template) { t.sha1 = true } }

// WithNotCA makes NewRoot and NewIntermediate emit a certificate without the
// basic constraints extension (it keeps keyCertSign and cRLSign), for negative
// tests. It has no effect on leaves.
func WithNotCA() Option { return func(t *template) { t.notCA = true } }

// WithExtraExtensionBytes adds a non-critical private extension
// (1.3.6.1.4.1.55555.1) carrying n bytes, to make the DER large.
func WithExtraExtensionBytes(n int) Option { return func(t *template) { t.extraBytes = n } }

var (
	oidCN              = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidC               = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidDC              = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidEmail           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidSubjectAltName  = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidBasicConstraint = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidAuthorityKeyID  = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidDeltaCRL        = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidUPN             = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
	oidExtraBytes      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
	oidCRLPadding      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2}
)

type certKind int

const (
	kindRoot certKind = iota
	kindIntermediate
	kindLeaf
)

// NewRoot returns a self-signed CA: basicConstraints CA:TRUE (critical),
// keyUsage keyCertSign|cRLSign, SKI by RFC 5280 method 1, AKI = SKI. The
// default subject is CN=pkitest Root CA.
func NewRoot(opts ...Option) *CA {
	cert, key, der := issue(kindRoot, "pkitest Root CA", opts, nil, nil)
	return &CA{Cert: cert, Key: key, DER: der}
}

// NewIntermediate returns a CA signed by c, with AKI = c's SKI. The default
// subject is CN=pkitest Intermediate CA.
func (c *CA) NewIntermediate(opts ...Option) *CA {
	cert, key, der := issue(kindIntermediate, "pkitest Intermediate CA", opts, c.Cert, c.Key)
	return &CA{Cert: cert, Key: key, DER: der}
}

// NewLeaf returns an end-entity certificate signed by c: extKeyUsage
// clientAuth, keyUsage digitalSignature, SKI present, AKI = c's SKI. The
// default subject is CN=pkitest Leaf.
func (c *CA) NewLeaf(opts ...Option) *Leaf {
	cert, key, der := issue(kindLeaf, "pkitest Leaf", opts, c.Cert, c.Key)
	return &Leaf{Cert: cert, Key: key, DER: der}
}

// issue builds and signs one certificate. parent and parentKey are nil for a
// self-signed root.
func issue(kind certKind, defaultCN string, opts []Option, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer, []byte) {
	now := time.Now().UTC().Truncate(time.Second)
	years := 2
	if kind != kindLeaf {
		years = 10
	}
	t := &template{
		subject:   pkix.RDNSequence{{{Type: oidCN, Value: defaultCN}}},
		notBefore: now.Add(-time.Hour),
		notAfter:  now.AddDate(years, 0, 0),
	}
	for _, o := range opts {
		o(t)
	}

	key := newKey(t.rsaBits)
	ski := keyID(key.Public())
	rawSubject := marshalName(encodeRDNs(t.subject))

	tmpl := &x509.Certificate{
		SerialNumber:          t.serial,
		RawSubject:            rawSubject,
		NotBefore:             t.notBefore,
		NotAfter:              t.notAfter,
		CRLDistributionPoints: t.crlDPs,
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = randomSerial()
	}
	for _, p := range t.policies {
		oid, err := x509.ParseOID(p)
		must(err)
		tmpl.Policies = append(tmpl.Policies, oid)
	}
	if !t.noSKI {
		tmpl.SubjectKeyId = ski
	}

	switch kind {
	case kindLeaf:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	default:
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		switch {
		case t.notCA:
			// No basic constraints at all.
		case t.noSKI:
			// crypto/x509 adds an SKI to every CA template without one, so
			// mark the CA through a hand-made extension instead.
			v, err := asn1.Marshal(struct {
				IsCA bool `asn1:"optional"`
			}{true})
			must(err)
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidBasicConstraint, Critical: true, Value: v})
		default:
			tmpl.BasicConstraintsValid = true
			tmpl.IsCA = true
		}
	}

	if ext, ok := sanExtension(t.upns, t.emails); ok {
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ext)
	}
	if t.extraBytes > 0 {
		v, err := asn1.Marshal(bytes.Repeat([]byte{0x5a}, t.extraBytes))
		must(err)
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidExtraBytes, Value: v})
	}

	// crypto/x509 copies the parent's SKI into the AKI whenever the parent has
	// one; hand it a parent without SKI so that the template decides.
	signer := key
	var issuer *x509.Certificate
	if parent == nil {
		issuer = tmpl
		if !t.noAKI {
			tmpl.AuthorityKeyId = ski
		}
	} else {
		signer = parentKey
		p := *parent
		p.SubjectKeyId = nil
		issuer = &p
		if !t.noAKI {
			tmpl.AuthorityKeyId = parent.SubjectKeyId
			if len(tmpl.AuthorityKeyId) == 0 {
				tmpl.AuthorityKeyId = keyID(parent.PublicKey)
			}
		}
	}
	if t.sha1 {
		tmpl.SignatureAlgorithm = sha1Algorithm(signer)
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	must(err)
	cert, err := x509.ParseCertificate(der)
	must(err)
	return cert, key, der
}

// encodeRDNs chooses ASN.1 string types for string values the way Windows
// certificate services do: IA5String for DC and E, PrintableString for C,
// UTF8String for the rest.
func encodeRDNs(rdns pkix.RDNSequence) pkix.RDNSequence {
	out := cloneRDNs(rdns)
	for _, rdn := range out {
		for i, atv := range rdn {
			s, ok := atv.Value.(string)
			if !ok {
				continue
			}
			tag := asn1.TagUTF8String
			switch {
			case atv.Type.Equal(oidDC), atv.Type.Equal(oidEmail):
				tag = asn1.TagIA5String
			case atv.Type.Equal(oidC):
				tag = asn1.TagPrintableString
			}
			rdn[i].Value = asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(s)}
		}
	}
	return out
}

// marshalName encodes an RDNSequence keeping the attributes of each
// multi-valued RDN in the given order (encoding/asn1 would sort them).
func marshalName(rdns pkix.RDNSequence) []byte {
	var seq []byte
	for _, rdn := range rdns {
		var set []byte
		for _, atv := range rdn {
			b, err := asn1.Marshal(atv)
			must(err)
			set = append(set, b...)
		}
		b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: set})
		must(err)
		seq = append(seq, b...)
	}
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: seq})
	must(err)
	return b
}

func cloneRDNs(rdns pkix.RDNSequence) pkix.RDNSequence {
	out := make(pkix.RDNSequence, len(rdns))
	for i, rdn := range rdns {
		out[i] = append(pkix.RelativeDistinguishedNameSET(nil), rdn...)
	}
	return out
}

// sanExtension builds a subjectAltName with the UPNs (otherName) first, then
// the e-mail addresses (rfc822Name).
func sanExtension(upns, emails []string) (pkix.Extension, bool) {
	if len(upns) == 0 && len(emails) == 0 {
		return pkix.Extension{}, false
	}
	var names []asn1.RawValue
	for _, u := range upns {
		typeID, err := asn1.Marshal(oidUPN)
		must(err)
		utf8Value, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(u)})
		must(err)
		value, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: utf8Value})
		must(err)
		names = append(names, asn1.RawValue{
			Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
			Bytes: append(typeID, value...),
		})
	}
	for _, e := range emails {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte(e)})
	}
	v, err := asn1.Marshal(names)
	must(err)
	return pkix.Extension{Id: oidSubjectAltName, Value: v}, true
}

func newKey(rsaBits int) crypto.Signer {
	if rsaBits > 0 {
		k, err := rsa.GenerateKey(rand.Reader, rsaBits)
		must(err)
		return k
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	return k
}

func sha1Algorithm(k crypto.Signer) x509.SignatureAlgorithm {
	switch k.Public().(type) {
	case *rsa.PublicKey:
		return x509.SHA1WithRSA
	case *ecdsa.PublicKey:
		return x509.ECDSAWithSHA1
	default:
		panic(fmt.Sprintf("pkitest: no SHA-1 signature algorithm for %T", k.Public()))
	}
}

// KeyID returns the RFC 5280 method-1 key identifier of pub: the SHA-1 of the
// subjectPublicKey BIT STRING contents.
func KeyID(pub crypto.PublicKey) []byte { return keyID(pub) }

func keyID(pub crypto.PublicKey) []byte {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	must(err)
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	_, err = asn1.Unmarshal(spki, &info)
	must(err)
	sum := sha1.Sum(info.PublicKey.Bytes) // #nosec G401 -- identifier only
	return sum[:]
}

func randomSerial() *big.Int {
	limit := new(big.Int).Lsh(big.NewInt(1), 127)
	for {
		n, err := rand.Int(rand.Reader, limit)
		must(err)
		if n.Sign() > 0 {
			return n
		}
	}
}

func must(err error) {
	if err != nil {
		panic("pkitest: " + err.Error())
	}
}
