package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/atomicfile"
)

type fmtOptions struct {
	check     bool
	diff      bool
	recursive bool
	paths     []string
}

func newFmtCmd(env *Env) *cobra.Command {
	o := &fmtOptions{}
	cmd := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Rewrite configuration files in canonical format",
		Long: `Fmt rewrites *.hcl files in canonical HCL layout and lists the files it changed.
PATH is a file or directory (default: the current directory); "-" formats standard input
to standard output.`,
		Example: `  cbactl fmt
  cbactl fmt --check --diff examples/contoso
  cbactl fmt --recursive .`,
		RunE: func(_ *cobra.Command, args []string) error {
			o.paths = args
			if len(o.paths) == 0 {
				o.paths = []string{"."}
			}
			return runFmt(env, o)
		},
	}
	cmd.Flags().BoolVar(&o.check, "check", false, "change no file; list unformatted files and exit 1 if there are any")
	cmd.Flags().BoolVar(&o.diff, "diff", false, "print a unified diff of the changes")
	cmd.Flags().BoolVar(&o.recursive, "recursive", false, "also format files in subdirectories")
	return cmd
}

func runFmt(env *Env, o *fmtOptions) error {
	var files []string
	for _, p := range o.paths {
		if p == "-" {
			if err := fmtStdin(env, o); err != nil {
				return err
			}
			continue
		}
		found, err := fmtTargets(p, o.recursive)
		if err != nil {
			return err
		}
		files = append(files, found...)
	}

	failed, unformatted := false, false
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		out, diags := config.Format(src, name)
		if diags.HasErrors() {
			writeDiagnostics(env.Err, diags, map[string]*hcl.File{name: {Bytes: src}}, false)
			failed = true
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted = true
		fmt.Fprintln(env.Out, name)
		if o.diff {
			fmt.Fprint(env.Out, udiff.Unified("old/"+filepath.ToSlash(name), "new/"+filepath.ToSlash(name), string(src), string(out)))
		}
		if !o.check {
			if err := atomicfile.WriteFile(name, out); err != nil {
				return err
			}
		}
	}
	if failed || (o.check && unformatted) {
		return exitCode(exitError)
	}
	return nil
}

func fmtStdin(env *Env, o *fmtOptions) error {
	src, err := io.ReadAll(env.In)
	if err != nil {
		return err
	}
	out, diags := config.Format(src, "<stdin>")
	if diags.HasErrors() {
		writeDiagnostics(env.Err, diags, map[string]*hcl.File{"<stdin>": {Bytes: src}}, false)
		return exitCode(exitError)
	}
	switch {
	case o.diff:
		fmt.Fprint(env.Out, udiff.Unified("old/<stdin>", "new/<stdin>", string(src), string(out)))
	case !o.check:
		_, err = env.Out.Write(out)
	}
	if o.check && !bytes.Equal(src, out) {
		return exitCode(exitError)
	}
	return err
}

// fmtTargets lists the *.hcl files a PATH argument stands for.
func fmtTargets(path string, recursive bool) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".hcl") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
