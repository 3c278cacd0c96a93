package simulate

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// maxChainDepth bounds chain building against trust stores that loop.
const maxChainDepth = 20

// storeCA is a certificate authority of the trust store: a PKI container's
// CA or a legacy CA.
type storeCA struct {
	cert       *x509.Certificate
	thumb      string
	ski        string // upper-case hex; "" without the extension
	typ        model.CAType
	legacy     bool
	label      string
	crlURL     string
	deltaURL   string
	issuerHint bool
	// crlNote explains which store's CRL URLs are used for a CA that is in
	// both stores.
	crlNote string
}

// trustStore indexes every CA Entra may build a chain from: all PKI
// containers and the legacy store (§4 "PKI store vs classic store").
type trustStore struct {
	cas       []*storeCA
	bySKI     map[string][]*storeCA
	bySubject map[string][]*storeCA
	byThumb   map[string]*storeCA
}

func newTrustStore(st model.State, e *evaluation) *trustStore {
	s := &trustStore{bySKI: map[string][]*storeCA{}, bySubject: map[string][]*storeCA{}, byThumb: map[string]*storeCA{}}
	add := func(ca *storeCA) {
		s.cas = append(s.cas, ca)
		s.byThumb[ca.thumb] = ca
		if ca.ski != "" {
			s.bySKI[ca.ski] = append(s.bySKI[ca.ski], ca)
		}
		key := string(ca.cert.RawSubject)
		s.bySubject[key] = append(s.bySubject[key], ca)
	}
	for _, p := range st.PKIs {
		for _, ca := range p.CAs {
			c, err := x509.ParseCertificate(ca.Certificate)
			if err != nil {
				e.assume(aUnparsableCA, "a CA of PKI "+quote(p.DisplayName), err)
				continue
			}
			thumb := pki.SHA1Thumbprint(c.Raw)
			if s.byThumb[thumb] != nil {
				continue // the same certificate in two PKI containers: the first one counts
			}
			label := fmt.Sprintf("%s (PKI %q)", certLabel(c), p.DisplayName)
			if p.Name != "" && ca.Name != "" {
				label = model.CAAddress(p.Name, ca.Name).String()
			}
			typ := ca.Type
			add(&storeCA{
				cert: c, thumb: thumb, ski: pki.SubjectKeyID(c), typ: typ, label: label,
				crlURL: ca.CRLURL, deltaURL: ca.DeltaCRLURL, issuerHint: ca.IssuerHint,
			})
		}
	}
	for _, l := range st.LegacyCAs {
		c, err := x509.ParseCertificate(l.Certificate)
		if err != nil {
			e.assume(aUnparsableCA, "a CA of the legacy store", err)
			continue
		}
		thumb := pki.SHA1Thumbprint(c.Raw)
		if twin := s.byThumb[thumb]; twin != nil {
			twin.mergeLegacy(l, e)
			continue
		}
		typ := model.CATypeIntermediate
		if l.IsRootAuthority {
			typ = model.CATypeRoot
		}
		add(&storeCA{
			cert: c, thumb: thumb, ski: pki.SubjectKeyID(c), typ: typ, legacy: true,
			label:  certLabel(c) + " (legacy store)",
			crlURL: l.CRLURL, deltaURL: l.DeltaCRLURL,
		})
	}
	return s
}

// mergeLegacy applies HOW's rule for a CA in both stores: "the PKI-based
// trust store is prioritized", but the classic store wins when "the
// PKI-based store has no CRL, but the classic store CA has a valid CRL", or
// when "the PKI-based store CA CRL is different from the classic store CA
// CRL".
func (ca *storeCA) mergeLegacy(l model.LegacyCA, e *evaluation) {
	switch {
	case l.CRLURL == "" || l.CRLURL == ca.crlURL:
		ca.crlNote = "it is also in the legacy store; the PKI store's settings are used (HOW: \"the PKI-based trust store is prioritized\")"
	case ca.crlURL == "":
		ca.crlNote = fmt.Sprintf("it is also in the legacy store, which has a CRL URL and the PKI store none: the legacy CRL URL %s is used (HOW)", l.CRLURL)
		ca.crlURL, ca.deltaURL = l.CRLURL, l.DeltaCRLURL
		e.assume(aLegacyCRLValid, ca.label, l.CRLURL)
	default:
		ca.crlNote = fmt.Sprintf("it is also in the legacy store with a different CRL URL: the legacy CRL URL %s is used (HOW: the classic store wins when \"the PKI-based store CA CRL is different\")", l.CRLURL)
		ca.crlURL, ca.deltaURL = l.CRLURL, l.DeltaCRLURL
	}
}

// isRoot reports whether the chain ends at ca.
func (e *evaluation) isRoot(ca *storeCA) bool {
	self := pki.IsSelfSigned(ca.cert)
	switch {
	case ca.typ == model.CATypeRoot:
		if !self {
			e.assume(aRootNotSelfSigned, ca.label)
		}
		return true
	case self:
		if ca.typ == model.CATypeIntermediate {
			e.assume(aSelfSignedIntermediate, ca.label)
		}
		return true
	}
	return false
}

// chain builds the path from the certificate to a root of the trust store:
// "Microsoft Entra uses the SubjectKeyIdentifier attribute instead of
// SubjectName to build the certificate chain" (CRL), so each certificate's
// AKI must be a trust store CA's SKI, up to a CA flagged root; "CBA fails if
// there are missing CAs" (CAS). Failure is AADSTS500176, "The certificate
// authority that issued your certificate has not been set up in the tenant",
// whose causes include "Mismatched or missing Subject Key Identifier (SKI)
// and Authority Key Identifier (AKI)" (§4 "Chain building").
func (e *evaluation) chain() {
	if e.leaf == nil {
		e.fail(StepChain, "", "no certificate was presented")
		return
	}
	for _, c := range e.in.Chain {
		if e.store.byThumb[pki.SHA1Thumbprint(c.Raw)] == nil {
			e.assume(aPresentedChain, certLabel(c))
		}
	}
	cur := e.leaf
	seen := map[string]bool{}
	for {
		ca, ok := e.findIssuer(cur)
		if !ok {
			return
		}
		if seen[ca.thumb] || len(e.path) >= maxChainDepth {
			e.fail(StepChain, CodeUntrusted, "the chain loops at %s without reaching a root CA", ca.label)
			return
		}
		seen[ca.thumb] = true
		e.path = append(e.path, ca)
		e.res.Chain = append(e.res.Chain, ca.thumb)
		if e.isRoot(ca) {
			e.res.Trusted = true
			labels := make([]string, len(e.path))
			for i, p := range e.path {
				labels[i] = p.label
			}
			e.step(StepChain, OutcomePass, "the certificate chains to the trust store by AKI → SKI with valid signatures: %s (root)",
				strings.Join(labels, " → "))
			return
		}
		cur = ca.cert
	}
}

// findIssuer finds the trust store CA that signed c.
func (e *evaluation) findIssuer(c *x509.Certificate) (*storeCA, bool) {
	aki := pki.AuthorityKeyID(c)
	var cands []*storeCA
	byName := aki == ""
	if byName {
		cands = e.store.bySubject[string(c.RawIssuer)]
	} else {
		cands = e.store.bySKI[aki]
	}
	what := "the certificate"
	if c != e.leaf {
		what = certLabel(c)
	}
	if len(cands) == 0 {
		detail := fmt.Sprintf("no CA in the trust store has the subject key identifier %s, the authority key identifier of %s (issuer %q)",
			aki, what, pki.IssuerDN(c, pki.RuleOrder))
		if byName {
			detail = fmt.Sprintf("%s has no authority key identifier, and no CA in the trust store has its issuer's name %q",
				what, pki.IssuerDN(c, pki.RuleOrder))
		} else if named := e.store.bySubject[string(c.RawIssuer)]; len(named) > 0 {
			detail += fmt.Sprintf("; %s has the issuer's name but the subject key identifier %q: an SKI/AKI mismatch", named[0].label, named[0].ski)
		}
		for _, p := range e.in.Chain {
			if (aki != "" && pki.SubjectKeyID(p) == aki) || (aki == "" && string(p.RawSubject) == string(c.RawIssuer)) {
				detail += fmt.Sprintf("; the presented chain certificate %s would be the issuer, but it is not in the trust store", certLabel(p))
				break
			}
		}
		e.fail(StepChain, CodeUntrusted, "%s", detail)
		return nil, false
	}
	var reasons []string
	for _, ca := range cands {
		ok, relaxed := verifySignature(c, ca.cert)
		if !ok {
			reasons = append(reasons, fmt.Sprintf("%s: %s", ca.label, relaxed))
			continue
		}
		if relaxed != "" {
			e.assume(aSignatureRelaxed, what, ca.label, relaxed)
		}
		if byName {
			e.assume(aChainByName, what, ca.label)
		}
		return ca, true
	}
	e.fail(StepChain, CodeUntrusted, "the signature of %s does not verify with the key of the matching trust store CA (%s)",
		what, strings.Join(reasons, "; "))
	return nil, false
}

// verifySignature checks child's signature with parent's key. Go's
// CheckSignatureFrom also requires the parent to be a CA allowed to sign
// certificates and refuses SHA-1; Entra documents neither, so a signature
// that verifies only without those checks is accepted with the reason
// returned in relaxed.
func verifySignature(child, parent *x509.Certificate) (ok bool, relaxed string) {
	err := child.CheckSignatureFrom(parent)
	if err == nil {
		return true, ""
	}
	if parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil {
		return true, err.Error()
	}
	return false, err.Error()
}

// validity checks the time validity of the certificate and of every CA on
// its path: AADSTS500172 "Certificate '{name}' issued by '{issuer}' is not
// valid. Current time … NotBefore … NotAfter" (CRL error table).
func (e *evaluation) validity() {
	if e.leaf == nil {
		return
	}
	now := e.in.Now
	certs := []*x509.Certificate{e.leaf}
	labels := []string{"the certificate"}
	for _, ca := range e.path {
		certs = append(certs, ca.cert)
		labels = append(labels, ca.label)
	}
	bad := false
	for i, c := range certs {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			bad = true
			e.fail(StepValidity, CodeNotValidInTime, "%s is not valid at %s: valid from %s to %s",
				labels[i], now.UTC().Format(time.RFC3339), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	if !bad {
		what := "the certificate is"
		if len(e.path) > 0 {
			what = fmt.Sprintf("the certificate and the %d CA certificates of its chain are", len(e.path))
		}
		e.step(StepValidity, OutcomePass, "%s valid at %s", what, now.UTC().Format(time.RFC3339))
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
