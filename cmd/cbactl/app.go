package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes (contract §4).
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan --detailed-exitcode: success, with changes
)

// exitCode ends a command with a code after it has printed what it had to
// say; it prints nothing more.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// flagError is a usage mistake; it is printed with a pointer to --help.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }

// globalOptions are the flags every command has.
type globalOptions struct {
	noColor bool
}

// Main runs cbactl with args and returns the process exit code. A panic is
// an error (exit status 1), never the Go runtime's exit status 2, which plan
// --detailed-exitcode means as "changes".
func Main(args []string, env *Env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Err, "Error: internal error: %v\n%s\nThis is a bug in cbactl; please report it.\n", r, debug.Stack())
			code = exitError
		}
	}()
	root := newRootCmd(env)
	root.SetArgs(args)
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ec exitCode
	if errors.As(err, &ec) {
		return int(ec)
	}
	fmt.Fprintf(env.Err, "Error: %s\n", err)
	var fe flagError
	if errors.As(err, &fe) {
		fmt.Fprintf(env.Err, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return exitError
}

func newRootCmd(env *Env) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "cbactl",
		Short: "Manage Microsoft Entra certificate-based authentication as code",
		Long: `cbactl manages a Microsoft Entra ID tenant's certificate-based authentication (CBA)
configuration as code: the PKI trust store (PKI containers and certificate authorities)
and the x509Certificate authentication method policy, declared in HCL files.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().BoolVar(&g.noColor, "no-color", false, "disable colour output (also: NO_COLOR environment variable)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.AddCommand(
		newValidateCmd(env, g),
		newFmtCmd(env),
		newPlanCmd(env, g),
		newApplyCmd(env, g),
		newShowCmd(env, g),
		newExportCmd(env),
		newCertCmd(env, g),
		newCRLCmd(env, g),
		newHealthCmd(env, g),
		newSimulateCmd(env, g),
		newTestCmd(env, g),
		newVersionCmd(env),
	)
	return root
}
