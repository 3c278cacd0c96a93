package simulate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// StepStrength is the stage that evaluates each authentication strength.
const StepStrength = "authentication_strength"

// maxStrengthPolicyOIDs is how many of the certificate's policy OIDs Entra
// compares with a strength's allowed policy OIDs (contract §1: "one of its
// first five policy OIDs").
const maxStrengthPolicyOIDs = 5

// Assumptions of the strength evaluation.
const (
	aStrengthCombination = "the sign-in presents the certificate alone, so its authentication method combination is taken to be %s (from the mode the certificate reached); a certificate used together with another method presents another combination, which is not evaluated"
	aStrengthAKIKeyID    = "the certificate's issuer is compared with allowed issuer SKIs by the keyIdentifier of its Authority Key Identifier, without regard to case or separators; an Authority Key Identifier without keyIdentifier counts as absent"
	aStrengthBuiltIns    = "built-in authentication strengths are not evaluated (only custom strengths the tenant holds)"
)

// StrengthAssumptions lists the format of every assumption of the strength
// evaluation, for documentation and tests.
var StrengthAssumptions = []string{aStrengthCombination, aStrengthAKIKeyID, aStrengthBuiltIns}

// strengthKey names a strength in Result.Strengths: its configuration label,
// or, for a tenant's strength (a snapshot), its display name.
func strengthKey(s model.AuthStrength) string {
	if s.Name != "" {
		return s.Name
	}
	return s.DisplayName
}

// strengths evaluates every strength of the state (contract §1, "Entra's
// rule"): the sign-in's combination must be one of allowed_combinations;
// where an x509 configuration applies to that combination, the certificate's
// Authority Key Identifier (which must be present) must be one of its issuer
// SKIs when it lists any, and one of the certificate's first five policy
// OIDs one of its policy OIDs when it lists any. Every strength is false
// when the sign-in fails.
func (e *evaluation) strengths() {
	var list []model.AuthStrength
	builtIns := false
	for _, s := range e.in.State.Strengths {
		switch {
		case s.Absent:
		case s.IsBuiltIn():
			builtIns = true
		default:
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		return
	}
	if builtIns {
		e.assume(aStrengthBuiltIns)
	}
	e.res.Strengths = map[string]bool{}
	combo := model.CombinationFor(e.res.Mode)
	if !e.failed {
		e.assume(aStrengthCombination, combo)
	}
	for _, s := range list {
		key := strengthKey(s)
		e.res.Strengths[key] = false
		if e.failed {
			e.step(StepStrength, OutcomeSkip, "%s: not satisfied, because the sign-in fails", key)
			continue
		}
		if ok, why := e.satisfies(s, combo); ok {
			e.res.Strengths[key] = true
			e.step(StepStrength, OutcomePass, "%s: satisfied (%s)", key, why)
		} else {
			e.step(StepStrength, OutcomeFail, "%s: not satisfied: %s", key, why)
		}
	}
}

// satisfies applies Entra's rule for one strength and says why.
func (e *evaluation) satisfies(s model.AuthStrength, combo string) (bool, string) {
	if !slices.Contains(model.CanonicalCombinations(s.AllowedCombinations), combo) {
		return false, fmt.Sprintf("the combination %s is not among its allowed combinations (%s)", combo, strings.Join(s.AllowedCombinations, "; "))
	}
	var configs []model.StrengthX509
	if s.X509 != nil {
		configs = append(configs, *s.X509)
	}
	configs = append(configs, s.ExtraX509...)
	var checks []string
	for _, x := range configs {
		if !slices.Contains(model.CanonicalCombinations(x.AppliesTo), combo) {
			continue
		}
		if len(x.AllowedIssuerSKIs) > 0 {
			e.assume(aStrengthAKIKeyID)
			aki := model.NormalizeSKI(pki.AuthorityKeyID(e.leaf))
			if aki == "" {
				return false, "the certificate has no Authority Key Identifier, which Entra needs to match its issuer against allowed_issuer_skis"
			}
			allowed := false
			for _, ski := range x.AllowedIssuerSKIs {
				allowed = allowed || model.NormalizeSKI(ski) == aki
			}
			if !allowed {
				return false, fmt.Sprintf("the certificate's issuer (Authority Key Identifier %s) is not among allowed_issuer_skis", aki)
			}
			checks = append(checks, "issuer "+aki+" allowed")
		}
		if len(x.AllowedPolicyOIDs) > 0 {
			oids := policyOIDs(e.leaf)
			if len(oids) > maxStrengthPolicyOIDs {
				oids = oids[:maxStrengthPolicyOIDs]
			}
			var hit string
			for _, o := range oids {
				if slices.Contains(x.AllowedPolicyOIDs, o) {
					hit = o
					break
				}
			}
			if hit == "" {
				return false, fmt.Sprintf("none of the certificate's first %d policy OIDs (%s) is among allowed_policy_oids", maxStrengthPolicyOIDs, listOrNone(oids))
			}
			checks = append(checks, "policy OID "+hit+" allowed")
		}
	}
	if len(checks) == 0 {
		return true, "the combination " + combo + " is allowed"
	}
	return true, "the combination " + combo + " is allowed; " + strings.Join(checks, ", ")
}
