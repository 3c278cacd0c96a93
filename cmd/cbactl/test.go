package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/simulate"
)

type testOptions struct {
	configFlags
	json bool
}

func newTestCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &testOptions{}
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the configuration's test blocks",
		Long: `Test evaluates the certificate of every test block against the configuration, as
cbactl simulate does, and compares the decision with the block's expect attributes
(trusted, revoked, mode, affinity, rule, bindings); attributes left out are not checked.
It exits 1 when a test fails. cbactl plan runs the tests too (--skip-tests skips them).`,
		Example: `  cbactl test --chdir examples/contoso
  cbactl test --json | jq '.[] | select(.passed | not) | .failures'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTest(env, g, o)
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print the results as JSON")
	return cmd
}

func runTest(env *Env, g *globalOptions, o *testOptions) error {
	cfg, diags := config.Load(o.chdir, o.loadOptions(env))
	if diags.HasErrors() {
		writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
		return exitCode(exitError)
	}
	outcomes := runConfigTests(cfg, cfg.Desired, env.Now())
	if o.json {
		if err := writeTraceJSON(env.Out, outcomes); err != nil {
			return err
		}
	} else {
		writeTestOutcomes(env.Out, outcomes)
	}
	for _, t := range outcomes {
		if !t.Passed {
			return exitCode(exitError)
		}
	}
	return nil
}

// testOutcome is one test's result; its JSON form is an element of
// test --json.
type testOutcome struct {
	Name     string          `json:"name"`
	Passed   bool            `json:"passed"`
	Failures []testFailure   `json:"failures"`
	Result   simulate.Result `json:"result"`
}

// testFailure is an expectation the decision does not meet.
type testFailure struct {
	Field    string `json:"field"`
	Expected any    `json:"expected"`
	Got      any    `json:"got"`
}

func (f testFailure) String() string {
	return fmt.Sprintf("%s: expected %s, got %s", f.Field, expectText(f.Expected), expectText(f.Got))
}

func expectText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// runConfigTests evaluates every test block against st: the configuration's
// desired state (cbactl test), or, in a plan, that state completed with the
// tenant's values where the configuration leaves parts out.
func runConfigTests(cfg *config.Config, st model.State, now time.Time) []testOutcome {
	out := make([]testOutcome, 0, len(cfg.Tests))
	for _, t := range cfg.Tests {
		out = append(out, runConfigTest(st, t, now))
	}
	return out
}

func runConfigTest(st model.State, t model.Test, now time.Time) testOutcome {
	o := testOutcome{Name: t.Name, Failures: []testFailure{}}
	in := simulate.Input{State: st, Now: now}
	c, err := x509.ParseCertificate(t.Certificate)
	if err != nil {
		// The configuration loader checked it; this is not reachable.
		o.Failures = append(o.Failures, testFailure{Field: "certificate", Expected: t.CertificatePath, Got: err.Error()})
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
		crl, err := parseCRLFile(name, der)
		if err != nil {
			o.Failures = append(o.Failures, testFailure{Field: "crl", Expected: name, Got: err.Error()})
			return o
		}
		in.CRLs = append(in.CRLs, crl)
	}
	r := simulate.Evaluate(in)
	o.Result = r
	e := t.Expect
	if e.Trusted != nil && *e.Trusted != r.Trusted {
		o.Failures = append(o.Failures, testFailure{"trusted", *e.Trusted, r.Trusted})
	}
	if e.Revoked != nil && *e.Revoked != r.Revoked {
		o.Failures = append(o.Failures, testFailure{"revoked", *e.Revoked, r.Revoked})
	}
	if e.Mode != nil && *e.Mode != r.Mode {
		o.Failures = append(o.Failures, testFailure{"mode", *e.Mode, r.Mode})
	}
	if e.Affinity != nil && *e.Affinity != r.Affinity {
		o.Failures = append(o.Failures, testFailure{"affinity", *e.Affinity, r.Affinity})
	}
	if e.Rule != nil && *e.Rule != r.Rule {
		o.Failures = append(o.Failures, testFailure{"rule", *e.Rule, r.Rule})
	}
	if e.Bindings != nil {
		want, got := nonNilFields(*e.Bindings), testFields(r.Bindings)
		if expectText(want) != expectText(got) {
			o.Failures = append(o.Failures, testFailure{"bindings", want, got})
		}
	}
	if f := satisfiesFailure(e.Satisfies, r); f != nil {
		o.Failures = append(o.Failures, *f)
	}
	if e.Success != nil && *e.Success != r.Success {
		o.Failures = append(o.Failures, testFailure{"success", *e.Success, r.Success})
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

// writeTestOutcomes prints one line per test (one per differing field for a
// failure, with the simulated verdict below) and a summary.
func writeTestOutcomes(w io.Writer, outcomes []testOutcome) {
	passed, failed := 0, 0
	for _, t := range outcomes {
		if t.Passed {
			passed++
			fmt.Fprintf(w, "PASS %q\n", t.Name)
			continue
		}
		failed++
		for _, f := range t.Failures {
			fmt.Fprintf(w, "FAIL %q: %s\n", t.Name, f)
		}
		if t.Result.Rule != "" {
			fmt.Fprintf(w, "     %s\n", verdict(t.Result))
		}
	}
	fmt.Fprintf(w, "\n%d passed, %d failed\n", passed, failed)
}

// testDiagnostics runs the configuration's tests for plan and turns each
// failure into an error located at its test block.
func testDiagnostics(cfg *config.Config, st model.State, now time.Time) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, t := range runConfigTests(cfg, st, now) {
		if t.Passed {
			continue
		}
		lines := make([]string, len(t.Failures))
		for i, f := range t.Failures {
			lines[i] = f.String()
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Test %q failed", t.Name),
			Detail:   strings.Join(lines, "\n") + "\nRun cbactl test for the details, or cbactl plan --skip-tests to plan anyway.",
			Subject:  cfg.Sources.Range(model.TestAddress(t.Name), ""),
		})
	}
	return diags
}
