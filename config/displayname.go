package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDisplayNameLength is the longest display name cbactl accepts, in
// characters. Graph documents 256 characters for a PKI container's
// displayName; it documents no limit for a certificate authority's, and
// cbactl applies the same bound there, and to authentication strengths,
// rather than send what Graph might cut.
const maxDisplayNameLength = 256

// displayNameProblem says what is wrong with a display name, or "" when
// nothing is. It never quotes the name: a name that fails these checks may
// be anything, a file's contents included.
func displayNameProblem(s string) string {
	n := utf8.RuneCountInString(s)
	switch {
	case s == "":
		return "is empty; leave display_name out instead"
	case strings.TrimSpace(s) == "":
		return "is only white space; leave display_name out instead"
	case n > maxDisplayNameLength:
		return fmt.Sprintf("is %d characters long; the limit is %d (Graph's for a PKI container, which cbactl applies to every display name)", n, maxDisplayNameLength)
	}
	for i, r := range []rune(s) {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return fmt.Sprintf("holds the control character U+%04X at character %d; display names are one line of printable text", r, i+1)
		}
	}
	return ""
}
