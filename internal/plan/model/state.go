package model

import (
	"crypto/sha1" // #nosec G505 -- thumbprints identify certificates, as Graph does
	"crypto/x509"
	"slices"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
)

// State is a tenant's certificate-based authentication configuration. The
// desired state comes from configuration, the observed state from Graph or a
// snapshot; both use these types.
type State struct {
	TenantID string
	Cloud    Cloud

	// ManagesTrustStore is true when the PKI trust store is authoritative:
	// on the desired side, when the configuration declares at least one pki
	// block. The observed side always sets it.
	ManagesTrustStore bool
	PKIs              []PKI

	// X509 is the x509Certificate authentication method configuration. On
	// the desired side nil means "not managed".
	X509 *X509Config

	// LegacyCAs is the classic trust store (observed only; never written).
	LegacyCAs []LegacyCA
	// Groups are directory groups known to the observed side, for resolving
	// group display names in targets.
	Groups []Group

	// Strengths are authentication strengths: on the desired side those the
	// configuration declares (none: not managed), on the observed side every
	// strength of the tenant, read only when needed (see StrengthTenant).
	Strengths []AuthStrength

	// CertUserIDs is the certificate_user_ids block (desired side; nil: no
	// user is managed). Users are the tenant's users (observed side), read
	// only when the configuration has the block (see UserTenant).
	CertUserIDs *CertUserIDs `json:",omitempty"`
	Users       []User       `json:",omitempty"`
}

// PKI is a PKI container (certificateBasedAuthPki) and its certificate
// authorities.
type PKI struct {
	Name          string // configuration label; empty when observed
	ID            string // Graph object id; empty when desired
	DisplayName   string
	Status        string // observed: status of the last asynchronous job
	StatusDetails string // observed
	CAs           []CA
	// Upload is set when the PKI is populated by a PKCS#7 bundle upload;
	// CAs then holds the bundle's certificates.
	Upload *Upload
}

// Upload describes a bulk upload of a PKCS#7 bundle into a PKI.
type Upload struct {
	URL    string // where Graph fetches the bundle
	File   string // the local copy, relative to the configuration directory
	SHA256 string // upper-case hex SHA-256 of the local copy
	// Bundle is the local copy's contents (a PKCS#7 bundle); a snapshot
	// tenant plays the upload from it.
	Bundle []byte
}

// CAFromUpload is the CA Graph is expected to create for a certificate of
// an uploaded bundle: a root when self-signed, else an intermediate, with
// the certificate's first HTTP CRL distribution point as its CRL URL
// ("Each uploaded CA's CRL endpoint is set from the CA certificate's first
// HTTP CDP URL", graph-api.md §2.4; an https:// CDP is not an HTTP one).
// None of its attributes is managed: the configuration cannot declare them,
// and the service sets them itself, so the tenant's values are kept (the
// expected values serve the simulator, and a CA that cbactl creates one by
// one in place of the upload).
func CAFromUpload(c *x509.Certificate) CA {
	ca := CA{Certificate: c.Raw, Type: CATypeIntermediate, Unmanaged: CAAllParts}
	if pki.IsSelfSigned(c) {
		ca.Type = CATypeRoot
	}
	ca.CRLURL = FirstHTTPCDP(c)
	return ca
}

// FirstHTTPCDP is the certificate's first CRL distribution point whose
// scheme is http (not https), or "".
func FirstHTTPCDP(c *x509.Certificate) string {
	for _, u := range c.CRLDistributionPoints {
		if strings.HasPrefix(strings.ToLower(u), "http://") {
			return u
		}
	}
	return ""
}

// CA is a certificate authority in a PKI container
// (certificateAuthorityDetail). A CA is identified by its certificate.
type CA struct {
	Name        string // configuration label; empty when observed
	ID          string // Graph object id; empty when desired
	Certificate []byte // DER
	Type        CAType
	CRLURL      string
	DeltaCRLURL string
	IssuerHint  bool
	DisplayName string
	// Unmanaged lists the attributes the configuration does not declare
	// (desired side only): they keep the tenant's values. Zero when
	// observed.
	Unmanaged CAPart `json:"unmanaged,omitempty"`
}

// CAPart names the optional attributes of a CA.
type CAPart uint8

const (
	CAPartType CAPart = 1 << iota
	CAPartCRLURL
	CAPartDeltaCRLURL
	CAPartIssuerHint
	CAPartDisplayName

	CAAllParts = CAPartType | CAPartCRLURL | CAPartDeltaCRLURL | CAPartIssuerHint | CAPartDisplayName
)

// Thumbprint is the SHA-1 thumbprint of the CA certificate (upper-case hex),
// the identity of a CA.
func (c CA) Thumbprint() string { return pki.SHA1Thumbprint(c.Certificate) }

// ThumbprintSum is the SHA-1 digest of the CA certificate, whose upper-case
// hex is Thumbprint: two CAs have the same thumbprint exactly when they have
// the same ThumbprintSum, which makes a map key without formatting a string.
func (c CA) ThumbprintSum() [sha1.Size]byte { return sha1.Sum(c.Certificate) } // #nosec G401 -- identifier only

// LegacyCA is a certificate authority of the classic trust store
// (organization/{id}/certificateBasedAuthConfiguration).
type LegacyCA struct {
	Certificate     []byte // DER
	IsRootAuthority bool
	CRLURL          string
	DeltaCRLURL     string
}

// Group is a directory group.
type Group struct {
	ID          string
	DisplayName string
}

// X509Config is the x509Certificate authentication method configuration.
type X509Config struct {
	State            MethodState
	IncludeTargets   []IncludeTarget
	ExcludeTargets   []Target
	DefaultMode      Mode
	DefaultAffinity  Affinity
	Rules            []Rule
	UsernameBindings []UsernameBinding
	CRLValidation    CRLValidation
	IssuerHints      bool
	CAScopes         []CAScope
	// Unmanaged lists the parts the configuration leaves out (desired side
	// only): cbactl does not manage them, and a plan fills them with the
	// tenant's values (plan.Effective). A part still unmanaged after that
	// (the tenant reported no value) is left out of the write. Zero when
	// observed.
	Unmanaged X509Part `json:"unmanaged,omitempty"`
	// Unreported lists the parts Graph's GET did not include (observed side
	// only); their fields then hold the documented defaults, for display.
	Unreported X509Part `json:"unreported,omitempty"`
}

// X509Part names a part of the method configuration that a configuration
// may leave out.
type X509Part uint16

const (
	X509IncludeTargets X509Part = 1 << iota
	X509ExcludeTargets
	X509DefaultMode
	X509DefaultAffinity
	X509Rules
	X509UsernameBindings
	X509CRLRequired
	X509CRLExemptSKIs
	X509IssuerHints
	X509CAScopes

	X509AllParts = X509IncludeTargets | X509ExcludeTargets | X509DefaultMode | X509DefaultAffinity | X509Rules |
		X509UsernameBindings | X509CRLRequired | X509CRLExemptSKIs | X509IssuerHints | X509CAScopes
)

// Target names a user or group. On the desired side a group may be given by
// display name only (GroupName); it is resolved to ID against the tenant.
type Target struct {
	Type      TargetType
	ID        string
	GroupName string
}

// IsAllUsers reports whether t is the special all_users target.
func (t Target) IsAllUsers() bool { return strings.EqualFold(t.ID, AllUsersTargetID) }

// WithOwnTargets returns a copy of x whose targets (those EachTarget visits)
// are its own: changing them through the copy's EachTarget leaves x as it
// was. Other lists are shared with x.
func (x *X509Config) WithOwnTargets() *X509Config {
	y := *x
	y.IncludeTargets = slices.Clone(x.IncludeTargets)
	y.ExcludeTargets = slices.Clone(x.ExcludeTargets)
	y.CAScopes = slices.Clone(x.CAScopes)
	for i := range y.CAScopes {
		y.CAScopes[i].Groups = slices.Clone(y.CAScopes[i].Groups)
	}
	return &y
}

// EachTarget calls f on every target of x: include and exclude targets and
// the groups of CA scopes. f may change the target.
func (x *X509Config) EachTarget(f func(*Target)) {
	for i := range x.IncludeTargets {
		f(&x.IncludeTargets[i].Target)
	}
	for i := range x.ExcludeTargets {
		f(&x.ExcludeTargets[i])
	}
	for i := range x.CAScopes {
		for j := range x.CAScopes[i].Groups {
			f(&x.CAScopes[i].Groups[j])
		}
	}
}

// IncludeTarget is an include target of the method configuration.
type IncludeTarget struct {
	Target
	RegistrationRequired bool
	// RegistrationUnmanaged is set on the desired side when the
	// configuration leaves registration_required out: the tenant's value
	// for the same target is kept.
	RegistrationUnmanaged bool `json:"registration_unmanaged,omitempty"`
}

// RuleType is the kind of an authentication binding rule, in Graph's
// spelling.
type RuleType string

const (
	RuleIssuerSubject             RuleType = "issuerSubject"
	RulePolicyOID                 RuleType = "policyOID"
	RuleIssuerSubjectAndPolicyOID RuleType = "issuerSubjectAndPolicyOID"
)

// Rule is an authentication binding rule.
type Rule struct {
	Name      string // configuration label; empty when observed
	Issuer    string // issuer subject, exactly as written
	PolicyOID string
	Mode      Mode
	// Affinity is the rule's required affinity; empty: not set on the rule
	// (observed), not managed (desired: the tenant's value for the same
	// rule is kept; a new rule is written without one).
	Affinity Affinity
}

// Type derives the Graph rule type from which identifiers are set.
func (r Rule) Type() RuleType {
	switch {
	case r.Issuer != "" && r.PolicyOID != "":
		return RuleIssuerSubjectAndPolicyOID
	case r.PolicyOID != "":
		return RulePolicyOID
	default:
		return RuleIssuerSubject
	}
}

// UsernameBinding maps a certificate field to a user attribute. Lower
// priority numbers are tried first.
type UsernameBinding struct {
	Field     CertificateField
	Attribute UserAttribute
	Priority  int
}

// CRLValidation is crlValidationConfiguration.
type CRLValidation struct {
	Required   bool
	ExemptSKIs []string // hex subject key identifiers of exempt CAs
}

// CAScope restricts the users that may sign in with certificates of one CA
// (certificateAuthorityScopes, preview).
type CAScope struct {
	SKI string // subject key identifier of the scoped CA, hex
	// PKI is publicKeyInfrastructureIdentifier: the display name of the PKI
	// container that holds the CA.
	PKI    string
	Groups []Target
}

// DefaultX509 returns the configuration Graph reports for a tenant that never
// customised the x509Certificate method: disabled, all users targeted, single
// factor with low affinity, no rules, CRL validation and issuer hints off, and
// the default username bindings of a live v1.0 tenant (graph-api.md §1.2 [W1],
// which the Entra how-to confirms): PrincipalName→userPrincipalName (1),
// RFC822Name→userPrincipalName (2), SubjectKeyIdentifier→certificateUserIds
// (3, high affinity). The v1.0 GET example's PrincipalName→
// onPremisesUserPrincipalName is stale. It describes an observed tenant (a
// snapshot without x509Certificate, the fake Graph server's initial state)
// and what the simulator assumes for parts a configuration leaves out; cbactl
// never writes it as a guess.
func DefaultX509() X509Config {
	return X509Config{
		State:           StateDisabled,
		IncludeTargets:  []IncludeTarget{{Target: Target{Type: TargetGroup, ID: AllUsersTargetID}}},
		DefaultMode:     SingleFactor,
		DefaultAffinity: AffinityLow,
		UsernameBindings: []UsernameBinding{
			{Field: FieldPrincipalName, Attribute: AttrUserPrincipalName, Priority: 1},
			{Field: FieldRFC822Name, Attribute: AttrUserPrincipalName, Priority: 2},
			{Field: FieldSubjectKeyIdentifier, Attribute: AttrCertificateUserIDs, Priority: 3},
		},
	}
}
