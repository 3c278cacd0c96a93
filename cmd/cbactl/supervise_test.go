//go:build !windows

package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// The supervisor exits with the status the child reports, and with 1 when
// the child ends without reporting one (the Go runtime's fatal errors exit
// with 2, which plan --detailed-exitcode means as "changes").
func TestSupervise(t *testing.T) {
	if testing.Short() {
		t.Skip("host-dependent (sh): skipped with -short")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, tc := range []struct {
		script   string
		want     int
		crashMsg bool
		stopMsg  bool
	}{
		{`printf '\002' >&3; exit 2`, 2, false, false}, // plan --detailed-exitcode: changes
		{`printf '\000' >&3; exit 0`, 0, false, false},
		{`printf '\001' >&3; exit 1`, 1, false, false},
		{`exit 2`, 1, true, false}, // a crash: the runtime exits 2 without reporting
		{`kill -KILL $$`, 1, true, false},
		{`kill -TERM $$`, 1, false, true}, // stopped by the user: no "bug" message
		{`kill -INT $$`, 1, false, true},
		{`test "$CBACTL_EXIT_FD" = 3 && printf '\000' >&3`, 0, false, false},
	} {
		var stderr bytes.Buffer
		code, ok := supervise(sh, []string{"sh", "-c", tc.script}, &stderr)
		if !ok || code != tc.want || strings.Contains(stderr.String(), "ended abnormally") != tc.crashMsg ||
			strings.Contains(stderr.String(), "was stopped") != tc.stopMsg {
			t.Errorf("%s: exit %d (started: %v), stderr %q; want %d", tc.script, code, ok, stderr.String(), tc.want)
		}
	}
	if _, ok := supervise("/nonexistent/cbactl", []string{"cbactl"}, &bytes.Buffer{}); ok {
		t.Error("a child that cannot start was reported as run")
	}
}
