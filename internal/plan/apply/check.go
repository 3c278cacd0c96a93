package apply

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// ErrRefused is wrapped by every refusal of Check.
var ErrRefused = errors.New("apply refused")

// Policy says which risky plans the user accepted.
type Policy struct {
	AllowDestroy     bool // --allow-destroy
	AllowLockoutRisk bool // --allow-lockout-risk
}

// Refusal is one reason not to apply.
type Refusal struct {
	Summary, Detail string
	Override        string // the flag that accepts the risk
}

func (r Refusal) Error() string {
	return fmt.Sprintf("%s: %s (to apply anyway: %s)", r.Summary, r.Detail, r.Override)
}

// Check refuses a plan that deletes without --allow-destroy, or that could
// lock users out of the tenant without --allow-lockout-risk. desired and
// observed are the states the plan was made from. It writes nothing.
func Check(p *plan.Plan, desired, observed model.State, pol Policy) error {
	var refusals []error
	if del := p.Deletions(); len(del) > 0 && !pol.AllowDestroy {
		list := make([]string, len(del))
		for i, a := range del {
			list[i] = "  - " + string(a)
		}
		refusals = append(refusals, Refusal{
			Summary:  "The plan deletes objects",
			Detail:   fmt.Sprintf("it would delete:\n%s", strings.Join(list, "\n")),
			Override: "--allow-destroy",
		})
	}
	if !pol.AllowLockoutRisk {
		for _, r := range lockoutRisks(desired, observed) {
			refusals = append(refusals, r)
		}
	}
	if len(refusals) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%w", ErrRefused, errors.Join(refusals...))
}

// finalState is the tenant as it will be after the apply: the desired state
// where the configuration manages it, the observed state elsewhere.
func finalState(desired, observed model.State) (x *model.X509Config, cas []model.CA) {
	x = observed.X509
	if desired.X509 != nil {
		x = desired.X509
	}
	pkis := observed.PKIs
	if desired.ManagesTrustStore {
		pkis = desired.PKIs
	}
	for _, p := range pkis {
		cas = append(cas, p.CAs...)
	}
	return x, cas
}

func lockoutRisks(desired, observed model.State) []Refusal {
	var out []Refusal
	x, cas := finalState(desired, observed)
	if x == nil {
		return nil
	}
	enabled := x.State == model.StateEnabled
	if enabled && len(cas) == 0 && len(observed.LegacyCAs) == 0 {
		out = append(out, Refusal{
			Summary:  "No certificate authority would remain",
			Detail:   "certificate-based authentication would stay enabled with no CA in the PKI trust store or the legacy store, so no certificate can sign in",
			Override: "--allow-lockout-risk",
		})
	}
	hasHigh := false
	for _, b := range x.UsernameBindings {
		if b.Field.Affinity() == model.AffinityHigh {
			hasHigh = true
		}
	}
	requiresHigh := x.DefaultAffinity == model.AffinityHigh
	for _, r := range x.Rules {
		requiresHigh = requiresHigh || r.Affinity == model.AffinityHigh
	}
	if enabled && requiresHigh && !hasHigh {
		out = append(out, Refusal{
			Summary:  "High affinity without a high-affinity username binding",
			Detail:   "the configuration would require high affinity (tenant default or a rule) while every username binding is low affinity; Entra drops low-affinity bindings then, so the affected users could not sign in",
			Override: "--allow-lockout-risk",
		})
	}
	if observed.X509 != nil && len(observed.X509.UsernameBindings) > 0 && len(x.UsernameBindings) == 0 {
		out = append(out, Refusal{
			Summary:  "Every username binding would be removed",
			Detail:   "without a username binding Entra cannot map a certificate to a user",
			Override: "--allow-lockout-risk",
		})
	}
	// A rule names its issuer by subject: deleting the only CA with that
	// subject leaves the rule's users without a chain.
	before := subjects(observed.PKIs)
	after := map[string]bool{}
	for _, ca := range cas {
		if c, err := x509.ParseCertificate(ca.Certificate); err == nil {
			after[pki.SubjectDN(c, pki.RuleOrder)] = true
		}
	}
	for _, r := range x.Rules {
		if r.Issuer != "" && before[r.Issuer] && !after[r.Issuer] {
			out = append(out, Refusal{
				Summary:  "A rule's issuer would be deleted",
				Detail:   fmt.Sprintf("the plan deletes the only CA with the subject %q, which an authentication binding rule names; certificates it issued would no longer chain", r.Issuer),
				Override: "--allow-lockout-risk",
			})
		}
	}
	return out
}

func subjects(pkis []model.PKI) map[string]bool {
	out := map[string]bool{}
	for _, p := range pkis {
		for _, ca := range p.CAs {
			if c, err := x509.ParseCertificate(ca.Certificate); err == nil {
				out[pki.SubjectDN(c, pki.RuleOrder)] = true
			}
		}
	}
	return out
}
