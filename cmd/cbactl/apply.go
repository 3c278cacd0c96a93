package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/apply"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/plan/render"
)

type applyOptions struct {
	configFlags
	tenantFlags
	autoApprove      bool
	allowDestroy     bool
	allowLockoutRisk bool
	planFile         string
}

func newApplyCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Make the tenant match the configuration",
		Long: `Apply makes the tenant match the configuration, in an order that keeps it usable: the
method is enabled first if the plan enables it, then PKI containers and certificate
authorities are created and updated, then the x509Certificate configuration is written,
then CAs and containers are deleted, and the method is disabled last if the plan
disables it. Apply stops at the first failure; plan again to see the rest.

Without PLANFILE, apply plans, shows the plan and asks for "yes" (or takes
--auto-approve). With PLANFILE (from plan --out), apply performs exactly that plan,
without asking: it plans again from the configuration and the tenant, and refuses,
writing nothing, unless the new plan's changes are exactly the file's, the tenant is
the one the plan was made for, and neither the tenant nor the configuration changed
since. Give it the flags plan had (--chdir, --var, --var-file, --snapshot): plan --out
prints the command.

Run one apply per tenant at a time: apply reads the tenant again right before creating
a PKI container and stops if one with that name has appeared since the plan. Deleting a
container is asynchronous in Graph (and soft: restorable for 30 days); apply waits until
it is gone. A delete answered 404 is already done.

Deletions need --allow-destroy. Plans that could lock users out (no CA left, high
affinity without a high-affinity username binding, no username binding, deleting the
only CA a rule names) need --allow-lockout-risk.`,
		Example: `  cbactl apply --chdir cba
  cbactl plan --out cba.plan && cbactl apply cba.plan
  cbactl apply --auto-approve --allow-destroy   # in a release pipeline`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.planFile = args[0]
			}
			return runApply(cmd.Context(), env, g, o)
		},
	}
	o.configFlags.register(cmd)
	o.tenantFlags.register(cmd)
	cmd.Flags().BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking (required when not running on a terminal)")
	cmd.Flags().BoolVar(&o.allowDestroy, "allow-destroy", false, "allow the plan to delete PKI containers and certificate authorities")
	cmd.Flags().BoolVar(&o.allowLockoutRisk, "allow-lockout-risk", false, "apply a plan that could lock users out of the tenant")
	return cmd
}

func runApply(ctx context.Context, env *Env, g *globalOptions, o *applyOptions) error {
	var saved *plan.Plan
	if o.planFile != "" {
		p, err := readPlanFile(o.planFile)
		if err != nil {
			return err
		}
		saved = p
	}
	s, err := prepare(ctx, env, g, &o.configFlags, &o.tenantFlags, false)
	if err != nil {
		return printConfigError(env, g, err)
	}
	color := env.color(g.noColor)
	p := s.plan
	if saved != nil {
		// The saved plan is the review; what apply writes is the plan made
		// now, once it is known to be the same (an edited file is refused).
		if err := saved.CheckSaved(s.desired, s.observed, s.plan); err != nil {
			return err
		}
	}
	writeDiagnostics(env.Err, planDiagnostics(p, s.cfg), s.cfg.Files(), color)
	if p.HasErrors() {
		return exitCode(exitError)
	}
	if saved == nil {
		if err := render.Text(env.Out, p, render.Options{Color: color}); err != nil {
			return err
		}
	}
	if !p.HasChanges() {
		if saved != nil {
			fmt.Fprintln(env.Out, "No changes. The tenant matches the configuration.")
		}
		return nil
	}
	if err := apply.Check(p, s.desired, s.observed, apply.Policy{AllowDestroy: o.allowDestroy, AllowLockoutRisk: o.allowLockoutRisk}); err != nil {
		return err
	}
	if saved == nil && !o.autoApprove {
		if !env.StdinTTY || !env.StdoutTTY {
			return flagError{errors.New("apply needs --auto-approve when not running on a terminal (or apply a saved plan: plan --out FILE, then apply FILE)")}
		}
		fmt.Fprint(env.Out, "\nDo you want to apply these changes to the tenant?\n  Only 'yes' will be accepted: ")
		line, _ := bufio.NewReader(env.In).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			fmt.Fprintln(env.Out, "\nApply cancelled.")
			return exitCode(exitError)
		}
	}
	fmt.Fprintln(env.Out)

	rep := &reporter{env: env, color: color}
	res, runErr := apply.Run(ctx, p, s.tenant, apply.Options{Report: rep.report, Now: env.Now})
	flushErr := s.tenant.Flush()
	if runErr != nil {
		fmt.Fprintf(env.Out, "\nApply failed after %d of %d steps.\n", len(res.Applied), len(res.Applied)+1+len(res.Pending))
		for _, st := range res.Applied {
			fmt.Fprintf(env.Out, "  done:    %s (%s)\n", st.Address, st.Description)
		}
		fmt.Fprintf(env.Out, "  failed:  %s (%s)\n", res.Failed.Address, res.Failed.Description)
		for _, st := range res.Pending {
			fmt.Fprintf(env.Out, "  pending: %s (%s)\n", st.Address, st.Description)
		}
		fmt.Fprintln(env.Out, "Run cbactl plan to see what remains.")
		return errors.Join(runErr, flushErr)
	}
	if flushErr != nil {
		return flushErr
	}
	if err := verify(ctx, env, s, o.snapshot == ""); err != nil {
		return err
	}
	sum := p.Summary()
	fmt.Fprintf(env.Out, "\nApply complete! %d added, %d changed, %d destroyed.\n", sum.Add, sum.Change, sum.Destroy)
	return nil
}

// verify reads the tenant again and fails loudly if it does not match the
// configuration (apply.Verify, which reads again a few times first when the
// tenant is Graph).
func verify(ctx context.Context, env *Env, s *session, eventual bool) error {
	observe := func(ctx context.Context) (model.State, error) {
		obs, err := s.tenant.Observe(ctx)
		if err != nil {
			return model.State{}, err
		}
		if _, err := observeStrengths(ctx, s.tenant, s.desired, &obs.State); err != nil {
			return model.State{}, err
		}
		if err := observeUsers(ctx, s.tenant, s.desired, &obs.State); err != nil {
			return model.State{}, err
		}
		return obs.State, nil
	}
	rest, err := apply.Verify(ctx, s.desired, observe, apply.VerifyOptions{Eventual: eventual})
	if err != nil || rest == nil {
		return err
	}
	fmt.Fprintln(env.Err, "\nError: the tenant does not match the configuration after apply")
	fmt.Fprintln(env.Err, "  Graph accepted every write, but reading the tenant again shows these differences:")
	_ = render.Text(env.Err, rest, render.Options{})
	return exitCode(exitError)
}

// reporter prints each step as it finishes, and an upload's progress: a bar
// on a terminal, a line per poll elsewhere.
type reporter struct {
	env   *Env
	color bool
	bar   *progressbar.ProgressBar
	// usersLast is the last progress of the users step (userids.go).
	usersLast *model.UserProgress
}

func (r *reporter) report(e apply.Event) {
	out := r.env.Out
	switch e.Kind {
	case apply.Started:
		fmt.Fprintf(out, "%s: %s...\n", e.Step.Address, e.Step.Description)
	case apply.Progress:
		if e.Job == "users" {
			r.reportUsers(e)
			return
		}
		if e.Job == "delete" {
			fmt.Fprintf(out, "%s: still deleting [%s elapsed, %s]\n", e.Step.Address, e.Elapsed.Round(time.Second), jobStatusText(e))
			return
		}
		if r.env.StdoutTTY {
			if r.bar == nil {
				r.bar = progressbar.NewOptions(e.CAsWant,
					progressbar.OptionSetWriter(out),
					progressbar.OptionSetDescription(fmt.Sprintf("%s: uploading", e.Step.Address)),
					progressbar.OptionShowCount(),
					progressbar.OptionSetElapsedTime(true),
					progressbar.OptionSetPredictTime(false),
					progressbar.OptionEnableColorCodes(r.color))
			}
			_ = r.bar.Set(e.CAsSeen)
			return
		}
		fmt.Fprintf(out, "%s: still uploading [%s elapsed, %d of %d CAs%s]\n", e.Step.Address, e.Elapsed.Round(time.Second), e.CAsSeen, e.CAsWant, unusualStatus(e))
	case apply.Finished:
		r.usersSummary(e)
		if r.bar != nil {
			_ = r.bar.Finish()
			fmt.Fprintln(out)
			r.bar = nil
		}
		if e.Note != "" {
			fmt.Fprintf(out, "%s: %s\n", e.Step.Address, e.Note)
			return
		}
		fmt.Fprintf(out, "%s: done after %s\n", e.Step.Address, e.Elapsed.Round(time.Second))
	case apply.Failed:
		r.usersSummary(e)
		if r.bar != nil {
			fmt.Fprintln(out)
			r.bar = nil
		}
		fmt.Fprintf(out, "%s: failed after %s\n", e.Step.Address, e.Elapsed.Round(time.Second))
	}
}

// jobStatusText is a job's status as Graph spelled it, with its details.
func jobStatusText(e apply.Event) string {
	t := fmt.Sprintf("status %q", e.Status)
	if e.StatusDetails != "" {
		t += fmt.Sprintf(": %q", e.StatusDetails)
	}
	return t
}

// unusualStatus names an upload's status when it is not plainly "running"
// (another spelling, an undocumented value) or carries details.
func unusualStatus(e apply.Event) string {
	if e.Status == "running" && e.StatusDetails == "" {
		return ""
	}
	return ", " + jobStatusText(e)
}
