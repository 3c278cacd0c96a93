package render

import (
	"io"

	"github.com/cbactl/cbactl/internal/jsonout"
	"github.com/cbactl/cbactl/internal/plan"
)

// JSONPlan is the machine-readable plan of `plan --json` and `show --json`
// (contract §5).
type JSONPlan struct {
	FormatVersion string           `json:"format_version"`
	Changes       []JSONChange     `json:"changes"`
	Summary       plan.Summary     `json:"summary"`
	Diagnostics   []JSONDiagnostic `json:"diagnostics"`
}

// JSONChange is one change; before and after use cbactl's attribute names.
type JSONChange struct {
	Address string         `json:"address"`
	Action  plan.Action    `json:"action"`
	Reason  string         `json:"reason,omitempty"`
	Before  map[string]any `json:"before"`
	After   map[string]any `json:"after"`
}

// JSONDiagnostic is a planning finding, in the JSON diagnostic shape of
// every command.
type JSONDiagnostic = jsonout.Diagnostic

// ToJSON builds the machine-readable plan.
func ToJSON(p *plan.Plan) JSONPlan {
	out := JSONPlan{FormatVersion: plan.FormatVersion, Changes: []JSONChange{}, Summary: p.Summary(), Diagnostics: []JSONDiagnostic{}}
	for _, c := range p.Changes {
		out.Changes = append(out.Changes, JSONChange{
			Address: string(c.Address), Action: c.Action, Reason: c.Reason,
			Before: plan.ObjectJSON(c.Before), After: plan.ObjectJSON(c.After),
		})
	}
	for _, d := range p.Diagnostics {
		out.Diagnostics = append(out.Diagnostics, JSONDiagnostic{Severity: d.Severity, Summary: d.Summary, Detail: d.Detail, Address: string(d.Address)})
	}
	return out
}

// JSON writes the machine-readable plan, indented.
func JSON(w io.Writer, p *plan.Plan) error {
	return jsonout.Write(w, ToJSON(p))
}
