package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version and commit are set at link time:
// go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234" ./cmd/cbactl
var (
	version = ""
	commit  = ""
)

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit and Go version",
		Example: "  cbactl version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v, c := buildVersion()
			fmt.Fprintf(env.Out, "cbactl %s (commit %s, %s)\n", v, c, runtime.Version())
			return nil
		},
	}
}

// buildVersion falls back to the module version and VCS revision that the Go
// toolchain records when the link-time values are not set.
func buildVersion() (v, c string) {
	v, c = version, commit
	info, ok := debug.ReadBuildInfo()
	if v == "" {
		v = "(devel)"
		if ok && info.Main.Version != "" {
			v = info.Main.Version
		}
	}
	if c == "" {
		c = "unknown"
		if ok {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 7 {
					c = s.Value[:7]
				}
			}
		}
	}
	return v, c
}
