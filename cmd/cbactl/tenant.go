package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

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
	timeout  time.Duration
}

// defaultTimeout bounds a whole command that talks to Graph: longer than
// the longest upload Graph documents (30 minutes), short enough that a
// stuck nightly drift check ends the same night.
const defaultTimeout = time.Hour

// register adds the tenant flags to cmd, whose RunE must be set: it runs
// under the --timeout deadline.
func (f *tenantFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "read the tenant from a snapshot FILE instead of Microsoft Graph")
	cmd.Flags().StringVar(&f.cloud, "cloud", "", "the Microsoft cloud: global, usgov, usgovdod or china (default: tenant.cloud, else global)")
	cmd.Flags().BoolVar(&f.debug, "debug", false, "log every Graph request to standard error (also: CBACTL_LOG=debug); tokens are never logged")
	cmd.Flags().DurationVar(&f.timeout, "timeout", defaultTimeout, "give up when the whole command takes longer (e.g. 90s, 30m); waits Graph asks for (Retry-After) never go beyond it")
	run := cmd.RunE
	if run == nil {
		panic("tenantFlags.register: " + cmd.Name() + " has no RunE yet")
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if f.timeout <= 0 {
			return flagError{fmt.Errorf("invalid --timeout %s: must be positive", f.timeout)}
		}
		ctx, cancel := context.WithTimeoutCause(c.Context(), f.timeout,
			fmt.Errorf("cbactl gave up: the command took longer than --timeout %s", f.timeout))
		defer cancel()
		c.SetContext(ctx)
		return run(c, args)
	}
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
	// Every wait between two attempts of a request is announced, so that
	// a throttling or failing Graph is never waited on silently.
	var mu sync.Mutex
	opts.Notify = func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(env.Err, "Waiting: %s\n", msg)
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
