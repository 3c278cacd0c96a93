package simulate

import (
	"crypto/x509"
	"fmt"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// evaluation is one run of the pipeline.
type evaluation struct {
	in    Input
	leaf  *x509.Certificate
	x     model.X509Config
	store *trustStore

	// path is the chain found in the trust store, issuing CA first.
	path []*storeCA

	res     Result
	failed  bool
	assumed map[string]bool
}

func newEvaluation(in Input) *evaluation {
	e := &evaluation{in: in, leaf: in.Certificate, assumed: map[string]bool{}}
	e.res.Chain = []string{}
	e.res.Bindings = []BindingTry{}
	e.res.Assumptions = []string{}
	e.res.Steps = []Step{}
	if in.State.X509 != nil {
		e.x = *in.State.X509
		e.fillUnmanaged()
	} else {
		e.x = model.DefaultX509()
		e.assume(aNoMethodConfig)
	}
	if e.x.DefaultMode == "" {
		e.x.DefaultMode = model.SingleFactor
		e.assume(aUnsetDefault, "the default authentication mode", model.SingleFactor)
	}
	if e.x.DefaultAffinity == "" {
		e.x.DefaultAffinity = model.AffinityLow
		e.assume(aUnsetDefault, "the default affinity", model.AffinityLow)
	}
	if !in.State.ManagesTrustStore && len(in.State.PKIs) == 0 && len(in.State.LegacyCAs) == 0 {
		e.assume(aTrustStoreUnmanaged)
	}
	e.store = newTrustStore(in.State, e)
	if e.leaf != nil {
		e.res.Chain = append(e.res.Chain, pki.SHA1Thumbprint(e.leaf.Raw))
	}
	return e
}

// fillUnmanaged gives the parts a configuration leaves out (and which no
// tenant filled in: a plan evaluates the tenant's values) the values of an
// untouched tenant, and says so: cbactl does not manage them, so the tenant
// may hold anything there.
func (e *evaluation) fillUnmanaged() {
	u := e.x.Unmanaged
	if u == 0 {
		return
	}
	def := model.DefaultX509()
	fill := func(p model.X509Part, what, value string, set func()) {
		if u&p != 0 {
			set()
			e.assume(aUnmanaged, what, value)
		}
	}
	fill(model.X509IncludeTargets, "include_target", "all users", func() { e.x.IncludeTargets = def.IncludeTargets })
	fill(model.X509ExcludeTargets, "exclude_target", "none", func() { e.x.ExcludeTargets = nil })
	fill(model.X509DefaultMode, "authentication_mode.default_mode", string(def.DefaultMode), func() { e.x.DefaultMode = def.DefaultMode })
	fill(model.X509DefaultAffinity, "authentication_mode.default_affinity", string(def.DefaultAffinity), func() { e.x.DefaultAffinity = def.DefaultAffinity })
	fill(model.X509Rules, "authentication_mode (its rules)", "no rules", func() { e.x.Rules = nil })
	fill(model.X509UsernameBindings, "username_binding",
		"PrincipalName → userPrincipalName (1), RFC822Name → userPrincipalName (2), SubjectKeyIdentifier → certificateUserIds (3)",
		func() { e.x.UsernameBindings = def.UsernameBindings })
	fill(model.X509CRLRequired, "crl_validation", "not required", func() { e.x.CRLValidation.Required = false })
	fill(model.X509CRLExemptSKIs, "crl_validation.exempt_skis", "none", func() { e.x.CRLValidation.ExemptSKIs = nil })
	fill(model.X509IssuerHints, "issuer_hints", "false", func() { e.x.IssuerHints = false })
	fill(model.X509CAScopes, "certificate_authority_scope", "none", func() { e.x.CAScopes = nil })
	e.x.Unmanaged = 0
}

// step records a stage's outcome.
func (e *evaluation) step(name, outcome, format string, args ...any) {
	e.res.Steps = append(e.res.Steps, Step{Name: name, Outcome: outcome, Detail: fmt.Sprintf(format, args...)})
}

// fail records a failing stage. The first failure's code is the result's.
func (e *evaluation) fail(name, code, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	if code != "" {
		detail = code + ": " + detail
	}
	e.res.Steps = append(e.res.Steps, Step{Name: name, Outcome: OutcomeFail, Detail: detail})
	if !e.failed {
		e.failed = true
		e.res.ErrorCode = code
	}
}

// assume records an assumption once.
func (e *evaluation) assume(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if e.assumed[s] {
		return
	}
	e.assumed[s] = true
	e.res.Assumptions = append(e.res.Assumptions, s)
}

func (e *evaluation) result() Result {
	e.res.Success = !e.failed
	return e.res
}

// certLabel names a certificate in messages: its subject as rules write it.
func certLabel(c *x509.Certificate) string {
	if s := pki.SubjectDN(c, pki.RuleOrder); s != "" {
		return fmt.Sprintf("%q", s)
	}
	return "certificate " + pki.SHA1Thumbprint(c.Raw)
}
