package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// ValidationError is Graph refusing a write to a strength (400): a limit,
// a built-in strength, a combination not allowed, a strength in use.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

func invalidf(format string, args ...any) error {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

type storedStrength struct {
	obj     wire.Object
	configs []wire.Object
	usage   *wire.StrengthUsage // nil: used by no policy
}

func (s *storedStrength) policyType() string { return str(s.obj, "policyType") }

func (s *storedStrength) combinations() []string {
	var c []string
	_ = json.Unmarshal(s.obj["allowedCombinations"], &c)
	return c
}

func (s *Store) findStrength(id string) (*storedStrength, error) {
	for _, p := range s.strengths {
		if strings.EqualFold(str(p.obj, "id"), id) {
			return p, nil
		}
	}
	return nil, &NotFoundError{Kind: "authenticationStrengthPolicy", ID: id}
}

// writable finds a strength that may be written: not a built-in one.
func (s *Store) writable(id string) (*storedStrength, error) {
	p, err := s.findStrength(id)
	if err != nil {
		return nil, err
	}
	if p.policyType() == wire.StrengthTypeBuiltIn {
		return nil, invalidf("The authentication strength %s is built in; built-in authentication strengths cannot be changed or deleted.", id)
	}
	return p, nil
}

// EnsureBuiltInStrengths adds the built-in strengths the store lacks, as
// every tenant has them.
func (s *Store) EnsureBuiltInStrengths() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range wire.BuiltInStrengths() {
		if _, err := s.findStrength(b.ID); err == nil {
			continue
		}
		o := wire.ToObject(b)
		o["createdDateTime"] = wire.Raw("2022-10-31T00:00:00Z")
		o["modifiedDateTime"] = wire.Raw("2022-10-31T00:00:00Z")
		s.strengths = append(s.strengths, &storedStrength{obj: o})
	}
}

// Strengths returns every authentication strength, without its
// configurations.
func (s *Store) Strengths() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, 0, len(s.strengths))
	for _, p := range s.strengths {
		out = append(out, marshalObject(p.obj))
	}
	return out
}

// Strength returns one strength, without its configurations.
func (s *Store) Strength(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return nil, err
	}
	return marshalObject(p.obj), nil
}

func checkCombinations(combos []string) error {
	if len(combos) == 0 {
		return invalidf("allowedCombinations must hold at least one combination.")
	}
	for _, c := range combos {
		for _, m := range strings.Split(c, ",") {
			if !slices.Contains(model.AuthenticationMethodModes, m) {
				return invalidf("The value '%s' of allowedCombinations is not a valid combination of authenticationMethodModes.", c)
			}
		}
	}
	return nil
}

// singleFactorModes are the modes that alone are one factor.
var singleFactorModes = []string{"password", model.CombinationX509SingleFactor, "federatedSingleFactor", "email", "sms", "voice"}

func requirementsSatisfied(combos []string) string {
	for _, c := range combos {
		parts := strings.Split(c, ",")
		if len(parts) == 1 && slices.Contains(singleFactorModes, parts[0]) {
			return "none"
		}
	}
	return "mfa"
}

func (s *Store) customCount() int {
	n := 0
	for _, p := range s.strengths {
		if p.policyType() != wire.StrengthTypeBuiltIn {
			n++
		}
	}
	return n
}

// CreateStrength adds a custom strength (display name, description,
// allowed combinations): at most 15, display names unique.
func (s *Store) CreateStrength(body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.customCount() >= model.MaxCustomStrengths {
		return nil, invalidf("The tenant already has %d custom authentication strengths, the most Entra allows.", model.MaxCustomStrengths)
	}
	name := str(body, "displayName")
	if name == "" {
		return nil, invalidf("The property 'displayName' is required and must have a value.")
	}
	for _, p := range s.strengths {
		if strings.EqualFold(str(p.obj, "displayName"), name) {
			return nil, invalidf("An authentication strength named '%s' already exists.", name)
		}
	}
	var combos []string
	_ = json.Unmarshal(body["allowedCombinations"], &combos)
	if err := checkCombinations(combos); err != nil {
		return nil, err
	}
	o := clone(body)
	o["id"] = wire.Raw(s.NewID())
	o["policyType"] = wire.Raw(wire.StrengthTypeCustom)
	o["requirementsSatisfied"] = wire.Raw(requirementsSatisfied(combos))
	if _, ok := o["description"]; !ok {
		o["description"] = json.RawMessage("null")
	}
	o["createdDateTime"] = s.timestamp()
	o["modifiedDateTime"] = s.timestamp()
	s.strengths = append(s.strengths, &storedStrength{obj: o})
	return marshalObject(o), nil
}

// PatchStrength changes a custom strength's displayName and description;
// any other property is refused (allowedCombinations change only through
// SetStrengthCombinations).
func (s *Store) PatchStrength(id string, body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.writable(id)
	if err != nil {
		return nil, err
	}
	for k := range body {
		if k != "displayName" && k != "description" {
			return nil, invalidf("The property '%s' cannot be updated here: an update of an authentication strength changes only displayName and description (allowedCombinations through updateAllowedCombinations).", k)
		}
	}
	if name, ok := body["displayName"]; ok {
		var n string
		if json.Unmarshal(name, &n) != nil || n == "" {
			return nil, invalidf("The property 'displayName' must have a value.")
		}
		for _, q := range s.strengths {
			if q != p && strings.EqualFold(str(q.obj, "displayName"), n) {
				return nil, invalidf("An authentication strength named '%s' already exists.", n)
			}
		}
	}
	for k, v := range body {
		p.obj[k] = v
	}
	p.obj["modifiedDateTime"] = s.timestamp()
	return marshalObject(p.obj), nil
}

// SetStrengthCombinations is updateAllowedCombinations. A combination that
// a configuration applies to cannot be removed.
func (s *Store) SetStrengthCombinations(id string, combos []string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.writable(id)
	if err != nil {
		return nil, err
	}
	if err := checkCombinations(combos); err != nil {
		return nil, err
	}
	for _, c := range p.configs {
		var cc wire.CombinationConfig
		_ = json.Unmarshal(marshalObject(c), &cc)
		for _, a := range cc.AppliesToCombinations {
			if !slices.Contains(combos, a) {
				return nil, invalidf("The combination '%s' cannot be removed: the combination configuration %s applies to it. Delete or change the configuration first.", a, cc.ID)
			}
		}
	}
	prev := p.combinations()
	p.obj["allowedCombinations"] = wire.Raw(combos)
	p.obj["requirementsSatisfied"] = wire.Raw(requirementsSatisfied(combos))
	p.obj["modifiedDateTime"] = s.timestamp()
	return wire.Raw(map[string]any{
		"additionalInformation":           nil,
		"conditionalAccessReferences":     []string{},
		"currentCombinations":             combos,
		"previousCombinations":            prev,
		"@odata.type":                     "#microsoft.graph.updateAllowedCombinationsResult",
		"@odata.context":                  "$metadata#microsoft.graph.updateAllowedCombinationsResult",
		"previousCombinations@odata.type": "#wire.Collection(microsoft.graph.authenticationMethodModes)",
	}), nil
}

// DeleteStrength deletes a custom strength and its configurations; it is
// refused while a Conditional Access policy uses the strength.
func (s *Store) DeleteStrength(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.writable(id)
	if err != nil {
		return err
	}
	if p.usage != nil && len(p.usage.MFA)+len(p.usage.None) > 0 {
		var names []string
		for _, r := range append(wire.PolicyRefs(p.usage.MFA), wire.PolicyRefs(p.usage.None)...) {
			names = append(names, fmt.Sprintf("'%s' (%s)", r.DisplayName, r.ID))
		}
		return invalidf("The authentication strength %s is referenced by Conditional Access policies and cannot be deleted: %s.", id, strings.Join(names, ", "))
	}
	s.strengths = slices.DeleteFunc(s.strengths, func(q *storedStrength) bool { return q == p })
	return nil
}

// wire.StrengthUsage returns a strength's usage (authenticationStrengthUsage).
func (s *Store) StrengthUsage(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return nil, err
	}
	return wire.Raw(usageOrEmpty(p.usage)), nil
}

func usageOrEmpty(u *wire.StrengthUsage) wire.StrengthUsage {
	out := wire.StrengthUsage{MFA: []json.RawMessage{}, None: []json.RawMessage{}}
	if u != nil {
		out.MFA = append(out.MFA, u.MFA...)
		out.None = append(out.None, u.None...)
	}
	return out
}

// AddStrengthUsage records that a Conditional Access policy uses a
// strength (requiring MFA or not), for tests.
func (s *Store) AddStrengthUsage(id string, policy model.PolicyRef, mfa bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return err
	}
	if p.usage == nil {
		p.usage = &wire.StrengthUsage{}
	}
	item := wire.Raw(map[string]any{"id": policy.ID, "displayName": policy.DisplayName, "state": "enabled"})
	if mfa {
		p.usage.MFA = append(p.usage.MFA, item)
	} else {
		p.usage.None = append(p.usage.None, item)
	}
	return nil
}

// StrengthConfigs returns a strength's combination configurations.
func (s *Store) StrengthConfigs(id string) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(p.configs))
	for _, c := range p.configs {
		out = append(out, marshalObject(c))
	}
	return out, nil
}

func (p *storedStrength) findConfig(id string) (int, error) {
	for i, c := range p.configs {
		if strings.EqualFold(str(c, "id"), id) {
			return i, nil
		}
	}
	return -1, &NotFoundError{Kind: "authenticationCombinationConfiguration", ID: id}
}

// StrengthConfig returns one combination configuration.
func (s *Store) StrengthConfig(id, configID string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return nil, err
	}
	i, err := p.findConfig(configID)
	if err != nil {
		return nil, err
	}
	return marshalObject(p.configs[i]), nil
}

// checkConfig enforces Graph's rules on a configuration of p: every
// combination it applies to is allowed, no other configuration of its kind
// applies to one of them, at most 5 issuer SKIs and 5 policy OIDs.
func (p *storedStrength) checkConfig(o wire.Object, self int) error {
	var c wire.CombinationConfig
	if err := json.Unmarshal(marshalObject(o), &c); err != nil {
		return invalidf("Invalid combination configuration: %v", err)
	}
	if len(c.AppliesToCombinations) == 0 {
		return invalidf("The property 'appliesToCombinations' is required and must hold at least one combination.")
	}
	allowed := p.combinations()
	for _, a := range c.AppliesToCombinations {
		if !slices.Contains(allowed, a) {
			return invalidf("The combination '%s' of appliesToCombinations is not one of the policy's allowedCombinations.", a)
		}
	}
	if c.IsX509() {
		if len(c.AllowedIssuerSkis) > model.MaxStrengthIssuers {
			return invalidf("allowedIssuerSkis holds %d values; at most %d are allowed.", len(c.AllowedIssuerSkis), model.MaxStrengthIssuers)
		}
		if len(c.AllowedPolicyOIDs) > model.MaxStrengthPolicies {
			return invalidf("allowedPolicyOIDs holds %d values; at most %d are allowed.", len(c.AllowedPolicyOIDs), model.MaxStrengthPolicies)
		}
	}
	for i, other := range p.configs {
		if i == self || !strings.EqualFold(str(other, "@odata.type"), c.ODataType) {
			continue
		}
		var oc wire.CombinationConfig
		_ = json.Unmarshal(marshalObject(other), &oc)
		for _, a := range c.AppliesToCombinations {
			if slices.Contains(oc.AppliesToCombinations, a) {
				return invalidf("The combination '%s' already has a combination configuration of this type (%s); one configuration per combination.", a, oc.ID)
			}
		}
	}
	return nil
}

// CreateStrengthConfig adds a combination configuration to a custom
// strength.
func (s *Store) CreateStrengthConfig(id string, body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.writable(id)
	if err != nil {
		return nil, err
	}
	o := clone(body)
	if err := p.checkConfig(o, -1); err != nil {
		return nil, err
	}
	o["id"] = wire.Raw(s.NewID())
	p.configs = append(p.configs, o)
	return marshalObject(o), nil
}

// PatchStrengthConfig replaces the properties the body carries.
func (s *Store) PatchStrengthConfig(id, configID string, body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.writable(id)
	if err != nil {
		return nil, err
	}
	i, err := p.findConfig(configID)
	if err != nil {
		return nil, err
	}
	o := clone(p.configs[i])
	for k, v := range body {
		if k == "@odata.type" && !strings.EqualFold(str(body, k), str(o, k)) {
			return nil, invalidf("The type of a combination configuration cannot be changed.")
		}
		o[k] = v
	}
	if err := p.checkConfig(o, i); err != nil {
		return nil, err
	}
	p.configs[i] = o
	return marshalObject(o), nil
}

// DeleteStrengthConfig deletes a combination configuration.
func (s *Store) DeleteStrengthConfig(id, configID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.writable(id)
	if err != nil {
		return err
	}
	i, err := p.findConfig(configID)
	if err != nil {
		return err
	}
	p.configs = append(p.configs[:i], p.configs[i+1:]...)
	return nil
}

// loadStrengths reads the snapshot's authenticationStrengthPolicies.
func loadStrengths(items []wire.Object) ([]*storedStrength, error) {
	out := make([]*storedStrength, 0, len(items))
	for i, o := range items {
		p := &storedStrength{obj: o}
		if c, ok := o["combinationConfigurations"]; ok {
			if err := json.Unmarshal(c, &p.configs); err != nil {
				return nil, fmt.Errorf("invalid snapshot: authenticationStrengthPolicies[%d].combinationConfigurations: %w", i, err)
			}
			delete(o, "combinationConfigurations")
		}
		if u, ok := o["usage"]; ok {
			if string(u) != "null" {
				p.usage = &wire.StrengthUsage{}
				if err := json.Unmarshal(u, p.usage); err != nil {
					return nil, fmt.Errorf("invalid snapshot: authenticationStrengthPolicies[%d].usage: %w", i, err)
				}
			}
			delete(o, "usage")
		}
		if str(o, "id") == "" {
			return nil, fmt.Errorf("invalid snapshot: authenticationStrengthPolicies[%d] has no id", i)
		}
		out = append(out, p)
	}
	return out, nil
}

// snapshotStrengths writes the strengths as the snapshot holds them: each
// with its combinationConfigurations and usage.
func (s *Store) snapshotStrengths() []wire.Object {
	var out []wire.Object
	for _, p := range s.strengths {
		o := clone(p.obj)
		configs := p.configs
		if configs == nil {
			configs = []wire.Object{}
		}
		o["combinationConfigurations"] = wire.Raw(configs)
		o["usage"] = wire.Raw(usageOrEmpty(p.usage))
		out = append(out, o)
	}
	return out
}

// strengthDocument decodes the strengths with their configurations and
// usage (called without the lock held).
func (s *Store) strengthDocument() ([]wire.StrengthPolicy, []string, error) {
	s.mu.Lock()
	items := s.snapshotStrengths()
	s.mu.Unlock()
	var out []wire.StrengthPolicy
	var unknown []string
	for i, o := range items {
		var p wire.StrengthPolicy
		u, err := wire.Decode(marshalObject(o), &p, fmt.Sprintf("authenticationStrengthPolicies[%d]", i))
		if err != nil {
			return nil, nil, err
		}
		unknown = append(unknown, u...)
		out = append(out, p)
	}
	return out, unknown, nil
}

// ReadStrengths decodes every strength with its configurations and usage,
// reporting the properties cbactl does not model.
func (s *Store) ReadStrengths() ([]wire.StrengthPolicy, []string, error) {
	return s.strengthDocument()
}

// ClearStrengthUsage records that no Conditional Access policy uses a
// strength any longer, for tests.
func (s *Store) ClearStrengthUsage(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return err
	}
	p.usage = nil
	return nil
}

// StrengthID finds a strength's id by display name ("" when none).
func (s *Store) StrengthID(displayName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.strengths {
		if str(p.obj, "displayName") == displayName {
			return str(p.obj, "id")
		}
	}
	return ""
}
