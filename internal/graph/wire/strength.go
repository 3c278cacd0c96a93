package wire

import (
	"encoding/json"
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

// PolicyRefs names the Conditional Access policies of a usage list.
func PolicyRefs(items []json.RawMessage) []model.PolicyRef {
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
		s.Usage = &model.StrengthUsage{MFA: PolicyRefs(p.Usage.MFA), None: PolicyRefs(p.Usage.None)}
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
