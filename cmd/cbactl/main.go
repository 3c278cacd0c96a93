// Command cbactl manages a Microsoft Entra ID tenant's certificate-based
// authentication configuration as code.
package main

import (
	"os"
	"time"

	"golang.org/x/term"
)

func main() {
	os.Exit(Main(os.Args[1:], systemEnv()))
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
