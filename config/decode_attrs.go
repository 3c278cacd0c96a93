package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// attrs is the attributes of one decoded block, with the block's address so
// that every attribute read is recorded in the source map.
type attrs struct {
	d   *decoder
	src *Source
	// The attributes: Content's, or (quick, see quickAttributes) the
	// body's own.
	m      hcl.Attributes
	syn    hclsyntax.Attributes
	quick  bool
	schema *hcl.BodySchema
	failed map[string]bool // attributes whose value was in error (already reported)
}

func (d *decoder) content(body hcl.Body, schema *hcl.BodySchema, addr model.Address, def hcl.Range) (*hcl.BodyContent, attrs) {
	src := d.sources.add(addr, def)
	a := attrs{d: d, src: src, schema: schema, failed: map[string]bool{}}
	if syn, missing, ok := quickAttributes(body, schema); ok {
		src.attrs = make([]attrRange, 0, len(syn))
		for name, at := range syn {
			src.attrs = append(src.attrs, attrRange{name, at.Expr.Range()})
		}
		a.syn, a.quick = syn, true
		return &hcl.BodyContent{MissingItemRange: missing}, a
	}
	content, diags := body.Content(schema)
	d.diags = append(d.diags, diags...)
	src.attrs = make([]attrRange, 0, len(content.Attributes))
	for name, at := range content.Attributes {
		src.attrs = append(src.attrs, attrRange{name, at.Expr.Range()})
	}
	a.m = content.Attributes
	return content, a
}

// expr is attribute name's expression, if the block has it.
func (a attrs) expr(name string) (hcl.Expression, bool) {
	if a.quick {
		at, ok := a.syn[name]
		if !ok {
			return nil, false
		}
		return at.Expr, true
	}
	at, ok := a.m[name]
	if !ok {
		return nil, false
	}
	return at.Expr, true
}

// required reports whether the schema requires attribute name.
func (a attrs) required(name string) bool {
	for _, as := range a.schema.Attributes {
		if as.Name == name {
			return as.Required
		}
	}
	return false
}

// value evaluates attribute name (see quickValue) and converts it to ty. ok
// is false when the attribute is absent, null, or in error (the error is
// recorded).
func (a attrs) value(name string, ty cty.Type) (cty.Value, *hcl.Range, bool) {
	expr, ok := a.expr(name)
	if !ok {
		return cty.NilVal, nil, false
	}
	rng := expr.Range().Ptr()
	v, quick := a.d.quickValue(expr)
	if !quick {
		var diags hcl.Diagnostics
		v, diags = expr.Value(a.d.ctx)
		a.d.diags = append(a.d.diags, diags...)
		if diags.HasErrors() || !v.IsWhollyKnown() {
			a.failed[name] = true
			return cty.NilVal, rng, false
		}
	}
	if v.IsNull() {
		if a.required(name) {
			a.failed[name] = true
			a.d.errorf(rng, "Required attribute is null", "%q must have a value: it is required, and null would leave it unset.", name)
		}
		return cty.NilVal, rng, false
	}
	conv, err := convert.Convert(v, ty)
	if err != nil {
		a.failed[name] = true
		a.d.errorf(rng, "Incorrect attribute value type", "Inappropriate value for attribute %q: %s.", name, err)
		return cty.NilVal, rng, false
	}
	return conv, rng, true
}

func (a attrs) str(name string) (string, bool) {
	v, _, ok := a.value(name, cty.String)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (a attrs) boolean(name string) (bool, bool) {
	v, _, ok := a.value(name, cty.Bool)
	if !ok {
		return false, false
	}
	return v.True(), true
}

func (a attrs) integer(name string) (int, bool) {
	v, rng, ok := a.value(name, cty.Number)
	if !ok {
		return 0, false
	}
	var n int
	if err := gocty.FromCtyValue(v, &n); err != nil {
		a.d.errorf(rng, "Incorrect attribute value type", "Inappropriate value for attribute %q: a whole number is required.", name)
		return 0, false
	}
	return n, true
}

func (a attrs) strings(name string) ([]string, bool) {
	v, rng, ok := a.value(name, cty.List(cty.String))
	if !ok {
		return nil, false
	}
	var out []string
	for _, e := range v.AsValueSlice() {
		if e.IsNull() {
			a.d.errorf(rng, "Invalid list element", "The list %q must not contain null.", name)
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// enum reads a string attribute that must be one of allowed.
func enum[T ~string](a attrs, name string, allowed []T) (T, bool) {
	s, ok := a.str(name)
	if !ok {
		return "", false
	}
	if !model.Valid(T(s), allowed) {
		a.d.errorf(a.src.rangePtr(name), fmt.Sprintf("Invalid %s", name),
			"The value %q is not valid here: %s must be %s.", s, name, model.Quoted(allowed))
		return "", false
	}
	return T(s), true
}

func (s *Source) rangePtr(attr string) *hcl.Range {
	if r, ok := s.Attr(attr); ok {
		return &r
	}
	r := s.DefRange
	return &r
}

// singleton returns the only block of type typ, reporting duplicates.
func (d *decoder) singleton(blocks hcl.Blocks, typ string) *hcl.Block {
	var first *hcl.Block
	for _, b := range blocks.OfType(typ) {
		if first != nil {
			d.errorf(b.DefRange.Ptr(), fmt.Sprintf("Duplicate %s block", typ),
				"Only one %s block is allowed; another was declared at %s.", typ, Pos(first.DefRange))
			continue
		}
		first = b
	}
	return first
}

// labelled checks the label of a block and reports duplicates among blocks
// of the same kind.
func (d *decoder) labelled(b *hcl.Block, kind string, seen map[string]hcl.Range) bool {
	name := b.Labels[0]
	if prev, ok := seen[name]; ok {
		d.diags = append(d.diags, duplicate(kind, name, b.LabelRanges[0], prev))
		return false
	}
	seen[name] = b.LabelRanges[0]
	if !validLabel(name) {
		d.errorf(b.LabelRanges[0].Ptr(), "Invalid name",
			"The %s name %q must start with a letter or underscore and contain only letters, digits, underscores and dashes, because it is part of addresses such as pki.NAME.", kind, name)
		return false
	}
	return true
}

func validLabel(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

// quickValue evaluates, without HCL's general machinery, the two kinds of
// expression a trust store writes thousands of times: a quoted string
// without interpolation ("http://…"), which is its literal value, and
// file() of a quoted path, the file's text as the file function gives it
// (d.files is the reader behind ctx's file). It gives exactly what
// expr.Value gives, or ok false: then expr.Value decides, and reports any
// error (a file that cannot be read, that is not UTF-8 text).
func (d *decoder) quickValue(expr hcl.Expression) (v cty.Value, ok bool) {
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		return literalValue(e)
	case *hclsyntax.FunctionCallExpr:
		if e.Name != "file" || len(e.Args) != 1 || e.ExpandFinal {
			return cty.NilVal, false
		}
		path, ok := literalString(e.Args[0])
		if !ok {
			return cty.NilVal, false
		}
		data, err := d.files.read(path)
		if err == nil {
			v, err = d.files.text(path, data)
		}
		return v, err == nil
	}
	return cty.NilVal, false
}

// quickAttributes is what body.Content(schema) gives of a body of
// arguments only (such as a certificate_authority block, of which a trust
// store has thousands) that Content has nothing to say about, every
// argument in the schema and every required one there: its arguments, the
// body's own (Content copies each into a map of hcl.Attribute), and the
// content's MissingItemRange. Anything else is left to Content (ok false),
// which reports it. cbactl calls Content on the bodies the parser made,
// never on one PartialContent left, so no argument is hidden.
func quickAttributes(body hcl.Body, schema *hcl.BodySchema) (hclsyntax.Attributes, hcl.Range, bool) {
	b, ok := body.(*hclsyntax.Body)
	if !ok || len(b.Blocks) > 0 || len(schema.Blocks) > 0 || len(b.Attributes) > len(schema.Attributes) {
		return nil, hcl.Range{}, false
	}
	n := 0
	for _, as := range schema.Attributes {
		if _, ok := b.Attributes[as.Name]; ok {
			n++
		} else if as.Required {
			return nil, hcl.Range{}, false
		}
	}
	if n != len(b.Attributes) {
		return nil, hcl.Range{}, false // an argument the schema does not have
	}
	return b.Attributes, b.MissingItemRange(), true
}
