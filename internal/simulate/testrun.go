package simulate

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// The configuration-test runner: a test block names a certificate (and
// CRLs) and what Entra must decide; RunTests evaluates each with Evaluate
// and lists the expectations the decision does not meet.

// TestOutcome is one test's result; its JSON form is an element of
// test --json.
type TestOutcome struct {
	Name     string        `json:"name"`
	Passed   bool          `json:"passed"`
	Failures []TestFailure `json:"failures"`
	Result   Result        `json:"result"`
}

// TestFailure is an expectation the decision does not meet.
type TestFailure struct {
	Field    string `json:"field"`
	Expected any    `json:"expected"`
	Got      any    `json:"got"`
}

func (f TestFailure) String() string {
	return fmt.Sprintf("%s: expected %s, got %s", f.Field, expectText(f.Expected), expectText(f.Got))
}

func expectText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// RunTests evaluates every test block against st: the configuration's
// desired state (cbactl test), or, in a plan, that state completed with the
// tenant's values where the configuration leaves parts out.
func RunTests(tests []model.Test, st model.State, now time.Time) []TestOutcome {
	out := make([]TestOutcome, 0, len(tests))
	for _, t := range tests {
		out = append(out, runTest(st, t, now))
	}
	return out
}

func runTest(st model.State, t model.Test, now time.Time) TestOutcome {
	o := TestOutcome{Name: t.Name, Failures: []TestFailure{}}
	in := Input{State: st, Now: now}
	c, err := x509.ParseCertificate(t.Certificate)
	if err != nil {
		// The configuration loader checked it; this is not reachable.
		o.Failures = append(o.Failures, TestFailure{Field: "certificate", Expected: t.CertificatePath, Got: err.Error()})
		return o
	}
	in.Certificate = c
	if t.User != "" {
		in.User = testUser(st, t.User)
	}
	for i, der := range t.CRLs {
		name := ""
		if i < len(t.CRLPaths) {
			name = t.CRLPaths[i]
		}
		crl, err := ParseCRL(name, der)
		if err != nil {
			o.Failures = append(o.Failures, TestFailure{Field: "crl", Expected: name, Got: err.Error()})
			return o
		}
		in.CRLs = append(in.CRLs, crl)
	}
	r := Evaluate(in)
	o.Result = r
	e := t.Expect
	if e.Trusted != nil && *e.Trusted != r.Trusted {
		o.Failures = append(o.Failures, TestFailure{"trusted", *e.Trusted, r.Trusted})
	}
	if e.Revoked != nil && *e.Revoked != r.Revoked {
		o.Failures = append(o.Failures, TestFailure{"revoked", *e.Revoked, r.Revoked})
	}
	if e.Mode != nil && *e.Mode != r.Mode {
		o.Failures = append(o.Failures, TestFailure{"mode", *e.Mode, r.Mode})
	}
	if e.Affinity != nil && *e.Affinity != r.Affinity {
		o.Failures = append(o.Failures, TestFailure{"affinity", *e.Affinity, r.Affinity})
	}
	if e.Rule != nil && *e.Rule != r.Rule {
		o.Failures = append(o.Failures, TestFailure{"rule", *e.Rule, r.Rule})
	}
	if e.Bindings != nil {
		want, got := nonNilFields(*e.Bindings), testFields(r.Bindings)
		if expectText(want) != expectText(got) {
			o.Failures = append(o.Failures, TestFailure{"bindings", want, got})
		}
	}
	if f := satisfiesFailure(e.Satisfies, r); f != nil {
		o.Failures = append(o.Failures, *f)
	}
	if e.Success != nil && *e.Success != r.Success {
		o.Failures = append(o.Failures, TestFailure{"success", *e.Success, r.Success})
	}
	o.Passed = len(o.Failures) == 0
	return o
}

func nonNilFields(f []model.CertificateField) []model.CertificateField {
	if f == nil {
		return []model.CertificateField{}
	}
	return f
}

// satisfiesFailure checks a test's satisfies: exactly the declared
// strengths the sign-in satisfies, in any order.
func satisfiesFailure(want *[]string, r Result) *TestFailure {
	if want == nil {
		return nil
	}
	w := model.SortedSet(*want)
	var got []string
	for name, ok := range r.Strengths {
		if ok {
			got = append(got, name)
		}
	}
	g := model.SortedSet(got)
	if slices.Equal(w, g) {
		return nil
	}
	return &TestFailure{Field: "satisfies", Expected: w, Got: g}
}

// testFields names the certificate fields of a binding list.
func testFields(bs []BindingTry) []model.CertificateField {
	out := make([]model.CertificateField, len(bs))
	for i, b := range bs {
		out[i] = b.Field
	}
	return out
}

// ParseCRL reads the CRL file name, PEM ("X509 CRL") or DER, with
// pki.ParseCRL, for simulate --crl and a test block's crl.
func ParseCRL(name string, data []byte) (CRL, error) {
	l, err := pki.ParseCRL(data)
	if err != nil {
		return CRL{}, fmt.Errorf("%s: not a certificate revocation list: %w", name, err)
	}
	return CRL{Name: name, List: l, DER: l.Raw}, nil
}

// testUser is the user a test block names: the declared certificateUserIds
// of that user of certificate_user_ids and, when it is named by UPN, that
// userPrincipalName. Its groups are unknown (scope checks assume
// membership and say so).
func testUser(st model.State, key string) *User {
	u := &User{CertificateUserIDs: []string{}}
	if strings.Contains(key, "@") {
		u.UserPrincipalName = key
	}
	if du, ok := st.CertUserIDs.User(key); ok {
		u.CertificateUserIDs = append(u.CertificateUserIDs, du.Values...)
	}
	return u
}
