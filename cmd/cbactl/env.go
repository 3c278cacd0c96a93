package main

import (
	"io"
	"strings"
	"time"
)

// Env is everything a command takes from the process: streams, terminal
// facts, environment and clock. Nothing below cmd/ reads them directly.
type Env struct {
	In        io.Reader
	Out, Err  io.Writer
	StdoutTTY bool
	StdinTTY  bool
	Environ   []string
	Now       func() time.Time
}

// Getenv returns the value of an environment variable, or "".
func (e *Env) Getenv(key string) string {
	v, _ := e.lookup(key)
	return v
}

// color reports whether output to stdout may be coloured: only on a
// terminal, and never when NO_COLOR is set (https://no-color.org) or
// --no-color is given.
func (e *Env) color(noColor bool) bool {
	_, set := e.lookup("NO_COLOR")
	return e.StdoutTTY && !noColor && !set
}

func (e *Env) lookup(key string) (string, bool) {
	for _, kv := range e.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}
