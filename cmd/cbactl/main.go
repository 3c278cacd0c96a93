// Command cbactl manages a Microsoft Entra ID tenant's certificate-based
// authentication configuration as code.
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"golang.org/x/term"
)

func init() {
	// cbactl writes no heap profile (a profiling build sets its own rate,
	// profile.go, whose init runs after this one): no allocation is
	// sampled, and no memory is kept for the samples' stacks.
	runtime.MemProfileRate = 0
}

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
// only when the heap nears a ceiling. A plan of 5,000 CAs allocates about
// 90 MB, most of it garbage at once (HCL's tokens, JSON bodies): with
// GOGC=off and a soft limit of 80 MiB, the collector runs only when the
// heap reaches the limit, a few times at most, and a configuration of
// ordinary size never pays for a collection (GOGC=400 cost validate of
// 5,000 CAs ~10% more CPU). The peak resident memory of the benchmark
// plans (issue 11) stays under 100 MB. When what is live outgrows the
// limit (a 45 MB CRL), the collector runs all the time, capped by the
// runtime at about half the CPU, as it did with GOGC=400. GOGC and
// GOMEMLIMIT, when set, win; with only GOMEMLIMIT set, GOGC is 400, so
// that a limit set high (or off) never leaves the heap unbounded.
// (config.Load also collects once after parsing a large configuration.)
func tuneGC() {
	gogc, limit := os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT")
	if limit == "" {
		debug.SetMemoryLimit(80 << 20)
	}
	switch {
	case gogc != "":
	case limit == "":
		debug.SetGCPercent(-1)
	default:
		debug.SetGCPercent(400)
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
