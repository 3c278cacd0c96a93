package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// quickValue gives exactly what HCL's evaluation gives, or leaves the
// expression to it: for every expression below, either quickValue declines
// or its value equals expr.Value's (type, value, known, null) and evaluation
// reports nothing. The expressions it must take (a trust store's thousands)
// are marked.
func TestQuickValueMatchesEvaluation(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("certs/ca.pem", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	write("certs/decomposed.txt", []byte("Cafe\u0301\n")) // not NFC: file() normalizes
	write("certs/binary.der", []byte{0x30, 0x82, 0xff, 0xfe})
	write("top.txt", []byte("at the top\n"))

	tests := []struct {
		expr  string
		quick bool // quickValue must take it
	}{
		{`"http://crl.example.com/p00/000.crl"`, true},
		{`""`, true},
		{`"Caf\u00e9"`, true},
		{"\"Cafe\u0301\"", true},
		{`"a\"b\\c"`, true},
		{`"$${not} %%{interpolated}"`, true},
		{`file("certs/ca.pem")`, true},
		{`file("certs/decomposed.txt")`, true},
		{`file("top.txt")`, true},
		{`file("./certs/../certs/ca.pem")`, true},
		{`file("certs/binary.der")`, false}, // not UTF-8: evaluation reports it
		{`file("certs/missing.pem")`, false},
		{`file("../outside.pem")`, false},
		{`file("${local.dir}/ca.pem")`, false},
		{`file("certs/ca.pem", "x")`, false},
		{`filebase64("certs/ca.pem")`, false},
		{`trimspace(file("certs/ca.pem"))`, false},
		{`"${local.dir}"`, false},
		{`"a${"b"}c"`, false},
		{"<<EOT\nheredoc\nEOT\n", true},
		{"<<-EOT\n    indented\n    EOT\n", true},
		{"<<EOT\n${local.dir}\nEOT\n", false},
		{`local.dir`, false},
		{`true`, false},
		{`null`, false},
	}
	d := &decoder{files: newFileReader(dir)}
	defer d.files.close()
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"local": cty.ObjectVal(map[string]cty.Value{"dir": cty.StringVal("certs")})},
		Functions: d.files.functions(),
	}
	for _, tc := range tests {
		expr, diags := hclsyntax.ParseExpression([]byte(tc.expr), "test.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", tc.expr, diags)
		}
		got, ok := d.quickValue(expr)
		if ok != tc.quick {
			t.Errorf("%s: quickValue took it: %t, want %t", tc.expr, ok, tc.quick)
		}
		if !ok {
			continue
		}
		want, diags := expr.Value(ctx)
		if diags.HasErrors() {
			t.Errorf("%s: quickValue gave %#v where evaluation reports %s", tc.expr, got, diags)
			continue
		}
		if !got.Type().Equals(want.Type()) || got.IsKnown() != want.IsKnown() || got.IsNull() != want.IsNull() || !got.RawEquals(want) {
			t.Errorf("%s: quickValue gave %#v, evaluation %#v", tc.expr, got, want)
		}
	}
}

// quickAttributes gives body.Content's arguments (the same expressions)
// and MissingItemRange wherever Content reports nothing, and leaves the rest
// to it.
func TestQuickAttributesMatchContent(t *testing.T) {
	schemas := map[string]*hcl.BodySchema{"ca": caSchema, "pki": pkiSchema, "binding": bindingSchema}
	bodies := []struct {
		src   string
		quick map[string]bool // schemas quickAttributes must take it for
	}{
		{"certificate = file(\"a.pem\")\ncrl_url = \"http://x\"\n", map[string]bool{"ca": true}},
		{"certificate = \"x\"\n", map[string]bool{"ca": true}},
		{"certificate = \"x\"\ntype = \"root\"\ncrl_url = \"u\"\ndelta_crl_url = \"d\"\nissuer_hint = true\nthumbprint = \"t\"\ndisplay_name = \"n\"\n", map[string]bool{"ca": true}},
		{"crl_url = \"http://x\"\n", nil},                  // certificate is required
		{"certificate = \"x\"\ncrl = \"http://x\"\n", nil}, // not an argument of a CA
		{"certificate = \"x\"\nupload {\n}\n", nil},        // a block
		{"display_name = \"P\"\n", nil},                    // pki has blocks in its schema
		{"", nil},                                          // certificate is required
		{"certificate_field = \"PrincipalName\"\nuser_attribute = \"userPrincipalName\"\npriority = 1\n", map[string]bool{"binding": true}},
		{"certificate_field = \"PrincipalName\"\npriority = 1\n", nil},
	}
	for _, tc := range bodies {
		f, diags := hclsyntax.ParseConfig([]byte(tc.src), "test.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%q: %s", tc.src, diags)
		}
		for name, schema := range schemas {
			got, missing, ok := quickAttributes(f.Body, schema)
			want, diags := f.Body.Content(schema)
			if ok != tc.quick[name] {
				t.Errorf("%q, %s schema: quickAttributes took it: %t, want %t", tc.src, name, ok, tc.quick[name])
			}
			if !ok {
				continue
			}
			if len(diags) > 0 {
				t.Errorf("%q, %s schema: quickAttributes took what Content reports: %s", tc.src, name, diags)
			}
			exprs := map[string]hcl.Expression{}
			for n, a := range got {
				exprs[n] = a.Expr
			}
			wantExprs := map[string]hcl.Expression{}
			for n, a := range want.Attributes {
				wantExprs[n] = a.Expr
			}
			if d := cmp.Diff(wantExprs, exprs, cmp.Comparer(func(a, b hcl.Expression) bool { return a == b })); d != "" {
				t.Errorf("%q, %s schema: arguments (-Content +quickAttributes):\n%s", tc.src, name, d)
			}
			if missing != want.MissingItemRange || len(want.Blocks) > 0 {
				t.Errorf("%q, %s schema: MissingItemRange %v, Content's %v; Content's blocks %d", tc.src, name, missing, want.MissingItemRange, len(want.Blocks))
			}
		}
	}
}
