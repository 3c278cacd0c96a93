package simulate

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
)

// maxCRLDepth is how many CAs from the leaf Entra checks CRLs for: "checks
// the CRL of the issuing CA and other CAs in the PKI trust chain up to the
// root CA … a limit of up to 10 CAs from the leaf" (CRL; an older DD
// sentence says 5).
const maxCRLDepth = 10

var oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}

// reasonRemoveFromCRL is the CRL reason code a delta CRL uses to take a
// certificate off hold (RFC 5280 §5.3.1).
const reasonRemoveFromCRL = 8

// revocation checks the CRLs of every CA on the path (§4 "CRL processing",
// TV13): a CA with a CRL URL must have a current CRL (signed by it, its AKI
// equal to the CA's SKI) that does not list the certificate it issued; a CA
// without a CRL URL is not checked ("If an Authentication Policy
// Administrator skips the configuration of the CRL, Microsoft Entra ID
// doesn't perform any CRL checks", CRL), unless crlValidationConfiguration
// requires one for the issuing CA.
func (e *evaluation) revocation() {
	used := make([]bool, len(e.in.CRLs))
	for i, ca := range e.path {
		if i >= maxCRLDepth {
			e.assume(aCRLDepth, len(e.path), maxCRLDepth)
			break
		}
		subject, subjectLabel := e.leaf, "the certificate"
		if i > 0 {
			subject, subjectLabel = e.path[i-1].cert, e.path[i-1].label
		}
		e.checkCA(i, ca, subject, subjectLabel, used)
	}
	for j, c := range e.in.CRLs {
		if used[j] {
			continue
		}
		why := "belongs to no CA on the certificate's chain"
		if len(e.path) == 0 {
			why = "cannot be checked: the chain was not built"
		}
		e.step(StepRevocation, OutcomeSkip, "the supplied CRL %s (issuer %q) %s; it is ignored", crlName(c, j), issuerOf(c.List), why)
	}
}

// checkCA checks the revocation status of subject, issued by ca, the i-th
// CA of the path.
func (e *evaluation) checkCA(i int, ca *storeCA, subject *x509.Certificate, subjectLabel string, used []bool) {
	var base, delta []int
	for j, c := range e.in.CRLs {
		if used[j] || c.List == nil {
			continue
		}
		belongs, mismatch := crlBelongs(c.List, ca)
		if !belongs {
			continue
		}
		used[j] = true
		if mismatch != "" {
			e.fail(StepRevocation, CodeCRLMismatch, "the supplied CRL %s belongs to %s by %s; Entra requires a CRL's issuer to be the CA's subject and its AKI to be the CA's SKI (CAS, FAQ)",
				crlName(c, j), ca.label, mismatch)
			continue
		}
		if isDelta(c.List) {
			delta = append(delta, j)
		} else {
			base = append(base, j)
		}
	}
	note := ""
	if ca.crlNote != "" {
		note = " (" + ca.crlNote + ")"
	}

	if ca.crlURL == "" {
		if ca.deltaURL != "" {
			e.fail(StepRevocation, CodeDeltaWithoutBase, "%s has a delta CRL URL (%s) but no base CRL URL%s", ca.label, ca.deltaURL, note)
		}
		for _, j := range append(base, delta...) {
			c := e.in.CRLs[j]
			lists := ""
			if entry, ok := listed(c.List, subject.SerialNumber); ok {
				lists = fmt.Sprintf(" (it lists %s, revoked at %s)", subjectLabel, entry.RevocationTime.UTC().Format(time.RFC3339))
			}
			e.step(StepRevocation, OutcomeSkip, "the supplied CRL %s belongs to %s, which has no CRL URL: Entra does not check it%s (HOW: \"If the URL isn't set, an attempt to authenticate by using a revoked certificate doesn't fail\")",
				crlName(c, j), ca.label, lists)
		}
		e.crlRequirement(i, ca, note)
		return
	}

	if len(base) == 0 {
		e.assume(aCRLAssumed, ca.label, ca.crlURL)
		e.step(StepRevocation, OutcomePass, "%s publishes its CRL at %s%s; no CRL was supplied for it, so it is assumed reachable and not to list %s",
			ca.label, ca.crlURL, note, subjectLabel)
	}
	for _, j := range base {
		e.checkCRL(e.in.CRLs[j], j, "base", ca, subject, subjectLabel, note)
	}
	if ca.deltaURL == "" {
		for _, j := range delta {
			e.step(StepRevocation, OutcomeSkip, "the supplied delta CRL %s belongs to %s, which has no delta CRL URL: Entra does not download it; it is ignored",
				crlName(e.in.CRLs[j], j), ca.label)
		}
		return
	}
	// "When both are configured, both must be valid and accessible. If
	// either is missing or expired, certificate validation fails" (CRL).
	if len(delta) == 0 {
		e.assume(aDeltaAssumed, ca.label, ca.deltaURL)
	}
	for _, j := range delta {
		e.checkCRL(e.in.CRLs[j], j, "delta", ca, subject, subjectLabel, note)
	}
}

// crlRequirement applies crlValidationConfiguration to a CA without a CRL
// URL: when enabled, "require CBA authentication to fail if no CRL is
// configured for a CA that issues an end user certificate"; exempted CAs,
// by SKI, "aren't required to have CRL configured" (CRL, GRAPH).
func (e *evaluation) crlRequirement(i int, ca *storeCA, note string) {
	v := e.x.CRLValidation
	exempt := false
	for _, s := range v.ExemptSKIs {
		if ca.ski != "" && pki.NormalizeHex(s) == ca.ski {
			exempt = true
		}
	}
	switch {
	case !v.Required:
		e.step(StepRevocation, OutcomeSkip, "%s has no CRL URL%s: Entra performs no CRL check for it (CRL: \"Microsoft Entra ID doesn't perform any CRL checks\")", ca.label, note)
	case exempt:
		e.step(StepRevocation, OutcomePass, "%s has no CRL URL%s; CRL validation is required, but the CA is exempted by its SKI %s", ca.label, note, ca.ski)
	case i == 0:
		e.assume(aCRLValidationCode)
		e.fail(StepRevocation, CodeCRLMissing, "CRL validation is required, and the issuing CA %s has no CRL URL and is not exempted (CRL: \"require CBA authentication to fail if no CRL is configured for a CA that issues an end user certificate\")", ca.label)
	default:
		e.assume(aCRLValidationIssuingOnly, ca.label)
		e.step(StepRevocation, OutcomeSkip, "%s has no CRL URL%s; CRL validation is required for the issuing CA only (assumption), so it is not checked", ca.label, note)
	}
}

// checkCRL checks one CRL of ca: its signature, its freshness ("Entra
// downloads and caches it until the Next Update timestamp. Authentication
// fails if the CRL has expired and cannot be refreshed", CRL) and whether it
// lists subject (AADSTS500171).
func (e *evaluation) checkCRL(c CRL, j int, kind string, ca *storeCA, subject *x509.Certificate, subjectLabel, note string) {
	name := crlName(c, j)
	ok, relaxed := verifyCRLSignature(c.List, ca.cert)
	if !ok {
		e.fail(StepRevocation, CodeCRLMismatch, "the signature of the %s CRL %s does not verify with the key of %s: %s", kind, name, ca.label, relaxed)
		return
	}
	if relaxed != "" {
		e.assume(aSignatureRelaxed, "the CRL "+name, ca.label, relaxed)
	}
	// A listed certificate is reported first: it is revoked whatever
	// happens to the CRL's freshness.
	entry, revoked := listed(c.List, subject.SerialNumber)
	if revoked && kind == "delta" && entry.ReasonCode == reasonRemoveFromCRL {
		revoked = false
	}
	if revoked {
		e.res.Revoked = true
		if subject != e.leaf {
			e.assume(aRevokedCA, subjectLabel)
		}
		e.fail(StepRevocation, CodeRevoked, "%s (serial %s) is listed in the %s CRL %s of %s, revoked at %s",
			subjectLabel, pki.SerialHex(subject), kind, name, ca.label, entry.RevocationTime.UTC().Format(time.RFC3339))
	}
	now := e.in.Now
	current := true
	switch {
	case c.List.NextUpdate.IsZero():
		e.assume(aCRLNoNextUpdate, name)
	case now.After(c.List.NextUpdate):
		current = false
		e.assume(aCRLExpired, name)
		e.fail(StepRevocation, CodeNotValidInTime, "the %s CRL %s of %s expired at %s (nextUpdate); the sign-in fails when \"the CRL has expired and cannot be refreshed\" (CRL)",
			kind, name, ca.label, c.List.NextUpdate.UTC().Format(time.RFC3339))
	}
	if now.Before(c.List.ThisUpdate) {
		current = false
		e.fail(StepRevocation, CodeNotValidInTime, "the %s CRL %s of %s is not valid yet: its thisUpdate is %s", kind, name, ca.label, c.List.ThisUpdate.UTC().Format(time.RFC3339))
	}
	if revoked {
		return
	}
	if current {
		e.step(StepRevocation, OutcomePass, "the %s CRL %s of %s%s is signed by the CA, current until %s, and does not list %s (serial %s)",
			kind, name, ca.label, note, nextUpdateText(c.List), subjectLabel, pki.SerialHex(subject))
	}
}

// crlBelongs reports whether crl is ca's CRL, by issuer name or AKI. When
// only one of them matches, mismatch says which is wrong: Entra requires
// both (CAS, FAQ: "CRL Issuer == CA Subject and CRL AKI == CA SKI";
// AADSTS2205015).
func crlBelongs(crl *x509.RevocationList, ca *storeCA) (belongs bool, mismatch string) {
	nameOK := bytes.Equal(crl.RawIssuer, ca.cert.RawSubject)
	aki := strings.ToUpper(hex.EncodeToString(crl.AuthorityKeyId))
	akiOK := aki != "" && aki == ca.ski
	switch {
	case nameOK && (akiOK || aki == ""):
		return true, ""
	case nameOK:
		return true, fmt.Sprintf("its issuer name, but its authority key identifier %s is not the CA's subject key identifier %s", aki, orUnset(ca.ski))
	case akiOK:
		return true, fmt.Sprintf("its authority key identifier, but its issuer %q is not the CA's subject", issuerOf(crl))
	}
	return false, ""
}

// verifyCRLSignature checks crl's signature with ca's key, accepting (and
// saying so) a signature that verifies only without Go's extra checks.
func verifyCRLSignature(crl *x509.RevocationList, ca *x509.Certificate) (ok bool, relaxed string) {
	err := crl.CheckSignatureFrom(ca)
	if err == nil {
		return true, ""
	}
	if ca.CheckSignature(crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature) == nil {
		return true, err.Error()
	}
	return false, err.Error()
}

func isDelta(crl *x509.RevocationList) bool {
	for _, ext := range crl.Extensions {
		if ext.Id.Equal(oidDeltaCRLIndicator) {
			return true
		}
	}
	return false
}

func listed(crl *x509.RevocationList, serial *big.Int) (x509.RevocationListEntry, bool) {
	if crl == nil || serial == nil {
		return x509.RevocationListEntry{}, false
	}
	for _, r := range crl.RevokedCertificateEntries {
		if r.SerialNumber != nil && r.SerialNumber.Cmp(serial) == 0 {
			return r, true
		}
	}
	return x509.RevocationListEntry{}, false
}

func crlName(c CRL, j int) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("#%d", j+1)
}

// issuerOf is a CRL's issuer name as rules write names.
func issuerOf(crl *x509.RevocationList) string {
	if crl == nil {
		return ""
	}
	if s, err := pki.FormatRawDN(crl.RawIssuer, pki.RuleOrder); err == nil {
		return s
	}
	return crl.Issuer.String()
}

func nextUpdateText(crl *x509.RevocationList) string {
	if crl.NextUpdate.IsZero() {
		return "an unspecified time (no nextUpdate)"
	}
	return crl.NextUpdate.UTC().Format(time.RFC3339)
}
