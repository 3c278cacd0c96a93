package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// largeTrustStore is a configuration like a large trust store in one file,
// with the constructs around top-level items that chunking must respect:
// comments, heredocs and multi-line expressions.
func largeTrustStore(pkis, cas int) []byte {
	var b strings.Builder
	b.WriteString("\ufeff# one file for everything\n")
	for p := range pkis {
		fmt.Fprintf(&b, "/* PKI %d\npki \"not\" {\n*/\n", p)
		fmt.Fprintf(&b, "pki %q {\n  display_name = <<-EOT\n    PKI %d\nlocals {\n    EOT\n", fmt.Sprintf("p%d", p), p)
		for c := range cas {
			fmt.Fprintf(&b, "  certificate_authority \"ca%03d\" {\n    certificate = file(\"certs/p%d-%d.pem\") # c\n    crl_url = join(\"\", [\n\"http://crl.example.com/\",\n\"%d.crl\"])\n  }\n", c, p, c, c)
		}
		b.WriteString("}\n\n// between\nx509_certificate {\n  state = \"enabled\"\n}\n")
	}
	return []byte(b.String())
}

// checkChunks parses src cut at every top-level item and, when that gives a
// file, checks it is exactly what parsing src whole gives.
func checkChunks(t *testing.T, src []byte) bool {
	t.Helper()
	diags, items := checkLimits(src, "f.hcl")
	if diags.HasErrors() {
		return false
	}
	chunked := parseChunks(src, "f.hcl", cuts(items, len(src), 1))
	if chunked == nil {
		return false
	}
	whole, wDiags := hclsyntax.ParseConfig(src, "f.hcl", hcl.InitialPos)
	if len(wDiags) > 0 {
		t.Fatalf("chunks parse without diagnostics, the whole file with: %v", wDiags)
	}
	if !reflect.DeepEqual(chunked.Body, whole.Body) {
		t.Fatalf("chunks parse to another body than the whole file")
	}
	return true
}

func TestParseChunksAsWhole(t *testing.T) {
	if !checkChunks(t, largeTrustStore(5, 20)) {
		t.Fatal("a large trust store was not parsed in chunks")
	}
	seeds, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	examples, _ := filepath.Glob("../examples/*/*.hcl")
	for _, path := range append(seeds, examples...) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(path, func(t *testing.T) { checkChunks(t, src) })
	}
}

// A file with an error in any chunk gets HCL's diagnostics for the whole
// file, ranges and all.
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

// FuzzParseChunks: whatever the input, parsing it in chunks gives nothing,
// or exactly what parsing it whole gives.
func FuzzParseChunks(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	for _, s := range seeds {
		src, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add(largeTrustStore(2, 3))
	f.Add([]byte("a {\n}\nb = <<EOT\nc {\nEOT\nd {\n  e = \"${f}\n}\"\n}\n"))
	f.Add([]byte("a {}\n/*\nb {}\n*/\nc \"x\" { d = [\n1,\n2] }\n"))
	f.Fuzz(func(t *testing.T, src []byte) { checkChunks(t, src) })
}
