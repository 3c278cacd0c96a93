package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/atomicfile"
	"github.com/cbactl/cbactl/internal/jsonout"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/plan/render"
)

// session is a loaded configuration, an open tenant, and the states and plan
// made from them.
type session struct {
	cfg      *config.Config
	cfgDiags hcl.Diagnostics // warnings only: errors stop prepare
	tenant   tenant
	desired  model.State
	observed model.State
	plan     *plan.Plan
}

// configError is a configuration that does not load; the caller prints its
// diagnostics.
type configError struct {
	diags hcl.Diagnostics
	files map[string]*hcl.File
}

func (e *configError) Error() string { return "the configuration has errors" }

// warnedError is an error that ended a command after the configuration
// loaded with warnings that were not printed (--json).
type warnedError struct {
	err      error
	warnings hcl.Diagnostics
}

func (e *warnedError) Error() string { return e.err.Error() }
func (e *warnedError) Unwrap() error { return e.err }

// printConfigError prints the diagnostics of a configError, which then ends
// the command with exit status 1; any other error is returned as it is.
func printConfigError(env *Env, g *globalOptions, err error) error {
	var ce *configError
	if errors.As(err, &ce) {
		writeDiagnostics(env.Err, ce.diags, ce.files, env.color(g.noColor))
		return exitCode(exitError)
	}
	return err
}

// prepare loads the configuration, reads the tenant, resolves group names
// and plans. Configuration errors are printed here and end the command.
func prepare(ctx context.Context, env *Env, g *globalOptions, cf *configFlags, tf *tenantFlags, quietDiags bool) (_ *session, err error) {
	// Warnings not printed here (quietDiags: --json) go with an error that
	// ends the command after the configuration loaded, so that plan --json
	// reports them beside the error instead of dropping them.
	var unprinted hcl.Diagnostics
	defer func() {
		if err != nil && len(unprinted) > 0 {
			err = &warnedError{err: err, warnings: unprinted}
		}
	}()
	// The tenant is read while the rest of the configuration loads: as soon
	// as the tenant block says which tenant and cloud.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type reading struct {
		t   tenant
		obs *model.Observation
		err error
	}
	read := make(chan reading, 1)
	opts := cf.loadOptions(env)
	opts.TenantKnown = func(cloud model.Cloud, tenantID string) {
		go func() {
			defer func() {
				// A panic here would end the process with exit status 2.
				if r := recover(); r != nil {
					read <- reading{err: fmt.Errorf("internal error while reading the tenant: %v\n%s", r, debug.Stack())}
				}
			}()
			t, err := tf.open(env, cloud, tenantID)
			if err != nil {
				read <- reading{err: err}
				return
			}
			obs, err := t.Observe(ctx)
			if err != nil {
				err = fmt.Errorf("read the tenant: %w", err)
			}
			read <- reading{t: t, obs: obs, err: err}
		}()
	}
	cfg, diags := config.Load(cf.chdir, opts)
	if diags.HasErrors() {
		return nil, &configError{diags: diags, files: cfg.Files()}
	}
	s := &session{cfg: cfg, cfgDiags: diags, desired: cfg.Desired}
	if !quietDiags {
		writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
	} else {
		unprinted = diags
	}
	r := <-read
	if r.err != nil {
		return nil, r.err
	}
	s.tenant, s.observed = r.t, r.obs.State
	if want, got := s.desired.TenantID, s.observed.TenantID; want != "" && got == "" {
		// Graph always reports a tenant (or the read fails); a snapshot
		// may not say: fail closed rather than skip the check.
		return nil, fmt.Errorf("the configuration is for tenant %s, but the snapshot %s has no tenantId, so cbactl cannot check that it is that tenant; add \"tenantId\": \"%s\" to the snapshot if it is", want, tf.snapshot, want)
	}
	if want, got := s.desired.TenantID, s.observed.TenantID; want != "" && got != "" && !strings.EqualFold(want, got) {
		where := "the credentials reach"
		if tf.snapshot != "" {
			where = "the snapshot " + tf.snapshot + " holds"
		}
		return nil, fmt.Errorf("the configuration is for tenant %s, but %s tenant %s; nothing was read further or changed", want, where, got)
	}
	obs := r.obs
	strengthWarnings, err := observeStrengths(ctx, s.tenant, s.desired, &s.observed)
	if err != nil {
		return nil, err
	}
	if err := observeUsers(ctx, s.tenant, s.desired, &s.observed); err != nil {
		return nil, err
	}

	var resolveDiags []plan.Diagnostic
	if names := plan.GroupNamesToResolve(s.desired.X509); len(names) > 0 {
		found, err := s.tenant.ResolveGroups(ctx, names)
		if err != nil {
			return nil, fmt.Errorf("resolve group names: %w", err)
		}
		s.desired.X509, resolveDiags = plan.WithResolvedGroups(s.desired.X509, found)
	}
	// What the configuration leaves out keeps the tenant's value: the plan,
	// the safety checks, the tests and apply all see the same state.
	s.desired = plan.Effective(s.desired, s.observed)
	s.plan = plan.Diff(s.desired, s.observed)
	for _, w := range appendNew(obs.Warnings, strengthWarnings) {
		summary := "Graph returned something cbactl does not model"
		if strings.Contains(w, "could not be read") { // a permission cbactl does not strictly need
			summary = "Part of the tenant could not be read"
		}
		s.plan.Diagnostics = append(s.plan.Diagnostics, plan.Diagnostic{Severity: "warning", Summary: summary, Detail: w})
	}
	s.plan.Diagnostics = append(s.plan.Diagnostics, resolveDiags...)
	return s, nil
}

// planDiagnostics turns plan findings into located diagnostics: an address
// the configuration declares points at its block.
func planDiagnostics(p *plan.Plan, cfg *config.Config) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range p.Diagnostics {
		sev := hcl.DiagWarning
		if d.Severity == "error" {
			sev = hcl.DiagError
		}
		detail := d.Detail
		var subject *hcl.Range
		if d.Address != "" {
			if cfg != nil {
				subject = cfg.Sources.Range(d.Address, "")
			}
			if subject == nil {
				detail = string(d.Address) + ": " + detail
			}
		}
		out = append(out, &hcl.Diagnostic{Severity: sev, Summary: d.Summary, Detail: detail, Subject: subject})
	}
	return out
}

type planOptions struct {
	configFlags
	tenantFlags
	out              string
	format           string
	json             bool
	detailedExitcode bool
	skipTests        bool
}

func newPlanCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what would change in the tenant",
		Long: `Plan reads the configuration and the tenant (Microsoft Graph, or --snapshot) and shows
the changes that would make the tenant match: + create, ~ update in place, - destroy,
-/+ replace. It changes nothing.

With at least one pki block the configuration is the complete trust store: PKI containers
and certificate authorities the tenant has but the configuration does not declare are
planned for deletion. --detailed-exitcode exits 2 when there are changes (drift).

The configuration's test blocks run too (as cbactl test does); a failing test is an
error. --skip-tests skips them.`,
		Example: `  cbactl plan --chdir examples/contoso --snapshot examples/contoso/tenant.json
  cbactl plan --out cba.plan
  cbactl plan --format markdown > plan.md          # a pull-request comment
  cbactl plan --detailed-exitcode || [ $? -eq 2 ]  # nightly drift check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := jsonFormat(cmd, o.json, &o.format); err != nil {
				return err
			}
			return runPlan(cmd.Context(), env, g, o)
		},
	}
	o.configFlags.register(cmd)
	o.tenantFlags.register(cmd)
	cmd.Flags().StringVar(&o.out, "out", "", "save the plan to FILE, for apply FILE")
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&o.json, "json", false, "same as --format json")
	cmd.Flags().BoolVar(&o.detailedExitcode, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are changes, 1 on error")
	cmd.Flags().BoolVar(&o.skipTests, "skip-tests", false, "do not run the configuration's test blocks")
	return cmd
}

func runPlan(ctx context.Context, env *Env, g *globalOptions, o *planOptions) error {
	if o.format != "text" && o.format != "json" && o.format != "markdown" {
		return flagError{fmt.Errorf("invalid --format %q: must be text, json or markdown", o.format)}
	}
	if err := o.checkCloud(); err != nil {
		return err
	}
	if o.out != "" {
		if err := checkPlanOut(o.out, o.chdir, o.snapshot); err != nil {
			return err
		}
	}
	s, err := prepare(ctx, env, g, &o.configFlags, &o.tenantFlags, o.format == "json")
	if err != nil {
		return planFailed(env, g, o.format, err)
	}
	p := s.plan
	// The configuration's tests run too: a failing test is an error.
	var testDiags hcl.Diagnostics
	if !o.skipTests {
		testDiags = testDiagnostics(s.cfg, s.desired, env.Now())
	}
	// What the renderers show: the plan with the tests' findings, so that a
	// failed test fails the plan's headline too.
	shown := *p
	shown.Diagnostics = redactPlanDiagnostics(append(append([]plan.Diagnostic(nil), p.Diagnostics...), hclPlanDiagnostics(testDiags)...))
	switch o.format {
	case "json":
		jp := render.ToJSON(&plan.Plan{FormatVersion: p.FormatVersion, Changes: p.Changes, Diagnostics: redactPlanDiagnostics(p.Diagnostics)})
		locateJSONDiagnostics(jp.Diagnostics, s.cfg)
		jp.Diagnostics = append(jsonDiagnostics(s.cfgDiags), jp.Diagnostics...)
		jp.Diagnostics = append(jp.Diagnostics, jsonDiagnostics(testDiags)...)
		if err := jsonout.Write(env.Out, jp); err != nil {
			return err
		}
	case "markdown":
		err = render.Markdown(env.Out, &shown)
	default:
		writeDiagnostics(env.Err, planDiagnostics(p, s.cfg), s.cfg.Files(), env.color(g.noColor))
		err = render.Text(env.Out, &shown, render.Options{Color: env.color(g.noColor)})
	}
	if err != nil {
		return err
	}
	if o.format != "json" {
		writeDiagnostics(env.Err, testDiags, s.cfg.Files(), env.color(g.noColor))
	}
	if shown.HasErrors() {
		return exitCode(exitError)
	}
	if o.out != "" {
		p.Seal(s.desired, s.observed)
		var buf bytes.Buffer
		if err := plan.Write(&buf, p); err != nil {
			return fmt.Errorf("save the plan: %w", err)
		}
		if err := atomicfile.WriteFile(o.out, buf.Bytes()); err != nil {
			return fmt.Errorf("save the plan: %w", err)
		}
		if o.format == "text" {
			fmt.Fprintf(env.Out, "\nSaved the plan to %s. To apply exactly this plan: %s\n", o.out, applyHint(o))
		}
	}
	if o.detailedExitcode && p.HasChanges() {
		return exitCode(exitChanges)
	}
	return nil
}

// planFailed reports an error that stopped planning. Besides the error on
// standard error, --json prints the plan shape with the diagnostics and no
// change, and --format markdown a "failed" comment: what a pipeline posts
// must never read as a clean plan.
func planFailed(env *Env, g *globalOptions, format string, err error) error {
	var diags []plan.Diagnostic
	var ce *configError
	switch {
	case errors.As(err, &ce):
		if format != "json" {
			writeDiagnostics(env.Err, ce.diags, ce.files, env.color(g.noColor))
		}
		diags = hclPlanDiagnostics(ce.diags)
		err = exitCode(exitError)
	case errors.As(err, new(flagError)):
		return err
	default:
		var we *warnedError
		if errors.As(err, &we) {
			diags = hclPlanDiagnostics(we.warnings)
		}
		diags = append(diags, plan.Diagnostic{Severity: "error", Summary: "Planning failed", Detail: err.Error()})
	}
	failed := &plan.Plan{FormatVersion: plan.FormatVersion, Diagnostics: redactPlanDiagnostics(diags)}
	var werr error
	switch format {
	case "json":
		jp := render.ToJSON(failed)
		if ce != nil {
			// Configuration diagnostics keep their range.
			jp.Diagnostics = jsonDiagnostics(ce.diags)
		}
		werr = jsonout.Write(env.Out, jp)
	case "markdown":
		werr = render.Markdown(env.Out, failed)
	}
	return errors.Join(err, werr)
}

// redactPlanDiagnostics hides secret-looking values in plan findings (a
// copy), as configuration diagnostics do: they end up in pull-request
// comments and CI logs.
func redactPlanDiagnostics(diags []plan.Diagnostic) []plan.Diagnostic {
	out := make([]plan.Diagnostic, len(diags))
	for i, d := range diags {
		d.Summary, d.Detail = config.Redact(d.Summary), config.Redact(d.Detail)
		out[i] = d
	}
	return out
}

// hclPlanDiagnostics turns configuration diagnostics into plan findings,
// their location (file:line:col) leading the detail.
func hclPlanDiagnostics(diags hcl.Diagnostics) []plan.Diagnostic {
	var out []plan.Diagnostic
	for _, d := range jsonDiagnostics(diags) {
		detail := d.Detail
		if r := d.Range; r != nil {
			detail = fmt.Sprintf("%s:%d:%d: %s", r.Filename, r.Start.Line, r.Start.Column, detail)
		}
		out = append(out, plan.Diagnostic{Severity: d.Severity, Summary: d.Summary, Detail: detail})
	}
	return out
}

// checkPlanOut refuses a --out that would destroy something other than a
// saved plan: the snapshot the plan reads, a configuration file, or any
// existing file that is not a cbactl plan.
func checkPlanOut(out, chdir, snapshot string) error {
	if snapshot != "" && sameFile(out, snapshot) {
		return flagError{fmt.Errorf("--out %s is the snapshot the plan reads; save the plan to another file", out)}
	}
	if strings.HasSuffix(out, ".hcl") {
		return flagError{fmt.Errorf("--out %s: a file named *.hcl is configuration; save the plan to another file (for example cba.plan)", out)}
	}
	info, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.Mode().IsRegular():
		return flagError{fmt.Errorf("--out %s is not a regular file", out)}
	}
	if _, err := readPlanFile(out); err != nil {
		return flagError{fmt.Errorf("--out %s exists and is not a cbactl plan file; refusing to overwrite it", out)}
	}
	return nil
}

// sameFile reports whether two paths name one existing file.
func sameFile(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

// applyHint is the command that applies the plan plan --out saved: the same
// configuration directory, variables and tenant.
func applyHint(o *planOptions) string {
	args := []string{"cbactl", "apply"}
	if o.chdir != "" && o.chdir != "." {
		args = append(args, "--chdir", shellQuote(o.chdir))
	}
	for _, v := range o.vars {
		args = append(args, "--var", shellQuote(v))
	}
	for _, f := range o.varFiles {
		args = append(args, "--var-file", shellQuote(f))
	}
	if o.snapshot != "" {
		args = append(args, "--snapshot", shellQuote(o.snapshot))
	}
	if o.cloud != "" {
		args = append(args, "--cloud", shellQuote(o.cloud))
	}
	return strings.Join(append(args, shellQuote(o.out)), " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// locateJSONDiagnostics gives each plan finding about an address the
// configuration declares the range of its block, as planDiagnostics does
// for the text output.
func locateJSONDiagnostics(diags []render.JSONDiagnostic, cfg *config.Config) {
	for i, d := range diags {
		if d.Address != "" && d.Range == nil && cfg != nil {
			diags[i].Range = jsonRange(cfg.Sources.Range(model.Address(d.Address), ""))
		}
	}
}

type showOptions struct {
	format string
	json   bool
}

func newShowCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &showOptions{}
	cmd := &cobra.Command{
		Use:     "show PLANFILE",
		Short:   "Render a saved plan",
		Example: "  cbactl show cba.plan\n  cbactl show --json cba.plan | jq '.summary'",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := jsonFormat(cmd, o.json, &o.format); err != nil {
				return err
			}
			p, err := readPlanFile(args[0])
			if err != nil {
				return err
			}
			switch o.format {
			case "json":
				return render.JSON(env.Out, p)
			case "markdown":
				return render.Markdown(env.Out, p)
			case "text":
				writeDiagnostics(env.Err, planDiagnostics(p, nil), nil, env.color(g.noColor))
				return render.Text(env.Out, p, render.Options{Color: env.color(g.noColor)})
			}
			return flagError{fmt.Errorf("invalid --format %q: must be text, json or markdown", o.format)}
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&o.json, "json", false, "same as --format json")
	return cmd
}

// jsonFormat applies --json (same as --format json) and refuses it with a
// --format that says otherwise.
func jsonFormat(cmd *cobra.Command, json bool, format *string) error {
	if !json {
		return nil
	}
	if cmd.Flags().Changed("format") && *format != "json" {
		return flagError{fmt.Errorf("--json and --format %s contradict each other: use one of them", *format)}
	}
	*format = "json"
	return nil
}

// maxPlanFileBytes bounds a saved plan file: a plan names objects and
// their attributes, never whole certificates, and is far smaller.
const maxPlanFileBytes = 64 << 20

func readPlanFile(path string) (*plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPlanFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPlanFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a cbactl plan file", path, maxPlanFileBytes>>20)
	}
	p, err := plan.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
