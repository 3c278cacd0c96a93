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
	// User names a user of the certificate_user_ids block (its label or CSV
	// user): the sign-in is for that user, who holds exactly the declared
	// certificateUserIds (and, when named by UPN, that userPrincipalName).
	User string `json:",omitempty"`
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
	// Success is whether the sign-in succeeds (a user certificate must also
	// match the named user through a username binding).
	Success *bool `json:",omitempty"`
}
