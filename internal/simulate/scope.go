package simulate

import (
	"fmt"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// method checks that the method is enabled and that the user is in scope:
// "only users who are in scope for CBA can successfully authenticate"
// (DD; includeTargets/excludeTargets, §0 step 4).
func (e *evaluation) method() {
	if e.x.State != model.StateEnabled {
		e.fail(StepMethod, "", "the x509Certificate authentication method is %s: certificate-based authentication is not offered", orUnset(string(e.x.State)))
		e.assume(aNoCodeOutOfScope)
	} else {
		e.step(StepMethod, OutcomePass, "the x509Certificate authentication method is enabled")
	}

	known := e.in.User != nil && e.in.User.Groups != nil
	if excluded, t := e.memberOfAny(e.x.ExcludeTargets); known && excluded {
		e.fail(StepUserScope, "", "the user is a member of the exclude target %s", e.targetLabel(t))
		e.assume(aNoCodeOutOfScope)
		return
	}
	if len(e.x.IncludeTargets) == 0 {
		e.fail(StepUserScope, "", "the method has no include target: no user is in scope")
		e.assume(aNoCodeOutOfScope)
		return
	}
	includes := make([]model.Target, len(e.x.IncludeTargets))
	for i, t := range e.x.IncludeTargets {
		includes[i] = t.Target
		if t.IsAllUsers() {
			e.step(StepUserScope, OutcomePass, "the method targets all users%s", e.excludeNote(known))
			return
		}
	}
	if !known {
		e.assume(aScopeAssumed)
		e.step(StepUserScope, OutcomePass, "the user is assumed to be in scope (group memberships unknown)")
		return
	}
	if in, t := e.memberOfAny(includes); in {
		e.step(StepUserScope, OutcomePass, "the user is a member of the include target %s and of no exclude target", e.targetLabel(t))
		return
	}
	for _, t := range includes {
		if t.Type == model.TargetUser {
			e.assume(aUserTargetAssumed, t.ID)
			e.step(StepUserScope, OutcomePass, "the user is in no include target group; the method also targets users directly, and the user is assumed to be one of them")
			return
		}
	}
	labels := make([]string, len(includes))
	for i, t := range includes {
		labels[i] = e.targetLabel(t)
	}
	e.fail(StepUserScope, "", "the user is a member of none of the include targets (%s)", strings.Join(labels, ", "))
	e.assume(aNoCodeOutOfScope)
}

func (e *evaluation) excludeNote(known bool) string {
	if len(e.x.ExcludeTargets) == 0 {
		return ""
	}
	if known {
		return ", and the user is in no exclude target"
	}
	e.assume(aScopeAssumed)
	return "; the user is assumed to be in no exclude target"
}

func orUnset(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

// memberOfAny reports whether the user is a member of one of the group
// targets, and which.
func (e *evaluation) memberOfAny(targets []model.Target) (bool, model.Target) {
	if e.in.User == nil {
		return false, model.Target{}
	}
	for _, t := range targets {
		if t.Type == model.TargetUser || t.IsAllUsers() {
			continue
		}
		if e.inGroup(t) {
			return true, t
		}
	}
	return false, model.Target{}
}

// inGroup reports whether one of the user's groups (ids or display names) is
// the group target t. A configuration's targets may name groups only by
// display name and a snapshot's only by id; the state's group list maps
// between them.
func (e *evaluation) inGroup(t model.Target) bool {
	names := map[string]bool{}
	ids := map[string]bool{}
	if t.ID != "" {
		ids[strings.ToLower(t.ID)] = true
	}
	if t.GroupName != "" {
		names[strings.ToLower(t.GroupName)] = true
	}
	for _, g := range e.in.State.Groups {
		if ids[strings.ToLower(g.ID)] || names[strings.ToLower(g.DisplayName)] {
			ids[strings.ToLower(g.ID)] = true
			names[strings.ToLower(g.DisplayName)] = true
		}
	}
	for _, g := range e.in.User.Groups {
		g = strings.ToLower(strings.TrimSpace(g))
		if ids[g] || names[g] {
			return true
		}
	}
	return false
}

// targetLabel names a target for messages: its display name when known.
func (e *evaluation) targetLabel(t model.Target) string {
	if t.IsAllUsers() {
		return "all_users"
	}
	if t.GroupName != "" {
		return fmt.Sprintf("%q", t.GroupName)
	}
	for _, g := range e.in.State.Groups {
		if strings.EqualFold(g.ID, t.ID) && g.DisplayName != "" {
			return fmt.Sprintf("%q (%s)", g.DisplayName, t.ID)
		}
	}
	return t.ID
}

// caScopes applies CA scoping (preview; DD): "the system checks whether the
// issuing CA for the certificate is scoped to a group that includes the
// user. Microsoft Entra proceeds up the CA chain. It applies all scope rules
// until the user is found in one of the groups in all the scope rules. If
// the user isn't in the scoped group, authentication fails" with
// AADSTS500189, "even if the certificate is otherwise valid" (TV12). A CA
// without a scope rule is unrestricted (§4, inferred).
func (e *evaluation) caScopes() {
	type applied struct {
		scope model.CAScope
		ca    *storeCA
		above bool
	}
	var rules []applied
	for i, ca := range e.path {
		for _, s := range e.x.CAScopes {
			if ca.ski != "" && normalizeHex(s.SKI) == ca.ski {
				rules = append(rules, applied{s, ca, i > 0})
			}
		}
	}
	if len(rules) == 0 {
		if len(e.x.CAScopes) > 0 && len(e.path) > 0 {
			e.step(StepCAScope, OutcomePass, "no CA scope rule applies to a CA of this certificate's chain")
		}
		return
	}
	if len(rules) > 1 {
		e.assume(aCAScopeSeveral)
	}
	var groups []string
	for _, r := range rules {
		if r.above {
			e.assume(aCAScopeAbove, r.ca.label)
		}
		for _, g := range r.scope.Groups {
			groups = append(groups, e.targetLabel(g))
		}
	}
	known := e.in.User != nil && e.in.User.Groups != nil
	if !known {
		for _, r := range rules {
			for _, g := range r.scope.Groups {
				e.assume(aCAScopeMember, e.targetLabel(g), r.ca.label)
			}
		}
		e.step(StepCAScope, OutcomePass, "CA scoping restricts this certificate to members of %s; the user is assumed to be one (group memberships unknown)",
			strings.Join(groups, ", "))
		return
	}
	for _, r := range rules {
		for _, g := range r.scope.Groups {
			if e.inGroup(g) {
				e.step(StepCAScope, OutcomePass, "the user is a member of %s, the group the CA scope on %s allows", e.targetLabel(g), r.ca.label)
				return
			}
		}
	}
	e.fail(StepCAScope, CodeCAScope, "CA scoping allows only members of %s to use certificates of %s, and the user is in none of them",
		strings.Join(groups, ", "), rules[0].ca.label)
}

// normalizeHex upper-cases a hex string and drops colons and spaces.
func normalizeHex(s string) string {
	return strings.ToUpper(hexSeparators.Replace(strings.TrimSpace(s)))
}

var hexSeparators = strings.NewReplacer(":", "", " ", "")
