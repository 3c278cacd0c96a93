// Package wire holds Microsoft Graph's JSON shapes for the resources cbactl
// manages, the strict decoding that reports what cbactl does not model, and
// the mapping between those shapes and the domain model. The in-memory
// tenant built on them is package store. It does not import the Graph SDK,
// so everything built on it compiles in seconds.
package wire

// Graph's spellings of the values cbactl maps to the domain enumerations.
const (
	X509ODataType = "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration"
	X509ID        = "X509Certificate"

	ModeSingleFactor = "x509CertificateSingleFactor"
	ModeMultiFactor  = "x509CertificateMultiFactor"

	RuleIssuerSubject             = "issuerSubject"
	RulePolicyOID                 = "policyOID"
	RuleIssuerSubjectAndPolicyOID = "issuerSubjectAndPolicyOID"

	StateEnabled  = "enabled"
	StateDisabled = "disabled"

	// UnknownFutureValue is the evolvable-enum sentinel Graph sends for a
	// member the client did not ask for with
	// "Prefer: include-unknown-enum-members".
	UnknownFutureValue = "unknownFutureValue"

	// LegacyConfigID is the fixed id of the classic store's only member.
	LegacyConfigID = "29728ade-6ae4-4ee9-9103-412912537da5"

	PKIStatusRunning   = "running"
	PKIStatusSucceeded = "succeeded"
	PKIStatusFailed    = "failed"
)

// X509Config is x509CertificateAuthenticationMethodConfiguration.
type X509Config struct {
	ODataType                       string                      `json:"@odata.type,omitempty"`
	ID                              string                      `json:"id,omitempty"`
	State                           string                      `json:"state,omitempty"`
	IncludeTargets                  []IncludeTarget             `json:"includeTargets"`
	ExcludeTargets                  []Target                    `json:"excludeTargets"`
	CertificateUserBindings         []UserBinding               `json:"certificateUserBindings"`
	AuthenticationModeConfiguration *AuthModeConfig             `json:"authenticationModeConfiguration,omitempty"`
	CRLValidationConfiguration      *CRLValidation              `json:"crlValidationConfiguration,omitempty"`
	IssuerHintsConfiguration        *IssuerHints                `json:"issuerHintsConfiguration,omitempty"`
	CertificateAuthorityScopes      []CertificateAuthorityScope `json:"certificateAuthorityScopes"`
}

// IncludeTarget is authenticationMethodTarget.
type IncludeTarget struct {
	ID                     string `json:"id"`
	TargetType             string `json:"targetType"`
	IsRegistrationRequired bool   `json:"isRegistrationRequired"`
}

// Target is excludeTarget and includeTarget: an id and its kind.
type Target struct {
	ID         string `json:"id"`
	TargetType string `json:"targetType"`
}

// UserBinding is x509CertificateUserBinding.
type UserBinding struct {
	X509CertificateField string `json:"x509CertificateField"`
	UserProperty         string `json:"userProperty"`
	Priority             int    `json:"priority"`
	TrustAffinityLevel   string `json:"trustAffinityLevel,omitempty"`
}

// AuthModeConfig is x509CertificateAuthenticationModeConfiguration.
type AuthModeConfig struct {
	DefaultMode     string `json:"x509CertificateAuthenticationDefaultMode,omitempty"`
	DefaultAffinity string `json:"x509CertificateDefaultRequiredAffinityLevel,omitempty"`
	Rules           []Rule `json:"rules"`
}

// Rule is x509CertificateRule.
type Rule struct {
	Type                    string `json:"x509CertificateRuleType"`
	Identifier              string `json:"identifier"`
	IssuerSubjectIdentifier string `json:"issuerSubjectIdentifier,omitempty"`
	PolicyOIDIdentifier     string `json:"policyOidIdentifier,omitempty"`
	Mode                    string `json:"x509CertificateAuthenticationMode"`
	Affinity                string `json:"x509CertificateRequiredAffinityLevel,omitempty"`
}

// CRLValidation is x509CertificateCRLValidationConfiguration.
type CRLValidation struct {
	State      string   `json:"state"`
	ExemptSKIs []string `json:"exemptedCertificateAuthoritiesSubjectKeyIdentifiers"`
}

// IssuerHints is x509CertificateIssuerHintsConfiguration.
type IssuerHints struct {
	State string `json:"state"`
}

// CertificateAuthorityScope is x509CertificateAuthorityScope.
type CertificateAuthorityScope struct {
	SubjectKeyIdentifier              string   `json:"subjectKeyIdentifier"`
	PublicKeyInfrastructureIdentifier string   `json:"publicKeyInfrastructureIdentifier,omitempty"`
	IncludeTargets                    []Target `json:"includeTargets"`
}

// PKI is certificateBasedAuthPki. CertificateAuthorities is filled only in
// snapshots; Graph serves it from a sub-path.
type PKI struct {
	ID                     string  `json:"id,omitempty"`
	DisplayName            string  `json:"displayName,omitempty"`
	Status                 string  `json:"status,omitempty"`
	StatusDetails          *string `json:"statusDetails"`
	LastModifiedDateTime   string  `json:"lastModifiedDateTime,omitempty"`
	DeletedDateTime        *string `json:"deletedDateTime,omitempty"`
	CertificateAuthorities []CA    `json:"certificateAuthorities,omitempty"`
}

// CA is certificateAuthorityDetail.
type CA struct {
	ID                         string  `json:"id,omitempty"`
	Certificate                []byte  `json:"certificate,omitempty"`
	CertificateAuthorityType   string  `json:"certificateAuthorityType,omitempty"`
	DisplayName                *string `json:"displayName"`
	Issuer                     string  `json:"issuer,omitempty"`
	IssuerSubjectKeyIdentifier string  `json:"issuerSubjectKeyIdentifier,omitempty"`
	ExpirationDateTime         string  `json:"expirationDateTime,omitempty"`
	Thumbprint                 string  `json:"thumbprint,omitempty"`
	CRLURL                     *string `json:"certificateRevocationListUrl"`
	// case:ignore lets the fast decoder accept the docs' spelling,
	// deltacertificateRevocationListUrl, too (see aliases).
	DeltaCRLURL         *string `json:"deltaCertificateRevocationListUrl,case:ignore"`
	IsIssuerHintEnabled bool    `json:"isIssuerHintEnabled"`
	CreatedDateTime     string  `json:"createdDateTime,omitempty"`
	DeletedDateTime     *string `json:"deletedDateTime,omitempty"`
}

// LegacyConfig is certificateBasedAuthConfiguration, the classic store.
type LegacyConfig struct {
	ID                     string     `json:"id,omitempty"`
	CertificateAuthorities []LegacyCA `json:"certificateAuthorities"`
}

// LegacyCA is certificateAuthority of the classic store.
type LegacyCA struct {
	Certificate     []byte  `json:"certificate"`
	IsRootAuthority bool    `json:"isRootAuthority"`
	CRLURL          *string `json:"certificateRevocationListUrl"`
	DeltaCRLURL     *string `json:"deltaCertificateRevocationListUrl,case:ignore"`
	Issuer          string  `json:"issuer,omitempty"`
	IssuerSKI       string  `json:"issuerSki,omitempty"`
}

// Group is the part of a group cbactl reads.
type Group struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// Organization is the part of an organization cbactl reads.
type Organization struct {
	ID string `json:"id"`
}
