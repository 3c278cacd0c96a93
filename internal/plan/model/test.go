package model

// Test is a test block of the configuration: a user certificate and the
// decision Entra must reach for it. Only the expectations that are set are
// checked.
type Test struct {
	Name            string
	CertificatePath string // as written, relative to the configuration directory
	Certificate     []byte // DER
	CRLPaths        []string
	CRLs            [][]byte // DER
	Expect          Expectation
}

// Expectation holds the checked outcome of a test; nil fields are not checked.
type Expectation struct {
	Trusted  *bool
	Revoked  *bool
	Mode     *Mode
	Affinity *Affinity
	Rule     *string             // a rule address, or "default"
	Bindings *[]CertificateField // the username bindings tried, in order
	// Satisfies lists exactly the declared authentication strengths (by
	// label) the sign-in satisfies.
	Satisfies *[]string
}
