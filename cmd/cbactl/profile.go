//go:build profile

package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// A binary built with -tags profile writes profiles of the process that does
// the work (the supervised child) when CBACTL_CPUPROFILE or
// CBACTL_MEMPROFILE names a file:
//
//	go build -tags profile -o /tmp/cbactl-prof ./cmd/cbactl
//	CBACTL_CPUPROFILE=/tmp/cpu.prof /tmp/cbactl-prof validate --chdir DIR
//	go tool pprof -top /tmp/cbactl-prof /tmp/cpu.prof
func init() {
	if os.Getenv(exitFDEnv) == "" {
		return // the supervisor: the child profiles itself
	}
	if path := os.Getenv("CBACTL_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			atExit = append(atExit, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("CBACTL_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 4096
		atExit = append(atExit, func() {
			if f, err := os.Create(path); err == nil {
				// The profile counts what the last collection saw: with
				// GOGC off, collect once more so it holds every allocation.
				runtime.GC()
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		})
	}
}
