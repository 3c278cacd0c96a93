package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
)

var updateRequests = flag.Bool("update-requests", false, "rewrite testdata/requests/*.golden")

// telemetryHeaders are left out of the recorded requests: they describe the
// client library and the attempt (SdkVersion names the Graph SDK's version;
// client-request-id is a fresh GUID per request), not what is asked of
// Graph.
var telemetryHeaders = []string{"Sdkversion", "Client-Request-Id"}

// TestExampleRequests records every request of a full plan + apply of the
// example (examples/contoso) against the fake Graph server, twice: from the
// example's drifted tenant (creates, updates, deletes, strengths) and from
// an empty tenant (the method enabled first). Every request must be
// byte-for-byte what the golden file holds: method, path and query as sent,
// every header but telemetry (the Authorization value is recorded as
// REDACTED by the server), and the body, whose top-level members are sorted
// (see sortMembers) and whose values are kept byte for byte. Reads that cbactl sends
// concurrently are sorted within each run between two writes; writes keep
// their order. `go test ./cmd/cbactl -run TestExampleRequests
// -update-requests` rewrites the golden files: read the diff.
func TestExampleRequests(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	example := filepath.Join(root, "examples", "contoso")
	drifted, err := os.ReadFile(filepath.Join(example, "tenant.json"))
	if err != nil {
		t.Fatal(err)
	}
	empty := []byte(`{
  "snapshotVersion": 1,
  "tenantId": "4a6f2c1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b",
  "groups": [
    {"id": "5d1c7e0a-3b9f-4c2d-8e6a-0f1b2c3d4e01", "displayName": "CBA Users"},
    {"id": "5d1c7e0a-3b9f-4c2d-8e6a-0f1b2c3d4e02", "displayName": "Fabrikam Contractors"},
    {"id": "5d1c7e0a-3b9f-4c2d-8e6a-0f1b2c3d4e03", "displayName": "Break Glass Accounts"}
  ]
}`)
	for _, tc := range []struct {
		name     string
		snapshot []byte
	}{
		{"drifted", drifted},
		{"empty", empty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			srv := graphtest.New(graphtest.Options{Token: fakeToken, UploadPolls: -1, Now: func() time.Time { return clock }})
			defer srv.Close()
			n := 0
			srv.Store.NewID = func() string {
				n++
				return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
			}
			if err := srv.LoadSnapshot(tc.snapshot); err != nil {
				t.Fatal(err)
			}
			cbactl := func(want int, args ...string) {
				t.Helper()
				var out, errOut bytes.Buffer
				code := Main(args, &Env{
					In: strings.NewReader(""), Out: &out, Err: &errOut, Now: time.Now,
					Environ: []string{"CBACTL_GRAPH_URL=" + srv.URL(), "CBACTL_ACCESS_TOKEN=" + fakeToken},
				})
				if code != want {
					t.Fatalf("cbactl %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errOut.String())
				}
			}
			cbactl(2, "plan", "--chdir", example, "--detailed-exitcode")
			cbactl(0, "apply", "--chdir", example, "--auto-approve", "--allow-destroy")
			cbactl(0, "plan", "--chdir", example, "--detailed-exitcode")

			got := formatRequests(srv.Requests())
			golden := filepath.Join("testdata", "requests", "example_"+tc.name+".golden")
			if *updateRequests {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-requests to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the requests differ from %s (-update-requests rewrites it):\n%s", golden, firstDifference(want, got))
			}
		})
	}
}

// formatRequests writes one block per request: the request line, the
// headers sorted by name, a blank line, the body and a line "----". Each
// run of reads between two writes is sorted, because cbactl sends them
// concurrently.
func formatRequests(reqs []graphtest.Request) []byte {
	blocks := make([]string, len(reqs))
	for i, r := range reqs {
		var b strings.Builder
		target := r.Path
		if r.RawQuery != "" {
			target += "?" + r.RawQuery
		}
		fmt.Fprintf(&b, "%s %s\n", r.Method, target)
		h := r.Header.Clone()
		for _, k := range telemetryHeaders {
			h.Del(k)
		}
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, v := range h[k] {
				fmt.Fprintf(&b, "%s: %s\n", k, v)
			}
		}
		b.WriteString("\n")
		if len(r.Body) > 0 {
			b.Write(sortMembers(r.Body))
			b.WriteString("\n")
		}
		b.WriteString("----\n")
		blocks[i] = b.String()
	}
	for start := 0; start < len(reqs); {
		end := start
		for end < len(reqs) && reqs[end].Method == http.MethodGet {
			end++
		}
		slices.Sort(blocks[start:end])
		start = end + 1
	}
	return []byte(strings.Join(blocks, ""))
}

// sortMembers orders the members of a top-level JSON object by name and
// keeps every member's value byte for byte; any other body is kept as is.
// It is the one normalisation of bodies, and a needed one: the Graph SDK
// writes the properties it sends through AdditionalData (the x509
// configuration's issuerHintsConfiguration and certificateAuthorityScopes),
// and the null values of a PATCH, in Go's random map order.
func sortMembers(body []byte) []byte {
	var members map[string]json.RawMessage
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &members) != nil {
		return body
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		b.Write(name)
		b.WriteByte(':')
		b.Write(members[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// firstDifference shows the first line where got departs from want, with
// the request it belongs to.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	req := ""
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d, in the request %q:\nwant: %.400s\ngot:  %.400s", i+1, req, wl, gl)
		}
		if i == 0 || (i > 0 && w[i-1] == "----") {
			req = wl
		}
	}
	return "(same lines)"
}
