package config_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/config/configtest"
)

// testNow is the clock of every fixture test; the fixture certificates'
// validity is relative to it.
var testNow = time.Now().UTC().Truncate(time.Second)

func describe(diags hcl.Diagnostics) []string {
	got := []string{}
	for _, d := range diags {
		m := configtest.Marker{Severity: "error", Summary: d.Summary}
		if d.Severity == hcl.DiagWarning {
			m.Severity = "warning"
		}
		if d.Subject != nil {
			m.Line = d.Subject.Start.Line
		}
		got = append(got, m.String())
	}
	sort.Strings(got)
	return got
}

// TestDiagnostics loads every fixture in testdata/diagnostics and compares
// the diagnostics with the fixture's markers: the same summaries, on the
// same lines, and nothing else.
func TestDiagnostics(t *testing.T) {
	fixtures, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	if len(fixtures) == 0 {
		t.Fatal("no fixtures")
	}
	for _, fx := range fixtures {
		t.Run(strings.TrimSuffix(filepath.Base(fx), ".hcl"), func(t *testing.T) {
			dir := t.TempDir()
			if err := configtest.Fixture(dir, fx, testNow); err != nil {
				t.Fatal(err)
			}
			markers, err := configtest.Markers(fx)
			if err != nil || len(markers) == 0 {
				t.Fatalf("fixture has no markers (%v)", err)
			}
			want := make([]string, 0, len(markers))
			for _, m := range markers {
				want = append(want, m.String())
			}
			_, diags := config.Load(dir, config.LoadOptions{Now: testNow})
			if diff := cmp.Diff(want, describe(diags)); diff != "" {
				for _, d := range diags {
					t.Logf("%s", d)
				}
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
