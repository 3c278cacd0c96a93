package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/internal/atomicfile"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

type exportOptions struct {
	tenantFlags
	format string
	out    string
}

func newExportCmd(env *Env) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write the tenant's configuration as a snapshot",
		Long: `Export reads the tenant (Microsoft Graph, or --snapshot) and writes it.

--format snapshot writes a tenant snapshot: Graph's own JSON shapes (contract §2), which
plan, apply and simulate read with --snapshot. Properties cbactl does not model are
reported as warnings.`,
		Example: `  cbactl export --format snapshot --out tenant.json
  CBACTL_ACCESS_TOKEN=$(az account get-access-token --resource-type ms-graph --query accessToken -o tsv) \
    cbactl export --format snapshot --out tenant.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), env, o)
		},
	}
	o.tenantFlags.register(cmd)
	cmd.Flags().StringVar(&o.format, "format", "hcl", "what to write: hcl (configuration) or snapshot")
	cmd.Flags().StringVar(&o.out, "out", "", "the file (snapshot) or directory (hcl) to write")
	return cmd
}

func runExport(ctx context.Context, env *Env, o *exportOptions) error {
	switch {
	case o.out == "":
		return flagError{fmt.Errorf("--out is required")}
	case o.format == "hcl":
		return flagError{fmt.Errorf("--format hcl is not available in this version; use --format snapshot")}
	case o.format != "snapshot":
		return flagError{fmt.Errorf("invalid --format %q: must be hcl or snapshot", o.format)}
	}
	t, err := o.open(env, "", "")
	if err != nil {
		return err
	}
	doc, warnings, err := t.ReadDocument(ctx)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Err, "Warning: %s\n", w)
	}
	if err := atomicfile.WriteFile(o.out, wire.SnapshotFromDocument(doc)); err != nil {
		return fmt.Errorf("write %s: %w", o.out, err)
	}
	fmt.Fprintf(env.Out, "Wrote %s: %d PKI %s, %d certificate %s.\n", o.out,
		len(doc.PKIs), plural(len(doc.PKIs), "container", "containers"), countCAs(doc), plural(countCAs(doc), "authority", "authorities"))
	return nil
}

func countCAs(d wire.Document) int {
	n := 0
	for _, p := range d.PKIs {
		n += len(p.CertificateAuthorities)
	}
	return n
}
