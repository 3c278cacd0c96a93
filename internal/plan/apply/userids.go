package apply

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Users' certificateUserIds are written last, in one step, through the
// tenant's batched writes. Removes come before adds: a value moved from one
// named user to another is first removed from the user that gives it up
// (that user's list without the removed values), then every user that
// gains a moved value is written. Users no moved value concerns are
// written once, in the first wave. An apply cut short leaves each user
// either as it was, at the first wave's list or as planned; a new plan
// shows exactly the rest.

func usersDescription(n int) string {
	if n == 1 {
		return "write the certificateUserIds of 1 user"
	}
	return fmt.Sprintf("write the certificateUserIds of %d users ($batch, %d a request)", n, 20)
}

// userWaves splits the user changes into the writes of the first wave and
// those of the second.
func userWaves(changes []plan.Change) (first, second []model.UserWrite) {
	removed := map[string]bool{} // lower-case values some user gives up
	added := map[string]bool{}   // lower-case values some user gains
	for _, c := range changes {
		u := c.User
		for _, v := range u.Before {
			if !containsFold(u.After, v) {
				removed[strings.ToLower(v)] = true
			}
		}
		for _, v := range u.After {
			if !containsFold(u.Before, v) {
				added[strings.ToLower(v)] = true
			}
		}
	}
	for _, c := range changes {
		u := c.User
		gainsMoved, givesMoved := false, false
		var kept []string
		for _, v := range u.After {
			if !containsFold(u.Before, v) && removed[strings.ToLower(v)] {
				gainsMoved = true
			}
		}
		for _, v := range u.Before {
			if containsFold(u.After, v) {
				kept = append(kept, v)
			} else if added[strings.ToLower(v)] {
				givesMoved = true
			}
		}
		final := model.UserWrite{ID: u.ID, Name: u.Name, Values: u.After}
		switch {
		case !gainsMoved:
			first = append(first, final)
		case givesMoved:
			if kept == nil {
				kept = []string{}
			}
			first = append(first, model.UserWrite{ID: u.ID, Name: u.Name, Values: kept})
			second = append(second, final)
		default:
			second = append(second, final)
		}
	}
	return first, second
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func (r *runner) users(ctx context.Context, s Step, start time.Time) error {
	t, ok := r.t.(model.UserTenant)
	if !ok {
		return fmt.Errorf("this tenant backend cannot write users")
	}
	first, second := userWaves(s.users)
	total := len(s.users)
	done, throttled := 0, 0
	inSecond := map[string]bool{}
	for _, w := range second {
		inSecond[w.ID] = true
	}
	firstFinal := 0
	for _, w := range first {
		if !inSecond[w.ID] {
			firstFinal++
		}
	}
	// wave writes ws, of which finals are users' last writes; progress
	// counts users whose last write is done (approximately, within a wave
	// of both kinds).
	wave := func(ws []model.UserWrite, finals int) error {
		if len(ws) == 0 {
			return nil
		}
		base, baseThrottled := done, throttled
		return t.WriteUserIDs(ctx, ws, func(p model.UserProgress) {
			done = base + min(p.Written, finals)
			throttled = baseThrottled + p.Throttled
			r.o.Report(Event{Kind: Progress, Step: s, Job: "users", Elapsed: r.o.Now().Sub(start),
				Users: &model.UserProgress{Written: done, Throttled: throttled, Left: total - done}, UsersTotal: total})
		})
	}
	if err := wave(first, firstFinal); err != nil {
		return err
	}
	return wave(second, len(second))
}
