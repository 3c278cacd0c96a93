package wire

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Graph's spellings for authentication strengths.
const (
	X509CombinationODataType  = "#microsoft.graph.x509CertificateCombinationConfiguration"
	FIDO2CombinationODataType = "#microsoft.graph.fido2CombinationConfiguration"
	StrengthTypeBuiltIn       = "builtIn"
	StrengthTypeCustom        = "custom"
)

// StrengthPolicy is authenticationStrengthPolicy. CombinationConfigurations
// and Usage are filled only in snapshots and documents; Graph serves them
// from sub-paths.
type StrengthPolicy struct {
	ID                        string              `json:"id,omitempty"`
	DisplayName               string              `json:"displayName,omitempty"`
	Description               *string             `json:"description"`
	PolicyType                string              `json:"policyType,omitempty"`
	RequirementsSatisfied     string              `json:"requirementsSatisfied,omitempty"`
	AllowedCombinations       []string            `json:"allowedCombinations"`
	CreatedDateTime           string              `json:"createdDateTime,omitempty"`
	ModifiedDateTime          string              `json:"modifiedDateTime,omitempty"`
	CombinationConfigurations []CombinationConfig `json:"combinationConfigurations,omitempty"`
	Usage                     *StrengthUsage      `json:"usage,omitempty"`
}

// CombinationConfig is authenticationCombinationConfiguration: an
// x509CertificateCombinationConfiguration, or another kind (FIDO2's
// allowedAAGUIDs) that cbactl keeps but does not manage.
type CombinationConfig struct {
	ODataType             string   `json:"@odata.type,omitempty"`
	ID                    string   `json:"id,omitempty"`
	AppliesToCombinations []string `json:"appliesToCombinations"`
	AllowedIssuerSkis     []string `json:"allowedIssuerSkis,omitempty"`
	AllowedPolicyOIDs     []string `json:"allowedPolicyOIDs,omitempty"`
	AllowedAAGUIDs        []string `json:"allowedAAGUIDs,omitempty"`
}

// IsX509 reports whether c is an x509CertificateCombinationConfiguration.
func (c CombinationConfig) IsX509() bool {
	return strings.EqualFold(c.ODataType, X509CombinationODataType)
}

// StrengthUsage is authenticationStrengthUsage. Its items are
// conditionalAccessPolicy objects, kept whole: cbactl reads only their id
// and display name.
type StrengthUsage struct {
	MFA  []json.RawMessage `json:"mfa"`
	None []json.RawMessage `json:"none"`
}

// policyRefs names the Conditional Access policies of a usage list.
func policyRefs(items []json.RawMessage) []model.PolicyRef {
	var out []model.PolicyRef
	for _, it := range items {
		var p struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		}
		_ = json.Unmarshal(it, &p)
		out = append(out, model.PolicyRef{ID: p.ID, DisplayName: p.DisplayName})
	}
	return out
}

// StrengthToModel maps a strength and its configurations to the domain.
func StrengthToModel(p StrengthPolicy) model.AuthStrength {
	s := model.AuthStrength{
		ID: p.ID, DisplayName: p.DisplayName, PolicyType: p.PolicyType,
		AllowedCombinations: append([]string(nil), p.AllowedCombinations...),
	}
	if p.Description != nil {
		s.Description = *p.Description
	}
	for _, c := range p.CombinationConfigurations {
		if !c.IsX509() {
			s.OtherConfigurations++
			continue
		}
		x := model.StrengthX509{
			ID:                c.ID,
			AppliesTo:         append([]string(nil), c.AppliesToCombinations...),
			AllowedIssuerSKIs: append([]string(nil), c.AllowedIssuerSkis...),
			AllowedPolicyOIDs: append([]string(nil), c.AllowedPolicyOIDs...),
		}
		if s.X509 == nil {
			s.X509 = &x
		} else {
			s.ExtraX509 = append(s.ExtraX509, x)
		}
	}
	if p.Usage != nil {
		s.Usage = &model.StrengthUsage{MFA: policyRefs(p.Usage.MFA), None: policyRefs(p.Usage.None)}
	}
	return s
}

// StrengthFromModel is the body that creates a strength: display name,
// description and allowed combinations.
func StrengthFromModel(s model.AuthStrength) StrengthPolicy {
	p := StrengthPolicy{DisplayName: s.DisplayName, AllowedCombinations: append([]string{}, s.AllowedCombinations...)}
	if s.Description != "" {
		d := s.Description
		p.Description = &d
	}
	return p
}

// X509CombinationBody is the body that writes an
// x509CertificateCombinationConfiguration: every list is sent, [] when
// empty, so that an update clears it.
type X509CombinationBody struct {
	ODataType             string   `json:"@odata.type"`
	AppliesToCombinations []string `json:"appliesToCombinations"`
	AllowedIssuerSkis     []string `json:"allowedIssuerSkis"`
	AllowedPolicyOIDs     []string `json:"allowedPolicyOIDs"`
}

// StrengthX509FromModel is an x509CertificateCombinationConfiguration body.
func StrengthX509FromModel(x model.StrengthX509) X509CombinationBody {
	return X509CombinationBody{
		ODataType:             X509CombinationODataType,
		AppliesToCombinations: append([]string{}, x.AppliesTo...),
		AllowedIssuerSkis:     append([]string{}, x.AllowedIssuerSKIs...),
		AllowedPolicyOIDs:     append([]string{}, x.AllowedPolicyOIDs...),
	}
}

// StrengthsToModel maps every strength of a document.
func (d *Document) StrengthsToModel() []model.AuthStrength {
	out := make([]model.AuthStrength, 0, len(d.Strengths))
	for _, p := range d.Strengths {
		out = append(out, StrengthToModel(p))
	}
	return out
}

// BuiltInStrengths are Entra's built-in authentication strengths, with
// their fixed ids (as Graph lists them in every tenant).
func BuiltInStrengths() []StrengthPolicy {
	desc := func(s string) *string { return &s }
	return []StrengthPolicy{
		{ID: "00000000-0000-0000-0000-000000000002", DisplayName: "Multifactor authentication",
			Description: desc("Combinations of methods that satisfy strong authentication, such as a password + SMS"),
			PolicyType:  StrengthTypeBuiltIn, RequirementsSatisfied: "mfa",
			AllowedCombinations: []string{"windowsHelloForBusiness", "fido2", model.CombinationX509MultiFactor, "deviceBasedPush",
				"temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "password,microsoftAuthenticatorPush",
				"password,softwareOath", "password,hardwareOath", "password,sms", "password,voice", "federatedMultiFactor",
				"microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
				"hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor"}},
		{ID: "00000000-0000-0000-0000-000000000003", DisplayName: "Passwordless MFA",
			Description: desc("Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator"),
			PolicyType:  StrengthTypeBuiltIn, RequirementsSatisfied: "mfa",
			AllowedCombinations: []string{"windowsHelloForBusiness", "fido2", model.CombinationX509MultiFactor, "deviceBasedPush"}},
		{ID: "00000000-0000-0000-0000-000000000004", DisplayName: "Phishing-resistant MFA",
			Description: desc("Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key"),
			PolicyType:  StrengthTypeBuiltIn, RequirementsSatisfied: "mfa",
			AllowedCombinations: []string{"windowsHelloForBusiness", "fido2", model.CombinationX509MultiFactor}},
	}
}

// ValidationError is Graph refusing a write to a strength (400): a limit,
// a built-in strength, a combination not allowed, a strength in use.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

func invalidf(format string, args ...any) error {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

type storedStrength struct {
	obj     Object
	configs []Object
	usage   *StrengthUsage // nil: used by no policy
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
	if p.policyType() == StrengthTypeBuiltIn {
		return nil, invalidf("The authentication strength %s is built in; built-in authentication strengths cannot be changed or deleted.", id)
	}
	return p, nil
}

// EnsureBuiltInStrengths adds the built-in strengths the store lacks, as
// every tenant has them.
func (s *Store) EnsureBuiltInStrengths() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range BuiltInStrengths() {
		if _, err := s.findStrength(b.ID); err == nil {
			continue
		}
		o := ToObject(b)
		o["createdDateTime"] = raw("2022-10-31T00:00:00Z")
		o["modifiedDateTime"] = raw("2022-10-31T00:00:00Z")
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
		if p.policyType() != StrengthTypeBuiltIn {
			n++
		}
	}
	return n
}

// CreateStrength adds a custom strength (display name, description,
// allowed combinations): at most 15, display names unique.
func (s *Store) CreateStrength(body Object) ([]byte, error) {
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
	o["id"] = raw(s.NewID())
	o["policyType"] = raw(StrengthTypeCustom)
	o["requirementsSatisfied"] = raw(requirementsSatisfied(combos))
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
func (s *Store) PatchStrength(id string, body Object) ([]byte, error) {
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
		var cc CombinationConfig
		_ = json.Unmarshal(marshalObject(c), &cc)
		for _, a := range cc.AppliesToCombinations {
			if !slices.Contains(combos, a) {
				return nil, invalidf("The combination '%s' cannot be removed: the combination configuration %s applies to it. Delete or change the configuration first.", a, cc.ID)
			}
		}
	}
	prev := p.combinations()
	p.obj["allowedCombinations"] = raw(combos)
	p.obj["requirementsSatisfied"] = raw(requirementsSatisfied(combos))
	p.obj["modifiedDateTime"] = s.timestamp()
	return raw(map[string]any{
		"additionalInformation":           nil,
		"conditionalAccessReferences":     []string{},
		"currentCombinations":             combos,
		"previousCombinations":            prev,
		"@odata.type":                     "#microsoft.graph.updateAllowedCombinationsResult",
		"@odata.context":                  "$metadata#microsoft.graph.updateAllowedCombinationsResult",
		"previousCombinations@odata.type": "#Collection(microsoft.graph.authenticationMethodModes)",
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
		for _, r := range append(policyRefs(p.usage.MFA), policyRefs(p.usage.None)...) {
			names = append(names, fmt.Sprintf("'%s' (%s)", r.DisplayName, r.ID))
		}
		return invalidf("The authentication strength %s is referenced by Conditional Access policies and cannot be deleted: %s.", id, strings.Join(names, ", "))
	}
	s.strengths = slices.DeleteFunc(s.strengths, func(q *storedStrength) bool { return q == p })
	return nil
}

// StrengthUsage returns a strength's usage (authenticationStrengthUsage).
func (s *Store) StrengthUsage(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.findStrength(id)
	if err != nil {
		return nil, err
	}
	return raw(usageOrEmpty(p.usage)), nil
}

func usageOrEmpty(u *StrengthUsage) StrengthUsage {
	out := StrengthUsage{MFA: []json.RawMessage{}, None: []json.RawMessage{}}
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
		p.usage = &StrengthUsage{}
	}
	item := raw(map[string]any{"id": policy.ID, "displayName": policy.DisplayName, "state": "enabled"})
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
func (p *storedStrength) checkConfig(o Object, self int) error {
	var c CombinationConfig
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
		var oc CombinationConfig
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
func (s *Store) CreateStrengthConfig(id string, body Object) ([]byte, error) {
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
	o["id"] = raw(s.NewID())
	p.configs = append(p.configs, o)
	return marshalObject(o), nil
}

// PatchStrengthConfig replaces the properties the body carries.
func (s *Store) PatchStrengthConfig(id, configID string, body Object) ([]byte, error) {
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
func loadStrengths(items []Object) ([]*storedStrength, error) {
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
				p.usage = &StrengthUsage{}
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
func (s *Store) snapshotStrengths() []Object {
	var out []Object
	for _, p := range s.strengths {
		o := clone(p.obj)
		configs := p.configs
		if configs == nil {
			configs = []Object{}
		}
		o["combinationConfigurations"] = raw(configs)
		o["usage"] = raw(usageOrEmpty(p.usage))
		out = append(out, o)
	}
	return out
}

// strengthDocument decodes the strengths with their configurations and
// usage (called without the lock held).
func (s *Store) strengthDocument() ([]StrengthPolicy, []string, error) {
	s.mu.Lock()
	items := s.snapshotStrengths()
	s.mu.Unlock()
	var out []StrengthPolicy
	var unknown []string
	for i, o := range items {
		var p StrengthPolicy
		u, err := Decode(marshalObject(o), &p, fmt.Sprintf("authenticationStrengthPolicies[%d]", i))
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
func (s *Store) ReadStrengths() ([]StrengthPolicy, []string, error) {
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
