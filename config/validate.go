package config

import (
	"crypto/sha1"
	"crypto/x509"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Limits Entra documents for the trust store and the policy
// (cba-semantics.md §4–§5, graph-api.md §2.6).
const (
	maxCAsPerPKI       = 250
	maxCAObjectBytes   = 8 * 1024
	maxIssuerHintBytes = 16 * 1024
	maxCAScopes        = 30
	// expiryWarning is the horizon Entra uses for federation certificates;
	// expiryUrgent is when the warning becomes urgent.
	expiryWarning = 35 * 24 * time.Hour
	expiryUrgent  = 15 * 24 * time.Hour
)

var dottedOID = regexp.MustCompile(`^[0-9]+(\.[0-9]+)+$`)

// validator runs the semantic checks on a decoded configuration.
type validator struct {
	cfg   *Config
	now   time.Time
	cas   []caRef // every CA certificate of the configuration
	diags hcl.Diagnostics

	// Bundle CAs without a CRL URL, by upload address: those that
	// crl_validation requires a CRL of, and the others.
	uploadNoCRL, uploadNoCRLWarn map[model.Address][]string
}

func (v *validator) add(sev hcl.DiagnosticSeverity, rng *hcl.Range, summary, format string, args ...any) {
	v.diags = append(v.diags, &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng})
}

func (v *validator) errorAt(addr model.Address, attr, summary, format string, args ...any) {
	v.add(hcl.DiagError, v.cfg.Sources.Range(addr, attr), summary, format, args...)
}

func (v *validator) warnAt(addr model.Address, attr, summary, format string, args ...any) {
	v.add(hcl.DiagWarning, v.cfg.Sources.Range(addr, attr), summary, format, args...)
}

// validate runs every offline check that needs the whole configuration.
func validate(cfg *Config, certs map[model.Address][]*x509.Certificate, now time.Time) hcl.Diagnostics {
	v := &validator{
		cfg: cfg, now: now, cas: caRefs(cfg.Desired, certs, cfg.facts),
		uploadNoCRL: map[model.Address][]string{}, uploadNoCRLWarn: map[model.Address][]string{},
	}
	// Chain analysis, the other check over every CA, runs beside the
	// trust store's checks; its findings are reported after theirs.
	chains := make(chan []chainFinding, 1)
	go func() { chains <- analyzeChains(v.cas) }()
	v.trustStore()
	v.chains(<-chains)
	v.uploadCRLFindings()
	if x := cfg.Desired.X509; x != nil {
		v.bindings(x)
		v.rules(x)
		v.affinity(x)
		v.targets(x)
		v.crlValidation(x)
		v.scopes(x)
	}
	v.tests()
	v.strengths()
	v.testUsers()
	return v.diags
}

// caRef is one CA certificate of the configuration and where it was declared.
type caRef struct {
	addr model.Address // the CA, or the upload block that brought it
	attr string        // the attribute to point at
	ca   *model.CA     // in the configuration's desired state
	cert *x509.Certificate
	// selfSigned is whether cert is self-signed (certFacts.isSelfSigned).
	selfSigned bool
}

func caRefs(st model.State, certs map[model.Address][]*x509.Certificate, facts *certFacts) []caRef {
	n := 0
	for _, p := range st.PKIs {
		n += len(p.CAs)
	}
	out := make([]caRef, 0, n)
	for _, p := range st.PKIs {
		if p.Upload != nil {
			addr := model.PKIAddress(p.Name).Nested(blockUpload)
			for i, c := range certs[addr] {
				out = append(out, caRef{addr: addr, attr: "file", ca: &p.CAs[i], cert: c, selfSigned: facts.isSelfSigned(c)})
			}
			continue
		}
		for i := range p.CAs {
			ca := &p.CAs[i]
			addr := model.CAAddress(p.Name, ca.Name)
			c := certs[addr][0]
			out = append(out, caRef{addr: addr, attr: "certificate", ca: ca, cert: c, selfSigned: facts.isSelfSigned(c)})
		}
	}
	return out
}

func (v *validator) trustStore() {
	names := map[string]model.Address{}
	for _, p := range v.cfg.Desired.PKIs {
		addr := model.PKIAddress(p.Name)
		if prev, ok := names[strings.ToLower(p.DisplayName)]; ok {
			v.errorAt(addr, "display_name", "Duplicate PKI display name",
				"%s and %s both have the display name %q. Graph identifies PKI containers by display name in CA scopes, and cbactl by display name when it reads the tenant: make them unique.", prev, addr, p.DisplayName)
		}
		names[strings.ToLower(p.DisplayName)] = addr
		if len(p.CAs) > maxCAsPerPKI {
			v.errorAt(addr, "", "Too many certificate authorities",
				"%s has %d certificate authorities; Entra accepts at most %d per PKI container. Split them over several pki blocks.", addr, len(p.CAs), maxCAsPerPKI)
		}
	}

	x := v.cfg.Desired.X509
	seen := make(map[[sha1.Size]byte]model.Address, len(v.cas))
	hintBytes, hintReported := 0, false
	for _, r := range v.cas {
		name := describeCert(r)
		thumb := sha1.Sum(r.cert.Raw) // #nosec G401 -- identifier only
		if prev, ok := seen[thumb]; ok {
			v.errorAt(r.addr, r.attr, "Duplicate certificate authority",
				"%s has the same certificate (thumbprint %s) as %s. Each CA certificate may be declared once.", name, pki.SHA1Thumbprint(r.cert.Raw), prev)
		}
		seen[thumb] = r.addr

		if !r.cert.BasicConstraintsValid || !r.cert.IsCA {
			v.errorAt(r.addr, r.attr, "Not a CA certificate",
				"%s is not a certificate authority: its basicConstraints extension does not say CA:TRUE. Only CA certificates belong in the trust store.", name)
		}
		if r.ca.Type == model.CATypeRoot && !r.selfSigned {
			v.errorAt(r.addr, "type", "Root CA is not self-signed",
				"%s has type = \"root\", but its certificate is issued by %q, not by itself. Set type = \"intermediate\" and declare its issuer.", name, pki.IssuerDN(r.cert, pki.RuleOrder))
		}
		if len(r.cert.Raw) > maxCAObjectBytes {
			v.errorAt(r.addr, r.attr, "Certificate too large",
				"%s is %d bytes of DER; Entra accepts at most %d bytes per CA object.", name, len(r.cert.Raw), maxCAObjectBytes)
		}
		v.expiry(r, name)
		v.crlURLs(r, name, x)
		if r.ca.IssuerHint {
			hintBytes += len(r.cert.RawSubject) + 2 // each DistinguishedName in the TLS list has a 2-byte length
			if hintBytes > maxIssuerHintBytes && !hintReported {
				hintReported = true
				v.warnAt(r.addr, "issuer_hint", "Issuer hints too large",
					"With %s, the subjects of the CAs with issuer_hint = true add up to more than %d bytes, the most Entra sends as issuer hints in the TLS handshake: some CAs will not be offered to users. Enable issuer_hint only on CAs that issue user certificates.", name, maxIssuerHintBytes)
			}
		}
	}
}

func describeCert(r caRef) string {
	if r.ca.Name != "" {
		return r.addr.String()
	}
	return fmt.Sprintf("The certificate %q in %s", pki.SubjectDN(r.cert, pki.RuleOrder), r.addr)
}

func (v *validator) expiry(r caRef, name string) {
	left := r.cert.NotAfter.Sub(v.now)
	switch {
	case left <= 0:
		v.errorAt(r.addr, r.attr, "Certificate authority has expired",
			"%s expired on %s. Entra rejects sign-ins through an expired CA, and the classic store refuses new uploads while any CA is expired. Renew it or remove it.", name, r.cert.NotAfter.UTC().Format(time.RFC3339))
	case left <= expiryUrgent:
		v.warnAt(r.addr, r.attr, "Certificate authority expires within 15 days",
			"%s expires on %s, in %s. Renew it now: when it expires, every certificate it issued stops signing in.", name, r.cert.NotAfter.UTC().Format(time.RFC3339), days(left))
	case left <= expiryWarning:
		v.warnAt(r.addr, r.attr, "Certificate authority expires within 35 days",
			"%s expires on %s, in %s.", name, r.cert.NotAfter.UTC().Format(time.RFC3339), days(left))
	}
}

func days(d time.Duration) string {
	n := int(math.Ceil(d.Hours() / 24))
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

func (v *validator) crlURLs(r caRef, name string, x *model.X509Config) {
	check := func(attr, u string) bool {
		if u == "" {
			return true
		}
		p, err := url.Parse(u)
		if err != nil || !p.IsAbs() || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			v.errorAt(r.addr, attr, "Invalid CRL URL",
				"%q is not an absolute http:// or https:// URL. Entra downloads CRLs over HTTP only (no LDAP, no file paths).", u)
			return false
		}
		return true
	}
	check("crl_url", r.ca.CRLURL)
	check("delta_crl_url", r.ca.DeltaCRLURL)
	if r.ca.DeltaCRLURL != "" && r.ca.CRLURL == "" {
		v.errorAt(r.addr, "delta_crl_url", "Delta CRL without a base CRL",
			"%s has a delta_crl_url but no crl_url. Entra fails every sign-in through such a CA (AADSTS500177): set crl_url too.", name)
		return
	}
	if r.ca.CRLURL != "" {
		return
	}
	ski := pki.SubjectKeyID(r.cert)
	required := x != nil && x.CRLValidation.Required && !containsHex(x.CRLValidation.ExemptSKIs, ski)
	if r.ca.Name == "" {
		// A bundle's CAs are reported together, once per upload block.
		if required {
			v.uploadNoCRL[r.addr] = append(v.uploadNoCRL[r.addr], fmt.Sprintf("%s (SKI %s)", pki.SubjectDN(r.cert, pki.RuleOrder), ski))
		} else {
			v.uploadNoCRLWarn[r.addr] = append(v.uploadNoCRLWarn[r.addr], pki.SubjectDN(r.cert, pki.RuleOrder))
		}
		return
	}
	if required {
		v.errorAt(r.addr, r.attr, "CA without CRL while CRL validation is required",
			"%s declares no crl_url (so cbactl does not manage its CRL URL), and crl_validation.required = true makes Entra fail every sign-in with a certificate it issued when the CA has none. Declare crl_url, or add its subject key identifier %s to crl_validation.exempt_skis.", name, ski)
		return
	}
	v.warnAt(r.addr, r.attr, "Certificate authority without CRL",
		"%s declares no crl_url, so cbactl does not manage its CRL URL: unless the tenant already has one, Entra performs no revocation check for it, and a revoked certificate it issued still signs in.", name)
}

// uploadCRLFindings reports the bundle CAs that get no CRL URL, one
// diagnostic per upload block.
func (v *validator) uploadCRLFindings() {
	for _, p := range v.cfg.Desired.PKIs {
		addr := model.PKIAddress(p.Name).Nested(blockUpload)
		if list := v.uploadNoCRL[addr]; len(list) > 0 {
			v.errorAt(addr, "file", "CA without CRL while CRL validation is required",
				"%d %s in the bundle of %s %s no HTTP CRL distribution point, so Graph gives %s no CRL URL, and crl_validation.required = true makes Entra fail every sign-in with a certificate %s issued: %s. Exempt them in crl_validation.exempt_skis, or declare the CAs with certificate_authority blocks and crl_url.",
				len(list), plural(len(list), "CA", "CAs"), p.Name, plural(len(list), "has", "have"), plural(len(list), "it", "them"), plural(len(list), "it", "they"), summarize(list))
		}
		if list := v.uploadNoCRLWarn[addr]; len(list) > 0 {
			v.warnAt(addr, "file", "Certificate authority without CRL",
				"%d %s in the bundle of %s %s no HTTP CRL distribution point, so Graph gives %s no CRL URL and Entra performs no revocation check for %s: %s.",
				len(list), plural(len(list), "CA", "CAs"), p.Name, plural(len(list), "has", "have"), plural(len(list), "it", "them"), plural(len(list), "it", "them"), summarize(list))
		}
	}
}

// summarize lists up to three items and counts the rest.
func summarize(list []string) string {
	if len(list) <= 3 {
		return strings.Join(list, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(list[:3], "; "), len(list)-3)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func containsHex(list []string, h string) bool {
	for _, s := range list {
		if normalizeHex(s) == normalizeHex(h) {
			return true
		}
	}
	return false
}

func (v *validator) bindings(x *model.X509Config) {
	priorities := map[int]model.Address{}
	pairs := map[string]model.Address{}
	lowCount := 0
	for i, b := range x.UsernameBindings {
		addr := model.X509Address.Child(blockBinding, i)
		if _, declared := v.cfg.Sources[addr]; !declared {
			continue // Graph's default bindings: nothing to point at, nothing to check
		}
		if b.Priority < 0 {
			v.errorAt(addr, "priority", "Negative username binding priority",
				"priority must be a non-negative integer; lower numbers are tried first.")
		} else if prev, ok := priorities[b.Priority]; ok {
			v.errorAt(addr, "priority", "Duplicate username binding priority",
				"%s already has priority %d. Priorities must be unique: they decide the order in which Entra tries the bindings.", prev, b.Priority)
		}
		priorities[b.Priority] = addr
		if !b.Field.Allows(b.Attribute) {
			v.errorAt(addr, "user_attribute", "Username binding not allowed",
				"Entra does not allow binding %s to %s; %s binds only to %s.", b.Field, b.Attribute, b.Field, model.Quoted(b.Field.AllowedAttributes()))
		}
		key := string(b.Field) + "\x00" + string(b.Attribute)
		if prev, ok := pairs[key]; ok {
			v.errorAt(addr, "", "Duplicate username binding",
				"%s already binds %s to %s.", prev, b.Field, b.Attribute)
		}
		pairs[key] = addr
		if b.Field.Affinity() == model.AffinityLow {
			lowCount++
			if lowCount == 2 {
				v.warnAt(addr, "", "More than one low-affinity username binding",
					"Certificate-based authentication is only as secure as its lowest-affinity binding, and Entra advises against more than one low-affinity binding (PrincipalName, RFC822Name, IssuerAndSubject, Subject). Prefer a high-affinity binding (SubjectKeyIdentifier, SHA1PublicKey, IssuerAndSerialNumber).")
			}
		}
	}
}

func (v *validator) rules(x *model.X509Config) {
	var subjects []string
	for _, r := range v.cas {
		subjects = append(subjects, pki.SubjectDN(r.cert, pki.RuleOrder))
	}
	seen := map[string]model.Address{}
	for _, r := range x.Rules {
		addr := model.RuleAddress(r.Name)
		if r.Issuer == "" && r.PolicyOID == "" {
			v.errorAt(addr, "", "Rule without issuer or policy OID",
				"%s must set issuer, policy_oid, or both.", addr)
			continue
		}
		if r.PolicyOID != "" {
			if !dottedOID.MatchString(r.PolicyOID) {
				v.errorAt(addr, "policy_oid", "Invalid policy OID",
					"%q is not a dotted object identifier. Write the OID itself, e.g. 2.5.29.32.0 for \"All Issuance Policies\": Entra ignores any other text.", r.PolicyOID)
			} else if first, _ := strconv.Atoi(strings.SplitN(r.PolicyOID, ".", 2)[0]); first > 2 {
				v.warnAt(addr, "policy_oid", "Policy OID can never match",
					"The first arc of an object identifier is 0, 1 or 2, so no certificate can carry %s and %s never applies.", r.PolicyOID, addr)
			}
		}
		if r.Issuer != "" && r.PolicyOID != "" {
			v.warnAt(addr, "", "Rule uses both issuer and policy OID",
				"Entra has a known issue with rules that use both the issuer and the policy OID: Windows Hello for Business enrollment, FIDO2 security key registration and passwordless phone sign-in registration fail for the affected users. Use only the issuer or only the policy OID if you can.")
		}
		if r.Issuer != "" {
			v.ruleIssuer(addr, r.Issuer, subjects)
		}
		key := r.Issuer + "\x00" + r.PolicyOID
		if prev, ok := seen[key]; ok {
			v.errorAt(addr, "", "Duplicate rule",
				"%s and %s have the same issuer and policy OID; Entra keeps one binding per issuer and OID.", prev, addr)
		}
		seen[key] = addr
	}
}

func (v *validator) ruleIssuer(addr model.Address, issuer string, subjects []string) {
	if strings.TrimSpace(issuer) != issuer {
		v.errorAt(addr, "issuer", "Issuer has leading or trailing whitespace",
			"The issuer %q starts or ends with whitespace. Entra's documentation does not say whether the service trims issuer strings; if it does, the tenant would never match the configuration and every plan would show a change. Remove the whitespace (certificate(...).subject gives the issuer exactly).", issuer)
	}
	if !v.cfg.Desired.ManagesTrustStore {
		return
	}
	for _, s := range subjects {
		if s == issuer {
			return
		}
	}
	detail := fmt.Sprintf("No declared certificate authority has the subject %q, so %s can never apply.", issuer, addr)
	for _, s := range subjects {
		if strings.EqualFold(strings.Join(strings.Fields(s), ""), strings.Join(strings.Fields(issuer), "")) {
			detail += fmt.Sprintf(" The CA subject %q differs only in case or whitespace; use certificate(...).subject to get it exactly.", s)
			break
		}
	}
	v.warnAt(addr, "issuer", "Rule issuer matches no declared CA", "%s", detail)
}

func (v *validator) affinity(x *model.X509Config) {
	if x.Unmanaged&model.X509UsernameBindings != 0 {
		// The tenant's bindings are kept: only plan, which reads them, can
		// tell (apply refuses high affinity without a high binding).
		return
	}
	for _, b := range x.UsernameBindings {
		if b.Field.Affinity() == model.AffinityHigh {
			return
		}
	}
	which := "The username bindings are"
	const why = "%s all low affinity (PrincipalName, RFC822Name, IssuerAndSubject, Subject), so %s would lock out every affected user: Entra drops low-affinity bindings when high affinity is required. Add a username_binding on SubjectKeyIdentifier, SHA1PublicKey or IssuerAndSerialNumber first."
	if x.DefaultAffinity == model.AffinityHigh {
		v.errorAt(model.X509Address.Nested(blockAuthMode), "default_affinity", "High affinity without a high-affinity username binding",
			why, which, "default_affinity = \"high\"")
	}
	for _, r := range x.Rules {
		if r.Affinity == model.AffinityHigh {
			addr := model.RuleAddress(r.Name)
			v.errorAt(addr, "affinity", "High affinity without a high-affinity username binding",
				why, which, addr.String()+" requiring high affinity")
		}
	}
}

func (v *validator) targets(x *model.X509Config) {
	const risk = "Entra counts every user in scope for certificate-based authentication as MFA-capable, so users without a certificate can be locked out of MFA; Microsoft advises against targeting all users. Target a group instead."
	for i, t := range x.IncludeTargets {
		if t.IsAllUsers() {
			v.warnAt(model.X509Address.Child(blockInclude, i), "all_users", "CBA targets all users", "%s", risk)
		}
	}
}

func (v *validator) crlValidation(x *model.X509Config) {
	if !v.cfg.Desired.ManagesTrustStore {
		return
	}
	var skis []string
	for _, r := range v.cas {
		skis = append(skis, pki.SubjectKeyID(r.cert))
	}
	addr := model.X509Address.Nested(blockCRL)
	for _, s := range x.CRLValidation.ExemptSKIs {
		if !containsHex(skis, s) {
			v.warnAt(addr, "exempt_skis", "Exempt SKI matches no declared CA",
				"No declared certificate authority has the subject key identifier %s.", s)
		}
	}
}

func (v *validator) scopes(x *model.X509Config) {
	if len(x.CAScopes) > maxCAScopes {
		v.errorAt(model.X509Address.Child(blockScope, maxCAScopes), "", "Too many CA scopes",
			"Entra allows at most %d certificate_authority_scope rules; this configuration has %d.", maxCAScopes, len(x.CAScopes))
	}
	groups := map[string]int{}
	for i, s := range x.CAScopes {
		addr := model.X509Address.Child(blockScope, i)
		groups[normalizeHex(s.SKI)] += len(s.Groups)
		if groups[normalizeHex(s.SKI)] > 1 {
			v.errorAt(addr, "groups", "More than one group for a CA",
				"Entra allows only one group per scoped certificate authority; the CA with subject key identifier %s is given more than one.", s.SKI)
		}
	}
}

func (v *validator) tests() {
	rules := map[string]bool{"default": true}
	if x := v.cfg.Desired.X509; x != nil {
		for _, r := range x.Rules {
			rules[model.RuleAddress(r.Name).String()] = true
		}
	}
	for _, t := range v.cfg.Tests {
		if t.Expect.Rule != nil && !rules[*t.Expect.Rule] {
			v.errorAt(model.TestAddress(t.Name).Nested(blockExpect), "rule", "Unknown rule",
				"%q is neither \"default\" nor the address of a declared rule (x509_certificate.rule.NAME).", *t.Expect.Rule)
		}
	}
}
