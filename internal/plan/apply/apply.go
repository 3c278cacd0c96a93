// Package apply carries out a plan's changes through a model.Tenant, in the
// order that keeps the tenant usable at every step: enable the method first
// if the plan enables it, create PKI containers, create CAs (and uploads),
// update CAs, write the method configuration, delete CAs, delete PKI
// containers, disable the method last. It stops at the first failure and
// reports what it applied.
package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Phase orders the steps of an apply.
type Phase int

const (
	PhaseEnable Phase = iota
	PhaseCreatePKI
	PhaseCreateCA
	PhaseUpdateCA
	PhaseX509
	PhaseDeleteCA
	PhaseDeletePKI
	PhaseDisable
	// Authentication strengths (strength.go), after the trust store.
	PhaseStrengthWrite
	PhaseStrengthConfigDelete
	PhaseStrengthConfigWrite
	PhaseStrengthNarrow
	PhaseStrengthDelete
	// Users' certificateUserIds (userids.go), last: one step for every user.
	PhaseUsers
	phaseCount
)

// Step is one write.
type Step struct {
	Phase       Phase
	Address     model.Address
	Description string // "create", "enable x509Certificate", ...
	change      plan.Change
	users       []plan.Change // PhaseUsers: every user change
}

// EventKind says what an Event reports.
type EventKind int

const (
	Started  EventKind = iota // a step begins
	Progress                  // an upload is still running
	Finished                  // a step succeeded
	Failed                    // a step failed; apply stops
)

// Event reports the progress of an apply.
type Event struct {
	Kind    EventKind
	Step    Step
	Elapsed time.Duration // since the step started
	// Job is the asynchronous job a Progress event waits for: "upload", or
	// "delete" (a PKI container's deletion, which Graph runs in the
	// background).
	Job           string
	Status        string // Progress: the container's status, as Graph spells it
	StatusDetails string // Progress: the container's statusDetails
	CAsSeen       int    // uploads: CAs in the container so far
	CAsWant       int    // uploads: CAs the bundle holds
	// Note, on Finished, says how the step ended when it is not plainly
	// "done": a delete answered 404 (already gone, the desired state).
	Note string
	Err  error
	// Users, on Progress events of PhaseUsers: users written, throttled
	// and left, of UsersTotal.
	Users      *model.UserProgress
	UsersTotal int
}

// Options tune an apply.
type Options struct {
	// Report receives every event; it may be nil.
	Report func(Event)
	// PollInterval is the longest wait between two status reads of an
	// upload or a PKI container's deletion (default 5 s; the first waits
	// are shorter); UploadTimeout bounds each of them (default 35 minutes:
	// Graph documents up to 30 for an upload).
	PollInterval  time.Duration
	UploadTimeout time.Duration
	Now           func() time.Time
	Sleep         func(context.Context, time.Duration) error
}

// Result is what an apply did.
type Result struct {
	Applied []Step
	Pending []Step // not attempted because an earlier step failed
	Failed  *Step
}

// StepError is the failure of one step.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Step.Address, e.Step.Description, e.Err)
}
func (e *StepError) Unwrap() error { return e.Err }

// Steps lists the writes a plan needs, in the order Run performs them.
func Steps(p *plan.Plan) []Step {
	var byPhase [phaseCount][]Step
	var users []plan.Change
	add := func(ph Phase, desc string, c plan.Change) {
		byPhase[ph] = append(byPhase[ph], Step{Phase: ph, Address: c.Address, Description: desc, change: c})
	}
	for _, c := range p.Changes {
		switch {
		case c.Kind == plan.KindX509 && c.Action == plan.Update:
			before, after := c.X509Before.State, c.X509.State
			if after == model.StateEnabled && before != model.StateEnabled {
				add(PhaseEnable, "enable the x509Certificate method with the new configuration, CA scopes aside (Graph requires the method enabled before trust store writes)", c)
			}
			add(PhaseX509, "update the x509Certificate configuration", c)
			if after != model.StateEnabled && before == model.StateEnabled {
				add(PhaseDisable, "disable the x509Certificate method", c)
			}
		case c.Kind == plan.KindPKI && c.Action == plan.Create:
			add(PhaseCreatePKI, "create PKI container", c)
		case c.Kind == plan.KindPKI && c.Action == plan.Delete:
			add(PhaseDeletePKI, "delete PKI container and its CAs", c)
		case c.Kind == plan.KindUpload:
			add(PhaseCreateCA, "upload the bundle", c)
		case c.Kind == plan.KindCA && c.Action == plan.Create:
			add(PhaseCreateCA, "create CA", c)
		case c.Kind == plan.KindCA && c.Action == plan.Replace:
			// Create the new certificate before the old one goes, so the
			// chain is never missing a CA.
			add(PhaseCreateCA, "create the replacement CA", c)
			add(PhaseDeleteCA, "delete the replaced CA", c)
		case c.Kind == plan.KindCA && c.Action == plan.Update:
			add(PhaseUpdateCA, "update CA", c)
		case c.Kind == plan.KindCA && c.Action == plan.Delete:
			add(PhaseDeleteCA, "delete CA", c)
		case c.Kind == plan.KindStrength || c.Kind == plan.KindStrengthX509:
			strengthSteps(c, add)
		case c.Kind == plan.KindUser && c.Action == plan.Update:
			users = append(users, c)
		}
	}
	if len(users) > 0 {
		byPhase[PhaseUsers] = []Step{{Phase: PhaseUsers, Address: model.CertUserIDsAddress,
			Description: usersDescription(len(users)), users: users}}
	}
	var out []Step
	for _, s := range byPhase {
		out = append(out, s...)
	}
	return out
}

// Run applies the plan's steps in order and stops at the first failure.
func Run(ctx context.Context, p *plan.Plan, t model.Tenant, o Options) (*Result, error) {
	if o.PollInterval == 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.UploadTimeout == 0 {
		o.UploadTimeout = 35 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Report == nil {
		o.Report = func(Event) {}
	}
	r := &runner{t: t, o: o, pkiIDs: map[string]string{}, strengthIDs: map[string]string{}}
	res := &Result{}
	steps := Steps(p)
	for i, s := range steps {
		o.Report(Event{Kind: Started, Step: s})
		start := o.Now()
		note, err := r.do(ctx, s, start)
		if err != nil {
			s := s
			res.Failed = &s
			res.Pending = steps[i+1:]
			err = &StepError{Step: s, Err: err}
			o.Report(Event{Kind: Failed, Step: s, Err: err, Elapsed: o.Now().Sub(start)})
			return res, err
		}
		res.Applied = append(res.Applied, s)
		o.Report(Event{Kind: Finished, Step: s, Elapsed: o.Now().Sub(start), Note: note})
	}
	return res, nil
}

type runner struct {
	t      model.Tenant
	o      Options
	pkiIDs map[string]string // display name -> id of containers this apply created
	// strengthIDs: display name -> id of strengths this apply created
	strengthIDs map[string]string
}

func (r *runner) pkiID(c plan.Change) (string, error) {
	if c.PKIID != "" {
		return c.PKIID, nil
	}
	if id, ok := r.pkiIDs[c.PKIName]; ok {
		return id, nil
	}
	return "", fmt.Errorf("the PKI container %q does not exist", c.PKIName)
}

// alreadyGone is the note of a delete Graph answered with 404.
const alreadyGone = "already gone (Graph answered 404 Not Found), which is the desired state: nothing to delete"

func (r *runner) do(ctx context.Context, s Step, start time.Time) (string, error) {
	c := s.change
	switch s.Phase {
	case PhaseEnable:
		// The desired configuration, enabled, but with the CA scopes the
		// tenant has now: they may name CAs this apply has yet to create.
		// Never the old targets and bindings with the method switched on.
		x := *c.X509
		x.State = model.StateEnabled
		x.CAScopes = c.X509Before.CAScopes
		return "", r.t.UpdateX509(ctx, x)
	case PhaseX509:
		x := *c.X509
		if x.State != model.StateEnabled && c.X509Before.State == model.StateEnabled {
			x.State = model.StateEnabled // disabled last, after the trust store writes
		}
		return "", r.t.UpdateX509(ctx, x)
	case PhaseDisable:
		return "", r.t.UpdateX509(ctx, *c.X509)
	case PhaseCreatePKI:
		if err := r.checkStillAbsent(ctx, c.PKIName); err != nil {
			return "", err
		}
		p, err := r.t.CreatePKI(ctx, c.PKIName)
		if err != nil {
			return "", err
		}
		r.pkiIDs[c.PKIName] = p.ID
		return "", nil
	case PhaseDeletePKI:
		// Deletes are idempotent: a container already gone (another
		// apply, the portal) is the state the plan wants.
		if err := r.t.DeletePKI(ctx, c.ObjectID); errors.Is(err, model.ErrNotFound) {
			return alreadyGone, nil
		} else if err != nil {
			return "", err
		}
		return "", r.waitGone(ctx, s, c.ObjectID, start)
	case PhaseCreateCA:
		id, err := r.pkiID(c)
		if err != nil {
			return "", err
		}
		if c.Kind == plan.KindUpload {
			return "", r.upload(ctx, s, id, start)
		}
		_, err = r.t.CreateCA(ctx, id, *c.CA)
		return "", err
	case PhaseUpdateCA:
		ca := *c.CA
		ca.ID = c.ObjectID
		return "", r.t.UpdateCA(ctx, c.PKIID, ca)
	case PhaseDeleteCA:
		if err := r.t.DeleteCA(ctx, c.PKIID, c.ObjectID); errors.Is(err, model.ErrNotFound) {
			return alreadyGone, nil
		} else if err != nil {
			return "", err
		}
		return "", nil
	case PhaseUsers:
		return "", r.users(ctx, s, start)
	case PhaseStrengthWrite, PhaseStrengthConfigDelete, PhaseStrengthConfigWrite, PhaseStrengthNarrow, PhaseStrengthDelete:
		return "", r.strength(ctx, s)
	}
	return "", fmt.Errorf("unknown step %v", s.Phase)
}

// checkStillAbsent reads the tenant again right before a PKI container is
// created: cbactl identifies containers by display name, and a second one
// with the same name (another apply running at the same time, the portal)
// would make every later plan fail as ambiguous.
func (r *runner) checkStillAbsent(ctx context.Context, displayName string) error {
	obs, err := r.t.Observe(ctx)
	if err != nil {
		return fmt.Errorf("read the tenant again before creating the PKI container: %w", err)
	}
	for _, p := range obs.State.PKIs {
		if p.DisplayName == displayName {
			return fmt.Errorf("a PKI container named %q (id %s) now exists in the tenant, created since the plan was made (another apply running at the same time?); nothing was created: run cbactl plan again, and run one apply at a time", displayName, p.ID)
		}
	}
	return nil
}

// jobStatus classifies a PKI container's status, a free string Graph
// documents with two values, "running" and "succeeded", for upload and
// delete jobs alike. Compared without case; "failed" ends a job in error;
// any other value is taken as not finished yet (the timeout ends the wait).
func jobStatus(status string) string {
	switch s := strings.ToLower(strings.TrimSpace(status)); s {
	case "", "running", "succeeded", "failed":
		return s
	}
	return "unknown"
}

func statusText(p model.PKI) string {
	t := fmt.Sprintf("status %q", p.Status)
	if p.StatusDetails != "" {
		t += ": " + p.StatusDetails
	}
	return t
}

// waitGone polls a deleted PKI container until Graph no longer has it: the
// deletion runs in the background (and is soft: the container stays
// restorable from deleted items for 30 days).
func (r *runner) waitGone(ctx context.Context, s Step, pkiID string, start time.Time) error {
	for poll := 1; ; poll++ {
		p, err := r.t.PKI(ctx, pkiID)
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		elapsed := r.o.Now().Sub(start)
		if jobStatus(p.Status) == "failed" {
			return fmt.Errorf("the deletion of the PKI container ended with %s", statusText(p))
		}
		r.o.Report(Event{Kind: Progress, Step: s, Job: "delete", Elapsed: elapsed, Status: p.Status, StatusDetails: p.StatusDetails})
		if elapsed > r.o.UploadTimeout {
			return fmt.Errorf("the PKI container is still there %s after its deletion was accepted (%s); check it in the portal and plan again", elapsed.Round(time.Second), statusText(p))
		}
		if err := r.o.Sleep(ctx, min(time.Duration(poll)*time.Second, r.o.PollInterval)); err != nil {
			return err
		}
	}
}

// upload starts a bundle upload and polls the container until the job ends.
func (r *runner) upload(ctx context.Context, s Step, pkiID string, start time.Time) error {
	want := 0
	for _, n := range s.change.After {
		if n.Name == "certificate" {
			want++
		}
	}
	if err := r.t.StartUpload(ctx, pkiID, *s.change.Upload); err != nil {
		return err
	}
	sawRunning := false
	for poll := 1; ; poll++ {
		p, err := r.t.PKI(ctx, pkiID)
		if err != nil {
			return err
		}
		elapsed := r.o.Now().Sub(start)
		progress := Event{Kind: Progress, Step: s, Job: "upload", Elapsed: elapsed, Status: p.Status, StatusDetails: p.StatusDetails, CAsSeen: len(p.CAs), CAsWant: want}
		switch jobStatus(p.Status) {
		case "running":
			sawRunning = true
			r.o.Report(progress)
		case "", "succeeded":
			// Right after the request Graph may still report the previous
			// job's outcome: the upload counts as done once it was seen
			// running or its CAs are there, or after a grace period (the
			// final re-read then tells whether it worked).
			if sawRunning || len(p.CAs) >= want || elapsed > uploadStartGrace {
				return nil
			}
			r.o.Report(progress)
		case "failed":
			return fmt.Errorf("the upload ended with %s", statusText(p))
		default:
			// Undocumented: not finished until the timeout says otherwise.
			sawRunning = true
			r.o.Report(progress)
		}
		if elapsed > r.o.UploadTimeout {
			return fmt.Errorf("the upload has not finished after %s (%s); check the container's status in the portal and plan again", elapsed.Round(time.Second), statusText(p))
		}
		if err := r.o.Sleep(ctx, min(time.Duration(poll)*time.Second, r.o.PollInterval)); err != nil {
			return err
		}
	}
}

// uploadStartGrace bounds how long an upload that Graph has not yet shown as
// running, and whose CAs are not there, is waited for.
const uploadStartGrace = time.Minute

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx) // the --timeout deadline says so
	case <-t.C:
		return nil
	}
}
