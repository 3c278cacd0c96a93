package configtest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Fixture copies the fixture file at path, as main.hcl, into dir beside the
// fixture certificates.
func Fixture(dir, path string, now time.Time) error {
	if err := WriteCerts(dir, now); err != nil {
		return err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644)
}

var marker = regexp.MustCompile(`^(ERROR|WARNING): (.+)$`)

// Marker is one expected diagnostic of a fixture.
type Marker struct {
	Line     int
	Severity string // "error" or "warning"
	Summary  string
}

func (m Marker) String() string { return fmt.Sprintf("%d: %s: %s", m.Line, m.Severity, m.Summary) }

// Markers reads the expected diagnostics of a fixture, written at the end of
// the line the diagnostic points at, after "# " and separated by " # ":
//
//	state = "x" # ERROR: Invalid state # WARNING: Something else
//
// They are sorted by String.
func Markers(path string) ([]Marker, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Marker
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		i := strings.Index(text, "# ERROR: ")
		if j := strings.Index(text, "# WARNING: "); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			continue
		}
		for _, part := range strings.Split(text[i+2:], " # ") {
			if m := marker.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
				out = append(out, Marker{Line: line, Severity: strings.ToLower(m[1]), Summary: strings.TrimSpace(m[2])})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, sc.Err()
}
