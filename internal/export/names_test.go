package export

import (
	"slices"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	tests := map[string]struct{ in, label, file string }{
		"words":       {"Contoso Issuing CA 1", "contoso_issuing_ca_1", "contoso-issuing-ca-1"},
		"punctuation": {`Fabrikam, "Ops" Root`, "fabrikam_ops_root", "fabrikam-ops-root"},
		"accents":     {"Zürich Çà Straße", "zurich_ca_strasse", "zurich-ca-strasse"},
		"digit first": {"123 Numbers", "pki_123_numbers", "123-numbers"},
		"template":    {"${not_a_var} %{if} CA", "not_a_var_if_ca", "not-a-var-if-ca"},
		"nothing":     {"東京", "pki", ""},
		"empty":       {"", "pki", ""},
		"trailing":    {"--Root--", "root", "root"},
	}
	for name, tc := range tests {
		if got := label(tc.in, "pki"); got != tc.label {
			t.Errorf("%s: label(%q) = %q, want %q", name, tc.in, got, tc.label)
		}
		if got := slug(tc.in, '-'); got != tc.file {
			t.Errorf("%s: slug(%q, '-') = %q, want %q", name, tc.in, got, tc.file)
		}
	}
	long := strings.Repeat("word ", 30)
	if got := slug(long, '_'); len(got) > maxName || strings.HasSuffix(got, "_") || !strings.HasPrefix(got, "word_word") {
		t.Errorf("slug of a long name = %q", got)
	}
}

func TestLabelsAreIdentifiers(t *testing.T) {
	for _, in := range []string{"a", "9", "_x", "-x", "Ünï", "${}", "東京 CA", "1.2.3.4", strings.Repeat("9", 100)} {
		l := label(in, "rule")
		if l == "" || !(l[0] == '_' || l[0] >= 'a' && l[0] <= 'z') {
			t.Errorf("label(%q) = %q: not an identifier", in, l)
		}
		for _, r := range l {
			if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				t.Errorf("label(%q) = %q: not an identifier", in, l)
			}
		}
	}
}

func TestUnique(t *testing.T) {
	got := unique([]string{"x", "x", "x_2", "y", "x"}, "_")
	want := []string{"x", "x_3", "x_2", "y", "x_4"}
	if !slices.Equal(got, want) {
		t.Errorf("unique = %q, want %q", got, want)
	}
}

func TestIssuerName(t *testing.T) {
	for in, want := range map[string]string{
		"CN=Contoso Issuing CA,O=Contoso,C=US": "Contoso Issuing CA",
		"O=Contoso,CN=Second":                  "Second",
		`CN="Quoted",O=X`:                      "Quoted",
		"O=No CN":                              "O=No CN",
	} {
		if got := issuerName(in); got != want {
			t.Errorf("issuerName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("  - one two three `four five` six", 16)
	want := []string{"  - one two", "    three", "    `four five`", "    six"}
	if !slices.Equal(got, want) {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if got := commentText("a\nb\r\u2028c}"); got != "a b  c}" {
		t.Errorf("commentText = %q", got)
	}
}
