package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/health"
	"github.com/cbactl/cbactl/internal/jsonout"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// crlConcurrency bounds the CRL downloads that run at once.
const crlConcurrency = pki.DefaultCRLConcurrency

const ansiCRLGreen = "\x1b[32m"

// newCRLCmd is the `crl` command group (crl check).
func newCRLCmd(env *Env, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "crl",
		Short: "Check certificate revocation lists",
		Long: `Commands about the certificate revocation lists (CRLs) of the trust store's
certificate authorities.`,
		Example: `  cbactl crl check
  cbactl crl check --url http://crl.contoso.com/issuing.crl --ca certs/issuing.pem`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newCRLCheckCmd(env, g, nil))
	return cmd
}

// crlCheckOptions are the flags of crl check, and what tests inject.
type crlCheckOptions struct {
	configFlags
	json              bool
	url, deltaURL, ca string
	timeout           time.Duration
	client            *http.Client // nil: a client of its own
	// urlFlagsSet and cfgSet say whether one-off flags and configuration
	// flags were given.
	urlFlagsSet, cfgSet bool
}

func newCRLCheckCmd(env *Env, g *globalOptions, client *http.Client) *cobra.Command {
	o := &crlCheckOptions{client: client}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Download and verify the CRLs of every declared CA",
		Long: `Check downloads the CRL (and delta CRL) of every certificate authority the configuration
declares, upload bundles included, and verifies them as Entra does during a sign-in:

  - the download answers 200 OK within 10 seconds (AADSTS500173, AADSTS2205012)
    and is at most 20 MB, Entra's interactive limit (AADSTS2205014);
  - the body is a CRL, DER or PEM (AADSTS2205011, AADSTS500174);
  - the CA's key signed it, its issuer is the CA's subject and its authority key
    identifier is the CA's subject key identifier (AADSTS2205015);
  - it has not passed its nextUpdate (a warning within 24 hours of it);
  - a delta CRL carries the delta CRL indicator and applies to the base CRL, and
    a delta CRL URL comes with a base CRL URL (AADSTS500177).

A CA without a CRL URL is a warning: Entra checks no revocation for it. HTTPS URLs
are a warning: Entra recommends plain HTTP. With --url and --ca, check one CRL
against one CA certificate instead of the configuration.

Exit status: 1 if any CRL has an error, 0 otherwise.`,
		Example: `  cbactl crl check
  cbactl crl check --chdir examples/contoso --json | jq '.[] | select(.status != "ok")'
  cbactl crl check --url http://crl.contoso.com/issuing.crl --ca certs/issuing.pem
  cbactl crl check --url http://crl.contoso.com/issuing.crl --delta-url http://crl.contoso.com/issuing+.crl --ca certs/issuing.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			o.urlFlagsSet = f.Changed("url") || f.Changed("delta-url") || f.Changed("ca")
			o.cfgSet = f.Changed("chdir") || f.Changed("var") || f.Changed("var-file")
			return runCRLCheck(cmd.Context(), env, g, o)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print the results as JSON: an array with one object per CA")
	f.StringVar(&o.url, "url", "", "check the CRL at this URL instead of the configuration's (needs --ca)")
	f.StringVar(&o.deltaURL, "delta-url", "", "with --url: the delta CRL URL to check too")
	f.StringVar(&o.ca, "ca", "", "with --url: the CA certificate (PEM or DER) that should have issued the CRL")
	f.DurationVar(&o.timeout, "timeout", pki.DefaultCRLTimeout, "the time a download may take; Entra allows 10s during a sign-in")
	return cmd
}

// crlTarget is one CA whose CRLs are checked.
type crlTarget struct {
	addr          string
	cert          *x509.Certificate
	url, deltaURL string
}

func runCRLCheck(ctx context.Context, env *Env, g *globalOptions, o *crlCheckOptions) error {
	targets, err := o.targets(env, g)
	if err != nil {
		return err
	}
	hc := o.client
	if hc == nil {
		hc = newCRLClient()
	}
	// The size limit and the nextUpdate horizon are Entra's: pki's defaults.
	opts := pki.CRLCheckOptions{Timeout: o.timeout}
	reports := checkCRLs(ctx, hc, targets, env.Now(), opts, crlConcurrency)

	if o.json {
		if err := jsonout.Write(env.Out, crlResultsJSON(targets, reports)); err != nil {
			return err
		}
	} else {
		writeCRLReports(env.Out, targets, reports, env.color(g.noColor))
	}
	for _, r := range reports {
		if r.HasErrors() {
			return exitCode(exitError)
		}
	}
	return nil
}

// targets returns the CAs to check: the one of --ca, or every CA of the
// configuration in declaration order.
func (o *crlCheckOptions) targets(env *Env, g *globalOptions) ([]crlTarget, error) {
	if o.urlFlagsSet {
		if o.cfgSet {
			return nil, flagError{errors.New("--url, --delta-url and --ca check one CRL without a configuration: they cannot be combined with --chdir, --var or --var-file")}
		}
		if o.ca == "" {
			return nil, flagError{errors.New("--ca is required with --url and --delta-url: the CA certificate the CRL is checked against")}
		}
		if o.url == "" && o.deltaURL == "" {
			return nil, flagError{errors.New("--ca needs --url (and optionally --delta-url)")}
		}
		data, err := os.ReadFile(o.ca)
		if err != nil {
			return nil, fmt.Errorf("read the CA certificate: %w", err)
		}
		cert, err := pki.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("the CA certificate %s: %w", o.ca, err)
		}
		return []crlTarget{{addr: o.ca, cert: cert, url: o.url, deltaURL: o.deltaURL}}, nil
	}

	cfg, diags := config.Load(o.chdir, o.loadOptions(env))
	if diags.HasErrors() {
		writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
		return nil, exitCode(exitError)
	}
	return crlTargets(cfg.Desired)
}

// crlTargets lists the CAs of the desired state: CA blocks by address,
// bundle CAs by thumbprint (as plans address them).
func crlTargets(st model.State) ([]crlTarget, error) {
	cas, err := health.DeclaredCAs(st)
	if err != nil {
		return nil, err
	}
	out := make([]crlTarget, 0, len(cas))
	for _, ca := range cas {
		u := ca.CRLs[0]
		out = append(out, crlTarget{addr: string(ca.Address), cert: ca.Cert, url: u.URL, deltaURL: u.DeltaURL})
	}
	return out, nil
}

// checkCRLs checks the targets concurrently, at most limit at a time, and
// returns the reports in the order of targets.
func checkCRLs(ctx context.Context, hc *http.Client, targets []crlTarget, now time.Time, opts pki.CRLCheckOptions, limit int) []pki.CRLReport {
	ts := make([]pki.CRLTarget, len(targets))
	for i, t := range targets {
		ts[i] = pki.CRLTarget{CA: t.cert, URL: t.url, DeltaURL: t.deltaURL}
	}
	return pki.CheckCRLs(ctx, hc, ts, now, opts, limit)
}

// newCRLClient is the HTTP client of CRL downloads: the default transport
// (with the environment's proxy settings); each download has its own
// timeout through its context.
func newCRLClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// --- text output ---

func writeCRLReports(w io.Writer, targets []crlTarget, reports []pki.CRLReport, color bool) {
	paint := func(s, c string) string {
		if !color {
			return s
		}
		return c + s + ansiReset
	}
	statusColor := map[string]string{"ok": ansiCRLGreen, "warning": ansiYellow, "error": ansiRed}
	counts := map[string]int{}
	for i, t := range targets {
		r := reports[i]
		st := r.Status()
		counts[st]++
		fmt.Fprintf(w, "%s: %s\n", paint(t.addr, ansiBold), paint(st, statusColor[st]))
		fmt.Fprintf(w, "  subject:   %s\n", pki.SubjectDN(t.cert, pki.RuleOrder))
		if t.url != "" {
			fmt.Fprintf(w, "  crl:       %s\n", t.url)
			writeCRLInfo(w, r.Base)
		}
		if t.deltaURL != "" {
			fmt.Fprintf(w, "  delta crl: %s\n", t.deltaURL)
			writeCRLInfo(w, r.Delta)
		}
		for _, f := range r.Findings {
			sev := string(f.Severity)
			fmt.Fprintf(w, "  %s [%s] %s\n", paint(sev, statusColor[sev]), f.Code, f.Message)
		}
		fmt.Fprintln(w)
	}
	if len(targets) == 0 {
		fmt.Fprintln(w, "The configuration declares no certificate authorities.")
		return
	}
	fmt.Fprintf(w, "%d %s checked: %d ok, %d with warnings, %d with errors.\n",
		len(targets), plural(len(targets), "CA", "CAs"), counts["ok"], counts["warning"], counts["error"])
}

func writeCRLInfo(w io.Writer, info *pki.CRLInfo) {
	if info == nil {
		return
	}
	var parts []string
	if info.Number != nil {
		parts = append(parts, "number "+info.Number.String())
	} else {
		parts = append(parts, "no CRL number")
	}
	if info.DeltaBase != nil {
		parts = append(parts, "delta of base "+info.DeltaBase.String())
	}
	took := "<1ms"
	if info.Download >= time.Millisecond {
		took = info.Download.Round(time.Millisecond).String()
	}
	parts = append(parts, fmt.Sprintf("%d revoked", info.Revoked), pki.FormatBytes(info.SizeBytes), "downloaded in "+took)
	fmt.Fprintf(w, "             %s\n", strings.Join(parts, ", "))
	next := "none"
	if !info.NextUpdate.IsZero() {
		next = info.NextUpdate.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "             this update %s, next update %s\n", info.ThisUpdate.UTC().Format(time.RFC3339), next)
}

// --- JSON output ---

type crlResultJSON struct {
	Address     string           `json:"address"`
	Subject     string           `json:"subject"`
	CRLURL      *string          `json:"crl_url"`
	DeltaCRLURL *string          `json:"delta_crl_url"`
	Status      string           `json:"status"`
	CRL         *crlInfoJSON     `json:"crl"`
	DeltaCRL    *crlInfoJSON     `json:"delta_crl"`
	Findings    []crlFindingJSON `json:"findings"`
}

type crlInfoJSON struct {
	URL           string     `json:"url"`
	Issuer        string     `json:"issuer"`
	Number        *big.Int   `json:"number"`
	BaseCRLNumber *big.Int   `json:"base_crl_number,omitempty"`
	ThisUpdate    time.Time  `json:"this_update"`
	NextUpdate    *time.Time `json:"next_update"`
	Revoked       int        `json:"revoked"`
	SizeBytes     int64      `json:"size_bytes"`
	DownloadMS    int64      `json:"download_ms"`
}

type crlFindingJSON struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	URL      string `json:"url,omitempty"`
}

func crlResultsJSON(targets []crlTarget, reports []pki.CRLReport) []crlResultJSON {
	out := make([]crlResultJSON, 0, len(targets))
	for i, t := range targets {
		r := reports[i]
		res := crlResultJSON{
			Address:     t.addr,
			Subject:     pki.SubjectDN(t.cert, pki.RuleOrder),
			CRLURL:      crlOptional(t.url),
			DeltaCRLURL: crlOptional(t.deltaURL),
			Status:      r.Status(),
			CRL:         crlInfoToJSON(r.Base),
			DeltaCRL:    crlInfoToJSON(r.Delta),
			Findings:    []crlFindingJSON{},
		}
		for _, f := range r.Findings {
			res.Findings = append(res.Findings, crlFindingJSON{Severity: string(f.Severity), Code: string(f.Code), Message: f.Message, URL: f.URL})
		}
		out = append(out, res)
	}
	return out
}

func crlInfoToJSON(info *pki.CRLInfo) *crlInfoJSON {
	if info == nil {
		return nil
	}
	j := &crlInfoJSON{
		URL: info.URL, Issuer: info.Issuer, Number: info.Number, BaseCRLNumber: info.DeltaBase,
		ThisUpdate: info.ThisUpdate.UTC(), Revoked: info.Revoked, SizeBytes: info.SizeBytes,
		DownloadMS: info.Download.Milliseconds(),
	}
	if !info.NextUpdate.IsZero() {
		t := info.NextUpdate.UTC()
		j.NextUpdate = &t
	}
	return j
}

func crlOptional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
