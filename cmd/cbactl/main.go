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
// seldom, and keep memory under a ceiling. A plan of thousands of CAs has a
// live heap of about 25 MB and allocates several times that while it parses;
// at the default GOGC=100 the collector would run a dozen times, at 400 a few
// times. The soft 75 MiB limit (peak resident memory stays 12-20 MB above
// it, under 100 MB) then decides when it runs, and only while a large
// configuration loads. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(75 << 20)
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
