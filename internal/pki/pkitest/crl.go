package pkitest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// crlTemplate collects the options of one CRL.
type crlTemplate struct {
	revoked                []*big.Int
	number                 int64
	thisUpdate, nextUpdate time.Time
	deltaBase              *int64
	aki                    []byte
	akiSet                 bool
	padding                int
}

// CRLOption configures a generated CRL.
type CRLOption func(*crlTemplate)

// WithRevoked lists revoked serial numbers (revoked at thisUpdate).
func WithRevoked(serials ...*big.Int) CRLOption {
	return func(t *crlTemplate) {
		for _, s := range serials {
			t.revoked = append(t.revoked, new(big.Int).Set(s))
		}
	}
}

// WithCRLNumber sets the cRLNumber (default 1).
func WithCRLNumber(n int64) CRLOption { return func(t *crlTemplate) { t.number = n } }

// WithUpdate sets thisUpdate and nextUpdate (default: one hour ago and seven
// days ahead).
func WithUpdate(thisUpdate, nextUpdate time.Time) CRLOption {
	return func(t *crlTemplate) { t.thisUpdate, t.nextUpdate = thisUpdate, nextUpdate }
}

// WithDeltaIndicator marks the CRL as a delta CRL against the base CRL with
// the given number (extension 2.5.29.27, critical).
func WithDeltaIndicator(baseCRLNumber int64) CRLOption {
	return func(t *crlTemplate) { t.deltaBase = &baseCRLNumber }
}

// WithCRLAKI overrides the CRL's authority key identifier, for wrong-AKI tests.
// An empty ski removes the extension.
func WithCRLAKI(ski []byte) CRLOption {
	return func(t *crlTemplate) { t.aki, t.akiSet = append([]byte(nil), ski...), true }
}

// WithPadding adds a non-critical private CRL extension (1.3.6.1.4.1.55555.2)
// carrying n bytes, to make the CRL large.
func WithPadding(n int) CRLOption { return func(t *crlTemplate) { t.padding = n } }

// NewCRL returns a DER CRL signed by c (x509.CreateRevocationList). Its AKI is
// c's SKI, or c's RFC 5280 method-1 key identifier if c has no SKI.
func (c *CA) NewCRL(opts ...CRLOption) []byte {
	now := time.Now().UTC().Truncate(time.Second)
	t := &crlTemplate{
		number:     1,
		thisUpdate: now.Add(-time.Hour),
		nextUpdate: now.AddDate(0, 0, 7),
	}
	for _, o := range opts {
		o(t)
	}
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(t.number),
		ThisUpdate: t.thisUpdate,
		NextUpdate: t.nextUpdate,
	}
	for _, s := range t.revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: s, RevocationTime: t.thisUpdate})
	}
	if t.deltaBase != nil {
		v, err := asn1.Marshal(big.NewInt(*t.deltaBase))
		must(err)
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidDeltaCRL, Critical: true, Value: v})
	}
	if t.padding > 0 {
		v, err := asn1.Marshal(bytes.Repeat([]byte{0xa5}, t.padding))
		must(err)
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidCRLPadding, Value: v})
	}

	// crypto/x509 takes the AKI from the issuer's SKI and insists on one and
	// on the cRLSign key usage, so sign with an adjusted copy of the issuer.
	issuer := *c.Cert
	issuer.KeyUsage |= x509.KeyUsageCRLSign
	switch {
	case t.akiSet && len(t.aki) > 0:
		issuer.SubjectKeyId = t.aki
	case len(issuer.SubjectKeyId) == 0 || t.akiSet:
		issuer.SubjectKeyId = keyID(c.Cert.PublicKey)
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, &issuer, c.Key)
	must(err)
	if t.akiSet && len(t.aki) == 0 {
		der = resignCRLWithoutAKI(der, c.Key)
	}
	return der
}

// resignCRLWithoutAKI removes the authority key identifier extension from a
// CRL made by crypto/x509 and signs it again with SHA-256.
func resignCRLWithoutAKI(der []byte, key crypto.Signer) []byte {
	var crl struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	_, err := asn1.Unmarshal(der, &crl)
	must(err)

	var fields []asn1.RawValue
	for rest := crl.TBS.Bytes; len(rest) > 0; {
		var f asn1.RawValue
		rest, err = asn1.Unmarshal(rest, &f)
		must(err)
		fields = append(fields, f)
	}
	last := &fields[len(fields)-1]
	if last.Class != asn1.ClassContextSpecific || last.Tag != 0 {
		panic("pkitest: CRL without extensions")
	}
	var exts []pkix.Extension
	_, err = asn1.Unmarshal(last.Bytes, &exts)
	must(err)
	kept := exts[:0]
	for _, e := range exts {
		if !e.Id.Equal(oidAuthorityKeyID) {
			kept = append(kept, e)
		}
	}
	extDER, err := asn1.Marshal(kept)
	must(err)
	*last = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: extDER}

	var tbsBody []byte
	for _, f := range fields {
		b, err := asn1.Marshal(f)
		must(err)
		tbsBody = append(tbsBody, b...)
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: tbsBody})
	must(err)

	switch key.Public().(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey:
	default:
		panic(fmt.Sprintf("pkitest: cannot re-sign a CRL with a %T key", key.Public()))
	}
	digest := sha256.Sum256(tbs)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	must(err)
	out, err := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, crl.Algorithm, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	must(err)
	return out
}
