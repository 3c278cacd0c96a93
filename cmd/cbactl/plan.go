package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
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

// prepare loads the configuration, reads the tenant, resolves group names
// and plans. Configuration errors are printed here and end the command.
func prepare(ctx context.Context, env *Env, g *globalOptions, cf *configFlags, tf *tenantFlags, quietDiags bool) (*session, error) {
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
		writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
		return nil, exitCode(exitError)
	}
	s := &session{cfg: cfg, cfgDiags: diags, desired: cfg.Desired}
	if !quietDiags {
		writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
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

	var resolveDiags []plan.Diagnostic
	if names := plan.GroupNamesToResolve(s.desired.X509); len(names) > 0 {
		found, err := s.tenant.ResolveGroups(ctx, names)
		if err != nil {
			return nil, fmt.Errorf("resolve group names: %w", err)
		}
		x := *s.desired.X509
		x.IncludeTargets = append([]model.IncludeTarget(nil), x.IncludeTargets...)
		x.ExcludeTargets = append([]model.Target(nil), x.ExcludeTargets...)
		x.CAScopes = append([]model.CAScope(nil), x.CAScopes...)
		for i := range x.CAScopes {
			x.CAScopes[i].Groups = append([]model.Target(nil), x.CAScopes[i].Groups...)
		}
		resolveDiags = plan.ResolveGroups(&x, found)
		s.desired.X509 = &x
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
			if o.json {
				o.format = "json"
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
	s, err := prepare(ctx, env, g, &o.configFlags, &o.tenantFlags, o.format == "json")
	if err != nil {
		return err
	}
	p := s.plan
	// The configuration's tests run too: a failing test is an error.
	var testDiags hcl.Diagnostics
	if !o.skipTests {
		testDiags = testDiagnostics(s.cfg, s.desired, env.Now())
	}
	switch o.format {
	case "json":
		jp := render.ToJSON(p)
		jp.Diagnostics = append(configJSONDiagnostics(s.cfgDiags), jp.Diagnostics...)
		jp.Diagnostics = append(jp.Diagnostics, configJSONDiagnostics(testDiags)...)
		if err := writeJSON(env.Out, jp); err != nil {
			return err
		}
	case "markdown":
		err = render.Markdown(env.Out, p)
	default:
		writeDiagnostics(env.Err, planDiagnostics(p, s.cfg), s.cfg.Files(), env.color(g.noColor))
		err = render.Text(env.Out, p, render.Options{Color: env.color(g.noColor)})
	}
	if err != nil {
		return err
	}
	if o.format != "json" {
		writeDiagnostics(env.Err, testDiags, s.cfg.Files(), env.color(g.noColor))
	}
	if p.HasErrors() || testDiags.HasErrors() {
		return exitCode(exitError)
	}
	if o.out != "" {
		p.Seal(s.desired, s.observed)
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		if err := errors.Join(plan.Write(f, p), f.Close()); err != nil {
			return fmt.Errorf("save the plan: %w", err)
		}
		if o.format == "text" {
			fmt.Fprintf(env.Out, "\nSaved the plan to %s. To apply exactly this plan: cbactl apply %s\n", o.out, o.out)
		}
	}
	if o.detailedExitcode && p.HasChanges() {
		return exitCode(exitChanges)
	}
	return nil
}

// configJSONDiagnostics carries configuration warnings into plan --json.
func configJSONDiagnostics(diags hcl.Diagnostics) []render.JSONDiagnostic {
	var out []render.JSONDiagnostic
	for _, d := range jsonDiagnostics(diags) {
		detail := d.Detail
		if d.Range != nil {
			detail = fmt.Sprintf("%s:%d:%d: %s", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, detail)
		}
		out = append(out, render.JSONDiagnostic{Severity: d.Severity, Summary: d.Summary, Detail: detail})
	}
	return out
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
		RunE: func(_ *cobra.Command, args []string) error {
			if o.json {
				o.format = "json"
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

func readPlanFile(path string) (*plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := plan.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
