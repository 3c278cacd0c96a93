package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/internal/atomicfile"
	"github.com/cbactl/cbactl/internal/export"
	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

type exportOptions struct {
	tenantFlags
	format string
	out    string
	force  bool
}

func newExportCmd(env *Env) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export --out DIR|FILE",
		Short: "Write the tenant's configuration as HCL, or as a snapshot",
		Long: `Export reads the tenant (Microsoft Graph, or --snapshot) and writes it.

--format hcl (the default) adopts a tenant: it writes a configuration directory DIR that
declares exactly what the tenant holds, so that plan against the same tenant shows no
changes. main.hcl holds the tenant block and the x509_certificate configuration, every
attribute written out; pki.hcl the PKI containers and their certificate authorities; the
CA certificates go to DIR/certs as PEM files. Groups are named by display name when the
name is unique in the tenant, else by id. The classic (legacy) trust store, which cbactl
never writes, becomes pki "legacy" in legacy.hcl, with the steps of the migration; a
classic CA that a PKI container holds too is not repeated. Properties cbactl does not
model, and anything the configuration cannot express, are reported and written as
comments. DIR must be empty or absent, unless --force: then the files export writes
are overwritten, and other files are left as they are.

--format snapshot writes a tenant snapshot: Graph's own JSON shapes (contract §2), which
plan, apply and simulate read with --snapshot. Properties cbactl does not model are
reported as warnings. An existing FILE is overwritten only with --force.`,
		Example: `  cbactl export --out cba                          # adopt the tenant: HCL and certificates
  cbactl validate --chdir cba && cbactl plan --chdir cba
  cbactl export --out cba --force                  # refresh an exported directory
  cbactl export --snapshot tenant.json --out cba   # from a snapshot
  cbactl export --format snapshot --out tenant.json
  AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_CERTIFICATE_PATH=app.pem \
    cbactl export --format snapshot --out tenant.json   # as an app registration`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), env, o)
		},
	}
	o.tenantFlags.register(cmd)
	cmd.Flags().StringVar(&o.format, "format", "hcl", "what to write: hcl (configuration) or snapshot")
	cmd.Flags().StringVar(&o.out, "out", "", "the directory (hcl) or file (snapshot) to write")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite: hcl, the files export writes in a directory that is not empty; snapshot, an existing FILE")
	return cmd
}

func runExport(ctx context.Context, env *Env, o *exportOptions) error {
	switch {
	case o.out == "":
		return flagError{fmt.Errorf("--out is required")}
	case o.format == "hcl":
		return runExportHCL(ctx, env, o)
	case o.format != "snapshot":
		return flagError{fmt.Errorf("invalid --format %q: must be hcl or snapshot", o.format)}
	}
	if err := o.checkCloud(); err != nil {
		return err
	}
	if _, err := os.Lstat(o.out); err == nil && !o.force {
		return fmt.Errorf("%s exists; use --force to overwrite it", o.out)
	}
	t, err := o.open(env, "", "")
	if err != nil {
		return err
	}
	doc, warnings, err := t.ReadDocument(ctx)
	if err != nil {
		return err
	}
	if w, err := exportStrengthDocuments(ctx, env, t, &doc); err != nil {
		return err
	} else {
		warnings = append(warnings, w...)
	}
	if err := exportUserDocuments(ctx, env, t, &doc); err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Err, "Warning: %s\n", w)
	}
	if err := atomicfile.WriteFile(o.out, store.SnapshotFromDocument(doc)); err != nil {
		return fmt.Errorf("write %s: %w", o.out, err)
	}
	strengths := ""
	if n := countCustomStrengths(doc); n > 0 {
		strengths = fmt.Sprintf(", %d custom authentication %s", n, plural(n, "strength", "strengths"))
	}
	fmt.Fprintf(env.Out, "Wrote %s: %d PKI %s, %d certificate %s%s.\n", o.out,
		len(doc.PKIs), plural(len(doc.PKIs), "container", "containers"), countCAs(doc), plural(countCAs(doc), "authority", "authorities"), strengths)
	return nil
}

func countCAs(d wire.Document) int {
	n := 0
	for _, p := range d.PKIs {
		n += len(p.CertificateAuthorities)
	}
	return n
}

// runExportHCL writes the tenant as a configuration directory.
func runExportHCL(ctx context.Context, env *Env, o *exportOptions) error {
	if err := o.checkCloud(); err != nil {
		return err
	}
	if err := checkExportDir(o.out, o.force); err != nil {
		return err
	}
	t, err := o.open(env, "", "")
	if err != nil {
		return err
	}
	obs, err := t.Observe(ctx)
	if err != nil {
		return fmt.Errorf("read the tenant: %w", err)
	}
	st := obs.State
	strengthWarnings, err := exportStrengths(ctx, env, t, &st)
	if err != nil {
		return err
	}
	obs.Warnings = appendNew(obs.Warnings, strengthWarnings)
	if err := exportUsers(ctx, env, t, &st); err != nil {
		return err
	}
	if o.cloud != "" {
		// A snapshot does not say which cloud it came from.
		st.Cloud = model.Cloud(o.cloud)
	}
	var groupNames map[string]string
	if names := export.GroupNamesToCheck(st); len(names) > 0 {
		found, err := t.ResolveGroups(ctx, names)
		if err != nil {
			return fmt.Errorf("resolve group names: %w", err)
		}
		groupNames = export.UniqueGroupNames(st, found)
	}
	res := export.Export(export.Input{State: st, Warnings: obs.Warnings, GroupNames: groupNames})

	if err := writeExport(o.out, res.Files); err != nil {
		return err
	}
	for _, w := range obs.Warnings {
		fmt.Fprintf(env.Err, "Warning: %s (a comment in %s)\n", w, export.MainFile)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(env.Err, "Warning: %s\n", n)
	}
	for _, f := range leftoverHCL(o.out, res.Files) {
		fmt.Fprintf(env.Err, "Warning: %s was not written by this export, and is still part of the configuration in %s.\n", f, o.out)
	}
	printExportSummary(env, o, res)
	return nil
}

// checkExportDir refuses an output that is not a directory, or a directory
// that is not empty without --force.
func checkExportDir(dir string, force bool) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("%s exists and is not a directory: --format hcl writes a configuration directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 && !force {
		return fmt.Errorf("%s is not empty; export writes into an empty or new directory. Use --force to overwrite the files export writes there", dir)
	}
	return nil
}

// writeExport writes the files under dir. Every file is written beside its
// destination first; only when all of them are written are they moved into
// place, so that a failure leaves the files already there untouched.
func writeExport(dir string, files []export.File) error {
	staged := make([]*atomicfile.Staged, 0, len(files))
	discard := func() {
		for _, s := range staged {
			s.Discard()
		}
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			discard()
			return fmt.Errorf("%w; no file was written", err)
		}
		s, err := atomicfile.Stage(path, f.Data)
		if err != nil {
			discard()
			return fmt.Errorf("write %s: %w; no file was written", path, err)
		}
		staged = append(staged, s)
	}
	for i, s := range staged {
		if err := s.Commit(); err != nil {
			for _, rest := range staged[i+1:] {
				rest.Discard()
			}
			return fmt.Errorf("write %s: %w", filepath.Join(dir, filepath.FromSlash(files[i].Path)), err)
		}
	}
	return nil
}

// leftoverHCL lists the *.hcl files in dir that the export did not write:
// with --force they stay, and are merged into the configuration.
func leftoverHCL(dir string, files []export.File) []string {
	written := map[string]bool{}
	for _, f := range files {
		written[f.Path] = true
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
	var out []string
	for _, p := range paths {
		if !written[filepath.Base(p)] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func printExportSummary(env *Env, o *exportOptions, res export.Result) {
	s := res.Summary
	var hcl []string
	for _, f := range res.Files {
		if !strings.Contains(f.Path, "/") {
			hcl = append(hcl, f.Path)
		}
	}
	fmt.Fprintf(env.Out, "Wrote %s: %s, and %d %s in %s.\n", o.out, strings.Join(hcl, ", "),
		s.Certificates, plural(s.Certificates, "certificate", "certificates"), filepath.Join(o.out, export.CertDir))
	parts := []string{fmt.Sprintf("%d PKI %s with %d certificate %s", s.PKIs, plural(s.PKIs, "container", "containers"), s.CAs, plural(s.CAs, "authority", "authorities"))}
	if s.LegacyCAs > 0 {
		parts = append(parts, fmt.Sprintf("%d certificate %s of the classic trust store as pki.%s", s.LegacyCAs, plural(s.LegacyCAs, "authority", "authorities"), export.LegacyLabel))
	}
	if s.LegacyInPKI > 0 {
		parts = append(parts, fmt.Sprintf("%d classic-store certificate %s already in a PKI container (not repeated)", s.LegacyInPKI, plural(s.LegacyInPKI, "authority", "authorities")))
	}
	if s.X509 {
		parts = append(parts, fmt.Sprintf("x509_certificate with %d %s, %d username %s, %d include %s, %d exclude %s, %d CA %s",
			s.Rules, plural(s.Rules, "rule", "rules"), s.Bindings, plural(s.Bindings, "binding", "bindings"),
			s.IncludeTargets, plural(s.IncludeTargets, "target", "targets"), s.ExcludeTargets, plural(s.ExcludeTargets, "target", "targets"),
			s.Scopes, plural(s.Scopes, "scope", "scopes")))
	}
	if s.Strengths > 0 {
		parts = append(parts, fmt.Sprintf("%d custom authentication %s", s.Strengths, plural(s.Strengths, "strength", "strengths")))
	}
	if s.Users > 0 {
		parts = append(parts, fmt.Sprintf("the certificateUserIds of %d %s", s.Users, plural(s.Users, "user", "users")))
	}
	fmt.Fprintf(env.Out, "Exported %s.\n", strings.Join(parts, "; "))
	next := "cbactl plan --chdir " + o.out
	if o.snapshot != "" {
		next += " --snapshot " + o.snapshot
	}
	fmt.Fprintf(env.Out, "Next: cbactl validate --chdir %s, then %s.\n", o.out, next)
}
