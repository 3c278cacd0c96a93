package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// largeTrustStore is a configuration like a large trust store in one file,
// with the constructs around items that cutting into units must respect:
// comments, heredocs, multi-line expressions, arguments before and after
// nested blocks, nested blocks within those, one-line blocks.
func largeTrustStore(pkis, cas int) []byte {
	var b strings.Builder
	b.WriteString("\ufeff# one file for everything\n")
	for p := range pkis {
		fmt.Fprintf(&b, "/* PKI %d\npki \"not\" {\n*/\n", p)
		fmt.Fprintf(&b, "pki %q {\n  display_name = <<-EOT\n    PKI %d\nlocals {\n  certificate_authority \"x\" {\n    EOT\n", fmt.Sprintf("p%d", p), p)
		for c := range cas {
			switch c % 5 {
			case 1:
				fmt.Fprintf(&b, "  # CA %d\n", c)
			case 2:
				fmt.Fprintf(&b, "  /* CA %d\n  certificate_authority \"no\" {\n  */\n", c)
			case 3:
				b.WriteString("\n\t\n")
			}
			fmt.Fprintf(&b, "  certificate_authority \"ca%03d\" {\n    certificate = file(\"certs/p%d-%d.pem\") # c\n    crl_url = join(\"\", [\n\"http://crl.example.com/\",\n\"%d.crl\"])\n", c, p, c, c)
			if c%4 == 0 {
				b.WriteString("    issuer_hints { enabled = true }\n    note = <<EOT\n  pki \"x\" {\n${upper(\"a\")}\nEOT\n")
			}
			b.WriteString("  }\n")
		}
		b.WriteString("  // last\n  description = \"after the CAs\"\n}\n\n// between\nx509_certificate {\n  state = \"enabled\"\n}\n")
	}
	return []byte(b.String())
}

// sameTree compares syntax trees field by field, unexported ones too (an
// AST fresh from the parser has hiddenAttrs and hiddenBlocks nil, so they
// count), cty values by RawEquals, and operators (hclsyntax's package-level
// *Operation values, which hold functions go-cmp cannot compare) by
// identity.
var sameTree = []cmp.Option{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) }),
	cmp.Comparer(func(a, b *hclsyntax.Operation) bool { return a == b }),
}

// checkUnits parses src in units of at least target bytes and, when that
// gives a file, checks it is exactly what parsing src whole gives. The
// only part of hcl.File not compared is Nav, hclsyntax's navigation for
// HCL's own diagnostic writer, which parseUnits leaves out: cbactl writes
// diagnostics from Bytes alone (cmd/cbactl writeDiagnostics), and
// Config.keepSources keeps nothing else.
func checkUnits(t *testing.T, src []byte, target int) bool {
	t.Helper()
	diags, items := checkLimits(src, "f.hcl")
	if diags.HasErrors() {
		return false
	}
	units := cutUnits(items, len(src), target)
	got := parseUnits(src, "f.hcl", units)
	if got == nil {
		return false
	}
	want, wDiags := hclsyntax.ParseConfig(src, "f.hcl", hcl.InitialPos)
	if len(wDiags) > 0 {
		t.Fatalf("units parse without diagnostics, the whole file with: %v", wDiags)
	}
	if d := cmp.Diff(want.Body, got.Body, sameTree...); d != "" {
		t.Fatalf("units parse to another body than the whole file (-whole +units):\n%s", d)
	}
	if &got.Bytes[0] != &src[0] || len(got.Bytes) != len(src) {
		t.Fatal("the file's bytes are not the source")
	}
	return true
}

func TestParseUnitsAsWhole(t *testing.T) {
	src := largeTrustStore(5, 40)
	for _, target := range []int{1, 100, 1000, unitSize} {
		if !checkUnits(t, src, target) {
			t.Fatalf("a large trust store was not parsed in units of %d bytes", target)
		}
	}
	crlf := []byte(strings.ReplaceAll(string(src), "\n", "\r\n"))
	if !checkUnits(t, crlf, 100) {
		t.Fatal("a large trust store with CRLF line ends was not parsed in units")
	}
	seeds, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	examples, _ := filepath.Glob("../examples/*/*.hcl")
	for _, path := range append(seeds, examples...) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(path, func(t *testing.T) {
			checkUnits(t, src, 1)
			checkUnits(t, src, 200)
		})
	}
}

// trustStoreLayout is the configuration of the cmd/cbactl benchmarks
// (bench_test.go): pkis pki blocks of 250 CAs each, about 35 KB a block.
func trustStoreLayout(pkis int) []byte {
	var b strings.Builder
	for p := range pkis {
		fmt.Fprintf(&b, "pki \"p%02d\" {\n  display_name = \"PKI %02d\"\n", p, p)
		for c := range 250 {
			fmt.Fprintf(&b, "  certificate_authority \"ca%03d\" {\n    certificate = file(\"certs/p%02d-ca%03d.pem\")\n    crl_url     = \"http://crl.example.com/p%02d/%03d.crl\"\n  }\n", c, p, c, p, c)
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// The layouts of the benchmarks: one pki block to a file (the "many"
// layout), and many in one file (four here, to keep the comparison quick;
// enough for two workers). Both are parsed in units at the default size.
func TestParseUnitsBenchmarkLayouts(t *testing.T) {
	for name, src := range map[string][]byte{"many": trustStoreLayout(1), "one": trustStoreLayout(4)} {
		_, items := checkLimits(src, "f.hcl")
		n := len(cutUnits(items, len(src), unitSize))
		if n < len(src)/(2*unitSize) {
			t.Errorf("%s: %d bytes cut into %d units", name, len(src), n)
		}
		if !checkUnits(t, src, unitSize) {
			t.Errorf("%s: not parsed in units", name)
		}
	}
}

// BenchmarkParseConfig: parsing the benchmarks' files in units, and whole
// (hclsyntax.ParseConfig) for reference: B/op is the figure to watch.
func BenchmarkParseConfig(b *testing.B) {
	for _, layout := range []struct {
		name string
		pkis int
	}{{"many", 1}, {"one", 20}} {
		src := trustStoreLayout(layout.pkis)
		_, items := checkLimits(src, "f.hcl")
		b.Run(layout.name+"/units", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := parseConfig(src, "f.hcl", items); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
		b.Run(layout.name+"/whole", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := hclsyntax.ParseConfig(src, "f.hcl", hcl.InitialPos); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}

// Where the units do not make the whole file's tree, or HCL has anything to
// say, the whole file is parsed: the file and its diagnostics are exactly
// hclsyntax.ParseConfig's.
func TestParseConfigFallsBackToWhole(t *testing.T) {
	for name, src := range map[string]string{
		"argument defined twice": "pki \"p\" {\n  a = 1\n  c {}\n  a = 2\n}\n",
		"object spanning lines":  "a = {\n  b = 1\n  c = 2\n}\n",
		"object in a block":      "x {\n  a = 1\n}\ny = {\n  b = 1\n  c = 2\n}\n",
		"top-level twice":        "a = 1\nb {\n}\na = 2\n",
		"unclosed string":        string(largeTrustStore(2, 5)) + "pki \"broken\" {\n  display_name = \"x\n  c {}\n}\n",
		"unclosed block":         "pki \"p\" {\n  a = 1\n  c {\n  }\n",
		"brace on a line":        "pki \"p\" {\n  c {\n  }\n  d = 1 }\n",
		"one-line then more":     "pki \"p\" { a = 1\n  c {}\n}\n",
		"bad escape":             "pki \"p\" {\n  c {}\n  d = \"\\u\"\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			src := []byte(src)
			diags, items := checkLimits(src, "f.hcl")
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if units := cutUnits(items, len(src), 1); len(units) < 2 {
				t.Fatalf("not cut: %v", units)
			} else if parseUnits(src, "f.hcl", units) != nil {
				t.Fatal("parsed in units")
			}
			got, gotDiags := parseConfig(src, "f.hcl", items)
			want, wantDiags := hclsyntax.ParseConfig(src, "f.hcl", hcl.InitialPos)
			if d := cmp.Diff(want.Body, got.Body, sameTree...); d != "" {
				t.Errorf("body (-whole +got):\n%s", d)
			}
			if !reflect.DeepEqual(gotDiags, wantDiags) {
				t.Errorf("diagnostics:\n%v\nwant:\n%v", gotDiags, wantDiags)
			}
		})
	}
}

// A large file with an error in any unit gets HCL's diagnostics for the
// whole file, ranges and all.
func TestParseConfigDiagnosticsAsWhole(t *testing.T) {
	src := largeTrustStore(4, 50)
	src = append(src, "pki \"broken\" {\n  display_name = \"x\n}\n"...)
	diags, items := checkLimits(src, "f.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, got := parseConfig(src, "f.hcl", items)
	_, want := hclsyntax.ParseConfig(src, "f.hcl", hcl.InitialPos)
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("diagnostics:\n%v\nwant:\n%v", got, want)
	}
}

// FuzzParseUnits: whatever the input, parsing it in units (of at least
// target bytes; 0 and 1 cut at every item) gives nothing, or exactly what
// parsing it whole gives.
func FuzzParseUnits(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	for _, s := range seeds {
		src, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, uint16(1))
	}
	f.Add(largeTrustStore(2, 6), uint16(1))
	f.Add(largeTrustStore(2, 6), uint16(300))
	f.Add([]byte("a {\n}\nb = <<EOT\nc {\nEOT\nd {\n  e = \"${f}\n}\"\n}\n"), uint16(1))
	f.Add([]byte("a {}\n/*\nb {}\n*/\nc \"x\" { d = [\n1,\n2] }\n"), uint16(1))
	f.Add([]byte("p {\n  a = 1\n  b {\n  }\n  c = <<EOT\n  d {\nEOT\n  e {}\n}\nq {\n  f {}\n}\n"), uint16(1))
	f.Add([]byte("p {\n  a = {\n    b = 1\n  }\n  c {}\n  # d\n  e = 1\n}\n"), uint16(1))
	f.Fuzz(func(t *testing.T, src []byte, target uint16) { checkUnits(t, src, int(target)) })
}
