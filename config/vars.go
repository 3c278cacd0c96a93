package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvVarPrefix is the prefix of environment variables that set input
// variables: CBACTL_VAR_crl_host sets var.crl_host.
const EnvVarPrefix = "CBACTL_VAR_"

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// variable is a declared input variable.
type variable struct {
	name        string
	typ         cty.Type
	def         cty.Value // cty.NilVal: required
	description string
	declRange   hcl.Range
	validations []validation
}

type validation struct {
	condition    hcl.Expression
	errorMessage hcl.Expression
}

func decodeVariable(block *hcl.Block) (*variable, hcl.Diagnostics) {
	v := &variable{name: block.Labels[0], typ: cty.DynamicPseudoType, declRange: block.DefRange}
	content, diags := block.Body.Content(variableSchema)
	if !hclsyntax.ValidIdentifier(v.name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   "A variable name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.",
			Subject:  block.LabelRanges[0].Ptr(),
		})
	}
	if attr, ok := content.Attributes["type"]; ok {
		ty, tyDiags := typeexpr.TypeConstraint(attr.Expr)
		diags = append(diags, tyDiags...)
		if !tyDiags.HasErrors() {
			v.typ = ty
		}
	}
	if attr, ok := content.Attributes["description"]; ok {
		val, valDiags := attr.Expr.Value(nil)
		diags = append(diags, valDiags...)
		if !valDiags.HasErrors() {
			if s, err := convert.Convert(val, cty.String); err == nil && s.IsKnown() && !s.IsNull() {
				v.description = s.AsString()
			}
		}
	}
	if attr, ok := content.Attributes["default"]; ok {
		val, valDiags := attr.Expr.Value(nil)
		diags = append(diags, valDiags...)
		if !valDiags.HasErrors() {
			conv, err := convert.Convert(val, v.typ)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", err),
					Subject:  attr.Expr.Range().Ptr(),
				})
				v.def = cty.UnknownVal(v.typ) // reported here; not "required"
			} else {
				v.def = conv
			}
		}
	}
	for _, b := range content.Blocks {
		vc, vDiags := b.Body.Content(validationSchema)
		diags = append(diags, vDiags...)
		if vDiags.HasErrors() {
			continue
		}
		v.validations = append(v.validations, validation{
			condition:    vc.Attributes["condition"].Expr,
			errorMessage: vc.Attributes["error_message"].Expr,
		})
	}
	return v, diags
}

// rawValue is a variable value given outside HCL source: on the command line
// or in the environment.
type rawValue struct {
	value  string
	origin string // for messages: "--var crl_host=…" or "CBACTL_VAR_crl_host"
}

// resolveVariables computes the value of every declared variable. Precedence,
// lowest first: the default, CBACTL_VAR_<name>, --var-file files in order,
// --var flags in order.
func resolveVariables(vars map[string]*variable, opts LoadOptions, dir string, parser interface {
	ParseHCL([]byte, string) (*hcl.File, hcl.Diagnostics)
	ParseJSON([]byte, string) (*hcl.File, hcl.Diagnostics)
}) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := map[string]cty.Value{}
	for name, v := range vars {
		if v.def != cty.NilVal {
			values[name] = v.def
		}
	}

	setRaw := func(name string, raw rawValue) {
		v := vars[name]
		val, err := parseRawValue(raw.value, v.typ)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The value of var.%s from %s is invalid: %s.", name, raw.origin, err),
				Subject:  v.declRange.Ptr(),
			})
			return
		}
		values[name] = val
	}

	envNames := make([]string, 0, len(opts.Env))
	for k := range opts.Env {
		envNames = append(envNames, k)
	}
	sort.Strings(envNames)
	for _, k := range envNames {
		name, ok := strings.CutPrefix(k, EnvVarPrefix)
		if !ok || vars[name] == nil {
			continue // like Terraform, environment values for undeclared variables are ignored
		}
		setRaw(name, rawValue{value: opts.Env[k], origin: "environment variable " + k})
	}

	for _, path := range opts.VarFiles {
		var f *hcl.File
		src, fDiags := readSource(path)
		if !fDiags.HasErrors() {
			fDiags = CheckLimits(src, path)
		}
		switch {
		case fDiags.HasErrors():
		case strings.HasSuffix(path, ".json"):
			f, fDiags = parser.ParseJSON(src, path)
		default:
			f, fDiags = parser.ParseHCL(src, path)
		}
		diags = append(diags, fDiags...)
		if f == nil {
			continue
		}
		attrs, aDiags := f.Body.JustAttributes()
		diags = append(diags, aDiags...)
		names := make([]string, 0, len(attrs))
		for n := range attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			attr := attrs[n]
			v := vars[n]
			if v == nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Value for undeclared variable",
					Detail:   fmt.Sprintf("The variable file sets %q, but the configuration declares no variable of that name. Declare it with a variable block, or remove the assignment.", n),
					Subject:  attr.NameRange.Ptr(),
				})
				continue
			}
			val, vDiags := attr.Expr.Value(nil)
			diags = append(diags, vDiags...)
			if vDiags.HasErrors() {
				continue
			}
			conv, err := convert.Convert(val, v.typ)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid value for variable",
					Detail:   fmt.Sprintf("The value of var.%s is not compatible with its type constraint: %s.", n, err),
					Subject:  attr.Expr.Range().Ptr(),
				})
				continue
			}
			values[n] = conv
		}
	}

	for _, kv := range opts.Vars {
		name, value, ok := strings.Cut(kv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid --var option",
				Detail:   fmt.Sprintf("The --var option %q is not of the form NAME=VALUE.", kv),
			})
			continue
		}
		if vars[name] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("A value was given for var.%s with --var, but the configuration in %s declares no variable of that name.", name, dir),
			})
			continue
		}
		setRaw(name, rawValue{value: value, origin: "--var " + name})
	}

	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := values[n]; !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail:   fmt.Sprintf("The variable %q has no default, so it needs a value: --var %s=VALUE, --var-file FILE or the environment variable %s%s.", n, n, EnvVarPrefix, n),
				Subject:  vars[n].declRange.Ptr(),
			})
		}
	}
	return values, diags
}

// parseRawValue turns a command-line or environment value into a value of
// type ty: taken literally for string (and untyped) variables, parsed as an
// HCL expression otherwise, as Terraform does.
func parseRawValue(s string, ty cty.Type) (cty.Value, error) {
	if ty == cty.String || ty == cty.DynamicPseudoType {
		return cty.StringVal(s), nil
	}
	if diags := CheckLimits([]byte(s), "<value>"); diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%s", diags[0].Detail)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), "<value>", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("not a valid expression: %s", diags[0].Summary)
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%s", diags[0].Detail)
	}
	return convert.Convert(val, ty)
}

// checkValidations evaluates each variable's validation blocks.
func checkValidations(vars map[string]*variable, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, vb := range vars[n].validations {
			cond, cDiags := vb.condition.Value(ctx)
			diags = append(diags, cDiags...)
			if cDiags.HasErrors() {
				continue
			}
			if !cond.IsKnown() {
				continue // depends on a value in error, already reported
			}
			if cond.IsNull() || !cond.Type().Equals(cty.Bool) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid validation condition",
					Detail:   "A validation condition must be true or false.",
					Subject:  vb.condition.Range().Ptr(),
				})
				continue
			}
			if cond.True() {
				continue
			}
			msg := "The value is not valid."
			if m, mDiags := vb.errorMessage.Value(ctx); !mDiags.HasErrors() {
				if s, err := convert.Convert(m, cty.String); err == nil && s.IsKnown() && !s.IsNull() {
					msg = s.AsString()
				}
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("var.%s: %s", n, msg),
				Subject:  vb.condition.Range().Ptr(),
			})
		}
	}
	return diags
}

// EnvVars picks the CBACTL_VAR_* entries out of an environment list such as
// os.Environ().
func EnvVars(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvVarPrefix) {
			out[k] = v
		}
	}
	return out
}

// hclFiles lists the *.hcl configuration files in dir, sorted.
func hclFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	sort.Strings(out)
	return out, nil
}
