package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// fakeClock is a clock that moves only when slept on: the fake server and
// the client share it, so that Retry-After is honoured without waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func TestWriteUserIDsThrottledBatchItems(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv := graphtest.New(graphtest.Options{Token: testToken, Now: clock.now})
	t.Cleanup(srv.Close)
	var writes []model.UserWrite
	for i := range 95 {
		upn := fmt.Sprintf("u%03d@contoso.com", i)
		srv.Store.AddUser(wire.User{ID: fmt.Sprintf("id-%03d", i), UserPrincipalName: upn})
		writes = append(writes, model.UserWrite{ID: fmt.Sprintf("id-%03d", i), Name: upn, Values: []string{"X509:<PN>" + upn}})
	}
	srv.SetUserWriteQuota(10)
	c, _ := newClient(t, srv, func(o *Options) { o.Sleep = clock.sleep; o.Now = clock.now; o.Concurrency = 4 })
	var last model.UserProgress
	if err := c.WriteUserIDs(context.Background(), writes, func(p model.UserProgress) { last = p }); err != nil {
		t.Fatal(err)
	}
	if last.Written != 95 || last.Left != 0 || last.Throttled == 0 {
		t.Errorf("progress = %+v, want 95 written, some throttled", last)
	}
	if n := srv.EarlyRetries(); n != 0 {
		t.Errorf("%d items were sent again before their Retry-After", n)
	}
	if srv.Throttled() != last.Throttled {
		t.Errorf("server throttled %d items, client counted %d", srv.Throttled(), last.Throttled)
	}
	for _, r := range requests(srv, "POST", "/$batch") {
		var b struct{ Requests []json.RawMessage }
		_ = json.Unmarshal(r.Body, &b)
		if len(b.Requests) > BatchSize || len(b.Requests) == 0 {
			t.Errorf("a $batch of %d requests", len(b.Requests))
		}
	}
	users, err := c.ObserveUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if !slices.Equal(u.Values, []string{"X509:<PN>" + u.UserPrincipalName}) {
			t.Errorf("%s holds %q", u.UserPrincipalName, u.Values)
		}
	}
	if len(requests(srv, "PATCH", "")) != 0 {
		t.Error("writes went outside $batch")
	}
}

func TestWriteUserIDsRefusals(t *testing.T) {
	srv := newServer(t)
	yes := true
	srv.Store.AddUser(wire.User{ID: "a", UserPrincipalName: "alice@contoso.com", AuthorizationInfo: &wire.AuthorizationInfo{CertificateUserIDs: []string{"X509:<PN>alice"}}})
	srv.Store.AddUser(wire.User{ID: "s", UserPrincipalName: "synced@contoso.com", OnPremisesSyncEnabled: &yes})
	srv.Store.AddUser(wire.User{ID: "b", UserPrincipalName: "bob@contoso.com"})
	c, _ := newClient(t, srv)
	ctx := context.Background()
	for _, tc := range []struct {
		w    model.UserWrite
		want string
	}{
		{model.UserWrite{ID: "s", Name: "synced@contoso.com", Values: []string{"X509:<PN>s"}}, "originated within an external service"},
		{model.UserWrite{ID: "b", Name: "bob@contoso.com", Values: []string{"x509:<pn>ALICE"}}, "Another object with the same value"},
		{model.UserWrite{ID: "b", Name: "bob@contoso.com", Values: strings.Split("X509:<PN>1,X509:<PN>2,X509:<PN>3,X509:<PN>4,X509:<PN>5,X509:<PN>6,X509:<PN>7,X509:<PN>8,X509:<PN>9,X509:<PN>10,X509:<PN>11", ",")}, "at most 10 values"},
		{model.UserWrite{ID: "b", Name: "bob@contoso.com", Values: []string{"X509:<PN>" + strings.Repeat("b", 1020)}}, "longer than 1024"},
		{model.UserWrite{ID: "nobody", Name: "nobody", Values: []string{}}, "404"},
	} {
		err := c.WriteUserIDs(ctx, []model.UserWrite{tc.w}, nil)
		var we *model.UserWriteError
		if !errors.As(err, &we) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.w.Name) {
			t.Errorf("write %v: %v, want an error naming the user with %q", tc.w.Values, err, tc.want)
		}
	}
	if err := c.SetUserIDs(ctx, "b", []string{"X509:<PN>bob"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := srv.Store.User("bob@contoso.com"); !strings.Contains(string(u), `"X509:\u003cPN\u003ebob"`) && !strings.Contains(string(u), `X509:<PN>bob`) {
		t.Errorf("bob = %s", u)
	}
}
