package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// VerifyWaits are the waits before each further read of the tenant when a
// write has not shown yet: Graph replicates writes with a delay.
var VerifyWaits = []time.Duration{2 * time.Second, 5 * time.Second, 10 * time.Second}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Eventual says the tenant is Graph, which replicates writes with a
	// delay: a mismatch is read again after each of VerifyWaits. A snapshot
	// is read once.
	Eventual bool
	// Sleep waits between reads (default: a timer that returns early with
	// the context's cause when ctx is done). Tests give a fake clock.
	Sleep func(context.Context, time.Duration) error
}

// Verify reads the tenant again after apply, with observe, and compares it
// with desired: a write Graph accepted but did not keep must fail loudly.
// It returns nil when the tenant matches, and otherwise the differences of
// the last read.
func Verify(ctx context.Context, desired model.State, observe func(context.Context) (model.State, error), o VerifyOptions) (*plan.Plan, error) {
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	waits := []time.Duration{0}
	if o.Eventual {
		waits = append(waits, VerifyWaits...)
	}
	var rest *plan.Plan
	for _, w := range waits {
		if w > 0 {
			if err := o.Sleep(ctx, w); err != nil {
				return nil, err
			}
		}
		st, err := observe(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the tenant after apply: %w", err)
		}
		rest = plan.Diff(desired, st)
		if !rest.HasChanges() {
			return nil, nil
		}
	}
	return rest, nil
}
