package export

import (
	"crypto/x509"
	"strconv"
	"strings"
)

// Names are derived from what people read (display names, subject common
// names), made ASCII, lower-case and safe:
//
//   - configuration labels (pki, certificate_authority, rule) use "_" between
//     words and start with a letter or underscore, as addresses require
//     ([A-Za-z_][A-Za-z0-9_-]*);
//   - certificate file names use "-" between words ("contoso-issuing-ca.pem").
//
// Collisions get a numeric suffix ("_2", "-2", ...) in the caller's order,
// which is deterministic (certificates with the same name are ordered by
// thumbprint), and a name that occurs naturally is never taken by a suffixed
// one.

// maxName caps the length of a derived name (before a collision suffix).
const maxName = 60

// folds maps the accented Latin letters of Latin-1 and Latin Extended-A that
// names commonly use to their ASCII base letters.
var folds = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ā': "a", 'ă': "a", 'ą': "a",
	'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ß': "ss", 'ť': "t", 'ţ': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}

// slug turns s into lower-case ASCII words joined by sep: letters and digits
// are kept (accented letters folded), every other run of characters becomes
// one sep. The result is at most maxName bytes, cut at a word boundary when
// there is one; it may be empty.
func slug(s string, sep byte) string {
	var b strings.Builder
	pending := false
	for _, r := range strings.ToLower(s) {
		var w string
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			w = string(r)
		default:
			w = folds[r]
		}
		if w == "" {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(sep)
			pending = false
		}
		b.WriteString(w)
	}
	out := b.String()
	if len(out) > maxName {
		out = out[:maxName]
		if i := strings.LastIndexByte(out, sep); i > maxName/2 {
			out = out[:i]
		}
		out = strings.TrimRight(out, string(sep))
	}
	return out
}

// label makes a configuration label of s: its slug with "_" between words,
// prefixed with prefix+"_" when it would start with a digit, or prefix alone
// when s has no usable character.
func label(s, prefix string) string {
	l := slug(s, '_')
	switch {
	case l == "":
		return prefix
	case l[0] >= '0' && l[0] <= '9':
		return prefix + "_" + l
	}
	return l
}

// unique makes names unique: the first occurrence of a name keeps it, later
// ones get sep and the smallest number from 2 up that no name (natural or
// already assigned) has.
func unique(names []string, sep string) []string {
	taken := make(map[string]bool, len(names))
	for _, n := range names {
		taken[n] = true
	}
	seen := make(map[string]bool, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		if !seen[n] {
			seen[n] = true
			out[i] = n
			continue
		}
		for k := 2; ; k++ {
			c := n + sep + strconv.Itoa(k)
			if !taken[c] {
				taken[c] = true
				out[i] = c
				break
			}
		}
	}
	return out
}

// certName is the human name of a CA certificate: its subject common name,
// else its first organizational unit or organization, else "" (the caller
// falls back to the thumbprint).
func certName(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	switch {
	case strings.TrimSpace(c.Subject.CommonName) != "":
		return c.Subject.CommonName
	case len(c.Subject.OrganizationalUnit) > 0:
		return c.Subject.OrganizationalUnit[0]
	case len(c.Subject.Organization) > 0:
		return c.Subject.Organization[0]
	}
	return ""
}

// issuerName is the common name of an issuer subject written as Entra writes
// it ("CN=Contoso Issuing CA,O=Contoso,C=US"), or the whole string when it
// has no CN. It is only used to name rules, so a rough parse is enough.
func issuerName(issuer string) string {
	for _, part := range strings.Split(issuer, ",") {
		part = strings.TrimSpace(part)
		if len(part) > 3 && strings.EqualFold(part[:3], "CN=") {
			return strings.Trim(part[3:], `"`)
		}
	}
	return issuer
}

// certFileBase is the file name (without ".pem") of a certificate before
// collisions are resolved.
func certFileBase(c *x509.Certificate, thumbprint string) string {
	if s := slug(certName(c), '-'); s != "" {
		return s
	}
	return "ca-" + strings.ToLower(thumbprint[:min(8, len(thumbprint))])
}

// caLabelBase is a CA's configuration label before collisions are resolved.
func caLabelBase(c *x509.Certificate, thumbprint string) string {
	if s := slug(certName(c), '_'); s != "" {
		return label(s, "ca")
	}
	return "ca_" + strings.ToLower(thumbprint[:min(8, len(thumbprint))])
}
