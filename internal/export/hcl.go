package export

import (
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// commentWidth is the width comment paragraphs are wrapped to.
const commentWidth = 100

// str is the tokens of a quoted string literal, escaped so that HCL reads
// back exactly s (quotes, backslashes, "${" and "%{" included).
func str(s string) hclwrite.Tokens { return hclwrite.TokensForValue(cty.StringVal(s)) }

// call is the tokens of funcName("arg").
func call(funcName, arg string) hclwrite.Tokens {
	return hclwrite.TokensForFunctionCall(funcName, str(arg))
}

// attrOf appends .name to an expression: certificate("x.pem").subject.
func attrOf(expr hclwrite.Tokens, name string) hclwrite.Tokens {
	return append(expr,
		&hclwrite.Token{Type: hclsyntax.TokenDot, Bytes: []byte{'.'}},
		&hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(name)},
	)
}

// list is the tokens of a tuple of expressions.
func list(elems []hclwrite.Tokens) hclwrite.Tokens { return hclwrite.TokensForTuple(elems) }

// set writes attribute name = expr, with a trailing comment when note is
// not empty.
func set(body *hclwrite.Body, name string, expr hclwrite.Tokens, note string) {
	if note != "" {
		expr = append(expr, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("# " + commentText(note))})
	}
	body.SetAttributeRaw(name, expr)
}

func setString(body *hclwrite.Body, name, v string) { body.SetAttributeValue(name, cty.StringVal(v)) }
func setBool(body *hclwrite.Body, name string, v bool) {
	body.SetAttributeValue(name, cty.BoolVal(v))
}

// comment appends comment lines. Each argument is a paragraph, wrapped at
// commentWidth; an empty argument is an empty comment line.
func comment(body *hclwrite.Body, paragraphs ...string) {
	for _, p := range paragraphs {
		for _, line := range wrap(commentText(p), commentWidth) {
			text := "#"
			if line != "" {
				text += " " + line
			}
			body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte(text + "\n")}})
		}
	}
}

// commentText makes s safe inside a # comment: line breaks and other control
// characters become spaces, so that text from the tenant cannot end the
// comment and inject configuration.
func commentText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return ' '
		}
		return r
	}, s)
}

// wrap splits s into lines of at most width bytes at spaces, keeping the
// indentation of s on continuation lines (so that list items stay aligned).
// Words longer than width stay whole.
func wrap(s string, width int) []string {
	if s == "" {
		return []string{""}
	}
	indent := s[:len(s)-len(strings.TrimLeft(s, " "))]
	cont := indent
	if t := strings.TrimLeft(s, " "); strings.HasPrefix(t, "- ") {
		cont += "  "
	} else if n := numberedPrefix(t); n > 0 {
		cont += strings.Repeat(" ", n)
	}
	var lines []string
	line := indent
	for _, w := range words(s) {
		switch {
		case strings.TrimSpace(line) == "":
			line += w
		case len(line)+1+len(w) > width:
			lines = append(lines, line)
			line = cont + w
		default:
			line += " " + w
		}
	}
	return append(lines, line)
}

// numberedPrefix is the length of a "1. " list prefix, or 0.
func numberedPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && strings.HasPrefix(s[i:], ". ") {
		return i + 2
	}
	return 0
}

// render formats a file canonically: the layout `cbactl fmt` leaves as it
// is.
func render(f *hclwrite.File) []byte {
	out := hclwrite.Format(f.Bytes())
	// Format is idempotent on what it produced, but a comment or blank line
	// at the end is trimmed to one newline for a tidy file.
	for len(out) > 1 && out[len(out)-1] == '\n' && out[len(out)-2] == '\n' {
		out = out[:len(out)-1]
	}
	return out
}

// words splits s at spaces, keeping a `code span` in one piece.
func words(s string) []string {
	var out []string
	open := false
	for _, w := range strings.Fields(s) {
		if open {
			out[len(out)-1] += " " + w
		} else {
			out = append(out, w)
		}
		if strings.Count(w, "`")%2 == 1 {
			open = !open
		}
	}
	return out
}
