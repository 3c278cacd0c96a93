package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

// Benchmarks of certificate_user_ids against the fake Graph server with
// 20 ms of latency per request, in a tenant of 20,000 users:
//
//	go test ./cmd/cbactl -run='^$' -bench=UserIDs -benchtime=3x
//
// BenchmarkUserIDsParallelReader is the yardstick: the fastest reader of the
// same 20,000 users at cbactl's concurrency (32 requests at once), every
// user by id in $batch GETs of 20. BenchmarkUserIDsPlan is the whole `plan`
// naming the 20,000 users in a CSV (target: within 2.0× the reader; its
// x-reader metric is the ratio, when both run in the same invocation).
// BenchmarkUserIDsApply is `apply --auto-approve` of 2,000 changed users
// against a write quota of 400 writes a second (target: within 1.3× of
// 2,000/400 s plus the reader's time; its x-target metric is the ratio).
const (
	benchUsers        = 20000
	benchChangedUsers = 2000
	benchWriteQuota   = 400
)

type userTenant struct {
	srv      *graphtest.Server
	planDir  string // names every user with the values it holds
	applyDir string // names 2,000 users with a new value each
	ids      []string
}

var (
	userTenantOnce sync.Once
	userBench      userTenant
	readerTime     time.Duration // per op, from BenchmarkUserIDsParallelReader
)

func benchUPN(i int) string { return fmt.Sprintf("user%05d@contoso.com", i) }

func setupUsers(b *testing.B) userTenant {
	b.Helper()
	userTenantOnce.Do(func() {
		srv := graphtest.New(graphtest.Options{Token: fakeToken})
		var plan, apply strings.Builder
		plan.WriteString("user,value\n")
		apply.WriteString("user,value\n")
		var ids []string
		for i := range benchUsers {
			upn := benchUPN(i)
			id := userID(upn)
			ids = append(ids, id)
			v := fmt.Sprintf("X509:<PN>%s", strings.TrimSuffix(upn, ".com"))
			srv.Store.AddUser(wire.User{ID: id, UserPrincipalName: upn, AuthorizationInfo: &wire.AuthorizationInfo{CertificateUserIDs: []string{v}}})
			fmt.Fprintf(&plan, "%s,%s\n", upn, v)
			if i < benchChangedUsers {
				fmt.Fprintf(&apply, "%s,X509:<PN>new-%05d\n", upn, i)
			}
		}
		write := func(content string) string {
			dir, err := os.MkdirTemp("", "cbactl-userbench-")
			if err != nil {
				b.Fatal(err)
			}
			files := map[string]string{
				"main.hcl":  "certificate_user_ids {\n  fields = [\"PrincipalName\"]\n  csv    = \"users.csv\"\n}\n",
				"users.csv": content,
			}
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			return dir
		}
		srv.SetLatency(20 * time.Millisecond) // the latency issue 13 measures at
		userBench = userTenant{srv: srv, planDir: write(plan.String()), applyDir: write(apply.String()), ids: ids}
	})
	return userBench
}

func benchEnv(srv *graphtest.Server, out io.Writer) *Env {
	return &Env{
		In: strings.NewReader(""), Out: out, Err: io.Discard,
		Environ: []string{"CBACTL_GRAPH_URL=" + srv.URL(), "CBACTL_ACCESS_TOKEN=" + fakeToken},
		Now:     time.Now,
	}
}

// readUsersBatched reads every user by id, 20 to a $batch, 32 batches at
// once: the fastest way to the users cbactl names short of one page per
// request.
func readUsersBatched(ctx context.Context, base string, ids []string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for start := 0; start < len(ids); start += 20 {
		chunk := ids[start:min(start+20, len(ids))]
		g.Go(func() error {
			var reqs []map[string]string
			for i, id := range chunk {
				reqs = append(reqs, map[string]string{"id": fmt.Sprint(i), "method": "GET", "url": "/users/" + id + "?$select=" + wire.UserSelect})
			}
			body, _ := json.Marshal(map[string]any{"requests": reqs})
			req, _ := http.NewRequestWithContext(gctx, http.MethodPost, base+"/$batch", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+fakeToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var out struct {
				Responses []struct{ Status int } `json:"responses"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return err
			}
			for _, r := range out.Responses {
				if r.Status != http.StatusOK {
					return fmt.Errorf("a user read answered %d", r.Status)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func BenchmarkUserIDsParallelReader(b *testing.B) {
	ut := setupUsers(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if err := readUsersBatched(ctx, ut.srv.URL(), ut.ids); err != nil {
			b.Fatal(err)
		}
	}
	readerTime = time.Since(start) / time.Duration(b.N)
}

func BenchmarkUserIDsPlan(b *testing.B) {
	ut := setupUsers(b)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		var out bytes.Buffer
		if code := Main([]string{"plan", "--chdir", ut.planDir}, benchEnv(ut.srv, &out)); code != 0 {
			b.Fatalf("exit %d: %s", code, out.String())
		}
		if !strings.Contains(out.String(), "No changes.") {
			b.Fatalf("unexpected plan:\n%.2000s", out.String())
		}
	}
	if readerTime > 0 {
		b.ReportMetric(float64(time.Since(start)/time.Duration(b.N))/float64(readerTime), "x-reader")
	}
}

func BenchmarkUserIDsApply(b *testing.B) {
	ut := setupUsers(b)
	reset := func() {
		for i := range benchChangedUsers {
			upn := benchUPN(i)
			if err := ut.srv.Store.SetUserIDs(upn, []string{"X509:<PN>" + strings.TrimSuffix(upn, ".com")}); err != nil {
				b.Fatal(err)
			}
		}
		ut.srv.SetUserWriteQuota(benchWriteQuota)
		ut.srv.ResetUserWrites()
	}
	var total time.Duration
	for range b.N {
		b.StopTimer()
		reset()
		b.StartTimer()
		start := time.Now()
		var out bytes.Buffer
		if code := Main([]string{"apply", "--chdir", ut.applyDir, "--auto-approve"}, benchEnv(ut.srv, &out)); code != 0 {
			b.Fatalf("exit %d: %s", code, out.String())
		}
		total += time.Since(start)
		if !strings.Contains(out.String(), fmt.Sprintf("0 added, %d changed", benchChangedUsers)) {
			b.Fatalf("unexpected apply:\n%.2000s", out.String())
		}
		if n := ut.srv.EarlyRetries(); n != 0 {
			b.Fatalf("%d writes came before their Retry-After", n)
		}
	}
	b.StopTimer()
	ut.srv.SetUserWriteQuota(0)
	if readerTime > 0 {
		target := time.Duration(benchChangedUsers/benchWriteQuota)*time.Second + readerTime
		b.ReportMetric(float64(total/time.Duration(b.N))/float64(target), "x-target")
	}
}
