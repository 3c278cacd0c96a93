package main

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/config/configtest"
	"github.com/cbactl/cbactl/internal/jsonout"
)

// TestValidateJSONRanges runs `cbactl validate --json` on every diagnostics
// fixture of package config and checks that each diagnostic is reported with
// the summary and severity the fixture expects and a range that starts on
// the marked line of main.hcl.
func TestValidateJSONRanges(t *testing.T) {
	fixtures, _ := filepath.Glob("../../config/testdata/diagnostics/*.hcl")
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
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, "validate", "--json", "--chdir", dir)
			var got struct {
				FormatVersion string `json:"format_version"`
				Valid         bool   `json:"valid"`
				ErrorCount    int    `json:"error_count"`
				WarningCount  int    `json:"warning_count"`
				Diagnostics   []jsonout.Diagnostic
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s%s", err, stdout, stderr)
			}
			var want, have []string
			errs := 0
			for _, m := range markers {
				want = append(want, m.String())
				if m.Severity == "error" {
					errs++
				}
			}
			for _, d := range got.Diagnostics {
				if d.Range == nil {
					t.Errorf("diagnostic %q has no range", d.Summary)
					continue
				}
				if d.Range.Filename != filepath.Join(dir, "main.hcl") {
					t.Errorf("diagnostic %q is in %s", d.Summary, d.Range.Filename)
				}
				if d.Range.Start.Column < 1 || d.Range.End.Byte < d.Range.Start.Byte {
					t.Errorf("diagnostic %q has a malformed range %+v", d.Summary, d.Range)
				}
				have = append(have, configtest.Marker{Line: d.Range.Start.Line, Severity: d.Severity, Summary: d.Summary}.String())
			}
			sort.Strings(have)
			if diff := cmp.Diff(want, have); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			wantCode := 0
			if errs > 0 {
				wantCode = 1
			}
			if code != wantCode || got.Valid != (errs == 0) || got.ErrorCount != errs || got.WarningCount != len(markers)-errs || got.FormatVersion != "1.0" {
				t.Errorf("exit %d, valid %v, %d errors, %d warnings, format %q; want exit %d with %d errors and %d warnings",
					code, got.Valid, got.ErrorCount, got.WarningCount, got.FormatVersion, wantCode, errs, len(markers)-errs)
			}
		})
	}
}
