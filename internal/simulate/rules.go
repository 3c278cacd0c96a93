package simulate

import (
	"crypto/x509"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Rule tiers in precedence order (DD, "Multiple authentication policy
// binding rules": "Issuer and policy OID rules take precedence over policy
// OID rules. Policy OID rules take precedence over certificate issuer
// rules.").
const (
	tierIssuerAndOID = iota
	tierOID
	tierIssuer
	tierCount
)

var tierNames = [tierCount]string{"issuer and policy OID", "policy OID", "issuer"}

func tierOf(r model.Rule) int {
	switch r.Type() {
	case model.RuleIssuerSubjectAndPolicyOID:
		return tierIssuerAndOID
	case model.RulePolicyOID:
		return tierOID
	default:
		return tierIssuer
	}
}

// anyPolicy is the certificate policy "All Issuance Policies"; HOW: "enter
// the policy OID as 2.5.29.32.0".
const anyPolicy = "2.5.29.32.0"

type ruleMatch struct {
	rule       model.Rule
	normalized bool // the issuer matched only after normalisation
}

// RuleAddress is the address the trace gives a rule: its configuration
// address when it has a name, else x509_certificate.rule[...] with its
// identifiers.
func RuleAddress(r model.Rule) string {
	if r.Name != "" {
		return model.RuleAddress(r.Name).String()
	}
	var parts []string
	if r.Issuer != "" {
		parts = append(parts, "issuer="+strconv.Quote(r.Issuer))
	}
	if r.PolicyOID != "" {
		parts = append(parts, "policy_oid="+strconv.Quote(r.PolicyOID))
	}
	return "x509_certificate.rule[" + strings.Join(parts, ",") + "]"
}

// authenticationBinding finds the rules that match the certificate and
// derives the authentication strength and the required affinity (§1).
//
//   - Issuer: the certificate's direct issuer, written as rules write it
//     (most specific RDN first; pki.RuleOrder), compared with the rule's
//     issuer. "If one CA binds to MFA, all user certificates that the CA
//     issues qualify as MFA" (DD). How Entra compares is undocumented
//     (§7.1): an exact match is used, and a match after normalisation is
//     accepted with an assumption.
//   - Policy OID: exact match against the certificate policies extension:
//     "Exact match is used for strong authentication via policy OID" (older
//     DD, TV2).
//   - Precedence: issuer+OID rules, then OID rules, then issuer rules (DD).
//   - Conflicts: "If there's a conflict between multiple policy OIDs … then
//     treat the certificate as single-factor authentication" (DD); the same
//     is assumed for the other tiers, and conflicting affinities require
//     high (§1 "Not covered by any source").
//   - No match: the tenant default (HOW: "The default protection level is in
//     effect if no custom rules are added"; "The default affinity binding at
//     the tenant level is low affinity").
func (e *evaluation) authenticationBinding() {
	if e.leaf == nil {
		e.res.Mode, e.res.Affinity, e.res.Rule = e.x.DefaultMode, e.x.DefaultAffinity, DefaultRule
		return
	}
	issuer := pki.IssuerDN(e.leaf, pki.RuleOrder)
	encodedIssuer := pki.IssuerDN(e.leaf, pki.EncodedOrder)
	policies := policyOIDs(e.leaf)

	var tiers [tierCount][]ruleMatch
	for _, r := range e.x.Rules {
		oidOK := r.PolicyOID == "" || contains(policies, r.PolicyOID)
		if r.PolicyOID != "" && r.PolicyOID != anyPolicy && contains(policies, anyPolicy) {
			e.assume(aAnyPolicyLiteral, RuleAddress(r), r.PolicyOID)
		}
		issuerOK, normalized := true, false
		if r.Issuer != "" {
			issuerOK, normalized = issuerMatches(r.Issuer, issuer)
			if !issuerOK && oidOK {
				e.noteIssuerMiss(r, encodedIssuer)
			}
		}
		if issuerOK && oidOK {
			t := tierOf(r)
			tiers[t] = append(tiers[t], ruleMatch{rule: r, normalized: normalized})
		}
	}

	for t := range tierCount {
		if len(tiers[t]) == 0 {
			continue
		}
		var outranked []string
		for lower := t + 1; lower < tierCount; lower++ {
			for _, m := range tiers[lower] {
				outranked = append(outranked, RuleAddress(m.rule))
			}
		}
		e.resolveTier(t, tiers[t], issuer, policies, outranked)
		return
	}

	e.res.Mode, e.res.Affinity, e.res.Rule = e.x.DefaultMode, e.x.DefaultAffinity, DefaultRule
	if len(e.x.Rules) > 0 {
		e.assume(aDefaultForUnmatched)
	}
	e.step(StepAuthenticationBinding, OutcomePass, "no authentication binding rule matches the issuer %q and the policy OIDs %s: the tenant default applies: %s, %s affinity",
		issuer, listOrNone(policies), e.res.Mode, e.res.Affinity)
}

// resolveTier derives mode, affinity and winning rule from the matching
// rules of the winning tier.
func (e *evaluation) resolveTier(t int, matches []ruleMatch, issuer string, policies, outranked []string) {
	for _, m := range matches {
		if m.normalized {
			e.assume(aIssuerNormalized, RuleAddress(m.rule), m.rule.Issuer, issuer)
		}
	}
	mode := matches[0].rule.Mode
	modes := map[model.Mode]bool{}
	for _, m := range matches {
		modes[m.rule.Mode] = true
	}
	conflict := ""
	if len(modes) > 1 {
		mode = model.SingleFactor
		if t == tierOID {
			conflict = "; the matching policy OID rules disagree, so the certificate is single factor (DD: \"If there's a conflict between multiple policy OIDs … treat the certificate as single-factor authentication\")"
		} else {
			conflict = "; the matching rules disagree, so single factor is assumed"
			e.assume(aModeConflict, tierNames[t], describeModes(matches))
		}
	}
	winner := matches[0].rule
	for _, m := range matches {
		if m.rule.Mode == mode {
			winner = m.rule
			break
		}
	}

	affinities := map[model.Affinity]bool{}
	affinity := model.Affinity("")
	for _, m := range matches {
		a := m.rule.Affinity
		if a == "" {
			a = e.x.DefaultAffinity
			e.assume(aRuleAffinityUnset, RuleAddress(m.rule), a)
		}
		affinities[a] = true
		if affinity == "" || a == model.AffinityHigh {
			affinity = a
		}
	}
	if len(affinities) > 1 {
		e.assume(aAffinityConflict, describeAffinities(matches, e.x.DefaultAffinity))
	}
	e.res.Mode, e.res.Affinity, e.res.Rule = mode, affinity, RuleAddress(winner)

	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = RuleAddress(m.rule)
	}
	detail := fmt.Sprintf("%s %s (%s rule) %s the certificate (issuer %q, policy OIDs %s)%s: %s, %s affinity",
		plural(len(matches), "rule", "rules"), strings.Join(names, ", "), tierNames[t], plural(len(matches), "matches", "match"),
		issuer, listOrNone(policies), conflict, mode, affinity)
	if len(outranked) > 0 {
		detail += fmt.Sprintf("; %s also %s but %s outranked: %s", strings.Join(outranked, ", "),
			plural(len(outranked), "matches", "match"), plural(len(outranked), "is", "are"), precedenceQuote(t))
	}
	e.step(StepAuthenticationBinding, OutcomePass, "%s", detail)
}

func precedenceQuote(t int) string {
	if t == tierIssuerAndOID {
		return "\"Issuer and policy OID rules take precedence over policy OID rules\" (DD)"
	}
	return "\"Policy OID rules take precedence over certificate issuer rules\" (DD)"
}

// noteIssuerMiss records why an issuer rule did not match when the reason is
// one of the documentation's open questions: the rule names a CA above the
// issuing CA (§7.4), or the issuer written in the reverse RDN order (§1).
func (e *evaluation) noteIssuerMiss(r model.Rule, encodedIssuer string) {
	for _, ca := range e.path[min(1, len(e.path)):] {
		if ok, _ := issuerMatches(r.Issuer, pki.SubjectDN(ca.cert, pki.RuleOrder)); ok {
			e.assume(aIssuerRuleAbove, RuleAddress(r), ca.label)
			return
		}
	}
	if ok, _ := issuerMatches(r.Issuer, encodedIssuer); ok && strings.Contains(encodedIssuer, ",") {
		e.assume(aIssuerReversed, RuleAddress(r), r.Issuer)
	}
}

// issuerMatches compares a rule's issuer with a certificate's issuer:
// exactly, else after normalisation (trimmed, case-folded, no space after
// commas), which Entra may or may not do (§1 "Issuer matching", §7.1).
func issuerMatches(rule, issuer string) (match, normalized bool) {
	if rule == issuer {
		return true, false
	}
	return normalizeDN(rule) == normalizeDN(issuer), true
}

var spaceAfterComma = regexp.MustCompile(`,\s+`)

func normalizeDN(s string) string {
	return spaceAfterComma.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), ",")
}

// policyOIDs lists the dotted OIDs of c's certificate policies extension.
func policyOIDs(c *x509.Certificate) []string {
	var out []string
	for _, p := range c.Policies {
		out = append(out, p.String())
	}
	if len(out) == 0 {
		for _, p := range c.PolicyIdentifiers {
			out = append(out, p.String())
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func describeModes(matches []ruleMatch) string {
	parts := make([]string, len(matches))
	for i, m := range matches {
		parts[i] = fmt.Sprintf("%s: %s", RuleAddress(m.rule), m.rule.Mode)
	}
	return strings.Join(parts, ", ")
}

func describeAffinities(matches []ruleMatch, def model.Affinity) string {
	parts := make([]string, len(matches))
	for i, m := range matches {
		a := m.rule.Affinity
		if a == "" {
			a = def
		}
		parts[i] = fmt.Sprintf("%s: %s", RuleAddress(m.rule), a)
	}
	return strings.Join(parts, ", ")
}
