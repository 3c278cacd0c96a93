package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// newCertCmd is the `cert` command group (cert inspect, cert userids).
func newCertCmd(env *Env, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cert",
		Short: "Inspect certificates and derive their certificateUserIds values",
		Long: `The cert commands read certificate files (PEM, DER, or PKCS #7 bundles for inspect)
offline. They never read private keys: a file that holds one is refused.`,
		Example: `  cbactl cert inspect certs/contoso-root.pem certs/FabrikamPKI.p7b
  cbactl cert userids ann.pem`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newCertUserIDsCmd(env), newCertInspectCmd(env, g))
	return cmd
}

// fileArgs checks the FILE arguments of a cert command: at least least, and
// at most most unless most is negative.
func fileArgs(least, most int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) < least && most == 1:
			return flagError{fmt.Errorf("missing FILE: name the certificate file")}
		case len(args) < least:
			return flagError{fmt.Errorf("missing FILE: name at least one certificate file")}
		case most >= 0 && len(args) > most:
			return flagError{fmt.Errorf("too many arguments: expected one FILE, got %d", len(args))}
		}
		return nil
	}
}

// readCertFile reads a certificate file; "-" is standard input.
func readCertFile(env *Env, path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(env.In)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	return os.ReadFile(path)
}

// displayName is how messages and text output name a FILE argument.
func displayName(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}
