package pki

import (
	"crypto/dsa" // deprecated; only to describe the DSA keys crypto/x509 still parses
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math"
	"time"
)

// Thresholds of the findings Inspect reports.
const (
	// MinRSABits is the smallest RSA modulus Inspect does not call weak.
	MinRSABits = 2048
	// ExpiryNotice is how long before a CA expires Inspect starts warning:
	// 35 days, the notice Entra gives for expiring federation certificates.
	ExpiryNotice = 35 * 24 * time.Hour
	// ExpiryUrgent is how long before a CA expires the warning becomes urgent.
	ExpiryUrgent = 15 * 24 * time.Hour
)

// Severity is the level of a Finding.
type Severity string

// Severities of findings.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is a problem Inspect noticed in a certificate.
type Finding struct {
	Severity Severity
	Message  string // a lowercase sentence without a final period
}

// SANs are the subject alternative names of a certificate, by kind, each in
// certificate order.
type SANs struct {
	UPN   []string // otherName 1.3.6.1.4.1.311.20.2.3 (Microsoft UPN)
	Email []string // rfc822Name
	DNS   []string // dNSName
	URI   []string // uniformResourceIdentifier
	IP    []string // iPAddress, in Go's textual form
}

// Inspection is a description of one certificate: its Summary (the fields of
// the configuration function certificate()) and the details `cbactl cert
// inspect` shows, with findings.
type Inspection struct {
	Summary

	KeyType  string // "RSA", "ECDSA", "Ed25519", "DSA", or "unknown (OID.…)"
	KeyBits  int    // modulus size, curve size, 256 for Ed25519; 0 if unknown
	KeyCurve string // ECDSA only: "P-256", "P-384", "P-521", "P-224"

	// SignatureAlgorithm is crypto/x509's name ("SHA256-RSA", "ECDSA-SHA256",
	// "SHA256-RSAPSS", "Ed25519", "SHA1-RSA", ...) or "OID." and the dotted
	// OID of an algorithm it does not know.
	SignatureAlgorithm string

	// PathLength is the pathLenConstraint of a CA's basic constraints; nil if
	// the certificate is not a CA or has no limit.
	PathLength *int

	KeyUsage              []string // RFC 5280 names: digitalSignature, keyCertSign, ...
	ExtendedKeyUsage      []string // names (clientAuth, smartcardLogon, ...) or dotted OIDs, in certificate order
	Policies              []string // dotted certificate policy OIDs
	CRLDistributionPoints []string // URLs
	SANs                  SANs

	Findings []Finding
}

// Key returns the key type and size for people: "RSA 2048", "ECDSA P-256",
// "Ed25519".
func (i Inspection) Key() string {
	switch {
	case i.KeyCurve != "":
		return i.KeyType + " " + i.KeyCurve
	case i.KeyType == "RSA" || i.KeyType == "DSA":
		return fmt.Sprintf("%s %d", i.KeyType, i.KeyBits)
	default:
		return i.KeyType
	}
}

// Inspect describes c and lists its findings as of now:
//
//   - warning: an RSA key shorter than MinRSABits;
//   - warning: a SHA-1 (or MD5/MD2) signature;
//   - CA certificates: error when expired; warning when it expires within
//     ExpiryNotice, with a more urgent message within ExpiryUrgent; warning
//     without a subject key identifier;
//   - other certificates: warning when expired;
//   - warning: not yet valid;
//   - warning: a certificate that is not self-signed without an authority key
//     identifier.
//
// now is the caller's clock; the package never reads the system time.
func Inspect(c *x509.Certificate, now time.Time) Inspection {
	if c == nil {
		return Inspection{}
	}
	in := Inspection{
		Summary:               Summarize(c),
		SignatureAlgorithm:    signatureAlgorithmName(c),
		KeyUsage:              keyUsageNames(c.KeyUsage),
		ExtendedKeyUsage:      extKeyUsageNames(c),
		Policies:              policyOIDs(c),
		CRLDistributionPoints: append([]string(nil), c.CRLDistributionPoints...),
		SANs:                  sans(c),
	}
	in.KeyType, in.KeyBits, in.KeyCurve = keyInfo(c)
	if in.IsCA && (c.MaxPathLen > 0 || (c.MaxPathLen == 0 && c.MaxPathLenZero)) {
		n := c.MaxPathLen
		in.PathLength = &n
	}
	in.Findings = findings(c, in, now)
	return in
}

// MaxCAObjectBytes is Entra's limit for one CA object of the PKI trust store
// ("8 KB for each CA object").
const MaxCAObjectBytes = 8 * 1024

func findings(c *x509.Certificate, in Inspection, now time.Time) []Finding {
	var out []Finding
	add := func(s Severity, format string, args ...any) {
		out = append(out, Finding{Severity: s, Message: fmt.Sprintf(format, args...)})
	}
	if in.KeyType == "RSA" && in.KeyBits < MinRSABits {
		add(SeverityWarning, "weak key: RSA %d bits; use at least %d", in.KeyBits, MinRSABits)
	}
	if weak := weakHash(c.SignatureAlgorithm); weak != "" {
		msg := "signed with %s (%s), which is no longer collision-resistant"
		if weak != "SHA-1" {
			msg = "signed with %s (%s), which is broken"
		}
		if in.SelfSigned {
			msg += " (the self-signature of a root is not relied on when chains are built, so this matters less)"
		}
		add(SeverityWarning, msg, weak, in.SignatureAlgorithm)
	}

	end := c.NotAfter.UTC().Format(time.RFC3339)
	left := c.NotAfter.Sub(now)
	switch {
	case in.IsCA && now.After(c.NotAfter):
		add(SeverityError, "the CA expired on %s, %s ago: certificates it issued no longer validate, and Entra refuses to upload new CAs while an expired CA is in the trust store",
			end, days(-left))
	case in.IsCA && left <= ExpiryUrgent:
		add(SeverityWarning, "the CA expires in %s, on %s: renew it and upload its successor now", days(left), end)
	case in.IsCA && left <= ExpiryNotice:
		add(SeverityWarning, "the CA expires in %s, on %s (within the 35 days Entra gives notice of for expiring federation certificates): plan its renewal",
			days(left), end)
	case !in.IsCA && now.After(c.NotAfter):
		add(SeverityWarning, "the certificate expired on %s, %s ago: Entra rejects sign-ins with it (AADSTS500172)", end, days(-left))
	}
	if now.Before(c.NotBefore) {
		add(SeverityWarning, "the certificate is not valid before %s (in %s)", c.NotBefore.UTC().Format(time.RFC3339), days(c.NotBefore.Sub(now)))
	}

	if in.IsCA && len(c.Raw) > MaxCAObjectBytes {
		add(SeverityError, "the CA certificate is %d bytes of DER; Entra accepts at most %d bytes per CA object in the PKI trust store", len(c.Raw), MaxCAObjectBytes)
	}
	if in.IsCA && len(c.SubjectKeyId) == 0 {
		add(SeverityWarning, "the CA has no subject key identifier: Entra builds chains and matches CRLs by key identifiers")
	}
	if !in.SelfSigned && len(c.AuthorityKeyId) == 0 {
		add(SeverityWarning, "no authority key identifier: Entra finds the issuing CA by this certificate's authority key identifier")
	}
	return out
}

// days writes a duration as a whole number of days, rounded to the nearest
// day, or "less than a day".
func days(d time.Duration) string {
	if d < 24*time.Hour {
		return "less than a day"
	}
	n := int(math.Round(d.Hours() / 24))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func weakHash(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return "SHA-1"
	case x509.MD5WithRSA:
		return "MD5"
	case x509.MD2WithRSA:
		return "MD2"
	}
	return ""
}

func keyInfo(c *x509.Certificate) (typ string, bits int, curve string) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		p := k.Curve.Params()
		return "ECDSA", p.BitSize, p.Name
	case ed25519.PublicKey:
		return "Ed25519", 256, ""
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen(), ""
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err == nil {
		return "unknown (OID." + spki.Algorithm.Algorithm.String() + ")", 0, ""
	}
	return "unknown", 0, ""
}

func signatureAlgorithmName(c *x509.Certificate) string {
	if c.SignatureAlgorithm != x509.UnknownSignatureAlgorithm {
		return c.SignatureAlgorithm.String()
	}
	var cert struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.Raw, &cert); err == nil {
		return "OID." + cert.Algorithm.Algorithm.String()
	}
	return "unknown"
}

// keyUsageNames are the RFC 5280 names of the key usage bits, in bit order.
var keyUsageBits = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

func keyUsageNames(ku x509.KeyUsage) []string {
	var out []string
	for _, u := range keyUsageBits {
		if ku&u.bit != 0 {
			out = append(out, u.name)
		}
	}
	return out
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// ekuNames names the extended key usages cbactl users meet; others are shown
// as dotted OIDs.
var ekuNames = map[string]string{
	"2.5.29.37.0":             "any",
	"1.3.6.1.5.5.7.3.1":       "serverAuth",
	"1.3.6.1.5.5.7.3.2":       "clientAuth",
	"1.3.6.1.5.5.7.3.3":       "codeSigning",
	"1.3.6.1.5.5.7.3.4":       "emailProtection",
	"1.3.6.1.5.5.7.3.5":       "ipsecEndSystem",
	"1.3.6.1.5.5.7.3.6":       "ipsecTunnel",
	"1.3.6.1.5.5.7.3.7":       "ipsecUser",
	"1.3.6.1.5.5.7.3.8":       "timeStamping",
	"1.3.6.1.5.5.7.3.9":       "OCSPSigning",
	"1.3.6.1.5.5.7.3.17":      "ipsecIKE",
	"1.3.6.1.5.2.3.4":         "pkinitClientAuth",
	"1.3.6.1.5.2.3.5":         "pkinitKDC",
	"1.3.6.1.4.1.311.20.2.2":  "smartcardLogon",
	"1.3.6.1.4.1.311.10.3.4":  "encryptingFileSystem",
	"1.3.6.1.4.1.311.10.3.12": "documentSigning",
	"1.3.6.1.4.1.311.10.3.3":  "msSGC",
	"2.16.840.1.113730.4.1":   "nsSGC",
	"1.3.6.1.4.1.311.2.1.22":  "msCodeCom",
	"1.3.6.1.4.1.311.61.1.1":  "msKernelCodeSigning",
}

// extKeyUsageNames reads the extended key usage extension itself, because
// crypto/x509 splits known and unknown usages and loses their order.
func extKeyUsageNames(c *x509.Certificate) []string {
	name := func(oid string) string {
		if n, ok := ekuNames[oid]; ok {
			return n
		}
		return oid
	}
	var out []string
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidExtKeyUsage) {
			continue
		}
		var oids []asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(ext.Value, &oids); err != nil || len(rest) != 0 {
			break // not reachable for a certificate crypto/x509 parsed
		}
		for _, o := range oids {
			out = append(out, name(o.String()))
		}
		return out
	}
	for _, u := range c.ExtKeyUsage {
		out = append(out, name(u.OID().String()))
	}
	for _, o := range c.UnknownExtKeyUsage {
		out = append(out, name(o.String()))
	}
	return out
}

func policyOIDs(c *x509.Certificate) []string {
	var out []string
	if len(c.Policies) > 0 {
		for _, p := range c.Policies {
			out = append(out, p.String())
		}
		return out
	}
	for _, p := range c.PolicyIdentifiers {
		out = append(out, p.String())
	}
	return out
}

func sans(c *x509.Certificate) SANs {
	s := SANs{
		UPN:   UPNs(c),
		Email: append([]string(nil), c.EmailAddresses...),
		DNS:   append([]string(nil), c.DNSNames...),
	}
	for _, u := range c.URIs {
		s.URI = append(s.URI, u.String())
	}
	for _, ip := range c.IPAddresses {
		s.IP = append(s.IP, ip.String())
	}
	return s
}
