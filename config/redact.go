package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// minSecretRun is the length from which a run of token characters that mixes
// upper case, lower case and digits is taken for a secret: access tokens,
// client secrets and API keys look like that; GUIDs, thumbprints, hashes,
// paths and distinguished names do not.
const minSecretRun = 24

// redactDiagnostics hides secret-looking values in diagnostics. A file
// function cannot read outside the configuration directory, but a value
// that fails a check may still come from anywhere (a variable, a file in the
// directory), and diagnostics end up in CI logs and pull-request comments.
func redactDiagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		d.Summary = redact(d.Summary)
		d.Detail = redact(d.Detail)
	}
}

// Redact replaces every secret-looking run of s (a long run of letters and
// digits that mixes upper case, lower case and digits, as tokens and client
// secrets do) with "[hidden: N characters]".
func Redact(s string) string { return redact(s) }

// redact replaces every secret-looking run of s with a placeholder.
func redact(s string) string {
	var b strings.Builder
	changed := false
	start := -1
	flush := func(end int) {
		run := s[start:end]
		if looksSecret(run) {
			fmt.Fprintf(&b, "[hidden: %d characters]", len(run))
			changed = true
		} else {
			b.WriteString(run)
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		if isTokenChar(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
		}
		b.WriteByte(s[i])
	}
	if start >= 0 {
		flush(len(s))
	}
	if !changed {
		return s
	}
	return b.String()
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_~+=.", c) >= 0
}

func looksSecret(run string) bool {
	if len(run) < minSecretRun {
		return false
	}
	var upper, lower, digit bool
	for i := 0; i < len(run); i++ {
		c := run[i]
		upper = upper || 'A' <= c && c <= 'Z'
		lower = lower || 'a' <= c && c <= 'z'
		digit = digit || '0' <= c && c <= '9'
	}
	return upper && lower && digit
}
