package simulate

import (
	"bytes"
	"encoding/json"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// jsonResult is contract §5's simulate output, key for key.
type jsonResult struct {
	Success     bool           `json:"success"`
	ErrorCode   *string        `json:"error_code"`
	Trusted     bool           `json:"trusted"`
	Chain       []string       `json:"chain"`
	Revoked     bool           `json:"revoked"`
	Mode        model.Mode     `json:"mode"`
	Affinity    model.Affinity `json:"affinity"`
	Rule        string         `json:"rule"`
	Bindings    []jsonBinding  `json:"bindings"`
	Assumptions []string       `json:"assumptions"`
	Steps       []Step         `json:"steps"`
}

type jsonBinding struct {
	Field     model.CertificateField `json:"certificate_field"`
	Attribute model.UserAttribute    `json:"user_attribute"`
	Value     *string                `json:"value"`
}

// MarshalJSON writes the contract's shape: error_code is null on success,
// and the lists are never null.
func (r Result) MarshalJSON() ([]byte, error) {
	j := jsonResult{
		Success: r.Success, Trusted: r.Trusted, Chain: nonNil(r.Chain), Revoked: r.Revoked,
		Mode: r.Mode, Affinity: r.Affinity, Rule: r.Rule,
		Bindings: make([]jsonBinding, len(r.Bindings)), Assumptions: nonNil(r.Assumptions), Steps: r.Steps,
	}
	if r.ErrorCode != "" {
		code := r.ErrorCode
		j.ErrorCode = &code
	}
	for i, b := range r.Bindings {
		j.Bindings[i] = jsonBinding{Field: b.Field, Attribute: b.Attribute, Value: b.Value}
	}
	if j.Steps == nil {
		j.Steps = []Step{}
	}
	// "strengths" follows the contract's keys (strength.go).
	out := struct {
		jsonResult
		Strengths map[string]bool `json:"strengths,omitempty"`
	}{j, r.Strengths}
	// Certificate user ids hold '<' and '>': keep them readable.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
