package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/health"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// exitWarnings is health's exit code for warnings without errors.
const exitWarnings = 2

// testNowEnv, when set to an RFC 3339 time, is the time health judges
// everything at instead of the clock: the end-to-end scripts generate
// certificates and CRLs relative to a fixed time, so that their expected
// output holds fixed dates. It is for tests only and deliberately not
// documented in --help.
const testNowEnv = "CBACTL_TEST_NOW"

type healthOptions struct {
	configFlags
	tenantFlags
	tenant  bool
	days    int
	format  string
	json    bool
	offline bool
	client  *http.Client // nil: a client of its own
}

func newHealthCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &healthOptions{}
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Report CAs and CRLs that will fail sign-ins soon",
		Long: `Health checks the trust store's lifecycle, weeks before users notice:

  - ca_expiry: a CA expires within --days days (default 35): a warning, an error
    with 15 days or fewer left or when it has expired;
  - crl_stale: a CRL's nextUpdate has passed (error);
  - crl_expiring: a CRL's nextUpdate is within 24 hours (warning);
  - crl_unreachable: a CRL cannot be downloaded or is not valid for its CA,
    everything crl check verifies (error);
  - renewal_impact: a rule (by issuer), a CRL validation exemption, a CA scope or
    an authentication strength's allowed issuer (by subject key identifier) names
    a CA expiring within --days days, and must follow its renewal (the severity of
    the CA's finding). A place that also names a renewed CA valid beyond the
    horizon is not reported. Without an x509_certificate block, the tenant's
    rules, exemptions and scopes count (they have no address); only declared
    authentication strengths count.

The declared CAs are always checked; with --tenant (Microsoft Graph, as plan reads
it) or --snapshot, the tenant's CAs too, in PKI containers and the classic trust
store. A CA both declared and in the tenant is one finding, with its address; a CA
only in the tenant has no address. --offline skips CRL downloads. Health never
writes to the tenant.

The text output lists the findings by date, each with what to do; --format markdown
is a table to post (a job summary, a chat message); --json is the document of the
contract, in which each finding also has crl_url, the CRL a CRL finding is about.

Exit status: 0 healthy, 1 any error-level finding (or an error running),
2 warnings only.`,
		Example: `  cbactl health
  cbactl health --tenant --days 60
  cbactl health --snapshot tenant.json --offline
  cbactl health --tenant --format markdown >> "$GITHUB_STEP_SUMMARY"   # nightly job
  cbactl health --json | jq '.findings[] | select(.severity == "error")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.json {
				o.format = "json"
			}
			return runHealth(cmd.Context(), env, g, o)
		},
	}
	o.configFlags.register(cmd)
	o.tenantFlags.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.tenant, "tenant", false, "check the tenant's CAs too, read through Microsoft Graph")
	f.IntVar(&o.days, "days", health.DefaultDays, "the horizon: report CAs expiring within this many days")
	f.StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	f.BoolVar(&o.json, "json", false, "same as --format json")
	f.BoolVar(&o.offline, "offline", false, "do not download CRLs (no CRL findings)")
	cmd.MarkFlagsMutuallyExclusive("tenant", "snapshot")
	return cmd
}

func runHealth(ctx context.Context, env *Env, g *globalOptions, o *healthOptions) error {
	if o.format != "text" && o.format != "json" && o.format != "markdown" {
		return flagError{fmt.Errorf("invalid --format %q: must be text, json or markdown", o.format)}
	}
	if o.days < 1 {
		return flagError{fmt.Errorf("invalid --days %d: must be at least 1", o.days)}
	}
	env, err := withTestClock(env)
	if err != nil {
		return err
	}
	quiet := o.format != "text"

	var desired model.State
	var observed *model.State
	if o.tenant || o.snapshot != "" {
		// The tenant is read exactly as plan reads it (and never written).
		s, err := prepare(ctx, env, g, &o.configFlags, &o.tenantFlags, quiet)
		if err != nil {
			return err
		}
		desired, observed = s.desired, &s.observed
	} else {
		cfg, diags := config.Load(o.chdir, o.loadOptions(env))
		if diags.HasErrors() || !quiet {
			writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
		}
		if diags.HasErrors() {
			return exitCode(exitError)
		}
		desired = cfg.Desired
	}

	hc := o.client
	if hc == nil {
		hc = newCRLClient()
	}
	r, err := health.Check(ctx, desired, observed, health.Options{
		Now: env.Now(), Days: o.days, Offline: o.offline, HTTPClient: hc, Concurrency: crlConcurrency,
	})
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		err = health.JSON(env.Out, r)
	case "markdown":
		err = health.Markdown(env.Out, r)
	default:
		err = health.Text(env.Out, r, health.TextOptions{Color: env.color(g.noColor)})
	}
	if err != nil {
		return err
	}
	switch errs, warns := r.Summary(); {
	case errs > 0:
		return exitCode(exitError)
	case warns > 0:
		return exitCode(exitWarnings)
	}
	return nil
}

// withTestClock returns env with its clock fixed at $CBACTL_TEST_NOW when
// that is set (see testNowEnv).
func withTestClock(env *Env) (*Env, error) {
	v := env.Getenv(testNowEnv)
	if v == "" {
		return env, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, errors.New(testNowEnv + " is not an RFC 3339 time")
	}
	e := *env
	e.Now = func() time.Time { return t }
	return &e, nil
}
