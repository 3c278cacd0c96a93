package health

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/jsonout"
)

// --- JSON (contract §5, health --json) ---

// JSONReport is the document health --json prints.
type JSONReport struct {
	FormatVersion string        `json:"format_version"`
	Days          int           `json:"days"`
	Findings      []JSONFinding `json:"findings"`
	Summary       JSONSummary   `json:"summary"`
}

// JSONFinding is one finding. CRLURL is an addition to the contract: the
// CRL a CRL finding is about (null for the other kinds).
type JSONFinding struct {
	Severity   string     `json:"severity"`
	Kind       string     `json:"kind"`
	Subject    string     `json:"subject"`
	Thumbprint *string    `json:"thumbprint"`
	Address    *string    `json:"address"`
	Expires    *time.Time `json:"expires"`
	Detail     string     `json:"detail"`
	CRLURL     *string    `json:"crl_url"`
}

// JSONSummary counts the findings by severity.
type JSONSummary struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
}

// ToJSON converts a report to its JSON document.
func ToJSON(r Report) JSONReport {
	out := JSONReport{FormatVersion: FormatVersion, Days: r.Days, Findings: []JSONFinding{}}
	for _, f := range r.Findings {
		j := JSONFinding{
			Severity: string(f.Severity), Kind: string(f.Kind), Subject: f.Subject,
			Thumbprint: optional(f.Thumbprint), Address: optional(string(f.Address)),
			Detail: f.Detail, CRLURL: optional(f.CRLURL),
		}
		if !f.Expires.IsZero() {
			t := f.Expires.UTC()
			j.Expires = &t
		}
		out.Findings = append(out.Findings, j)
	}
	out.Summary.Error, out.Summary.Warning = r.Summary()
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// JSON writes the report as health --json.
func JSON(w io.Writer, r Report) error {
	return jsonout.Write(w, ToJSON(r))
}

// --- text ---

// TextOptions tune Text.
type TextOptions struct {
	Color bool // ANSI colours, for a terminal
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
)

// Text writes the report for people: one block per finding, in date order,
// each saying what to do, then a summary line.
func Text(w io.Writer, r Report, o TextOptions) error {
	var b bytes.Buffer
	paint := func(s, c string) string {
		if !o.Color {
			return s
		}
		return c + s + ansiReset
	}
	for _, f := range r.Findings {
		c := ansiYellow
		if f.Severity == Error {
			c = ansiRed
		}
		addr := string(f.Address)
		if addr == "" {
			addr = "(not in the configuration)"
		}
		fmt.Fprintf(&b, "%s  %s  %s: %s\n", dateCell(f), paint(fmt.Sprintf("%-7s", f.Severity), c), f.Kind, paint(addr, ansiBold))
		fmt.Fprintf(&b, "    %s\n", f.Title)
		fmt.Fprintf(&b, "    subject:    %s\n", f.Subject)
		fmt.Fprintf(&b, "    thumbprint: %s\n", f.Thumbprint)
		if f.CRLURL != "" {
			fmt.Fprintf(&b, "    crl:        %s\n", f.CRLURL)
		}
		fmt.Fprintf(&b, "    %s\n", f.Detail)
		fmt.Fprintf(&b, "    To do: %s\n\n", f.Todo)
	}
	b.WriteString(summaryLine(r))
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}

// dateCell is the date a finding is sorted by: its expiry, or "now".
func dateCell(f Finding) string {
	if f.Expires.IsZero() {
		return fmt.Sprintf("%-10s", "now")
	}
	return day(f.Expires)
}

func summaryLine(r Report) string {
	errs, warns := r.Summary()
	if errs+warns == 0 {
		return fmt.Sprintf("Healthy: %s.", scopeLine(r))
	}
	return fmt.Sprintf("%s, %s: %s.", count(errs, "error", "errors"), count(warns, "warning", "warnings"), scopeLine(r))
}

// scopeLine says what was checked: "9 certificate authorities, horizon 35
// days, CRLs checked".
func scopeLine(r Report) string {
	crls := "CRLs checked"
	if r.Offline {
		crls = "CRLs not checked (--offline)"
	}
	return fmt.Sprintf("%s, horizon %s, %s", count(r.CAs, "certificate authority", "certificate authorities"), count(r.Days, "day", "days"), crls)
}

// --- Markdown ---

// Markdown writes the report as a Markdown summary a cron job can post (a
// GitHub Actions job summary, a chat message): a title with the counts, a
// table of the findings in date order, and each finding's details.
func Markdown(w io.Writer, r Report) error {
	var b bytes.Buffer
	errs, warns := r.Summary()
	if errs+warns == 0 {
		b.WriteString("### cbactl health: healthy\n\n")
	} else {
		fmt.Fprintf(&b, "### cbactl health: %s, %s\n\n", count(errs, "error", "errors"), count(warns, "warning", "warnings"))
	}
	fmt.Fprintf(&b, "Checked at %s: %s.\n\n", stamp(r.Now), scopeLine(r))
	if len(r.Findings) == 0 {
		_, err := w.Write(b.Bytes())
		return err
	}
	b.WriteString("| Severity | Date | Kind | Address | Subject | Thumbprint | Finding | To do |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, f := range r.Findings {
		sev := string(f.Severity)
		if f.Severity == Error {
			sev = "**error**"
		}
		addr := "—"
		if f.Address != "" {
			addr = "`" + mdCell(string(f.Address)) + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | `%s` | %s | %s |\n",
			sev, strings.TrimSpace(dateCell(f)), f.Kind, addr, mdCell(f.Subject), f.Thumbprint, mdCell(f.Title), mdCell(f.Todo))
	}
	b.WriteString("\n<details><summary>Details</summary>\n\n")
	for _, f := range r.Findings {
		addr := string(f.Address)
		if addr == "" {
			addr = f.Subject
		}
		fmt.Fprintf(&b, "- **%s** `%s`: %s\n", f.Kind, mdCell(addr), mdCell(f.Detail))
	}
	b.WriteString("\n</details>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// mdCell makes text safe in a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
