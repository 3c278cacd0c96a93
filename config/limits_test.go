package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func TestCheckLimitsRefusesDeepNesting(t *testing.T) {
	deep := func(open, close string) string {
		return "locals {\n  x = " + strings.Repeat(open, MaxNesting) + "1" + strings.Repeat(close, MaxNesting) + "\n}\n"
	}
	for name, src := range map[string]string{
		"parentheses":   deep("(", ")"),
		"brackets":      deep("[", "]"),
		"objects":       deep("{a = ", "}"),
		"templates":     "x = \"" + strings.Repeat("${\"", MaxNesting) + strings.Repeat("\"}", MaxNesting) + "\"\n",
		"heredoc":       "x = <<EOT\n" + strings.Repeat("${(", MaxNesting) + "\nEOT\n",
		"not":           "x = " + strings.Repeat("!", 2*MaxNesting) + "true\n",
		"negation":      "x = " + strings.Repeat("- ", 2*MaxNesting) + "1\n",
		"sum":           "x = 1" + strings.Repeat(" + 1", 2*MaxNesting) + "\n",
		"sum in parens": "x = (1" + strings.Repeat("\n + 1", 2*MaxNesting) + ")\n",
		"conditionals":  "x = " + strings.Repeat("true ? 1 : ", 2*MaxNesting) + "1\n",
		"directives":    "x = \"" + strings.Repeat("%{if true}", 2*MaxNesting) + strings.Repeat("%{endif}", 2*MaxNesting) + "\"\n",
		"blocks":        strings.Repeat("b {\n", MaxNesting+1) + strings.Repeat("}\n", MaxNesting+1),
	} {
		diags := CheckLimits([]byte(src), "deep.hcl")
		if !diags.HasErrors() || diags[0].Summary != "Nesting too deep" || diags[0].Subject == nil {
			t.Errorf("%s: %v", name, diags)
		}
	}
}

func TestCheckLimitsAcceptsRealConfigurations(t *testing.T) {
	files, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	more, _ := filepath.Glob("../examples/contoso/*.hcl")
	for _, f := range append(files, more...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if diags := CheckLimits(src, f); diags.HasErrors() {
			t.Errorf("%s: %v", f, diags)
		}
	}
	// Many attributes, items and lines: length is not depth.
	var b strings.Builder
	b.WriteString("locals {\n  list = [\n")
	for range 10 * MaxNesting {
		b.WriteString("    \"a-b-c\" , -1, 2 - 1, x ? y : z,\n")
	}
	b.WriteString("  ]\n")
	for i := range 10 * MaxNesting {
		b.WriteString("  a" + strings.Repeat("b", i%7) + " = 1 + 2 * 3 - 4 # a - comment\n")
	}
	b.WriteString("}\n")
	if diags := CheckLimits([]byte(b.String()), "long.hcl"); diags.HasErrors() {
		t.Errorf("long file: %v", diags)
	}
}

func TestCheckLimitsRefusesLargeFiles(t *testing.T) {
	src := make([]byte, MaxSourceBytes+1)
	for i := range src {
		src[i] = '\n'
	}
	if diags := CheckLimits(src, "big.hcl"); !diags.HasErrors() || diags[0].Summary != "File too large" {
		t.Errorf("%v", diags)
	}
}

// FuzzCheckLimits: the scanner never panics, and a source it accepts parses
// without the parser running away (the fuzzer would crash on a stack
// overflow).
func FuzzCheckLimits(f *testing.F) {
	f.Add([]byte("x = \"${a}\" # c\n"))
	f.Add([]byte("x = <<-EOT\n  ${b}\n  EOT\n"))
	f.Add([]byte("x = [for k, v in m : k => v if v != null]\n"))
	f.Add([]byte("x = \"%{ for a in b ~}${a}%{ endfor ~}\"\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if CheckLimits(src, "f.hcl").HasErrors() {
			return
		}
		_, _ = Format(src, "f.hcl")
	})
}

// Each local value is evaluated with only the locals it refers to: building
// the object of all of them for each one made n locals cost O(n²) (40,000
// locals took minutes).
func TestLocalsForHoldsOnlyReferences(t *testing.T) {
	values := map[string]cty.Value{}
	for i := range 1000 {
		values[fmt.Sprintf("l%d", i)] = cty.NumberIntVal(int64(i))
	}
	expr, diags := hclsyntax.ParseExpression([]byte(`local.l7 + local.l9`), "x.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := localsFor(expr, values); got.LengthInt() != 2 {
		t.Errorf("the object has %d attributes, want 2", got.LengthInt())
	}
	whole, _ := hclsyntax.ParseExpression([]byte(`keys(local)`), "x.hcl", hcl.InitialPos)
	if got := localsFor(whole, values); got.LengthInt() != 1000 {
		t.Errorf("local as a whole: %d attributes, want 1000", got.LengthInt())
	}
}

// BenchmarkLoadManyLocals loads a configuration of 20,000 local values.
func BenchmarkLoadManyLocals(b *testing.B) {
	var src strings.Builder
	src.WriteString("locals {\n")
	for i := range 20000 {
		fmt.Fprintf(&src, "  l%d = \"v%d\"\n  m%d = local.l%d\n", i, i, i, i)
	}
	src.WriteString("}\n")
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
