package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/config"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
)

// writeDiagnostics prints diagnostics for people: the severity and summary,
// the location as file:line:col, the source lines with the subject
// underlined, and the detail.
func writeDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File, color bool) {
	lines := sourceLines{files: files, split: map[string][][]byte{}}
	for _, d := range diags {
		label, c := "Error", ansiRed
		if d.Severity == hcl.DiagWarning {
			label, c = "Warning", ansiYellow
		}
		summary, detail := config.Redact(d.Summary), config.Redact(d.Detail)
		if color {
			fmt.Fprintf(w, "%s%s%s:%s %s%s%s\n", ansiBold, c, label, ansiReset, ansiBold, summary, ansiReset)
		} else {
			fmt.Fprintf(w, "%s: %s\n", label, summary)
		}
		if d.Subject != nil {
			fmt.Fprintf(w, "  --> %s:%d:%d\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
			writeSnippet(w, *d.Subject, &lines)
		}
		if detail != "" {
			for _, line := range strings.Split(detail, "\n") {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
		fmt.Fprintln(w)
	}
}

// writeSnippet prints the lines of rng (at most three) with the subject
// underlined by carets.
func writeSnippet(w io.Writer, rng hcl.Range, src *sourceLines) {
	lines := src.lines(rng.Filename)
	if lines == nil {
		return
	}
	last := rng.End.Line
	if last > rng.Start.Line+2 {
		last = rng.Start.Line + 2
	}
	width := len(fmt.Sprint(last))
	fmt.Fprintf(w, "  %*s |\n", width, "")
	for n := rng.Start.Line; n <= last && n-1 < len(lines); n++ {
		text := strings.TrimRight(string(lines[n-1]), "\r")
		start, end := 1, utf8.RuneCountInString(text)+1
		if n == rng.Start.Line {
			start = rng.Start.Column
		}
		if n == rng.End.Line {
			end = rng.End.Column
		}
		if end <= start {
			end = start + 1
		}
		text, start, end = snippetWindow(text, start, end)
		fmt.Fprintf(w, "  %*d | %s\n", width, n, strings.ReplaceAll(text, "\t", " "))
		fmt.Fprintf(w, "  %*s | %s%s\n", width, "", strings.Repeat(" ", start-1), strings.Repeat("^", end-start))
	}
}

// sourceLines splits each file into lines once: thousands of diagnostics
// about one large file must not split it thousands of times (which made
// validate quadratic in the size of the configuration).
type sourceLines struct {
	files map[string]*hcl.File
	split map[string][][]byte
}

func (s *sourceLines) lines(name string) [][]byte {
	if l, ok := s.split[name]; ok {
		return l
	}
	var l [][]byte
	if f, ok := s.files[name]; ok && f != nil {
		l = bytes.Split(f.Bytes, []byte("\n"))
	}
	s.split[name] = l
	return l
}

// maxSnippetWidth bounds the characters of a source line a diagnostic shows:
// a line of a megabyte (a generated file, an attack) is cut around the
// subject.
const maxSnippetWidth = 160

// snippetWindow cuts a long line to maxSnippetWidth characters around the
// columns start..end, marking the cuts with "…", and moves the columns.
func snippetWindow(text string, start, end int) (string, int, int) {
	r := []rune(text)
	if len(r) <= maxSnippetWidth {
		return text, start, end
	}
	from := max(0, min(start-1-maxSnippetWidth/4, len(r)-maxSnippetWidth))
	to := min(len(r), from+maxSnippetWidth)
	out := string(r[from:to])
	start, end = start-from, min(end, to+1)-from
	if from > 0 {
		out = "…" + out
		start, end = start+1, end+1
	}
	if to < len(r) {
		out += "…"
	}
	if end <= start {
		end = start + 1
	}
	return out, start, end
}

// Terraform's validate -json shapes (contract §5).
type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiagnostic struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *jsonRange `json:"range,omitempty"`
}

func jsonDiagnostics(diags hcl.Diagnostics) []jsonDiagnostic {
	out := make([]jsonDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: config.Redact(d.Summary), Detail: config.Redact(d.Detail)}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if r := d.Subject; r != nil {
			jd.Range = &jsonRange{
				Filename: r.Filename,
				Start:    jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:      jsonPos{r.End.Line, r.End.Column, r.End.Byte},
			}
		}
		out = append(out, jd)
	}
	return out
}

func countDiagnostics(diags hcl.Diagnostics) (errs, warns int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// certificateUserIds values ("X509:<PN>…") and URLs read as they are.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
