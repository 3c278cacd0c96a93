package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func node(name string, v any) plan.Node {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return plan.Node{Name: name, Value: b}
}

// TestEveryKindAndAction renders one change of every node kind with every
// action and checks what each format must say about it: the text header
// with its mark, kind and label, the sentence, the attribute lines with
// their marks, the Markdown action and the JSON action, before and after.
func TestEveryKindAndAction(t *testing.T) {
	kinds := []struct {
		kind   plan.Kind
		addr   model.Address
		header string // kind and label as the text shows them
	}{
		{plan.KindX509, "x509_certificate", "x509_certificate"},
		{plan.KindPKI, "pki.contoso", `pki "contoso"`},
		{plan.KindPKI, `pki["Hand made"]`, `pki "Hand made"`},
		{plan.KindCA, "pki.contoso.certificate_authority.root", `certificate_authority "root"`},
		{plan.KindCA, `pki.contoso.certificate_authority["AB12"]`, `certificate_authority "AB12"`},
		{plan.KindUpload, "pki.contoso.upload", "upload"},
		{plan.KindStrength, "authentication_strength.secret", `authentication_strength "secret"`},
		{plan.KindStrengthX509, "authentication_strength.secret.x509_certificate", "authentication_strength_x509"},
	}
	actions := []struct {
		action        plan.Action
		before, after []plan.Node
		mark, verb    string
		lines         []string // attribute lines, after the mark's indentation
		markdown      string
		summary       string
		jsonBefore    bool
		jsonAfter     bool
	}{
		{
			action: plan.Create, after: []plan.Node{node("display_name", "new")},
			mark: "  +", verb: "will be created", lines: []string{`+ display_name = "new"`},
			markdown: "| create |", summary: "1 to add, 0 to change, 0 to destroy", jsonAfter: true,
		},
		{
			action: plan.Update, before: []plan.Node{node("display_name", "old"), node("kept", true)}, after: []plan.Node{node("display_name", "new"), node("kept", true)},
			mark: "  ~", verb: "will be updated in place", lines: []string{`~ display_name = "old" -> "new"`, "# (1 unchanged attribute hidden)"},
			markdown: "| update |", summary: "0 to add, 1 to change, 0 to destroy", jsonBefore: true, jsonAfter: true,
		},
		{
			action: plan.Delete, before: []plan.Node{node("display_name", "old")},
			mark: "  -", verb: "will be destroyed", lines: []string{`- display_name = "old"`},
			markdown: "| **destroy** |", summary: "0 to add, 0 to change, 1 to destroy", jsonBefore: true,
		},
		{
			action: plan.Replace, before: []plan.Node{node("display_name", "old")}, after: []plan.Node{node("display_name", "new")},
			mark: "-/+", verb: "must be replaced", lines: []string{`~ display_name = "old" -> "new"`},
			markdown: "| **replace** |", summary: "1 to add, 0 to change, 1 to destroy", jsonBefore: true, jsonAfter: true,
		},
	}
	for _, k := range kinds {
		for _, a := range actions {
			t.Run(string(k.addr)+"/"+a.action.String(), func(t *testing.T) {
				p := &plan.Plan{FormatVersion: plan.FormatVersion, Changes: []plan.Change{
					{Address: k.addr, Kind: k.kind, Action: a.action, Before: a.before, After: a.after},
				}}
				var text, md, js bytes.Buffer
				if err := Text(&text, p, Options{}); err != nil {
					t.Fatal(err)
				}
				if err := Markdown(&md, p); err != nil {
					t.Fatal(err)
				}
				if err := JSON(&js, p); err != nil {
					t.Fatal(err)
				}
				for _, want := range append([]string{
					"  # " + string(k.addr) + " " + a.verb + "\n",
					a.mark + " " + k.header + " {\n",
					"Plan: " + a.summary + ".",
				}, a.lines...) {
					if !strings.Contains(text.String(), want) {
						t.Errorf("text lacks %q:\n%s", want, text.String())
					}
				}
				if want := a.markdown + " `" + string(k.addr) + "` |"; !strings.Contains(md.String(), want) {
					t.Errorf("Markdown lacks %q:\n%s", want, md.String())
				}
				var doc JSONPlan
				if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc.Changes) != 1 {
					t.Fatalf("JSON has %d changes, want 1", len(doc.Changes))
				}
				c := doc.Changes[0]
				if c.Address != string(k.addr) || c.Action != a.action || (c.Before != nil) != a.jsonBefore || (c.After != nil) != a.jsonAfter {
					t.Errorf("JSON change %+v, want %s %s with before=%v after=%v", c, k.addr, a.action, a.jsonBefore, a.jsonAfter)
				}
			})
		}
	}
}
