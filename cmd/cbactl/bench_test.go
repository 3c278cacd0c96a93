package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/graph"
	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/graphtest/benchtenant"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/render"
)

// The benchmarks below measure `cbactl plan` of a large tenant: 20 PKI
// containers × 250 CAs (5,000 certificates in files), against the fake Graph
// server, for every shape of trust store:
//
//   - tree: each PKI one self-signed root and 249 intermediates it issued;
//   - roots: 5,000 self-signed roots;
//
// each configured as one .hcl file per PKI (many) or as one file for
// everything (one), at 20 ms and at 200 ms of latency per request:
//
//	go test ./cmd/cbactl -run='^$' -bench=Plan -benchtime=5x
//	go test ./cmd/cbactl -run='^$' -bench='Plan/roots/one/20ms' -benchtime=10x
//
// BenchmarkPlan runs the cbactl binary (built once with go build) and, in
// the same iteration, the floor: the fastest
// possible reader of the same data (policy ‖ PKI list, then every CA list at
// once, bodies read and discarded). ns/op is the plan's wall time; floor-ms
// is the floor's, x-floor the ratio of the two; cpu-ms is the plan's user +
// system CPU time and peak-MB its peak resident memory (measured with GNU
// time, when /usr/bin/time exists). With CBACTL_BENCH_BASELINE set to
// another cbactl binary (say, main's), every iteration runs it too, before
// or after, in turn: base-x-floor and base-cpu-ms are its figures, from the
// same run and the same load.
//
// BenchmarkValidate runs `cbactl validate` of each configuration the same
// way (cpu-ms is the figure to watch), and BenchmarkLocal is configuration
// load + diff + render in this process, without the network: the one to
// profile (-cpuprofile, -memprofile, -benchmem).
const (
	benchPKIs = benchtenant.PKIs
	benchCAs  = benchtenant.CAs
)

// benchLatencies are the latencies of the fake Graph: 20 ms, as the
// yardstick of local work, and 200 ms, a real Graph round trip.
var benchLatencies = []time.Duration{20 * time.Millisecond, 200 * time.Millisecond}

// benchShapes are the trust store shapes, benchLayouts the ways of splitting
// the configuration into files.
var (
	benchShapes  = benchtenant.Shapes
	benchLayouts = benchtenant.Layouts
)

// largeTenant is a tenant of one shape, served by a fake Graph server, and
// its configuration directories by layout; plan of either shows no changes.
type largeTenant struct {
	dirs map[string]string
	srv  *graphtest.Server
	t    *benchtenant.Tenant
}

var (
	largeMu sync.Mutex
	large   = map[string]*largeTenant{}
)

// setupLarge makes (once per shape) the tenant and its configurations.
func setupLarge(b testing.TB, shape string) *largeTenant {
	b.Helper()
	largeMu.Lock()
	defer largeMu.Unlock()
	if lt, ok := large[shape]; ok {
		return lt
	}
	t, err := benchtenant.New(shape, fakeToken)
	if err != nil {
		b.Fatal(err)
	}
	lt := &largeTenant{dirs: t.Dirs, srv: t.Server, t: t}
	large[shape] = lt
	return lt
}

// benchCleanup runs the tests and benchmarks, then removes the
// benchmarks' directories.
type benchCleanup struct{ m *testing.M }

func (c benchCleanup) Run() int {
	defer func() {
		largeMu.Lock()
		defer largeMu.Unlock()
		for _, lt := range large {
			lt.t.Close()
		}
		if binPath != "" {
			os.RemoveAll(filepath.Dir(binPath))
		}
	}()
	return c.m.Run()
}

// binRun is one run of the cbactl binary: its wall and CPU time and peak
// resident memory.
type binRun struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
	stdout    string
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// cbactlBinary builds the cbactl binary, once, as users build it: the
// test binary would carry the tests' packages and their initialisation.
func cbactlBinary(b *testing.B) string {
	b.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cbactl-bench-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "cbactl")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

// timeCmd is GNU time, to measure the peak memory of the binary: the
// kernel counts the resident memory of this (large) process at the exec
// into the figure of a child it starts directly, so that only a
// grandchild's is the binary's own.
const timeCmd = "/usr/bin/time"

// runCbactl runs the cbactl binary against srv.
func runCbactl(b *testing.B, srv *graphtest.Server, args ...string) binRun {
	b.Helper()
	return runBinary(b, cbactlBinary(b), srv, args...)
}

// runBinary runs the cbactl binary bin against srv.
func runBinary(b *testing.B, bin string, srv *graphtest.Server, args ...string) binRun {
	b.Helper()
	cmd := exec.Command(bin, args...)
	var rssFile string
	if _, err := os.Stat(timeCmd); err == nil {
		rssFile = filepath.Join(filepath.Dir(cbactlBinary(b)), "maxrss")
		cmd = exec.Command(timeCmd, append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
	}
	cmd.Env = append(os.Environ(), "CBACTL_GRAPH_URL="+srv.URL(), "CBACTL_ACCESS_TOKEN="+fakeToken, "NO_COLOR=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("cbactl %s: %v\n%s%.2000s", strings.Join(args, " "), err, errOut.String(), out.String())
	}
	ps := cmd.ProcessState
	r := binRun{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), stdout: out.String(), maxRSS: -1}
	if rssFile != "" {
		data, err := os.ReadFile(rssFile)
		if err != nil {
			b.Fatal(err)
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			b.Fatalf("%s: %q: %v", timeCmd, data, err)
		}
		r.maxRSS = kb << 10
	}
	return r
}

// report adds the CPU time and peak memory of runs to b's metrics.
func report(b *testing.B, runs []binRun) {
	var cpu time.Duration
	rss := int64(-1)
	for _, r := range runs {
		cpu += r.cpu
		rss = max(rss, r.maxRSS)
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(len(runs)), "cpu-ms/op")
	if rss >= 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-MB")
	}
}

func BenchmarkPlan(b *testing.B) {
	baseline := os.Getenv("CBACTL_BENCH_BASELINE")
	for _, shape := range benchShapes {
		for _, layout := range benchLayouts {
			for _, lat := range benchLatencies {
				b.Run(fmt.Sprintf("%s/%s/%s", shape, layout, lat), func(b *testing.B) {
					lt := setupLarge(b, shape)
					cbactlBinary(b)
					lt.srv.SetLatency(lat)
					defer lt.srv.SetLatency(0)
					var runs, baseRuns []binRun
					var floor time.Duration
					lt.srv.ResetRequests()
					requests := 0
					runBaseline := func() {
						if baseline != "" {
							baseRuns = append(baseRuns, runBinary(b, baseline, lt.srv, "plan", "--chdir", lt.dirs[layout]))
						}
					}
					b.ResetTimer()
					for i := range b.N {
						b.StopTimer()
						floor += readFloor(b, lt.srv)
						if i%2 == 0 {
							runBaseline()
						}
						requests -= len(lt.srv.Requests())
						b.StartTimer()
						r := runCbactl(b, lt.srv, "plan", "--chdir", lt.dirs[layout])
						b.StopTimer()
						requests += len(lt.srv.Requests())
						if !strings.Contains(r.stdout, "No changes.") {
							b.Fatalf("unexpected plan:\n%.2000s", r.stdout)
						}
						runs = append(runs, r)
						if i%2 == 1 {
							runBaseline()
						}
						b.StartTimer()
					}
					b.StopTimer()
					b.ReportMetric(float64(floor.Milliseconds())/float64(b.N), "floor-ms")
					b.ReportMetric(float64(wallOf(runs))/float64(floor), "x-floor")
					b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
					report(b, runs)
					if len(baseRuns) > 0 {
						b.ReportMetric(float64(wallOf(baseRuns))/float64(floor), "base-x-floor")
						b.ReportMetric(float64(cpuOf(baseRuns).Milliseconds())/float64(len(baseRuns)), "base-cpu-ms/op")
					}
				})
			}
		}
	}
}

func wallOf(runs []binRun) (d time.Duration) {
	for _, r := range runs {
		d += r.wall
	}
	return d
}

func cpuOf(runs []binRun) (d time.Duration) {
	for _, r := range runs {
		d += r.cpu
	}
	return d
}

// readFloor reads the same data as plan as fast as HTTP allows: the policy
// and the PKI list at once, then every CA list at once, bodies read and
// discarded. It returns how long that took.
func readFloor(b *testing.B, srv *graphtest.Server) time.Duration {
	b.Helper()
	base := srv.URL()
	get := func(ctx context.Context, path string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+fakeToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	var ids []string
	for _, obj := range srv.Store.PKIs() {
		ids = append(ids, objectID(obj))
	}
	ctx := context.Background()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		_, err := get(gctx, "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate")
		return err
	})
	g.Go(func() error {
		_, err := get(gctx, "/directory/publicKeyInfrastructure/certificateBasedAuthConfigurations?$top=999")
		return err
	})
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	g, gctx = errgroup.WithContext(ctx)
	for _, id := range ids {
		g.Go(func() error {
			_, err := get(gctx, "/directory/publicKeyInfrastructure/certificateBasedAuthConfigurations/"+id+"/certificateAuthorities?$top=999")
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkValidate is `cbactl validate` of each configuration: its CPU
// time (cpu-ms) and peak memory.
func BenchmarkValidate(b *testing.B) {
	for _, shape := range benchShapes {
		for _, layout := range benchLayouts {
			b.Run(shape+"/"+layout, func(b *testing.B) {
				lt := setupLarge(b, shape)
				cbactlBinary(b)
				var runs []binRun
				b.ResetTimer()
				for range b.N {
					runs = append(runs, runCbactl(b, lt.srv, "validate", "--chdir", lt.dirs[layout]))
				}
				b.StopTimer()
				report(b, runs)
			})
		}
	}
}

// BenchmarkLocal is configuration load + diff + render, without the
// network: the CPU cost of a plan beyond reading the tenant, in this
// process, to profile.
func BenchmarkLocal(b *testing.B) {
	for _, shape := range benchShapes {
		for _, layout := range benchLayouts {
			b.Run(shape+"/"+layout, func(b *testing.B) {
				lt := setupLarge(b, shape)
				doc, _, err := lt.srv.Store.Document()
				if err != nil {
					b.Fatal(err)
				}
				observed, _ := doc.Observe()
				b.ResetTimer()
				for range b.N {
					cfg, diags := config.Load(lt.dirs[layout], config.LoadOptions{Now: time.Now()})
					if diags.HasErrors() {
						b.Fatal(diags)
					}
					p := plan.Diff(cfg.Desired, observed)
					if err := render.Text(io.Discard, p, render.Options{}); err != nil {
						b.Fatal(err)
					}
					if p.HasChanges() {
						b.Fatalf("%d changes", len(p.Changes))
					}
				}
			})
		}
	}
}

// BenchmarkRemote is the rest of a plan beyond loading the configuration
// (loaded once, outside the timer): read the tenant from the fake Graph
// (no latency), then Effective, Diff and render, in this process. Its
// B/op and allocs/op (-benchmem) are the figures to watch for the reading
// and planning code.
func BenchmarkRemote(b *testing.B) {
	for _, shape := range benchShapes {
		b.Run(shape, func(b *testing.B) {
			lt := setupLarge(b, shape)
			cfg, diags := config.Load(lt.dirs["one"], config.LoadOptions{Now: time.Now()})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			// The fake server's responses are recorded once, then replayed
			// from memory: the figures are the client's alone.
			rt := &replayTransport{next: http.DefaultTransport, recorded: map[string]recorded{}}
			c, err := graph.New(graph.Options{BaseURL: lt.srv.URL(), AccessToken: fakeToken, HTTPTransport: rt})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.Observe(ctx); err != nil {
				b.Fatal(err)
			}
			rt.replay = true
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				obs, err := c.Observe(ctx)
				if err != nil {
					b.Fatal(err)
				}
				desired := plan.Effective(cfg.Desired, obs.State)
				p := plan.Diff(desired, obs.State)
				if err := render.Text(io.Discard, p, render.Options{}); err != nil {
					b.Fatal(err)
				}
				if p.HasChanges() {
					b.Fatalf("%d changes", len(p.Changes))
				}
			}
		})
	}
}

// replayTransport records the responses to GET requests, then, with replay
// set, serves them again from memory.
type replayTransport struct {
	next     http.RoundTripper
	mu       sync.Mutex
	replay   bool
	recorded map[string]recorded
}

type recorded struct {
	status int
	header http.Header
	body   []byte
}

func (t *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + req.URL.String()
	t.mu.Lock()
	r, ok := t.recorded[key]
	replay := t.replay
	t.mu.Unlock()
	if replay {
		if !ok {
			return nil, fmt.Errorf("replay: %s was not recorded", key)
		}
		return &http.Response{StatusCode: r.status, Header: r.header.Clone(), Body: io.NopCloser(bytes.NewReader(r.body)), ContentLength: -1, Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.recorded[key] = recorded{status: resp.StatusCode, header: resp.Header.Clone(), body: body}
	t.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
