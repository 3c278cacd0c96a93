package model

import (
	"context"
	"sort"
	"strings"
)

// AuthStrength is a Conditional Access authentication strength
// (authenticationStrengthPolicy). The desired side holds the strengths the
// configuration declares, matched to the tenant's by display name; the
// observed side holds every strength of the tenant, built-in ones included.
type AuthStrength struct {
	Name        string // configuration label; empty when observed
	ID          string // Graph object id; empty when desired
	DisplayName string
	Description string
	// DescriptionUnmanaged is set on the desired side when the configuration
	// leaves description out (or sets it to null): the tenant's description
	// of the same strength is kept (plan.Effective), and a new strength is
	// created without one. description = "" manages it: no description.
	DescriptionUnmanaged bool `json:",omitempty"`
	// PolicyType is Graph's policyType: "builtIn" or "custom" (observed).
	PolicyType string
	// AllowedCombinations are authenticationMethodModes combinations in
	// Graph's spelling ("x509CertificateMultiFactor", "password,sms").
	AllowedCombinations []string
	// Absent is set on the desired side by ensure = "absent": delete it.
	Absent bool
	// X509 is the strength's x509CertificateCombinationConfiguration; nil
	// when it has none. On the observed side a tenant may hold several (one
	// per combination): X509 is then the first and ExtraX509 the others.
	X509      *StrengthX509
	ExtraX509 []StrengthX509
	// OtherConfigurations counts combination configurations of other kinds
	// (FIDO2 ...), which cbactl neither models nor writes (observed).
	OtherConfigurations int
	// Usage lists the Conditional Access policies that use the strength
	// (observed custom strengths).
	Usage *StrengthUsage
}

// BuiltInStrength is Graph's policyType of the built-in strengths.
const BuiltInStrength = "builtIn"

// IsBuiltIn reports whether s is one of Entra's built-in strengths, which
// cbactl never writes.
func (s AuthStrength) IsBuiltIn() bool { return strings.EqualFold(s.PolicyType, BuiltInStrength) }

// StrengthX509 is an x509CertificateCombinationConfiguration: which issuers
// and certificate policies satisfy the combinations it applies to.
type StrengthX509 struct {
	ID                string // observed
	AppliesTo         []string
	AllowedIssuerSKIs []string // hex subject key identifiers
	AllowedPolicyOIDs []string
}

// StrengthUsage is authenticationStrengthUsage: the Conditional Access
// policies that reference a strength, requiring an MFA claim or not.
type StrengthUsage struct {
	MFA  []PolicyRef
	None []PolicyRef
}

// Policies lists every policy of the usage, MFA ones first.
func (u *StrengthUsage) Policies() []PolicyRef {
	if u == nil {
		return nil
	}
	return append(append([]PolicyRef(nil), u.MFA...), u.None...)
}

// PolicyRef names a Conditional Access policy.
type PolicyRef struct {
	ID          string
	DisplayName string
}

// StrengthAddress is the address of a declared authentication strength.
func StrengthAddress(name string) Address { return Address("authentication_strength." + name) }

// Limits Entra documents for authentication strengths.
const (
	MaxCustomStrengths  = 15
	MaxStrengthIssuers  = 5
	MaxStrengthPolicies = 5
)

// Combination modes of a certificate sign-in.
const (
	CombinationX509SingleFactor = "x509CertificateSingleFactor"
	CombinationX509MultiFactor  = "x509CertificateMultiFactor"
)

// AuthenticationMethodModes are Graph's authenticationMethodModes members
// (v1.0), the parts of a combination.
var AuthenticationMethodModes = []string{
	"password", "voice", "hardwareOath", "softwareOath", "sms", "fido2", "windowsHelloForBusiness",
	"microsoftAuthenticatorPush", "deviceBasedPush", "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse",
	"email", CombinationX509SingleFactor, CombinationX509MultiFactor, "federatedSingleFactor", "federatedMultiFactor",
	"qrCodePin",
}

// CombinationFor is the combination a sign-in with a certificate alone
// presents, by the mode the certificate reached.
func CombinationFor(m Mode) string {
	if m == MultiFactor {
		return CombinationX509MultiFactor
	}
	return CombinationX509SingleFactor
}

// NormalizeSKI is a subject key identifier in canonical form: upper-case
// hex without separators, so that SKIs compare without regard to case or
// separators.
func NormalizeSKI(s string) string {
	return strings.ToUpper(skiSeparators.Replace(strings.TrimSpace(s)))
}

var skiSeparators = strings.NewReplacer(":", "", " ", "", "-", "")

// SortedSet returns the values sorted, without repeats.
func SortedSet(values []string) []string {
	out := make([]string, 0, len(values))
	seen := map[string]bool{}
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// StrengthTenant reads and writes authentication strengths. The Graph
// client and the snapshot backend implement it besides Tenant; cbactl reads
// strengths only when the configuration declares one (or to export).
type StrengthTenant interface {
	// ObserveStrengths reads every strength, its combination
	// configurations, and the usage of each custom strength.
	ObserveStrengths(ctx context.Context) ([]AuthStrength, []string, error)
	// CreateStrength creates a custom strength (display name, description,
	// allowed combinations) and returns it with its id.
	CreateStrength(ctx context.Context, s AuthStrength) (AuthStrength, error)
	// UpdateStrength changes a strength's display name and description (the
	// only properties an update may carry).
	UpdateStrength(ctx context.Context, id, displayName, description string) error
	// SetStrengthCombinations replaces a strength's allowed combinations
	// (updateAllowedCombinations).
	SetStrengthCombinations(ctx context.Context, id string, combinations []string) error
	DeleteStrength(ctx context.Context, id string) error
	CreateStrengthX509(ctx context.Context, strengthID string, c StrengthX509) (StrengthX509, error)
	UpdateStrengthX509(ctx context.Context, strengthID string, c StrengthX509) error
	DeleteStrengthX509(ctx context.Context, strengthID, configID string) error
}

// CanonicalCombination writes a combination's modes in Graph's order (the
// order of AuthenticationMethodModes), so that "sms,password" and
// "password,sms" compare equal. Unknown modes keep their place at the end.
func CanonicalCombination(c string) string {
	parts := strings.Split(c, ",")
	rank := func(m string) int {
		for i, k := range AuthenticationMethodModes {
			if k == m {
				return i
			}
		}
		return len(AuthenticationMethodModes)
	}
	sort.SliceStable(parts, func(i, j int) bool { return rank(parts[i]) < rank(parts[j]) })
	return strings.Join(parts, ",")
}

// CanonicalCombinations canonicalises, sorts and de-duplicates combinations.
func CanonicalCombinations(cs []string) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, CanonicalCombination(c))
	}
	return SortedSet(out)
}
