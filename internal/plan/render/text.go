// Package render shows plans to people (text, Markdown) and machines (JSON).
package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/cbactl/cbactl/internal/plan"
)

// Options control text output.
type Options struct {
	Color bool
}

const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
)

type printer struct {
	w     io.Writer
	color bool
	top   plan.Action // the action of the change being printed
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + reset
}

// symbol is an action's mark, coloured, padded to three columns.
func (p *printer) symbol(a plan.Action) string {
	switch a {
	case plan.Create:
		return "  " + p.paint(green, "+")
	case plan.Update:
		return "  " + p.paint(yellow, "~")
	case plan.Delete:
		return "  " + p.paint(red, "-")
	case plan.Replace:
		return p.paint(red, "-") + "/" + p.paint(green, "+")
	}
	return "   "
}

// FailedText is what a failed plan prints instead of its changes.
const FailedText = "Planning failed: fix the errors reported and plan again. This plan cannot be applied; the tenant was not changed."

// Text writes a plan the way Terraform shows one: every change with its
// attributes (unchanged ones collapsed in updates), then the summary line.
func Text(w io.Writer, pl *plan.Plan, o Options) error {
	// Buffered: a plan of thousands of changes is hundreds of thousands of
	// small writes, each a system call on a terminal or pipe. Everything
	// is written before Text returns.
	bw := bufio.NewWriterSize(w, 64<<10)
	err := text(&printer{w: bw, color: o.Color}, pl)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func text(p *printer, pl *plan.Plan) error {
	failed := pl.HasErrors()
	if failed && !pl.HasChanges() {
		// Never "No changes" for a plan that failed: a pipeline that posts
		// standard output would report a clean tenant.
		p.printf("%s\n", p.paint(bold, FailedText))
		return p.err
	}
	if !pl.HasChanges() {
		p.printf("%s\n", p.paint(bold, "No changes. The tenant matches the configuration."))
		return p.err
	}
	p.printf("cbactl will perform the following actions:\n")
	for _, c := range pl.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		p.printf("\n")
		p.change(c)
	}
	s := pl.Summary()
	p.printf("\n%s %d to add, %d to change, %d to destroy.\n", p.paint(bold, "Plan:"), s.Add, s.Change, s.Destroy)
	if failed {
		p.printf("\n%s\n", p.paint(bold, FailedText))
	}
	return p.err
}

var verbs = map[plan.Action]string{
	plan.Create:  "will be created",
	plan.Update:  "will be updated in place",
	plan.Delete:  "will be destroyed",
	plan.Replace: "must be replaced",
}

func (p *printer) change(c plan.Change) {
	p.printf("  %s\n", p.paint(bold, fmt.Sprintf("# %s %s", c.Address, verbs[c.Action])))
	if c.Reason != "" {
		p.printf("  # (%s)\n", c.Reason)
	}
	header := string(c.Kind)
	if label := Label(c.Address); label != "" {
		header += fmt.Sprintf(" %q", label)
	}
	p.printf("%s %s {\n", p.symbol(c.Action), header)
	p.top = c.Action
	p.body(plan.DiffNodes(c.Before, c.After), c.Action, 1, false)
	p.printf("    }\n")
}

// Label is the label of the object at an address: its last name, or the
// quoted key of an undeclared object ("" for the singleton x509_certificate
// and upload blocks).
func Label(addr fmt.Stringer) string {
	s := addr.String()
	if strings.HasSuffix(s, `"]`) {
		i := strings.LastIndex(s, `["`)
		return s[i+2 : len(s)-2]
	}
	i := strings.LastIndex(s, ".")
	if i < 0 || s == "x509_certificate" || strings.HasSuffix(s, ".upload") || strings.HasSuffix(s, ".x509_certificate") {
		return ""
	}
	return s[i+1:]
}

// body prints a block's contents. In an update, unchanged attributes and
// blocks are counted, not shown, except the attributes of a repeated block
// (a rule, a binding, a target), which say which one it is; in a create or
// delete, everything is shown.
func (p *printer) body(cs []plan.NodeChange, parent plan.Action, depth int, showAll bool) {
	indent := strings.Repeat("    ", depth)
	width := 0
	for _, c := range cs {
		if !c.Block && (parent != plan.Update || c.Action != plan.NoOp || showAll) && len(c.Name) > width {
			width = len(c.Name)
		}
	}
	hiddenAttrs, hiddenBlocks := 0, 0
	for _, c := range cs {
		a := c.Action
		if parent == plan.Create || parent == plan.Delete {
			a = parent
		}
		if a == plan.NoOp && parent == plan.Update && (c.Block || !showAll) {
			if c.Block {
				hiddenBlocks++
			} else {
				hiddenAttrs++
			}
			continue
		}
		if c.Block {
			header := c.Name
			if c.Label != "" {
				header += fmt.Sprintf(" %q", c.Label)
			}
			p.printf("%s%s %s {\n", indent, p.symbol(a), header)
			p.body(c.Children, a, depth+1, c.Key != "")
			p.printf("%s    }\n", indent)
			continue
		}
		note := ""
		if c.Note != "" {
			note = " # " + c.Note
		}
		switch a {
		case plan.Create:
			p.printf("%s%s %-*s = %s%s\n", indent, p.symbol(a), width, c.Name, plan.Literal(c.After), note)
		case plan.Delete:
			p.printf("%s%s %-*s = %s%s\n", indent, p.symbol(a), width, c.Name, plan.Literal(c.Before), note)
		case plan.Update:
			if p.top == plan.Replace && c.Name == "thumbprint" {
				note += " # forces replacement"
			}
			p.printf("%s%s %-*s = %s -> %s%s\n", indent, p.symbol(a), width, c.Name, plan.Literal(c.Before), plan.Literal(c.After), note)
		default:
			p.printf("%s    %-*s = %s%s\n", indent, width, c.Name, plan.Literal(c.After), note)
		}
	}
	if hiddenAttrs > 0 {
		p.printf("%s    # (%d unchanged %s hidden)\n", indent, hiddenAttrs, plural(hiddenAttrs, "attribute", "attributes"))
	}
	if hiddenBlocks > 0 {
		p.printf("%s    # (%d unchanged %s hidden)\n", indent, hiddenBlocks, plural(hiddenBlocks, "block", "blocks"))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
