package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/graph/snapshot"
	"github.com/cbactl/cbactl/internal/jsonout"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/simulate"
)

type simulateOptions struct {
	configFlags
	snapshot  string
	cert      string
	chain     []string
	crls      []string
	json      bool
	upn       string
	onPremUPN string
	cuids     []string
	groups    []string
}

func newSimulateCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate --cert FILE",
		Short: "Predict Entra's decision for a user certificate",
		Long: `Simulate predicts what Microsoft Entra ID decides when a user signs in with a certificate:
whether it chains to the trust store, whether a CRL lists it, which authentication binding
rule gives it its strength and required affinity, which username binding finds the user,
and which authentication strengths the sign-in satisfies (the configuration's declared ones,
or a snapshot's custom ones by display name; --json: "strengths").

It evaluates against the configuration (--chdir) or a tenant snapshot (--snapshot). CRLs
given with --crl stand for what Entra would download from the CAs' CRL URLs; a CA with a
CRL URL and no --crl is assumed to publish a CRL that does not list the certificate.

Without --user-* flags the user is assumed to hold whatever the first applicable username
binding yields; with --user-upn, --user-onprem-upn or --user-cuid, the user holds exactly
those values. Without --user-group the user's group memberships are unknown and assumed
to let the user in. Every such guess, and every behaviour Entra's documentation leaves
open, is listed under "Assumptions". The exit status is 0 when the sign-in would succeed.`,
		Example: `  cbactl simulate --chdir examples/contoso --cert examples/contoso/certs/tests/piv.pem
  cbactl simulate --cert alice.pem --crl issuing.crl --user-upn alice@contoso.com --user-group "CBA Users"
  cbactl simulate --snapshot tenant.json --cert alice.pem --json | jq '.assumptions'
  cbactl simulate --chdir examples/contoso --cert examples/contoso/certs/tests/piv.pem --json | jq '.strengths'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.snapshot != "" && cmd.Flags().Changed("chdir") {
				return flagError{errors.New("--snapshot and --chdir exclude each other")}
			}
			return runSimulate(cmd.Context(), env, g, o)
		},
	}
	o.configFlags.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "evaluate against the tenant in a snapshot FILE instead of the configuration")
	f.StringVar(&o.cert, "cert", "", "the user certificate FILE (PEM or DER)")
	f.StringArrayVar(&o.chain, "chain", nil, "certificates the client presents with it (PEM, DER or PKCS #7; repeatable)")
	f.StringArrayVar(&o.crls, "crl", nil, "a CRL FILE (PEM or DER) Entra would download (repeatable)")
	f.BoolVar(&o.json, "json", false, "print the decision trace as JSON")
	f.StringVar(&o.upn, "user-upn", "", "the user's userPrincipalName")
	f.StringVar(&o.onPremUPN, "user-onprem-upn", "", "the user's onPremisesUserPrincipalName")
	f.StringArrayVar(&o.cuids, "user-cuid", nil, "a value of the user's certificateUserIds (repeatable)")
	f.StringArrayVar(&o.groups, "user-group", nil, "a group the user is a member of, by display name or id (repeatable)")
	return cmd
}

func runSimulate(ctx context.Context, env *Env, g *globalOptions, o *simulateOptions) error {
	if o.cert == "" {
		return flagError{errors.New("--cert is required")}
	}
	in := simulate.Input{Now: env.Now()}
	var err error
	if in.Certificate, err = readCertificateFile(o.cert); err != nil {
		return err
	}
	for _, p := range o.chain {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		certs, err := pki.ParseCertificates(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		in.Chain = append(in.Chain, certs...)
	}
	for _, p := range o.crls {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c, err := simulate.ParseCRL(p, data)
		if err != nil {
			return err
		}
		in.CRLs = append(in.CRLs, c)
	}
	if o.upn != "" || o.onPremUPN != "" || len(o.cuids) > 0 || len(o.groups) > 0 {
		in.User = &simulate.User{UserPrincipalName: o.upn, OnPremisesUserPrincipalName: o.onPremUPN, CertificateUserIDs: o.cuids}
		if len(o.groups) > 0 {
			in.User.Groups = o.groups
		}
	}

	if o.snapshot != "" {
		t, err := snapshot.Open(o.snapshot)
		if err != nil {
			return err
		}
		obs, err := t.Observe(ctx)
		if err != nil {
			return fmt.Errorf("read the snapshot: %w", err)
		}
		in.State = obs.State
		if _, err := readStrengths(ctx, t, &in.State); err != nil {
			return err
		}
	} else {
		cfg, diags := config.Load(o.chdir, o.loadOptions(env))
		if diags.HasErrors() {
			writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
			return exitCode(exitError)
		}
		in.State = cfg.Desired
	}

	r := simulate.Evaluate(in)
	if o.json {
		if err := jsonout.Write(env.Out, r); err != nil {
			return err
		}
	} else {
		writeTrace(env.Out, r, in.Certificate)
	}
	if !r.Success {
		return exitCode(exitError)
	}
	return nil
}

// readCertificateFile reads exactly one certificate, PEM or DER.
func readCertificateFile(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// verdict is the one-line summary of a trace.
func verdict(r simulate.Result) string {
	if !r.Success {
		for _, s := range r.Steps {
			if s.Outcome == simulate.OutcomeFail {
				return "Sign-in would fail: " + s.Detail
			}
		}
		return "Sign-in would fail"
	}
	parts := []string{strings.ReplaceAll(string(r.Mode), "_", "-"), string(r.Affinity) + " affinity"}
	if r.Rule == simulate.DefaultRule {
		parts = append(parts, "tenant default (no rule matches)")
	} else {
		parts = append(parts, "rule "+r.Rule)
	}
	for _, b := range r.Bindings {
		if b.Matched && b.Value != nil {
			parts = append(parts, fmt.Sprintf("binding %s → %s = %s", b.Field, b.Attribute, *b.Value))
		}
	}
	return "Sign-in would succeed: " + strings.Join(parts, ", ")
}

// writeTrace prints a trace for people: the verdict, the decision, the steps
// and the assumptions.
func writeTrace(w io.Writer, r simulate.Result, c *x509.Certificate) {
	fmt.Fprintln(w, verdict(r))
	fmt.Fprintln(w)
	if c != nil {
		fmt.Fprintf(w, "  Certificate: %s\n", pki.SubjectDN(c, pki.RuleOrder))
		fmt.Fprintf(w, "  Issuer:      %s\n", pki.IssuerDN(c, pki.RuleOrder))
	}
	trusted := "not trusted"
	if r.Trusted {
		trusted = "trusted"
	}
	fmt.Fprintf(w, "  Chain:       %s (%s)\n", strings.Join(r.Chain, " → "), trusted)
	fmt.Fprintf(w, "  Revoked:     %s\n", traceYesNo(r.Revoked))
	fmt.Fprintf(w, "  Strength:    %s, %s affinity (%s)\n", r.Mode, r.Affinity, r.Rule)
	for i, b := range r.Bindings {
		label := "              "
		if i == 0 {
			label = "  Bindings:   "
		}
		value := "(field absent)"
		if b.Value != nil {
			value = *b.Value
		}
		result := ""
		if b.Matched {
			result = " ✓"
		}
		fmt.Fprintf(w, "%s %s → %s = %s%s\n", label, b.Field, b.Attribute, value, result)
	}
	writeStrengths(w, r)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Steps:")
	for _, s := range r.Steps {
		fmt.Fprintf(w, "  [%s] %s: %s\n", s.Outcome, s.Name, s.Detail)
	}
	if len(r.Assumptions) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Assumptions:")
		for _, a := range r.Assumptions {
			fmt.Fprintf(w, "  - %s\n", a)
		}
	}
}

func traceYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
