package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"

	"github.com/smallstep/pkcs7"
)

// PEM block types this package understands.
const (
	pemCertificate        = "CERTIFICATE"
	pemX509Certificate    = "X509 CERTIFICATE"    // pre-RFC 7468 label, still seen in old files
	pemTrustedCertificate = "TRUSTED CERTIFICATE" // OpenSSL: a certificate followed by trust settings
	pemPKCS7              = "PKCS7"
	pemPKCS7SignedData    = "PKCS #7 SIGNED DATA"
)

// ContainsPrivateKey reports whether data holds private key material:
//
//   - a PEM block whose type contains "PRIVATE KEY" (compared case-insensitively,
//     so "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
//     "OPENSSH PRIVATE KEY" and the like), or a "…PRIVATE KEY-----" marker even when
//     the block around it is damaged;
//   - DER that is shaped like a PKCS #8 PrivateKeyInfo, an encrypted PKCS #8 key,
//     a PKCS #1 RSA (or OpenSSL DSA) private key, a SEC 1 EC private key or a
//     PKCS #12 (.pfx) archive, whether given raw or inside any PEM block;
//   - a PuTTY private key file.
//
// The DER checks are structural (they look at the ASN.1 shape, not at whether
// the numbers form a usable key), so they also catch keys for algorithms that
// crypto/x509 cannot parse.
func ContainsPrivateKey(data []byte) bool {
	return Scan(data).ContainsPrivateKey()
}

// Scanned is data scanned once for PEM blocks and private key material, so
// that a caller that checks a file for keys and then parses its certificate
// does not scan it twice.
type Scanned struct {
	data      []byte
	blocks    []pemBlock
	one       [1]pemBlock // blocks' storage when data holds one block
	keyReason string
	hasKey    bool
}

// Scan scans data for PEM blocks and private key material.
func Scan(data []byte) *Scanned {
	s := &Scanned{data: data}
	if s.blocks = appendPEM(s.one[:0], data); len(s.blocks) == 0 {
		s.blocks = nil
	}
	s.keyReason, s.hasKey = privateKeyReason(data, s.blocks)
	return s
}

// ContainsPrivateKey is ContainsPrivateKey of the scanned data.
func (s *Scanned) ContainsPrivateKey() bool { return s.hasKey }

// ParseCertificate is ParseCertificate of the scanned data.
func (s *Scanned) ParseCertificate() (*x509.Certificate, error) {
	certs, err := s.certificates(false)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, newError(ErrMultiple, nil, "input holds %d certificates; exactly one is required", len(certs))
	}
	return certs[0], nil
}

// ParseCertificate parses exactly one X.509 certificate from PEM text (one
// CERTIFICATE block; text and whitespace around it are allowed, and other
// non-key PEM blocks are ignored) or from raw DER.
//
// Errors are *ParseError values: ErrPrivateKey if the input holds a private key
// anywhere (checked before anything else), ErrNoCertificate if it holds no
// certificate (the message names the PEM block types found instead, and a
// PKCS #7 bundle counts as no certificate here), ErrMultiple if it holds more
// than one, ErrMalformed if the bytes cannot be parsed.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	return Scan(data).ParseCertificate()
}

// ParseCertificates returns every certificate in data, in order. data may be a
// PEM bundle (CERTIFICATE blocks, with "PKCS7" / "PKCS #7 SIGNED DATA" blocks
// expanded in place), a raw DER certificate, concatenated DER certificates, or
// a DER PKCS #7 SignedData (a degenerate certs-only .p7b).
//
// Errors are *ParseError values; a private key anywhere in data gives
// ErrPrivateKey before anything else is looked at.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	return parseCertificates(data, true)
}

// ParsePKCS7 returns the certificates of a PKCS #7 SignedData given as DER
// (BER is accepted too) or as one PEM block of type "PKCS7" or
// "PKCS #7 SIGNED DATA".
//
// Anything that is not a PKCS #7 SignedData, such as a certificate, gives
// ErrNotPKCS7; a SignedData without certificates gives ErrNoCertificate; a
// private key in data gives ErrPrivateKey.
func ParsePKCS7(data []byte) ([]*x509.Certificate, error) {
	blocks := scanPEM(data)
	if reason, ok := privateKeyReason(data, blocks); ok {
		return nil, privateKeyError(reason)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, newError(ErrNotPKCS7, nil, "not a PKCS #7 bundle: input is empty")
	}
	if len(blocks) == 0 {
		return parsePKCS7DER(data)
	}
	var found []int
	var others []string
	for i, b := range blocks {
		if err := b.err(i); err != nil {
			return nil, err
		}
		if isPKCS7Type(b.typ) {
			found = append(found, i)
		} else {
			others = append(others, b.typ)
		}
	}
	switch len(found) {
	case 0:
		return nil, newError(ErrNotPKCS7, nil, "not a PKCS #7 bundle: input holds only %s PEM blocks", typeList(others))
	case 1:
		i := found[0]
		certs, err := parsePKCS7DER(blocks[i].bytes)
		if err != nil {
			return nil, inBlock(err, i, blocks[i].typ)
		}
		return certs, nil
	default:
		return nil, newError(ErrMalformed, nil, "input holds %d PKCS #7 PEM blocks; expected one", len(found))
	}
}

func parseCertificates(data []byte, bundle bool) ([]*x509.Certificate, error) {
	return Scan(data).certificates(bundle) // one scan for the key check and the certificates
}

func (s *Scanned) certificates(bundle bool) ([]*x509.Certificate, error) {
	if s.hasKey {
		return nil, privateKeyError(s.keyReason)
	}
	if len(bytes.TrimSpace(s.data)) == 0 {
		return nil, newError(ErrNoCertificate, nil, "no certificate found: input is empty")
	}
	if len(s.blocks) > 0 {
		return certsFromPEM(s.blocks, bundle)
	}
	return certsFromDER(s.data, bundle)
}

func certsFromPEM(blocks []pemBlock, bundle bool) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var others []string
	emptyBundles := 0
	for i, b := range blocks {
		if err := b.err(i); err != nil {
			return nil, err
		}
		switch {
		case b.typ == pemCertificate || b.typ == pemX509Certificate:
			c, err := x509.ParseCertificate(b.bytes)
			if err != nil {
				return nil, newError(ErrMalformed, err, "invalid certificate in PEM block %d (%s)", i+1, quoteType(b.typ))
			}
			certs = append(certs, c)
		case b.typ == pemTrustedCertificate:
			// The certificate is the first element; OpenSSL's trust settings follow it.
			var first asn1.RawValue
			_, err := asn1.Unmarshal(b.bytes, &first)
			var c *x509.Certificate
			if err == nil {
				c, err = x509.ParseCertificate(first.FullBytes)
			}
			if err != nil {
				return nil, newError(ErrMalformed, err, "invalid certificate in PEM block %d (%s)", i+1, quoteType(b.typ))
			}
			certs = append(certs, c)
		case bundle && isPKCS7Type(b.typ):
			p7, err := parsePKCS7DER(b.bytes)
			if IsKind(err, ErrNoCertificate) {
				emptyBundles++
				continue
			}
			if err != nil {
				return nil, inBlock(err, i, b.typ)
			}
			certs = append(certs, p7...)
		default:
			others = append(others, b.typ)
		}
	}
	if len(certs) > 0 {
		return certs, nil
	}
	switch {
	case emptyBundles > 0 && len(others) == 0:
		return nil, newError(ErrNoCertificate, nil, "no certificate found: the PKCS #7 bundle holds no certificates")
	case !bundle && containsPKCS7Type(others):
		return nil, newError(ErrNoCertificate, nil,
			"no certificate found: input holds only %s PEM blocks, and a PKCS #7 bundle is not accepted where one certificate is required",
			typeList(others))
	default:
		return nil, newError(ErrNoCertificate, nil, "no certificate found: input holds only %s PEM blocks", typeList(others))
	}
}

func certsFromDER(data []byte, bundle bool) ([]*x509.Certificate, error) {
	c, certErr := x509.ParseCertificate(data)
	if certErr == nil {
		return []*x509.Certificate{c}, nil
	}
	if _, ok := pkcs7ContentType(data); ok {
		if !bundle {
			return nil, newError(ErrNoCertificate, nil,
				"no certificate found: input is a PKCS #7 bundle, which is not accepted where one certificate is required")
		}
		certs, err := parsePKCS7DER(data)
		var pe *ParseError
		if errors.As(err, &pe) && pe.Kind == ErrNotPKCS7 {
			return nil, newError(ErrNoCertificate, nil, "no certificate found: %s", pe.Msg)
		}
		return certs, err
	}
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
		return certs, nil // concatenated DER certificates
	}
	if _, err := x509.ParseRevocationList(data); err == nil {
		return nil, newError(ErrNoCertificate, nil, "no certificate found: input is a certificate revocation list (CRL)")
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		return nil, newError(ErrNoCertificate, nil, "no certificate found: input is a certificate signing request (CSR)")
	}
	if looksLikeText(data) {
		return nil, newError(ErrNoCertificate, nil, "no certificate found: input is text without a PEM CERTIFICATE block")
	}
	return nil, newError(ErrMalformed, certErr, "input is neither PEM nor a DER certificate")
}

var (
	oidPKCS7        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7}
	oidPKCS7Signed  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	pkcs7TypeByLast = map[int]string{
		1: "data",
		2: "signedData",
		3: "envelopedData",
		4: "signedAndEnvelopedData",
		5: "digestedData",
		6: "encryptedData",
	}
)

// parsePKCS7DER parses a DER (or BER) PKCS #7 ContentInfo holding SignedData.
func parsePKCS7DER(der []byte) ([]*x509.Certificate, error) {
	ct, ok := pkcs7ContentType(der)
	if !ok {
		if _, err := x509.ParseCertificate(der); err == nil {
			return nil, newError(ErrNotPKCS7, nil, "not a PKCS #7 bundle: input is a single X.509 certificate")
		}
		return nil, newError(ErrNotPKCS7, nil, "not a PKCS #7 structure")
	}
	if !ct.Equal(oidPKCS7Signed) {
		name, ok := pkcs7TypeByLast[ct[len(ct)-1]]
		if !ok {
			name = ct.String()
		}
		return nil, newError(ErrNotPKCS7, nil, "not a PKCS #7 certificate bundle: content type is %s, not signedData", name)
	}
	if err := checkSignedDataDER(der); err != nil {
		return nil, newError(ErrMalformed, err, "malformed PKCS #7 signedData")
	}
	p7, err := parsePKCS7Safe(der)
	if err != nil {
		return nil, newError(ErrMalformed, err, "malformed PKCS #7 signedData")
	}
	if len(p7.Certificates) == 0 {
		return nil, newError(ErrNoCertificate, nil, "no certificate found: the PKCS #7 bundle holds no certificates")
	}
	return p7.Certificates, nil
}

// parsePKCS7Safe runs the PKCS #7 decoder, turning a decoder panic on hostile
// input into an error so that this package never panics.
func parsePKCS7Safe(der []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, errors.New("the PKCS #7 decoder could not read this input")
		}
	}()
	return pkcs7.Parse(der)
}

// pkcs7ContentType reads the contentType OID at the start of a PKCS #7
// ContentInfo without decoding the rest, so that it also works for BER
// (indefinite-length) input. ok is false unless the OID is in the PKCS #7 arc
// 1.2.840.113549.1.7.
func pkcs7ContentType(data []byte) (asn1.ObjectIdentifier, bool) {
	if len(data) < 2 || data[0] != 0x30 {
		return nil, false
	}
	off := 2
	if l := data[1]; l > 0x80 {
		n := int(l & 0x7f)
		if n > 4 {
			return nil, false
		}
		off += n
	}
	if len(data) < off+2 || data[off] != 0x06 || data[off+1] >= 0x80 {
		return nil, false
	}
	end := off + 2 + int(data[off+1])
	if len(data) < end {
		return nil, false
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(data[off:end], &oid); err != nil || len(rest) != 0 {
		return nil, false
	}
	if len(oid) != len(oidPKCS7)+1 || !oidHasPrefix(oid, oidPKCS7) {
		return nil, false
	}
	return oid, true
}

// checkSignedDataDER checks the outline of a DER SignedData strictly, because
// the PKCS #7 decoder silently ignores a SignedData it cannot decode (and then
// reports no certificates). Input that is not DER (BER with indefinite lengths)
// is left to the decoder.
func checkSignedDataDER(der []byte) error {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil // possibly BER; the decoder will judge
	}
	if len(rest) != 0 {
		return errors.New("trailing data after the PKCS #7 structure")
	}
	var sd struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		ContentInfo      asn1.RawValue
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
		CRLs             asn1.RawValue `asn1:"optional,tag:1"`
		SignerInfos      asn1.RawValue
	}
	// With explicit tagging, Bytes holds the content inside the [0] wrapper.
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return err
	} else if len(rest) != 0 {
		return errors.New("trailing data after the signedData content")
	}
	return nil
}

func oidHasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	if len(oid) < len(prefix) {
		return false
	}
	return oid[:len(prefix)].Equal(prefix)
}

func isPKCS7Type(t string) bool { return t == pemPKCS7 || t == pemPKCS7SignedData }

func containsPKCS7Type(types []string) bool {
	for _, t := range types {
		if isPKCS7Type(t) {
			return true
		}
	}
	return false
}

// inBlock wraps an error found inside PEM block i, keeping its kind. A
// "PKCS7" block whose body is not PKCS #7 is malformed rather than "not PKCS #7".
func inBlock(err error, i int, typ string) error {
	kind := ErrMalformed
	var pe *ParseError
	if errors.As(err, &pe) && pe.Kind != ErrNotPKCS7 {
		kind = pe.Kind
	}
	return newError(kind, err, "in PEM block %d (%s)", i+1, quoteType(typ))
}
