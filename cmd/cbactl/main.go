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
	os.Exit(Main(os.Args[1:], systemEnv()))
}

// tuneGC sets the garbage collector up for the process.
func tuneGC() {
	// A plan of thousands of CAs has a live heap of about 40 MB; a soft (72 MiB)
	// limit keeps the garbage collector from letting the process grow to
	// twice that. GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(72 << 20)
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
