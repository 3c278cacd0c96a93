// Package simulate predicts the decision Microsoft Entra ID reaches when a
// user signs in with a certificate: whether the certificate chains to the
// trust store, whether it is revoked, which authentication binding rule gives
// it its strength and required affinity, and which username binding finds the
// user.
//
// The engine follows the behaviour collected in
// /work/shared/reference/cba-semantics.md (cited below as "§n" with the
// documentation's source keys: DD, HOW, CRL, CAS, CUID, GRAPH, PSM, …). Where
// the documentation is silent or contradicts itself (its §7), the engine makes
// a choice and says so in Result.Assumptions: a prediction never hides a guess.
//
// It is pure: no I/O, and the clock is Input.Now.
package simulate

import (
	"crypto/x509"
	"time"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Input is everything a prediction depends on.
type Input struct {
	// State is the tenant configuration to evaluate against: the desired
	// state of a configuration or an observed state. Its trust store (every
	// PKI container and the legacy store) and its x509Certificate method
	// configuration are used; a nil X509 stands for Graph's defaults.
	State model.State
	// Certificate is the user certificate presented at sign-in.
	Certificate *x509.Certificate
	// Chain holds further certificates the client presents with it. Entra
	// builds the chain from the trust store only, so they never make the
	// certificate trusted; they are reported when they would have been
	// needed.
	Chain []*x509.Certificate
	// CRLs are the revocation lists Entra would download from the CAs' CRL
	// URLs (base and delta). A CA with a CRL URL and no CRL here is assumed
	// to publish a CRL that does not list the certificate.
	CRLs []CRL
	// Now is the time of the sign-in.
	Now time.Time
	// User is the account named at home realm discovery; nil when unknown.
	// A user with no attribute value (only groups) is matched like no user:
	// the first binding whose field the certificate has is assumed to match.
	User *User
}

// CRL is a certificate revocation list with its encoding.
type CRL struct {
	// Name says where the CRL came from (a file name), for messages.
	Name string
	List *x509.RevocationList
	DER  []byte
}

// User is the target user object of a sign-in (DD: "Home realm discovery
// identifies the intended account and checks the certificate values").
type User struct {
	UserPrincipalName           string
	OnPremisesUserPrincipalName string
	CertificateUserIDs          []string
	// Groups are the groups the user belongs to, by id or display name. Nil
	// means unknown: scope checks then assume membership (and say so); an
	// empty non-nil slice means the user is in no group.
	Groups []string
}

// Result is the decision trace. Its JSON form is contract §5's simulate
// output.
type Result struct {
	Success bool
	// ErrorCode is the AADSTS code of the first failure, or "" (a failure
	// Entra documents no code for, or success).
	ErrorCode string
	// Trusted reports whether the certificate chains to a root of the trust
	// store, with every signature verified (time validity is a separate
	// step).
	Trusted bool
	// Chain lists the SHA-1 thumbprints from the certificate to the last CA
	// found in the trust store.
	Chain   []string
	Revoked bool
	// Mode is the authentication strength the certificate satisfies and
	// Affinity the affinity the username binding needs.
	Mode     model.Mode
	Affinity model.Affinity
	// Rule is the address of the winning authentication binding rule
	// ("x509_certificate.rule.NAME"), or "default".
	Rule string
	// Bindings are the username bindings tried, in order.
	Bindings []BindingTry
	// Assumptions lists every undocumented or inferred behaviour the
	// prediction relied on.
	Assumptions []string
	Steps       []Step
	// Strengths says, for every authentication strength of the state
	// (declared, or the tenant's custom ones), whether the sign-in
	// satisfies it; nil when there is none.
	Strengths map[string]bool
}

// BindingTry is a username binding tried against the user.
type BindingTry struct {
	Field     model.CertificateField
	Attribute model.UserAttribute
	// Value is what the certificate yields for the binding: the
	// certificateUserIds string ("X509:<PN>…") for certificateUserIds, the
	// SAN value for userPrincipalName and onPremisesUserPrincipalName. Nil
	// when the certificate lacks the field.
	Value *string
	// Matched reports whether this binding found the user (or, without a
	// user, was assumed to).
	Matched bool
}

// Step is one stage of the evaluation.
type Step struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
}

// Step names, in pipeline order (§0, "Suggested simulator pipeline").
const (
	StepMethod                = "method"
	StepUserScope             = "user_scope"
	StepChain                 = "chain"
	StepValidity              = "validity"
	StepCAScope               = "ca_scope"
	StepRevocation            = "revocation"
	StepAuthenticationBinding = "authentication_binding"
	StepUsernameBinding       = "username_binding"
)

// Step outcomes.
const (
	OutcomePass = "pass"
	OutcomeFail = "fail"
	// OutcomeSkip marks a check that did not apply (a CA without CRL URL, a
	// CRL of another CA, a low-affinity binding dropped, ...).
	OutcomeSkip = "skip"
)

// Error codes (cba-semantics.md §5, "Error codes documented for CBA").
const (
	CodeRevoked          = "AADSTS500171"  // CRL: certificate revoked
	CodeNotValidInTime   = "AADSTS500172"  // CRL: certificate (or CRL) not valid in time
	CodeCRLMissing       = "AADSTS500175"  // CRL: CRL for a certificate in the chain is missing
	CodeUntrusted        = "AADSTS500176"  // CRL/CAS: issuing CA not set up; SKI/AKI mismatch
	CodeDeltaWithoutBase = "AADSTS500177"  // CRL: delta CDP configured without a base CDP
	CodeCAScope          = "AADSTS500189"  // DD: CA scoping rule failure
	CodeCRLMismatch      = "AADSTS2205015" // CRL: CRL signature/AKI mismatch with the CA
	CodeNoUser           = "AADSTS50034"   // TRB: no unique user found through the username bindings
)

// DefaultRule is Result.Rule when no rule matches.
const DefaultRule = "default"

// Evaluate predicts Entra's decision for in.Certificate. The stages run in
// the order §0 suggests (method and user scope, chain and time validity, CA
// scoping, revocation, authentication binding, username binding). Every
// stage runs even after a failure, so that one run shows every problem;
// ErrorCode is the first failure's.
func Evaluate(in Input) Result {
	e := newEvaluation(in)
	e.method()
	e.chain()
	e.validity()
	e.caScopes()
	e.revocation()
	e.authenticationBinding()
	e.usernameBinding()
	e.certificateUsage()
	e.issuerHints()
	e.strengths()
	return e.result()
}
