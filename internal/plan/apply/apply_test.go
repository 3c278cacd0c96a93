package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/snapshot"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// recorder is a tenant that logs every write and can fail the n-th one.
type recorder struct {
	*snapshot.Tenant
	calls  []string
	failAt int
}

func (r *recorder) write(call string) error {
	r.calls = append(r.calls, call)
	if len(r.calls) == r.failAt {
		return errors.New("injected failure")
	}
	return nil
}

func (r *recorder) CreatePKI(ctx context.Context, name string) (model.PKI, error) {
	if err := r.write("CreatePKI " + name); err != nil {
		return model.PKI{}, err
	}
	return r.Tenant.CreatePKI(ctx, name)
}

func (r *recorder) DeletePKI(ctx context.Context, id string) error {
	if err := r.write("DeletePKI"); err != nil {
		return err
	}
	return r.Tenant.DeletePKI(ctx, id)
}

func (r *recorder) CreateCA(ctx context.Context, pkiID string, ca model.CA) (model.CA, error) {
	if err := r.write("CreateCA " + ca.Name); err != nil {
		return model.CA{}, err
	}
	return r.Tenant.CreateCA(ctx, pkiID, ca)
}

func (r *recorder) UpdateCA(ctx context.Context, pkiID string, ca model.CA) error {
	if err := r.write("UpdateCA " + ca.Name); err != nil {
		return err
	}
	return r.Tenant.UpdateCA(ctx, pkiID, ca)
}

func (r *recorder) DeleteCA(ctx context.Context, pkiID, caID string) error {
	if err := r.write("DeleteCA"); err != nil {
		return err
	}
	return r.Tenant.DeleteCA(ctx, pkiID, caID)
}

func (r *recorder) UpdateX509(ctx context.Context, x model.X509Config) error {
	if err := r.write("UpdateX509 " + string(x.State)); err != nil {
		return err
	}
	return r.Tenant.UpdateX509(ctx, x)
}

var (
	root    = pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing = root.NewIntermediate(pkitest.WithCN("Issuing"))
	old     = root.NewIntermediate(pkitest.WithCN("Old"))
)

func newTenant(t *testing.T, failAt int) *recorder {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.json")
	if err := os.WriteFile(path, []byte(`{"snapshotVersion":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tn, err := snapshot.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return &recorder{Tenant: tn, failAt: failAt}
}

func desired() model.State {
	x := model.DefaultX509()
	x.State = model.StateEnabled
	x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: "g"}}}
	return model.State{
		ManagesTrustStore: true,
		PKIs: []model.PKI{{Name: "p", DisplayName: "P", CAs: []model.CA{
			{Name: "root", Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl/root"},
			{Name: "issuing", Certificate: issuing.DER, Type: model.CATypeIntermediate, CRLURL: "http://crl/issuing"},
		}}},
		X509: &x,
	}
}

func observe(t *testing.T, tn model.Tenant) model.State {
	t.Helper()
	obs, err := tn.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return obs.State
}

// TestOrderAndConvergence: from an empty tenant, the method is enabled
// first, containers and CAs are created before the configuration is
// written, and a second plan has no changes.
func TestOrderAndConvergence(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	// The tenant has a stray CA to delete and an old PKI.
	stray, _ := tn.Tenant.CreatePKI(ctx, "Stray")
	if _, err := tn.Tenant.CreateCA(ctx, stray.ID, model.CA{Certificate: old.DER, Type: model.CATypeIntermediate}); err != nil {
		t.Fatal(err)
	}
	p := plan.Diff(desired(), observe(t, tn))
	var events []string
	_, err := Run(ctx, p, tn, Options{Report: func(e Event) {
		if e.Kind == Finished {
			events = append(events, string(e.Step.Address))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"UpdateX509 enabled",
		"CreatePKI P",
		"CreateCA root",
		"CreateCA issuing",
		"UpdateX509 enabled",
		"DeletePKI",
	}
	if diff := cmp.Diff(want, tn.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(events) != len(want) {
		t.Errorf("events %v", events)
	}
	if again := plan.Diff(desired(), observe(t, tn)); again.HasChanges() {
		t.Errorf("not converged: %+v", again.Changes)
	}
}

// TestFailureStopsAndResumes: a failure in the middle stops the apply and
// reports what was applied; a new plan holds exactly the rest.
func TestFailureStopsAndResumes(t *testing.T) {
	ctx := context.Background()
	for failAt := 1; failAt <= 5; failAt++ {
		t.Run(fmt.Sprint(failAt), func(t *testing.T) {
			tn := newTenant(t, failAt)
			p := plan.Diff(desired(), observe(t, tn))
			res, err := Run(ctx, p, tn, Options{})
			var se *StepError
			if !errors.As(err, &se) || res.Failed == nil || len(res.Applied) != failAt-1 {
				t.Fatalf("err %v, result %+v", err, res)
			}
			if len(res.Applied)+1+len(res.Pending) != len(Steps(p)) {
				t.Errorf("applied %d + failed 1 + pending %d != %d steps", len(res.Applied), len(res.Pending), len(Steps(p)))
			}
			tn.failAt = 0
			rest := plan.Diff(desired(), observe(t, tn))
			if _, err := Run(ctx, rest, tn, Options{}); err != nil {
				t.Fatal(err)
			}
			if again := plan.Diff(desired(), observe(t, tn)); again.HasChanges() {
				t.Errorf("not converged after resuming: %+v", again.Changes)
			}
		})
	}
}

func TestDisableLast(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	if _, err := Run(ctx, plan.Diff(desired(), observe(t, tn)), tn, Options{}); err != nil {
		t.Fatal(err)
	}
	d := desired()
	d.X509.State = model.StateDisabled
	d.PKIs = nil
	tn.calls = nil
	if _, err := Run(ctx, plan.Diff(d, observe(t, tn)), tn, Options{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"UpdateX509 enabled", "DeletePKI", "UpdateX509 disabled"}
	if diff := cmp.Diff(want, tn.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestReplaceCreatesBeforeDeleting(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	d := desired()
	if _, err := Run(ctx, plan.Diff(d, observe(t, tn)), tn, Options{}); err != nil {
		t.Fatal(err)
	}
	renewed := root.NewIntermediate(pkitest.WithCN("Issuing"))
	d.PKIs[0].CAs[1].Certificate = renewed.DER
	p := plan.Diff(d, observe(t, tn))
	if len(p.Changes) != 1 || p.Changes[0].Action != plan.Replace {
		t.Fatalf("changes %+v", p.Changes)
	}
	tn.calls = nil
	if _, err := Run(ctx, p, tn, Options{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"CreateCA issuing", "DeleteCA"}, tn.calls); diff != "" {
		t.Error(diff)
	}
}

func TestUploadPollsUntilDone(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 0)
	bundle := pkitest.Bundle(root.Cert, issuing.Cert)
	d := model.State{ManagesTrustStore: true, PKIs: []model.PKI{{Name: "b", DisplayName: "B",
		Upload: &model.Upload{URL: "https://x/b.p7b", Bundle: bundle},
		CAs:    []model.CA{{Certificate: root.DER, Type: model.CATypeRoot}, {Certificate: issuing.DER, Type: model.CATypeIntermediate}},
	}}}
	if _, err := Run(ctx, plan.Diff(d, observe(t, tn)), tn, Options{}); err != nil {
		t.Fatal(err)
	}
	if again := plan.Diff(d, observe(t, tn)); again.HasChanges() {
		t.Errorf("not converged: %+v", again.Changes)
	}
}

func TestCheck(t *testing.T) {
	base := desired()
	withBinding := func(s model.State, f func(x *model.X509Config)) model.State {
		x := *s.X509
		x.UsernameBindings = append([]model.UsernameBinding(nil), x.UsernameBindings...)
		x.Rules = append([]model.Rule(nil), x.Rules...)
		f(&x)
		s.X509 = &x
		return s
	}
	inTenant := base
	tests := map[string]struct {
		desired, observed model.State
		want              []string
	}{
		"safe": {base, inTenant, nil},
		"no CA left": {func() model.State { s := base; s.PKIs = nil; return s }(), inTenant,
			[]string{"The plan deletes objects", "No certificate authority would remain"}},
		"high affinity without high binding": {withBinding(base, func(x *model.X509Config) {
			x.DefaultAffinity = model.AffinityHigh
			x.UsernameBindings = x.UsernameBindings[:2] // the low-affinity ones
		}), inTenant,
			[]string{"High affinity without a high-affinity username binding"}},
		"every binding removed": {withBinding(base, func(x *model.X509Config) { x.UsernameBindings = nil }), inTenant,
			[]string{"Every username binding would be removed"}},
		"rule issuer deleted": {
			func() model.State {
				s := withBinding(base, func(x *model.X509Config) { x.Rules = []model.Rule{{Issuer: "CN=Issuing", Mode: model.MultiFactor}} })
				s.PKIs = []model.PKI{{Name: "p", DisplayName: "P", CAs: base.PKIs[0].CAs[:1]}}
				return s
			}(), inTenant,
			[]string{"The plan deletes objects", "A rule's issuer would be deleted"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			observed := tc.observed
			for i := range observed.PKIs {
				observed.PKIs[i].ID = "p1"
				for j := range observed.PKIs[i].CAs {
					observed.PKIs[i].CAs[j].ID = fmt.Sprint("c", j)
				}
			}
			p := plan.Diff(tc.desired, observed)
			err := Check(p, tc.desired, observed, Policy{})
			var got []string
			if err != nil {
				if !errors.Is(err, ErrRefused) {
					t.Fatalf("error %v does not wrap ErrRefused", err)
				}
				for _, line := range strings.Split(err.Error(), "\n") {
					if s, _, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") && s != "apply refused" {
						got = append(got, s)
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("refusals (-want +got):\n%s\n%v", diff, err)
			}
			if err := Check(p, tc.desired, observed, Policy{AllowDestroy: true, AllowLockoutRisk: true}); err != nil {
				t.Errorf("overrides did not accept: %v", err)
			}
		})
	}
}

// TestEnableFirstWritesTheNewConfiguration: when apply enables the method
// before the trust store writes and then fails, the tenant holds the new
// targets and bindings, never the old ones (all users) switched on.
func TestEnableFirstWritesTheNewConfiguration(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, 2) // the enable step succeeds, creating the PKI fails
	if _, err := Run(ctx, plan.Diff(desired(), observe(t, tn)), tn, Options{}); err == nil {
		t.Fatal("the injected failure did not stop the apply")
	}
	x := observe(t, tn).X509
	if x.State != model.StateEnabled || len(x.IncludeTargets) != 1 || x.IncludeTargets[0].ID != "g" {
		t.Errorf("after the enable step the tenant has %+v", x)
	}
}

// slowUpload is a tenant whose upload shows the previous job's status until
// the third read.
type slowUpload struct {
	*recorder
	reads int
}

func (s *slowUpload) PKI(ctx context.Context, id string) (model.PKI, error) {
	s.reads++
	p, err := s.recorder.PKI(ctx, id)
	if s.reads < 3 {
		p.CAs = nil // Graph has not started yet: the old status, no CAs
	}
	return p, err
}

func TestUploadNotDoneBeforeItStarted(t *testing.T) {
	ctx := context.Background()
	tn := &slowUpload{recorder: newTenant(t, 0)}
	bundle := pkitest.Bundle(root.Cert, issuing.Cert)
	d := model.State{ManagesTrustStore: true, PKIs: []model.PKI{{Name: "b", DisplayName: "B",
		Upload: &model.Upload{URL: "https://x/b.p7b", Bundle: bundle},
		CAs:    []model.CA{{Certificate: root.DER, Type: model.CATypeRoot}, {Certificate: issuing.DER, Type: model.CATypeIntermediate}},
	}}}
	var progress int
	_, err := Run(ctx, plan.Diff(d, observe(t, tn)), tn, Options{
		Sleep:  func(context.Context, time.Duration) error { return nil },
		Report: func(e Event) { progress += map[bool]int{true: 1}[e.Kind == Progress] },
	})
	if err != nil {
		t.Fatal(err)
	}
	if tn.reads != 3 || progress != 2 {
		t.Errorf("%d status reads, %d progress events; want 3 and 2", tn.reads, progress)
	}
}
