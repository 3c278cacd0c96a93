package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/internal/graph"
	"github.com/cbactl/cbactl/internal/graph/snapshot"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// tenantFlags select the tenant a command reads, and apply writes: Microsoft
// Graph, or a snapshot file.
type tenantFlags struct {
	snapshot string
	cloud    string
	debug    bool
}

func (f *tenantFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "read the tenant from a snapshot FILE instead of Microsoft Graph")
	cmd.Flags().StringVar(&f.cloud, "cloud", "", "the Microsoft cloud: global, usgov, usgovdod or china (default: tenant.cloud, else global)")
	cmd.Flags().BoolVar(&f.debug, "debug", false, "log every Graph request to standard error (also: CBACTL_LOG=debug); tokens are never logged")
}

// tenant is an open tenant backend.
type tenant interface {
	model.Tenant
	// ReadDocument reads the tenant in Graph's shapes, for export.
	ReadDocument(ctx context.Context) (wire.Document, []string, error)
	// Flush persists writes (a snapshot file); a no-op for Graph.
	Flush() error
}

// graphTenant adapts the Graph client to tenant.
type graphTenant struct{ *graph.Client }

func (graphTenant) Flush() error { return nil }

// checkCloud refuses an unknown --cloud, with or without --snapshot.
func (f *tenantFlags) checkCloud() error {
	if f.cloud != "" && !model.Valid(model.Cloud(f.cloud), model.Clouds) {
		return flagError{fmt.Errorf("invalid --cloud %q: must be %s", f.cloud, model.Quoted(model.Clouds))}
	}
	return nil
}

// open connects to the tenant. cloud and tenantID come from the
// configuration's tenant block when there is one.
func (f *tenantFlags) open(env *Env, cloud model.Cloud, tenantID string) (tenant, error) {
	if err := f.checkCloud(); err != nil {
		return nil, err
	}
	if f.snapshot != "" {
		return snapshot.Open(f.snapshot)
	}
	if f.cloud != "" {
		cloud = model.Cloud(f.cloud)
	}
	if cloud == "" {
		cloud = model.CloudGlobal
	}
	if tenantID == "" {
		tenantID = env.Getenv("AZURE_TENANT_ID")
	}
	opts := graph.Options{
		BaseURL:     env.Getenv("CBACTL_GRAPH_URL"),
		Cloud:       cloud,
		TenantID:    tenantID,
		AccessToken: env.Getenv("CBACTL_ACCESS_TOKEN"),
	}
	if f.debug || strings.EqualFold(env.Getenv("CBACTL_LOG"), "debug") {
		opts.Logger = slog.New(slog.NewTextHandler(env.Err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := graph.New(opts)
	if err != nil {
		return nil, err
	}
	return graphTenant{c}, nil
}
