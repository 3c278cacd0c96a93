package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// A delete of an object another client deleted first (404) is done: the
// step succeeds and says so.
func TestDeleteAlreadyGone(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	stray, _ := tn.Tenant.CreatePKI(ctx, "Stray")
	p := plan.Diff(desired(), observe(t, tn))
	if err := tn.Tenant.DeletePKI(ctx, stray.ID); err != nil { // another client
		t.Fatal(err)
	}
	var notes []string
	if _, err := Run(ctx, p, tn, Options{Report: func(e Event) {
		if e.Kind == Finished && e.Note != "" {
			notes = append(notes, string(e.Step.Address)+": "+e.Note)
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `pki["Stray"]: already gone`) {
		t.Errorf("notes %q", notes)
	}
}

// A container with the name apply is about to create that appeared since
// the plan (a second apply) stops the apply before it creates a duplicate.
func TestCreatePKIRefusedWhenTheNameAppeared(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	p := plan.Diff(desired(), observe(t, tn))
	if _, err := tn.Tenant.CreatePKI(ctx, "P"); err != nil { // another apply
		t.Fatal(err)
	}
	_, err := Run(ctx, p, tn, Options{})
	if err == nil || !strings.Contains(err.Error(), `a PKI container named "P"`) || !strings.Contains(err.Error(), "one apply at a time") {
		t.Fatalf("err = %v", err)
	}
	for _, c := range tn.calls {
		if strings.HasPrefix(c, "CreatePKI") {
			t.Errorf("created a container: %v", tn.calls)
		}
	}
}

// pkiStatuses is a tenant whose PKI reads report the given statuses, one
// per read, then the last one; a nil entry means "gone".
type pkiStatuses struct {
	*recorder
	statuses []*string
	reads    int
}

func (s *pkiStatuses) PKI(ctx context.Context, id string) (model.PKI, error) {
	i := min(s.reads, len(s.statuses)-1)
	s.reads++
	if s.statuses[i] == nil {
		return model.PKI{}, &notFound{}
	}
	// The snapshot deletes at once; Graph keeps the container a while.
	return model.PKI{ID: id, Status: *s.statuses[i], StatusDetails: "details " + *s.statuses[i]}, nil
}

type notFound struct{}

func (*notFound) Error() string        { return "404" }
func (*notFound) Is(target error) bool { return target == model.ErrNotFound }

func str(s string) *string { return &s }

// A deleted container is waited for until it is gone, whatever the spelling
// of its status; every wait is reported with the status and its details.
func TestDeleteWaitsUntilGone(t *testing.T) {
	ctx := context.Background()
	base := newTenant(t, 0)
	if _, err := base.Tenant.CreatePKI(ctx, "Stray"); err != nil {
		t.Fatal(err)
	}
	tn := &pkiStatuses{recorder: base, statuses: []*string{str("Running"), str("deleting"), nil}}
	p := plan.Diff(desired(), observe(t, tn))
	var progress []string
	if _, err := Run(ctx, p, tn, Options{Sleep: func(context.Context, time.Duration) error { return nil }, Report: func(e Event) {
		if e.Kind == Progress && e.Job == "delete" {
			progress = append(progress, e.Status+"/"+e.StatusDetails)
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(progress, ",") != "Running/details Running,deleting/details deleting" {
		t.Errorf("progress %q", progress)
	}
}

func TestJobStatus(t *testing.T) {
	for in, want := range map[string]string{
		"running": "running", "Running": "running", " RUNNING ": "running",
		"Succeeded": "succeeded", "": "", "FAILED": "failed",
		"inProgress": "unknown", "deleting": "unknown",
	} {
		if got := jobStatus(in); got != want {
			t.Errorf("jobStatus(%q) = %q, want %q", in, got, want)
		}
	}
}
