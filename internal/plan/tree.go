package plan

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Node is one attribute or nested block of an object as a plan shows it,
// in cbactl's configuration names. Trees are built in a canonical form
// (normalised values, sets sorted by identity), so two objects are equal
// exactly when their trees are: the diff rules live in the builders below.
type Node struct {
	Name string `json:"name"`
	// Label is a block's label (a rule's name).
	Label string `json:"label,omitempty"`
	// Key identifies a repeated block among its siblings (blocks without a
	// key are singletons).
	Key string `json:"key,omitempty"`
	// Value is an attribute's value as JSON; nil for blocks.
	Value json.RawMessage `json:"value,omitempty"`
	// Note is shown beside the value (a group's display name).
	Note     string `json:"note,omitempty"`
	Block    bool   `json:"block,omitempty"`
	Children []Node `json:"children,omitempty"`
}

func attr(name string, v any) Node {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings, bools, ints and string slices always encode
	}
	return Node{Name: name, Value: b}
}

func block(name, key string, children ...Node) Node {
	return Node{Name: name, Key: key, Block: true, Children: children}
}

// optional adds attribute name when v is not empty.
func optional(nodes []Node, name, v string) []Node {
	if v == "" {
		return nodes
	}
	return append(nodes, attr(name, v))
}

// certificateNode shows a certificate by subject, thumbprint and expiry,
// never as base64.
func certificateNode(der []byte) Node {
	n := block("certificate", "", attr("thumbprint", pki.SHA1Thumbprint(der)))
	if c, err := x509.ParseCertificate(der); err == nil {
		n.Children = append([]Node{attr("subject", pki.SubjectDN(c, pki.RuleOrder))}, n.Children...)
		n.Children = append(n.Children, attr("not_after", c.NotAfter.UTC().Format(time.RFC3339)))
	}
	return n
}

// CANodes is a certificate authority's tree.
func CANodes(ca model.CA) []Node {
	return append([]Node{certificateNode(ca.Certificate)}, caAttrNodes(ca)...)
}

// caAttrNodes is a CA's tree without its certificate: what an update can
// change. CAs are compared with it, so that a CA that did not change costs
// no certificate parsing.
func caAttrNodes(ca model.CA) []Node {
	nodes := []Node{attr("type", string(ca.Type))}
	nodes = optional(nodes, "crl_url", ca.CRLURL)
	nodes = optional(nodes, "delta_crl_url", ca.DeltaCRLURL)
	nodes = append(nodes, attr("issuer_hint", ca.IssuerHint))
	return optional(nodes, "display_name", ca.DisplayName)
}

// PKINodes is a PKI container's tree (its CAs are changes of their own).
func PKINodes(p model.PKI) []Node {
	return []Node{attr("display_name", p.DisplayName)}
}

// UploadNodes is a bundle upload's tree: the bundle and the CAs it brings.
func UploadNodes(u model.Upload, cas []model.CA) []Node {
	nodes := []Node{attr("url", u.URL), attr("sha256", u.SHA256)}
	for _, ca := range cas {
		c := certificateNode(ca.Certificate)
		c.Key = ca.Thumbprint()
		nodes = append(nodes, c)
	}
	return nodes
}

// X509Nodes is the method configuration's tree. groups names group ids for
// notes.
func X509Nodes(x model.X509Config, groups map[string]string) []Node {
	nodes := []Node{attr("state", string(x.State))}

	incs := make([]Node, 0, len(x.IncludeTargets))
	for _, t := range x.IncludeTargets {
		n := targetNode("include_target", t.Target, groups)
		n.Children = append(n.Children, attr("registration_required", t.RegistrationRequired))
		incs = append(incs, n)
	}
	nodes = append(nodes, sortByKey(incs)...)
	excs := make([]Node, 0, len(x.ExcludeTargets))
	for _, t := range x.ExcludeTargets {
		excs = append(excs, targetNode("exclude_target", t, groups))
	}
	nodes = append(nodes, sortByKey(excs)...)

	mode := block("authentication_mode", "",
		attr("default_mode", string(x.DefaultMode)),
		attr("default_affinity", string(x.DefaultAffinity)))
	rules := make([]Node, 0, len(x.Rules))
	for _, r := range x.Rules {
		children := optional(nil, "issuer", r.Issuer)
		children = optional(children, "policy_oid", r.PolicyOID)
		children = append(children, attr("mode", string(r.Mode)))
		children = optional(children, "affinity", string(r.Affinity))
		n := block("rule", RuleKey(r), children...)
		n.Label = r.Name
		rules = append(rules, n)
	}
	mode.Children = append(mode.Children, sortByKey(rules)...)
	nodes = append(nodes, mode)

	bindings := append([]model.UsernameBinding(nil), x.UsernameBindings...)
	sort.SliceStable(bindings, func(i, j int) bool { return bindings[i].Priority < bindings[j].Priority })
	for _, b := range bindings {
		nodes = append(nodes, block("username_binding", string(b.Field)+"→"+string(b.Attribute),
			attr("certificate_field", string(b.Field)),
			attr("user_attribute", string(b.Attribute)),
			attr("priority", b.Priority)))
	}

	skis := make([]string, 0, len(x.CRLValidation.ExemptSKIs))
	for _, s := range x.CRLValidation.ExemptSKIs {
		skis = append(skis, hexID(s))
	}
	sort.Strings(skis)
	nodes = append(nodes, block("crl_validation", "",
		attr("required", x.CRLValidation.Required),
		attr("exempt_skis", skis)))
	nodes = append(nodes, attr("issuer_hints", x.IssuerHints))

	scopes := make([]Node, 0, len(x.CAScopes))
	for _, s := range x.CAScopes {
		ids := make([]string, 0, len(s.Groups))
		var names []string
		for _, g := range s.Groups {
			ids = append(ids, strings.ToLower(g.ID))
			if n := groupName(g, groups); n != "" {
				names = append(names, n)
			}
		}
		sort.Strings(ids)
		children := []Node{attr("subject_key_identifier", hexID(s.SKI))}
		children = optional(children, "pki", s.PKI)
		g := attr("group_ids", ids)
		g.Note = strings.Join(names, ", ")
		scopes = append(scopes, block("certificate_authority_scope", hexID(s.SKI), append(children, g)...))
	}
	return append(nodes, sortByKey(scopes)...)
}

// hexID is a hex identifier (an SKI) in canonical form: pki.NormalizeHex.
func hexID(s string) string {
	return pki.NormalizeHex(s)
}

// RuleKey is a rule's identity: its type, issuer and policy OID, exactly.
func RuleKey(r model.Rule) string {
	return string(r.Type()) + "|" + r.Issuer + "|" + r.PolicyOID
}

func targetNode(name string, t model.Target, groups map[string]string) Node {
	if t.IsAllUsers() {
		return block(name, "all_users", attr("all_users", true))
	}
	id := strings.ToLower(t.ID)
	a := attr("group_id", id)
	if t.Type == model.TargetUser {
		a = attr("user_id", id)
	}
	a.Note = groupName(t, groups)
	return block(name, string(t.Type)+":"+id, a)
}

func groupName(t model.Target, groups map[string]string) string {
	if t.GroupName != "" {
		return t.GroupName
	}
	return groups[strings.ToLower(t.ID)]
}

func sortByKey(nodes []Node) []Node {
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Key < nodes[j].Key })
	return nodes
}

// NodeChange is one attribute or block of a diff of two trees.
type NodeChange struct {
	Name     string
	Label    string
	Key      string
	Block    bool
	Action   Action // Create: only after; Delete: only before; Update: changed; NoOp
	Before   json.RawMessage
	After    json.RawMessage
	Note     string
	Children []NodeChange
}

// DiffNodes compares two trees. Attributes match by name, blocks by name and
// key; the result follows the order of after, with what only before has at
// the end.
func DiffNodes(before, after []Node) []NodeChange {
	used := make([]bool, len(before))
	find := func(n Node) int {
		for i, b := range before {
			if !used[i] && b.Name == n.Name && b.Block == n.Block && b.Key == n.Key {
				return i
			}
		}
		return -1
	}
	var out []NodeChange
	for _, a := range after {
		i := find(a)
		if i < 0 {
			out = append(out, whole(a, Create))
			continue
		}
		used[i] = true
		b := before[i]
		c := NodeChange{Name: a.Name, Label: a.Label, Key: a.Key, Block: a.Block, Before: b.Value, After: a.Value, Note: a.Note}
		if a.Block {
			c.Children = DiffNodes(b.Children, a.Children)
			if c.Label == "" {
				c.Label = b.Label
			}
			for _, ch := range c.Children {
				if ch.Action != NoOp {
					c.Action = Update
				}
			}
		} else if !bytes.Equal(b.Value, a.Value) {
			c.Action = Update
			if c.Note == "" {
				c.Note = b.Note
			}
		}
		out = append(out, c)
	}
	// What only before has goes after the last sibling of the same name.
	for i, b := range before {
		if used[i] {
			continue
		}
		at := len(out)
		for j := len(out) - 1; j >= 0; j-- {
			if out[j].Name == b.Name {
				at = j + 1
				break
			}
		}
		out = append(out[:at], append([]NodeChange{whole(b, Delete)}, out[at:]...)...)
	}
	return out
}

func whole(n Node, a Action) NodeChange {
	c := NodeChange{Name: n.Name, Label: n.Label, Key: n.Key, Block: n.Block, Action: a, Note: n.Note}
	if a == Create {
		c.After = n.Value
	} else {
		c.Before = n.Value
	}
	for _, ch := range n.Children {
		c.Children = append(c.Children, whole(ch, a))
	}
	return c
}

// Changed reports whether a diff has any change.
func Changed(cs []NodeChange) bool {
	for _, c := range cs {
		if c.Action != NoOp {
			return true
		}
	}
	return false
}

// ObjectJSON turns a tree into the JSON object of plan --json: attributes
// are properties; a repeated block kind is an array of objects, a singleton
// block an object; a block's label is its "name".
func ObjectJSON(nodes []Node) map[string]any {
	if nodes == nil {
		return nil
	}
	out := map[string]any{}
	for _, n := range nodes {
		if !n.Block {
			out[n.Name] = n.Value
			continue
		}
		obj := ObjectJSON(n.Children)
		if obj == nil {
			obj = map[string]any{}
		}
		if n.Label != "" {
			obj["name"] = n.Label
		}
		if n.Key == "" {
			out[n.Name] = obj
			continue
		}
		list, _ := out[n.Name].([]any)
		out[n.Name] = append(list, obj)
	}
	return out
}

// Literal renders an attribute value for text output.
func Literal(v json.RawMessage) string {
	if v == nil {
		return "null"
	}
	// A JSON string is never a list: most values are strings, and trying
	// them as a list first would cost a decoding error each.
	var list []string
	if t := bytes.TrimLeft(v, " \t\r\n"); (len(t) == 0 || t[0] != '"') && json.Unmarshal(v, &list) == nil {
		q := make([]string, len(list))
		for i, s := range list {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return fmt.Sprintf("%q", s)
	}
	return string(v)
}
