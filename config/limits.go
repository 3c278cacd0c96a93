package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Limits checked before any HCL source is parsed. HCL's parser and
// evaluator recurse once per level of nesting, and the Go runtime ends a
// program whose stack overflows (exit status 2, which plan
// --detailed-exitcode means as "changes"): a hostile or broken file must
// get an error instead.
const (
	// MaxSourceBytes bounds one configuration or variable file: far above
	// a trust store of thousands of CAs (about 200 bytes each).
	MaxSourceBytes = 8 << 20
	// MaxNesting bounds the depth of nesting: brackets, parentheses,
	// braces, quoted strings, heredocs, template interpolations and
	// directives, and operators (each operator of a chain counts, since the
	// parser nests them), counted together along one path.
	MaxNesting = 256
)

// CheckLimits reports a source over MaxSourceBytes or nested deeper than
// MaxNesting, with the position where the limit is passed. It scans bytes
// without building tokens, so it is cheap on any input.
func CheckLimits(src []byte, filename string) hcl.Diagnostics {
	diags, _ := checkLimits(src, filename)
	return diags
}

// checkLimits is CheckLimits, and also returns where the lines that start a
// body item at the top level or in a top-level block begin: see parseConfig.
func checkLimits(src []byte, filename string) (hcl.Diagnostics, []item) {
	if len(src) > MaxSourceBytes {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "File too large",
			Detail:   fmt.Sprintf("%s is more than %d bytes (8 MiB), the most cbactl reads in a configuration or variable file. Split the configuration over several files.", filename, MaxSourceBytes),
			Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}, nil
	}
	s := &nestScanner{src: src, line: 1, col: 1}
	if pos, ok := s.scan(); !ok {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Nesting too deep",
			Detail:   fmt.Sprintf("The expression is nested more than %d levels deep here (brackets, parentheses, braces, strings, templates and operators counted together). cbactl refuses it before parsing: simplify the expression.", MaxNesting),
			Subject:  &hcl.Range{Filename: filename, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + 1}},
		}}, nil
	}
	return nil, s.items
}

// Kinds of nesting levels.
const (
	nestBracket  = iota // ( [ {
	nestBrace           // { : newlines end expressions inside
	nestOperator        // an operator: the parser nests the rest under it
	nestString          // "…"
	nestHeredoc         // <<EOT … EOT
	nestInterp          // ${ or %{ inside a string or heredoc
)

type nestLevel struct {
	kind   int
	marker string // heredocs: the closing marker
}

// nestScanner follows HCL's (and HCL JSON's) lexical structure closely
// enough to measure nesting; it errs on the side of counting more.
type nestScanner struct {
	src        []byte
	i          int
	line, col  int
	stack      []nestLevel
	directives int // open %{if} and %{for} directives

	// items are the lines, after the first, whose first non-blank byte
	// starts an identifier at the top level or directly inside one brace
	// opened at the top level: body items of the file or of a top-level
	// block, as far as this scanner can tell.
	items []item
}

// An item is the start of a line that begins a body item (a block or an
// argument): at the top level (depth 0), or in the body of a top-level
// block (depth 1), as far as the byte scanner can tell. HCL has the last
// word: see parseConfig.
type item struct {
	pos   hcl.Pos // column 1: the start of the line
	depth int     // 0 or 1
}

func (s *nestScanner) pos() hcl.Pos { return hcl.Pos{Line: s.line, Column: s.col, Byte: s.i} }

func (s *nestScanner) advance(n int) {
	for ; n > 0 && s.i < len(s.src); n-- {
		if s.src[s.i] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.i++
	}
}

func (s *nestScanner) push(l nestLevel) bool {
	s.stack = append(s.stack, l)
	return len(s.stack)+s.directives <= MaxNesting
}

func (s *nestScanner) top() int {
	if len(s.stack) == 0 {
		return -1
	}
	return s.stack[len(s.stack)-1].kind
}

// enclosing is the kind of the innermost level that is not an operator, or
// -1 at the top level.
func (s *nestScanner) enclosing() int {
	for i := len(s.stack) - 1; i >= 0; i-- {
		if s.stack[i].kind != nestOperator {
			return s.stack[i].kind
		}
	}
	return -1
}

// popOperators ends the operator levels of the expression being scanned.
func (s *nestScanner) popOperators() {
	for s.top() == nestOperator {
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// pop closes the innermost level that is not an operator.
func (s *nestScanner) pop() {
	s.popOperators()
	if len(s.stack) > 0 {
		s.stack = s.stack[:len(s.stack)-1]
	}
}

func (s *nestScanner) at(prefix string) bool {
	return len(s.src)-s.i >= len(prefix) && string(s.src[s.i:s.i+len(prefix)]) == prefix
}

// scan returns false, and the position, where nesting passes MaxNesting.
func (s *nestScanner) scan() (hcl.Pos, bool) {
	for s.i < len(s.src) {
		var ok bool
		switch s.top() {
		case nestString:
			ok = s.stringByte()
		case nestHeredoc:
			ok = s.heredocLine()
		default:
			ok = s.codeByte()
		}
		if !ok {
			return s.pos(), false
		}
	}
	return hcl.Pos{}, true
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (s *nestScanner) codeByte() bool {
	c := s.src[s.i]
	switch {
	case c == '#' || s.at("//"):
		for s.i < len(s.src) && s.src[s.i] != '\n' {
			s.advance(1)
		}
		return true
	case s.at("/*"):
		s.advance(2)
		for s.i < len(s.src) && !s.at("*/") {
			s.advance(1)
		}
		s.advance(2)
		return true
	case c == '"':
		s.advance(1)
		return s.push(nestLevel{kind: nestString})
	case s.at("<<"):
		j := s.i + 2
		if j < len(s.src) && s.src[j] == '-' {
			j++
		}
		k := j
		for k < len(s.src) && isIdentByte(s.src[k]) {
			k++
		}
		if k > j && (k == len(s.src) || s.src[k] == '\n' || s.src[k] == '\r') {
			marker := string(s.src[j:k])
			s.advance(k - s.i)
			for s.i < len(s.src) && s.src[s.i] != '\n' {
				s.advance(1)
			}
			s.advance(1)
			return s.push(nestLevel{kind: nestHeredoc, marker: marker})
		}
		s.advance(2) // a "<" operator and another
		return s.push(nestLevel{kind: nestOperator})
	case c == '{':
		s.advance(1)
		return s.push(nestLevel{kind: nestBrace})
	case c == '(' || c == '[':
		s.advance(1)
		return s.push(nestLevel{kind: nestBracket})
	case c == ')' || c == ']' || c == '}':
		s.advance(1)
		s.pop()
		return true
	case c == ',' || c == ';':
		s.advance(1)
		s.popOperators()
		return true
	case c == '\n':
		s.advance(1)
		if t := s.enclosing(); t == nestBrace || t == -1 {
			// Newlines end an expression in a body or an object, not
			// inside parentheses, brackets or interpolations.
			s.popOperators()
		}
		s.item()
		return true
	case s.at("=>") || s.at("=="):
		s.advance(2)
		if s.src[s.i-1] == '=' {
			return s.push(nestLevel{kind: nestOperator})
		}
		return true
	case c == '=':
		s.advance(1)
		return true
	case isIdentByte(c) && c != '-':
		for s.i < len(s.src) && isIdentByte(s.src[s.i]) {
			s.advance(1)
		}
		return true
	case c == '!' || c == '?' || c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '<' || c == '>' || c == '&' || c == '|':
		n := 1
		if s.at("&&") || s.at("||") || s.at("!=") || s.at("<=") || s.at(">=") {
			n = 2
		}
		s.advance(n)
		return s.push(nestLevel{kind: nestOperator})
	}
	s.advance(1)
	return true
}

// item records the line starting at the current position when it begins a
// body item at depth 0 or 1 (see nestScanner.items).
func (s *nestScanner) item() {
	depth := len(s.stack)
	if s.directives > 0 || depth > 1 || depth == 1 && s.stack[0].kind != nestBrace {
		return
	}
	j := s.i
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	if j < len(s.src) && isIdentStart(s.src[j]) {
		s.items = append(s.items, item{pos: s.pos(), depth: depth})
	}
}

// interp starts a template interpolation or directive at "${" or "%{".
func (s *nestScanner) interp() bool {
	directive := s.src[s.i] == '%'
	s.advance(2)
	if !s.push(nestLevel{kind: nestInterp}) {
		return false
	}
	if !directive {
		return true
	}
	j := s.i
	for j < len(s.src) && (s.src[j] == '~' || s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	k := j
	for k < len(s.src) && isIdentByte(s.src[k]) {
		k++
	}
	switch string(s.src[j:k]) {
	case "if", "for":
		s.directives++
	case "endif", "endfor":
		if s.directives > 0 {
			s.directives--
		}
	}
	return len(s.stack)+s.directives <= MaxNesting
}

func (s *nestScanner) stringByte() bool {
	switch {
	case s.src[s.i] == '\\':
		s.advance(2)
	case s.src[s.i] == '"':
		s.advance(1)
		s.pop()
	case s.at("$${") || s.at("%%{"):
		s.advance(3)
	case s.at("${") || s.at("%{"):
		return s.interp()
	case s.src[s.i] == '\n':
		// An unterminated string: the parser reports it.
		s.advance(1)
		s.pop()
	default:
		s.advance(1)
	}
	return true
}

// heredocLine scans from the current position to the end of the line: the
// closing marker, or template text.
func (s *nestScanner) heredocLine() bool {
	if s.col == 1 {
		j := s.i
		for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
			j++
		}
		marker := s.stack[len(s.stack)-1].marker
		k := j + len(marker)
		if k <= len(s.src) && string(s.src[j:k]) == marker && (k == len(s.src) || !isIdentByte(s.src[k])) {
			s.advance(k - s.i)
			s.pop()
			return true
		}
	}
	for s.i < len(s.src) {
		switch {
		case s.src[s.i] == '\n':
			s.advance(1)
			return true
		case s.at("$${") || s.at("%%{"):
			s.advance(3)
		case s.at("${") || s.at("%{"):
			return s.interp()
		default:
			s.advance(1)
		}
	}
	return true
}
