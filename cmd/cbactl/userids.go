package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cbactl/cbactl/internal/graph"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/apply"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// observeUsers reads the tenant's users into st when the configuration has
// a certificate_user_ids block (no block: no user is read nor touched).
func observeUsers(ctx context.Context, t tenant, desired model.State, st *model.State) error {
	if desired.CertUserIDs == nil {
		return nil
	}
	return readUsers(ctx, t, st)
}

func readUsers(ctx context.Context, t tenant, st *model.State) error {
	r, ok := t.(model.UserTenant)
	if !ok {
		return fmt.Errorf("this tenant backend cannot read users")
	}
	users, err := r.ObserveUsers(ctx)
	if err != nil {
		return fmt.Errorf("read the users' certificateUserIds (needs User.Read.All, or User.ReadWrite.All to apply): %w", err)
	}
	if users == nil {
		users = []model.User{}
	}
	st.Users = users
	return nil
}

// reportUsers shows the progress of the users step: on a terminal one line,
// rewritten in place, with users written, throttled, left and an ETA.
func (r *reporter) reportUsers(e apply.Event) {
	p := e.Users
	if p == nil {
		return
	}
	r.usersLast = p
	if !r.env.StdoutTTY {
		return
	}
	eta := "unknown"
	if p.Written > 0 && e.Elapsed > 0 {
		rate := float64(p.Written) / e.Elapsed.Seconds()
		eta = (time.Duration(float64(p.Left)/rate) * time.Second).Round(time.Second).String()
	}
	if p.Left == 0 {
		eta = "0s"
	}
	fmt.Fprintf(r.env.Out, "\r%s: %d of %d users written, %d throttled (retried after Graph's Retry-After), %d left, ETA %s   ",
		e.Step.Address, p.Written, e.UsersTotal, p.Throttled, p.Left, eta)
}

// usersSummary is the line that ends the users step.
func (r *reporter) usersSummary(e apply.Event) {
	p := r.usersLast
	if p == nil || e.Step.Phase != apply.PhaseUsers {
		return
	}
	if r.env.StdoutTTY {
		fmt.Fprintln(r.env.Out)
	}
	fmt.Fprintf(r.env.Out, "%s: %d users written, %d left; Graph throttled %d writes, each sent again after its Retry-After\n",
		e.Step.Address, p.Written, p.Left, p.Throttled)
	r.usersLast = nil
}

// exportUsers reads the users for export. Without the permission to read
// them (User.Read.All), export goes on without them and says so.
func exportUsers(ctx context.Context, env *Env, t tenant, st *model.State) error {
	err := readUsers(ctx, t, st)
	if err != nil && graph.IsForbidden(err) {
		fmt.Fprintf(env.Err, "Warning: the users' certificateUserIds were not exported: %v\n", err)
		return nil
	}
	return err
}

// userDocReader reads users in Graph's shapes (the Graph client; a
// snapshot's document already holds them).
type userDocReader interface {
	ReadUsers(ctx context.Context) ([]wire.User, []string, error)
}

// exportUserDocuments adds the users to a document read from Graph.
func exportUserDocuments(ctx context.Context, env *Env, t tenant, doc *wire.Document) error {
	r, ok := t.(userDocReader)
	if !ok || doc.Users != nil {
		return nil
	}
	users, _, err := r.ReadUsers(ctx)
	switch {
	case err != nil && graph.IsForbidden(err):
		fmt.Fprintf(env.Err, "Warning: the users' certificateUserIds were not exported: %v (reading them needs User.Read.All)\n", err)
		return nil
	case err != nil:
		return fmt.Errorf("read the users: %w", err)
	}
	doc.Users = users
	return nil
}
