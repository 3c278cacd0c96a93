package apply

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// fakeClock records the waits asked of it and never sleeps.
type fakeClock struct {
	waits []time.Duration
	err   error // returned by the at-th wait
	at    int
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.waits = append(c.waits, d)
	if c.err != nil && len(c.waits) == c.at {
		return c.err
	}
	return nil
}

// reads serves the given states one read after another (the last one again
// when they run out).
func reads(states ...model.State) (func(context.Context) (model.State, error), *int) {
	n := new(int)
	return func(context.Context) (model.State, error) {
		st := states[min(*n, len(states)-1)]
		*n++
		return st, nil
	}, n
}

func TestVerify(t *testing.T) {
	want := desired()
	for name, c := range map[string]struct {
		eventual  bool
		states    []model.State
		wantWaits []time.Duration
		wantReads int
		mismatch  bool
	}{
		"matches at once":              {eventual: true, states: []model.State{want}, wantReads: 1},
		"snapshot: one read, mismatch": {states: []model.State{{}}, wantReads: 1, mismatch: true},
		"snapshot: one read, match":    {states: []model.State{want}, wantReads: 1},
		"graph catches up on 3rd read": {eventual: true, states: []model.State{{}, {}, want}, wantWaits: []time.Duration{2 * time.Second, 5 * time.Second}, wantReads: 3},
		"graph never catches up":       {eventual: true, states: []model.State{{}}, wantWaits: VerifyWaits, wantReads: 4, mismatch: true},
	} {
		t.Run(name, func(t *testing.T) {
			clock := &fakeClock{}
			observe, n := reads(c.states...)
			rest, err := Verify(context.Background(), want, observe, VerifyOptions{Eventual: c.eventual, Sleep: clock.sleep})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.wantWaits, clock.waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if *n != c.wantReads {
				t.Errorf("%d reads, want %d", *n, c.wantReads)
			}
			if got := rest != nil; got != c.mismatch {
				t.Fatalf("mismatch %v, want %v", got, c.mismatch)
			}
			if rest != nil && !rest.HasChanges() {
				t.Error("a mismatch without differences")
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	boom := errors.New("503 serviceUnavailable")
	_, err := Verify(context.Background(), desired(), func(context.Context) (model.State, error) { return model.State{}, boom },
		VerifyOptions{Eventual: true, Sleep: (&fakeClock{}).sleep})
	if !errors.Is(err, boom) || err.Error() != "read the tenant after apply: 503 serviceUnavailable" {
		t.Errorf("error %v, want the read's error, wrapped", err)
	}

	// A wait cut short (--timeout, Ctrl-C) ends verification with its cause.
	stop := errors.New("timeout after 10m")
	clock := &fakeClock{err: stop, at: 2}
	observe, n := reads(model.State{})
	rest, err := Verify(context.Background(), desired(), observe, VerifyOptions{Eventual: true, Sleep: clock.sleep})
	if !errors.Is(err, stop) || rest != nil || *n != 2 {
		t.Errorf("rest %v, error %v after %d reads; want the wait's error after 2 reads", rest, err, *n)
	}
}

// Without a clock, Verify's default wait returns the context's cause at
// once when the context is done: no real sleep.
func TestVerifyDefaultSleepHonoursContext(t *testing.T) {
	cause := errors.New("interrupted")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	observe, n := reads(model.State{})
	_, err := Verify(ctx, desired(), observe, VerifyOptions{Eventual: true})
	if !errors.Is(err, cause) || *n != 1 {
		t.Errorf("error %v after %d reads, want %v after 1", err, *n, cause)
	}
}
