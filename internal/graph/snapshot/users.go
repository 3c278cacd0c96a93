package snapshot

import (
	"context"
	"errors"
	"fmt"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

var _ model.UserTenant = (*Tenant)(nil)

// ObserveUsers reads the snapshot's users.
func (t *Tenant) ObserveUsers(context.Context) ([]model.User, error) {
	us, err := t.store.ReadUsers()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", t.path, err)
	}
	out := make([]model.User, len(us))
	for i, u := range us {
		out[i] = wire.UserToModel(u)
	}
	return out, nil
}

// WriteUserIDs replaces users' certificateUserIds with Graph's rules (the
// store's), one at a time; it stops at the first refusal, the writes before
// it kept, as Graph would.
func (t *Tenant) WriteUserIDs(_ context.Context, writes []model.UserWrite, report func(model.UserProgress)) error {
	p := model.UserProgress{Left: len(writes)}
	defer func() {
		if report != nil {
			report(p)
		}
	}()
	for _, w := range writes {
		if err := t.store.SetUserIDs(w.ID, w.Values); err != nil {
			var re *wire.UserRefusedError
			if errors.As(err, &re) {
				err = fmt.Errorf("Graph would refuse this write: %s", re.Message)
			}
			return &model.UserWriteError{User: w.Name, Err: fmt.Errorf("snapshot %s: %w", t.path, err)}
		}
		t.changed()
		p.Written++
		p.Left--
	}
	return nil
}
