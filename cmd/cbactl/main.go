// Command cbactl manages a Microsoft Entra ID tenant's certificate-based
// authentication configuration as code.
package main

import (
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/term"
)

func main() {
	tuneGC()
	code := runSupervised()
	for _, f := range atExit {
		f()
	}
	os.Exit(code)
}

// atExit runs before the process exits (profiling builds use it).
var atExit []func()

// tuneGC sets the garbage collector up for a short-lived process: collect
// seldom, and keep memory under a ceiling. A plan of 5,000 CAs has a live
// heap of about 40 MB at its end and allocates about 105 MB on the way; at
// the default GOGC=100 the collector would run a dozen times, at 400 a few
// times. The soft limit then decides when it runs while a large
// configuration loads: the nearer the live heap is to it, the more often
// (at 75 MiB, five collections cost a plan of 5,000 CAs ~180 ms of CPU).
// At 80 MiB the peak resident memory of the benchmark plans (issue 11)
// stays at 87-91 MB, under 100 MB, for ~6% less CPU than at 75 MiB. GOGC
// and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
}

// systemEnv is the Env of the running process.
func systemEnv() *Env {
	return &Env{
		In:        os.Stdin,
		Out:       os.Stdout,
		Err:       os.Stderr,
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		Environ:   os.Environ(),
		Now:       time.Now,
	}
}
