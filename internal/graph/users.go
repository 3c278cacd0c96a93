package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Users' certificateUserIds. Reading needs User.Read.All, writing
// User.ReadWrite.All (application) or, delegated, at least the Privileged
// Authentication Administrator role. cbactl reads users only when the
// configuration has a certificate_user_ids block, and to export.
//
// Requests are plain JSON on plain URLs, not SDK request builders.

var _ model.UserTenant = (*Client)(nil)

// ReadUsers reads every user of the tenant with what cbactl needs of it
// (GET /users, $top=999, every page). One paged read is the fastest way to
// the whole tenant, and only the whole tenant tells whether a value is held
// by a user the configuration does not name.
func (c *Client) ReadUsers(ctx context.Context) ([]wire.User, []string, error) {
	ri := listUsers.request(nil, query{fields: strings.Split(wire.UserSelect, ","), top: pageSize}, nil)
	return getAll[wire.User](ctx, c, ri, "users")
}

// ObserveUsers reads the users in the domain's terms.
func (c *Client) ObserveUsers(ctx context.Context) ([]model.User, error) {
	us, _, err := c.ReadUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.User, 0, len(us))
	for _, u := range us {
		if u.ID == "" {
			return nil, fmt.Errorf("GET /users: Graph returned a user without id")
		}
		out = append(out, wire.UserToModel(u))
	}
	return out, nil
}

// SetUserIDs replaces one user's certificateUserIds (PATCH /users/{id},
// 204), outside a batch.
func (c *Client) SetUserIDs(ctx context.Context, id string, values []string) error {
	if id == "" {
		return fmt.Errorf("SetUserIDs: empty id")
	}
	body, err := wire.MarshalBody(wire.UserWriteBody(values))
	if err != nil {
		return err
	}
	_, err = c.send(ctx, patchUser.request(params{"userId": id}, query{}, body))
	return err
}
