package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/jsonout"
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
	outcomes := simulate.RunTests(cfg.Tests, cfg.Desired, env.Now())
	if o.json {
		if err := jsonout.Write(env.Out, outcomes); err != nil {
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

// writeTestOutcomes prints one line per test (one per differing field for a
// failure, with the simulated verdict below) and a summary.
func writeTestOutcomes(w io.Writer, outcomes []simulate.TestOutcome) {
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
	for _, t := range simulate.RunTests(cfg.Tests, st, now) {
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
			Extra:    model.TestAddress(t.Name),
		})
	}
	return diags
}
