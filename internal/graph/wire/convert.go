package wire

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// enum maps Graph's spellings of one enumeration to the domain's.
type enum[M ~string] map[string]M

var (
	states     = enum[model.MethodState]{StateEnabled: model.StateEnabled, StateDisabled: model.StateDisabled}
	modes      = enum[model.Mode]{ModeSingleFactor: model.SingleFactor, ModeMultiFactor: model.MultiFactor}
	affinities = enum[model.Affinity]{"low": model.AffinityLow, "high": model.AffinityHigh}
	caTypes    = enum[model.CAType]{"root": model.CATypeRoot, "intermediate": model.CATypeIntermediate}
	targets    = enum[model.TargetType]{"group": model.TargetGroup, "user": model.TargetUser}
	ruleTypes  = enum[model.RuleType]{
		RuleIssuerSubject: model.RuleIssuerSubject, RulePolicyOID: model.RulePolicyOID,
		RuleIssuerSubjectAndPolicyOID: model.RuleIssuerSubjectAndPolicyOID,
	}
)

// toModel maps a Graph value. An unknown value is kept as it is (so a plan
// shows it and proposes the configured value) and reported.
func (e enum[M]) toModel(v, path string, w *warnings) M {
	if m, ok := e[v]; ok {
		return m
	}
	if v != "" {
		w.addf("%s: Graph returned the value %q, which cbactl does not know; it is kept as is", path, v)
	}
	return M(v)
}

// toWire maps a domain value back to Graph's spelling.
func (e enum[M]) toWire(m M) string {
	for k, v := range e {
		if v == m {
			return k
		}
	}
	return string(m)
}

type warnings []string

func (w *warnings) addf(format string, args ...any) { *w = append(*w, fmt.Sprintf(format, args...)) }

// Document is a whole tenant in Graph's shapes: what a snapshot holds and
// what the Graph client reads.
type Document struct {
	TenantID string
	X509     *X509Config // nil: Graph's default configuration
	PKIs     []PKI       // with CertificateAuthorities
	Legacy   []LegacyConfig
	Groups   []Group
	// Strengths are authentication strengths with their combination
	// configurations and usage; read only when needed (see
	// model.StrengthTenant).
	Strengths []StrengthPolicy
	// Users are directory users with their certificateUserIds; read only
	// when needed (see model.UserTenant).
	Users []User
}

// Observe maps a document to the observed domain state. Values cbactl does
// not know are reported, never dropped.
func (d *Document) Observe() (model.State, []string) {
	var w warnings
	st := model.State{TenantID: d.TenantID, ManagesTrustStore: true}
	x := model.DefaultX509()
	if d.X509 != nil {
		x = x509ToModel(d.X509, &w)
	}
	st.X509 = &x
	for i, p := range d.PKIs {
		mp := model.PKI{ID: p.ID, DisplayName: p.DisplayName, Status: p.Status}
		if p.StatusDetails != nil {
			mp.StatusDetails = *p.StatusDetails
		}
		if n := len(p.CertificateAuthorities); n > 0 {
			mp.CAs = make([]model.CA, 0, n)
		}
		for j, ca := range p.CertificateAuthorities {
			typ, known := caTypes[ca.CertificateAuthorityType]
			if !known { // the warning names where, formatted only then
				path := fmt.Sprintf("certificateBasedAuthConfigurations[%d].certificateAuthorities[%d]", i, j)
				typ = caTypes.toModel(ca.CertificateAuthorityType, path+".certificateAuthorityType", &w)
			}
			mp.CAs = append(mp.CAs, model.CA{
				ID:          ca.ID,
				Certificate: ca.Certificate,
				Type:        typ,
				CRLURL:      deref(ca.CRLURL),
				DeltaCRLURL: deref(ca.DeltaCRLURL),
				IssuerHint:  ca.IsIssuerHintEnabled,
				DisplayName: deref(ca.DisplayName),
			})
		}
		st.PKIs = append(st.PKIs, mp)
	}
	for _, l := range d.Legacy {
		for _, ca := range l.CertificateAuthorities {
			st.LegacyCAs = append(st.LegacyCAs, model.LegacyCA{
				Certificate: ca.Certificate, IsRootAuthority: ca.IsRootAuthority,
				CRLURL: deref(ca.CRLURL), DeltaCRLURL: deref(ca.DeltaCRLURL),
			})
		}
	}
	for _, g := range d.Groups {
		st.Groups = append(st.Groups, model.Group{ID: g.ID, DisplayName: g.DisplayName})
	}
	return st, w
}

func x509ToModel(c *X509Config, w *warnings) model.X509Config {
	const p = "x509Certificate"
	x := model.X509Config{
		State:           states.toModel(c.State, p+".state", w),
		DefaultMode:     model.SingleFactor,
		DefaultAffinity: model.AffinityLow,
	}
	for i, t := range c.IncludeTargets {
		x.IncludeTargets = append(x.IncludeTargets, model.IncludeTarget{
			Target:               targetToModel(t.ID, t.TargetType, fmt.Sprintf("%s.includeTargets[%d]", p, i), w),
			RegistrationRequired: t.IsRegistrationRequired,
		})
	}
	for i, t := range c.ExcludeTargets {
		x.ExcludeTargets = append(x.ExcludeTargets, targetToModel(t.ID, t.TargetType, fmt.Sprintf("%s.excludeTargets[%d]", p, i), w))
	}
	// What the GET leaves out is recorded as unreported: its field holds
	// the documented default for display, but it is never written back as
	// the tenant's value.
	if c.AuthenticationModeConfiguration == nil {
		x.Unreported |= model.X509DefaultMode | model.X509DefaultAffinity | model.X509Rules
	}
	if m := c.AuthenticationModeConfiguration; m != nil {
		mp := p + ".authenticationModeConfiguration"
		if m.DefaultMode != "" {
			x.DefaultMode = modes.toModel(m.DefaultMode, mp+".x509CertificateAuthenticationDefaultMode", w)
		} else {
			x.Unreported |= model.X509DefaultMode
		}
		if m.DefaultAffinity != "" {
			x.DefaultAffinity = affinities.toModel(m.DefaultAffinity, mp+".x509CertificateDefaultRequiredAffinityLevel", w)
		} else {
			x.Unreported |= model.X509DefaultAffinity
		}
		for i, r := range m.Rules {
			x.Rules = append(x.Rules, ruleToModel(r, fmt.Sprintf("%s.rules[%d]", mp, i), w))
		}
	}
	for i, b := range c.CertificateUserBindings {
		bp := fmt.Sprintf("%s.certificateUserBindings[%d]", p, i)
		ub := model.UsernameBinding{
			Field:     caseless(model.CertificateFields, b.X509CertificateField, bp+".x509CertificateField", w),
			Attribute: caseless(model.UserAttributes, b.UserProperty, bp+".userProperty", w),
			Priority:  b.Priority,
		}
		// cbactl derives the affinity from the field (Entra's table) and
		// writes it so; a tenant that says otherwise is reported.
		if b.TrustAffinityLevel != "" && b.TrustAffinityLevel != affinities.toWire(ub.Field.Affinity()) {
			w.addf("%s.trustAffinityLevel: Graph reports %q for %s, whose documented affinity is %q; cbactl writes %q", bp, b.TrustAffinityLevel, ub.Field, ub.Field.Affinity(), ub.Field.Affinity())
		}
		x.UsernameBindings = append(x.UsernameBindings, ub)
	}
	if c.CRLValidationConfiguration == nil {
		x.Unreported |= model.X509CRLRequired | model.X509CRLExemptSKIs
	}
	if c.IssuerHintsConfiguration == nil {
		x.Unreported |= model.X509IssuerHints
	}
	if c.CertificateAuthorityScopes == nil {
		x.Unreported |= model.X509CAScopes
	}
	if v := c.CRLValidationConfiguration; v != nil {
		x.CRLValidation.Required = states.toModel(v.State, p+".crlValidationConfiguration.state", w) == model.StateEnabled
		if len(v.ExemptSKIs) > 0 {
			x.CRLValidation.ExemptSKIs = v.ExemptSKIs
		}
	}
	if h := c.IssuerHintsConfiguration; h != nil {
		x.IssuerHints = states.toModel(h.State, p+".issuerHintsConfiguration.state", w) == model.StateEnabled
	}
	for i, s := range c.CertificateAuthorityScopes {
		sc := model.CAScope{SKI: s.SubjectKeyIdentifier, PKI: s.PublicKeyInfrastructureIdentifier}
		for j, t := range s.IncludeTargets {
			sc.Groups = append(sc.Groups, targetToModel(t.ID, t.TargetType, fmt.Sprintf("%s.certificateAuthorityScopes[%d].includeTargets[%d]", p, i, j), w))
		}
		x.CAScopes = append(x.CAScopes, sc)
	}
	return x
}

func targetToModel(id, typ, path string, w *warnings) model.Target {
	return model.Target{ID: id, Type: targets.toModel(typ, path+".targetType", w)}
}

// ruleToModel reads a rule. An issuerSubjectAndPolicyOID rule carries its
// issuer in issuerSubjectIdentifier and its OID in policyOidIdentifier; the
// simple kinds carry their value in identifier (graph-api.md §1.2).
func ruleToModel(r Rule, path string, w *warnings) model.Rule {
	mr := model.Rule{
		Mode:     modes.toModel(r.Mode, path+".x509CertificateAuthenticationMode", w),
		Affinity: affinities.toModel(r.Affinity, path+".x509CertificateRequiredAffinityLevel", w),
	}
	switch r.Type {
	case RuleIssuerSubject:
		mr.Issuer = r.Identifier
	case RulePolicyOID:
		mr.PolicyOID = r.Identifier
	case RuleIssuerSubjectAndPolicyOID:
		mr.Issuer, mr.PolicyOID = r.IssuerSubjectIdentifier, r.PolicyOIDIdentifier
		if mr.Issuer == "" {
			mr.Issuer = r.Identifier
		}
	case UnknownFutureValue:
		w.addf("%s.x509CertificateRuleType: Graph returned unknownFutureValue: the request lacked \"Prefer: include-unknown-enum-members\", so the rule's type is unknown (identifier %q)", path, r.Identifier)
		mr.Issuer = r.Identifier
	default:
		w.addf("%s.x509CertificateRuleType: Graph returned the rule type %q, which cbactl does not know (identifier %q)", path, r.Type, r.Identifier)
		mr.Issuer = r.Identifier
	}
	return mr
}

// caseless maps a Graph string that is documented as free text but holds one
// of the allowed values, ignoring case (Microsoft's own examples send
// "UserPrincipalName").
func caseless[M ~string](allowed []M, v, path string, w *warnings) M {
	for _, a := range allowed {
		if strings.EqualFold(string(a), v) {
			return a
		}
	}
	w.addf("%s: Graph returned the value %q, which cbactl does not know; it is kept as is", path, v)
	return M(v)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// X509FromModel is the complete PATCH body for a configuration: every
// collection is sent whole (Graph replaces collections wholesale), and the
// body carries @odata.type. Group targets must carry ids. A part that is
// still unmanaged (neither declared nor reported by the tenant) is left out,
// so that Graph keeps whatever it has: never a guessed value.
func X509FromModel(x model.X509Config) X509Config {
	c := x509FromModel(x)
	u := x.Unmanaged
	if u&model.X509DefaultMode != 0 {
		c.AuthenticationModeConfiguration.DefaultMode = ""
	}
	if u&model.X509DefaultAffinity != 0 {
		c.AuthenticationModeConfiguration.DefaultAffinity = ""
	}
	if u&(model.X509DefaultMode|model.X509DefaultAffinity|model.X509Rules) == model.X509DefaultMode|model.X509DefaultAffinity|model.X509Rules {
		c.AuthenticationModeConfiguration = nil
	}
	if u&(model.X509CRLRequired|model.X509CRLExemptSKIs) == model.X509CRLRequired|model.X509CRLExemptSKIs {
		c.CRLValidationConfiguration = nil
	}
	if u&model.X509IssuerHints != 0 {
		c.IssuerHintsConfiguration = nil
	}
	if u&model.X509CAScopes != 0 {
		c.CertificateAuthorityScopes = nil
	}
	return c
}

func x509FromModel(x model.X509Config) X509Config {
	c := X509Config{
		ODataType:                  X509ODataType,
		ID:                         X509ID,
		State:                      states.toWire(x.State),
		IncludeTargets:             []IncludeTarget{},
		ExcludeTargets:             []Target{},
		CertificateUserBindings:    []UserBinding{},
		CertificateAuthorityScopes: []CertificateAuthorityScope{},
		AuthenticationModeConfiguration: &AuthModeConfig{
			DefaultMode:     modes.toWire(x.DefaultMode),
			DefaultAffinity: affinities.toWire(x.DefaultAffinity),
			Rules:           []Rule{},
		},
		CRLValidationConfiguration: &CRLValidation{State: StateDisabled, ExemptSKIs: []string{}},
		IssuerHintsConfiguration:   &IssuerHints{State: StateDisabled},
	}
	for _, t := range x.IncludeTargets {
		c.IncludeTargets = append(c.IncludeTargets, IncludeTarget{ID: t.ID, TargetType: targets.toWire(t.Type), IsRegistrationRequired: t.RegistrationRequired})
	}
	for _, t := range x.ExcludeTargets {
		c.ExcludeTargets = append(c.ExcludeTargets, Target{ID: t.ID, TargetType: targets.toWire(t.Type)})
	}
	for _, b := range x.UsernameBindings {
		c.CertificateUserBindings = append(c.CertificateUserBindings, UserBinding{
			X509CertificateField: string(b.Field), UserProperty: string(b.Attribute), Priority: b.Priority,
			TrustAffinityLevel: affinities.toWire(b.Field.Affinity()),
		})
	}
	for _, r := range x.Rules {
		c.AuthenticationModeConfiguration.Rules = append(c.AuthenticationModeConfiguration.Rules, RuleFromModel(r))
	}
	if x.CRLValidation.Required {
		c.CRLValidationConfiguration.State = StateEnabled
	}
	c.CRLValidationConfiguration.ExemptSKIs = append(c.CRLValidationConfiguration.ExemptSKIs, x.CRLValidation.ExemptSKIs...)
	if x.IssuerHints {
		c.IssuerHintsConfiguration.State = StateEnabled
	}
	for _, s := range x.CAScopes {
		sc := CertificateAuthorityScope{SubjectKeyIdentifier: s.SKI, PublicKeyInfrastructureIdentifier: s.PKI, IncludeTargets: []Target{}}
		for _, g := range s.Groups {
			sc.IncludeTargets = append(sc.IncludeTargets, Target{ID: g.ID, TargetType: targets.toWire(g.Type)})
		}
		c.CertificateAuthorityScopes = append(c.CertificateAuthorityScopes, sc)
	}
	return c
}

// RuleFromModel is a rule's Graph shape. Graph requires identifier for every
// rule; for issuerSubjectAndPolicyOID it is set to the issuer, and the two
// parts go in issuerSubjectIdentifier and policyOidIdentifier (no documented
// example exists: graph-api.md §9.5).
func RuleFromModel(r model.Rule) Rule {
	wr := Rule{
		Type:     ruleTypes.toWire(r.Type()),
		Mode:     modes.toWire(r.Mode),
		Affinity: affinities.toWire(r.Affinity),
	}
	switch r.Type() {
	case model.RuleIssuerSubject:
		wr.Identifier = r.Issuer
	case model.RulePolicyOID:
		wr.Identifier = r.PolicyOID
	default:
		wr.Identifier = r.Issuer
		wr.IssuerSubjectIdentifier = r.Issuer
		wr.PolicyOIDIdentifier = r.PolicyOID
	}
	return wr
}

// CAFromModel is the POST body of a CA. Graph marks thumbprint and
// expirationDateTime required on create, so they are computed here from the
// certificate, as are issuer and issuerSubjectKeyIdentifier. Both describe
// the CA as an issuer (graph-api.md §9.13, like the classic store's
// issuer/issuerSki): its own subject DN and its own SKI, never its parent's
// name beside its own key identifier.
func CAFromModel(ca model.CA) CA {
	w := CAUpdateFromModel(ca)
	w.Certificate = ca.Certificate
	w.Thumbprint = pki.SHA1Thumbprint(ca.Certificate)
	if c, err := x509.ParseCertificate(ca.Certificate); err == nil {
		w.Issuer = pki.SubjectDN(c, pki.RuleOrder)
		w.IssuerSubjectKeyIdentifier = pki.SubjectKeyID(c)
		w.ExpirationDateTime = c.NotAfter.UTC().Format(time.RFC3339)
	}
	return w
}

// CAUpdateFromModel holds the attributes of a CA that an update writes:
// type, CRL URLs and display name (nil clears them), issuer hint.
func CAUpdateFromModel(ca model.CA) CA {
	return CA{
		CertificateAuthorityType: caTypes.toWire(ca.Type),
		CRLURL:                   ptr(ca.CRLURL),
		DeltaCRLURL:              ptr(ca.DeltaCRLURL),
		IsIssuerHintEnabled:      ca.IssuerHint,
		DisplayName:              ptr(ca.DisplayName),
	}
}

// Known reports whether v is a value Graph documents for the enumeration
// named by kind ("state", "mode", "affinity", "caType", "targetType",
// "ruleType"); the fake Graph server rejects others as Graph does.
func Known(kind, v string) bool {
	switch kind {
	case "state":
		_, ok := states[v]
		return ok
	case "mode":
		_, ok := modes[v]
		return ok
	case "affinity":
		_, ok := affinities[v]
		return ok
	case "caType":
		_, ok := caTypes[v]
		return ok
	case "targetType":
		_, ok := targets[v]
		return ok
	case "ruleType":
		_, ok := ruleTypes[v]
		return ok
	}
	return false
}
