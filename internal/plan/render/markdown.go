package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/cbactl/cbactl/internal/plan"
)

var markdownActions = map[plan.Action]string{
	plan.Create:  "create",
	plan.Update:  "update",
	plan.Delete:  "**destroy**",
	plan.Replace: "**replace**",
}

// Markdown writes a plan as a pull-request comment: the summary as a title, a
// table of changes, the warnings, and the full plan in a collapsible diff
// block.
func Markdown(w io.Writer, p *plan.Plan) error {
	var b bytes.Buffer
	s := p.Summary()
	failed := p.HasErrors()
	if failed {
		b.WriteString("### cbactl plan: failed\n\n" + FailedText + "\n\n")
	}
	switch {
	case p.HasChanges():
		if !failed {
			fmt.Fprintf(&b, "### cbactl plan: %d to add, %d to change, %d to destroy\n\n", s.Add, s.Change, s.Destroy)
		}
		b.WriteString("| Action | Address | Details |\n|---|---|---|\n")
		for _, c := range p.Changes {
			if c.Action == plan.NoOp {
				continue
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", markdownActions[c.Action], c.Address, cell(details(c)))
		}
		b.WriteString("\n")
	case !failed:
		b.WriteString("### cbactl plan: no changes\n\nThe tenant matches the configuration.\n\n")
	}
	for _, d := range p.Diagnostics {
		// GitHub's alert types: NOTE, TIP, IMPORTANT, WARNING, CAUTION.
		alert := "WARNING"
		if d.Severity == "error" {
			alert = "CAUTION"
		}
		where := ""
		if d.Address != "" {
			where = fmt.Sprintf(" (`%s`)", d.Address)
		}
		fmt.Fprintf(&b, "> [!%s]\n> **%s**%s: %s\n\n", alert, cell(d.Summary), where, cell(d.Detail))
	}
	if p.HasChanges() {
		var text bytes.Buffer
		if err := Text(&text, p, Options{}); err != nil {
			return err
		}
		b.WriteString("<details><summary>Full plan</summary>\n\n```diff\n")
		for _, line := range strings.Split(strings.TrimRight(text.String(), "\n"), "\n") {
			b.WriteString(diffLine(line))
			b.WriteString("\n")
		}
		b.WriteString("```\n\n</details>\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// details names what a change touches: the changed attributes of an update,
// the reason of the others.
func details(c plan.Change) string {
	if c.Action == plan.Update {
		var names []string
		for _, n := range plan.DiffNodes(c.Before, c.After) {
			if n.Action != plan.NoOp {
				name := n.Name
				if n.Label != "" {
					name += fmt.Sprintf(" %q", n.Label)
				}
				names = append(names, "`"+name+"`")
			}
		}
		return strings.Join(dedupe(names), ", ")
	}
	if c.Reason != "" {
		return c.Reason
	}
	return subject(c.After)
}

// subject is the subject of the certificate in a tree, if it has one.
func subject(nodes []plan.Node) string {
	for _, n := range nodes {
		if n.Name != "certificate" {
			continue
		}
		for _, a := range n.Children {
			if a.Name == "subject" {
				return plan.Literal(a.Value)
			}
		}
	}
	return ""
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// cell makes text safe inside a table cell or a quote line.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// diffLine moves a change mark to the first column, where GitHub's diff
// highlighting looks for it ("~" becomes "!").
func diffLine(line string) string {
	t := strings.TrimLeft(line, " ")
	pad := strings.Repeat(" ", len(line)-len(t))
	switch {
	case strings.HasPrefix(t, "-/+ "):
		return "!" + pad + "  " + t[4:]
	case strings.HasPrefix(t, "+ "), strings.HasPrefix(t, "- "):
		return t[:1] + pad + t[1:]
	case strings.HasPrefix(t, "~ "):
		return "!" + pad + t[1:]
	}
	return " " + line
}
