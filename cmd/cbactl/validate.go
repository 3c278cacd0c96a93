package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/jsonout"
)

// configFlags are the flags of every command that loads the configuration.
type configFlags struct {
	chdir    string
	vars     []string
	varFiles []string
}

func (f *configFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.chdir, "chdir", ".", "the directory that holds the configuration (*.hcl)")
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set an input variable: NAME=VALUE (repeatable)")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read input variables from an HCL or JSON file (repeatable)")
}

func (f *configFlags) loadOptions(env *Env) config.LoadOptions {
	return config.LoadOptions{
		Vars:     f.vars,
		VarFiles: f.varFiles,
		Env:      config.EnvVars(env.Environ),
		Now:      env.Now(),
	}
}

type validateOptions struct {
	configFlags
	json bool
}

func newValidateCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration and its certificates offline",
		Long: `Validate checks the configuration and its certificates without contacting the tenant:
the language, enum values, references, certificate authorities (CA flag, expiry, size,
CRL URLs), username bindings, authentication binding rules and lockout risks.`,
		Example: `  cbactl validate
  cbactl validate --chdir examples/contoso
  cbactl validate --json | jq '.diagnostics[] | select(.severity == "error")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runValidate(env, g, o)
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print the result as JSON (Terraform's validate -json shape)")
	return cmd
}

func runValidate(env *Env, g *globalOptions, o *validateOptions) error {
	cfg, diags := config.Load(o.chdir, o.loadOptions(env))
	errs, warns := countDiagnostics(diags)
	if o.json {
		if err := jsonout.Write(env.Out, map[string]any{
			"format_version": "1.0",
			"valid":          errs == 0,
			"error_count":    errs,
			"warning_count":  warns,
			"diagnostics":    jsonDiagnostics(diags),
		}); err != nil {
			return err
		}
	} else {
		writeDiagnostics(env.Err, diags, cfg.Files(), env.color(g.noColor))
		if errs == 0 {
			msg := "Success! The configuration is valid."
			if warns > 0 {
				msg = fmt.Sprintf("Success! The configuration is valid, with %d %s.", warns, plural(warns, "warning", "warnings"))
			}
			fmt.Fprintln(env.Out, msg)
		}
	}
	if errs > 0 {
		return exitCode(exitError)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
