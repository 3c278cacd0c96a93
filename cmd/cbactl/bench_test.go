package main

import (
	"bytes"
	"context"
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

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/render"
)

// The benchmarks below measure `cbactl plan` of a large tenant: 20 PKI
// containers × 250 CAs (5,000 certificates in files), against the fake Graph
// server with 20 ms of latency per request. The configuration is one file
// per PKI container.
//
//	go test ./cmd/cbactl -run='^$' -bench=. -benchtime=5x
//
// BenchmarkPlan is the whole command; BenchmarkParallelReader is the
// fastest possible reader of the same data (policy ‖ PKI list, then every CA
// list at once), the yardstick for BenchmarkPlan; BenchmarkLocal is the CPU
// cost of configuration load + diff + render without the network.
const (
	benchPKIs    = 20
	benchCAs     = 250
	benchLatency = 20 * time.Millisecond
)

type largeTenant struct {
	dir string
	srv *graphtest.Server
}

var (
	largeOnce sync.Once
	large     largeTenant
)

func setupLarge(b *testing.B) largeTenant {
	b.Helper()
	largeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cbactl-bench-")
		if err != nil {
			b.Fatal(err)
		}
		srv := graphtest.New(graphtest.Options{Token: fakeToken})
		for p := range benchPKIs {
			// One file per PKI container, as a team would keep them.
			var hcl strings.Builder
			name := fmt.Sprintf("PKI %02d", p)
			fmt.Fprintf(&hcl, "pki %q {\n  display_name = %q\n", fmt.Sprintf("p%02d", p), name)
			obj := srv.Store.CreatePKI(wire.Object{"displayName": []byte(fmt.Sprintf("%q", name))})
			pkiID := objectID(obj)
			root := pkitest.NewRoot(pkitest.WithCN(name + " Root"))
			for c := range benchCAs {
				der := root.DER
				if c > 0 {
					der = root.NewIntermediate(pkitest.WithCN(fmt.Sprintf("%s Issuing %03d", name, c))).DER
				}
				file := fmt.Sprintf("certs/p%02d-ca%03d.pem", p, c)
				path := filepath.Join(dir, file)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(path, pemOf(der), 0o644); err != nil {
					b.Fatal(err)
				}
				crl := fmt.Sprintf("http://crl.example.com/p%02d/%03d.crl", p, c)
				fmt.Fprintf(&hcl, "  certificate_authority \"ca%03d\" {\n    certificate = file(%q)\n    crl_url     = %q\n  }\n", c, file, crl)
				typ := "intermediate"
				if c == 0 {
					typ = "root"
				}
				if _, err := srv.Store.CreateCA(pkiID, wire.ToObject(wire.CA{Certificate: der, CertificateAuthorityType: typ, CRLURL: &crl})); err != nil {
					b.Fatal(err)
				}
			}
			hcl.WriteString("}\n")
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pki-%02d.hcl", p)), []byte(hcl.String()), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		srv.SetLatency(benchLatency)
		large = largeTenant{dir: dir, srv: srv}
	})
	return large
}

func pemOf(der []byte) []byte {
	return []byte("-----BEGIN CERTIFICATE-----\n" + wrap64(der) + "-----END CERTIFICATE-----\n")
}

func wrap64(der []byte) string {
	s := wireBase64(der)
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	return b.String() + s + "\n"
}

func BenchmarkPlan(b *testing.B) {
	lt := setupLarge(b)
	env := func(out io.Writer) *Env {
		return &Env{
			In: strings.NewReader(""), Out: out, Err: io.Discard,
			Environ: []string{"CBACTL_GRAPH_URL=" + lt.srv.URL(), "CBACTL_ACCESS_TOKEN=" + fakeToken},
			Now:     time.Now,
		}
	}
	lt.srv.ResetRequests()
	b.ResetTimer()
	for range b.N {
		var out bytes.Buffer
		if code := Main([]string{"plan", "--chdir", lt.dir}, env(&out)); code != 0 {
			b.Fatalf("exit %d: %s", code, out.String())
		}
		if !strings.Contains(out.String(), "No changes.") {
			b.Fatalf("unexpected plan:\n%.2000s", out.String())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(lt.srv.Requests()))/float64(b.N), "requests/op")
}

// BenchmarkParallelReader reads the same data as fast as HTTP allows: the
// policy and the PKI list at once, then every CA list at once, bodies read
// and discarded.
func BenchmarkParallelReader(b *testing.B) {
	lt := setupLarge(b)
	base := lt.srv.URL()
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
	for _, obj := range lt.srv.Store.PKIs() {
		ids = append(ids, objectID(obj))
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
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
	}
}

// BenchmarkLocal is configuration load + diff + render, without the
// network: the CPU cost of a plan beyond reading the tenant.
func BenchmarkLocal(b *testing.B) {
	lt := setupLarge(b)
	doc, _, err := lt.srv.Store.Document()
	if err != nil {
		b.Fatal(err)
	}
	observed, _ := doc.Observe()
	b.ResetTimer()
	for range b.N {
		cfg, diags := config.Load(lt.dir, config.LoadOptions{Now: time.Now()})
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
}

// TestServeLargeTenant serves the benchmark tenant for measuring the real
// binary (wall and CPU time, peak memory) from outside:
//
//	CBACTL_SERVE_LARGE=60s go test ./cmd/cbactl -run TestServeLargeTenant -v &
//	# it prints CBACTL_GRAPH_URL and the configuration directory, then
//	CBACTL_GRAPH_URL=… CBACTL_ACCESS_TOKEN=fake-token-7f3a9c /usr/bin/time -v cbactl plan --chdir DIR
//
// It serves for the given duration, then stops.
func TestServeLargeTenant(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("CBACTL_SERVE_LARGE"))
	if err != nil {
		t.Skip("set CBACTL_SERVE_LARGE to a duration to serve the benchmark tenant")
	}
	var b testing.B
	lt := setupLarge(&b)
	fmt.Printf("CBACTL_GRAPH_URL=%s CBACTL_ACCESS_TOKEN=%s DIR=%s\n", lt.srv.URL(), fakeToken, lt.dir)
	time.Sleep(d)
}
