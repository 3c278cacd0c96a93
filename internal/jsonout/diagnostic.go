package jsonout

// Diagnostic is the one JSON shape of a finding in every --json document
// that carries diagnostics (validate, plan, show): Terraform's
// {severity, summary, detail, address, range}. Address is the configuration
// address the finding is about, when there is one; Range is where the
// configuration says it, when it does.
type Diagnostic struct {
	Severity string `json:"severity"` // "error" or "warning"
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address,omitempty"`
	Range    *Range `json:"range,omitempty"`
}

// Range is a span of a configuration file, as Terraform's validate -json
// reports it.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Pos is a position in a file: 1-based line and column, 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}
