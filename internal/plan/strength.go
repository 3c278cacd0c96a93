package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Authentication strengths. A declared strength is matched to the tenant's
// custom strength of the same display name. Built-in strengths and custom
// strengths the configuration does not name are never planned. Its
// x509_certificate block is a second address, compared as sets: the
// combinations it applies to, the issuer SKIs (hex without case or
// separators) and the policy OIDs; allowed combinations compare as sets of
// combinations whose modes are in Graph's order.

// StrengthNodes is a strength's tree (without its x509 configuration, which
// is a change of its own).
func StrengthNodes(s model.AuthStrength) []Node {
	nodes := []Node{attr("display_name", s.DisplayName)}
	nodes = optional(nodes, "description", s.Description)
	return append(nodes, attr("allowed_combinations", model.CanonicalCombinations(s.AllowedCombinations)))
}

// StrengthX509Nodes is an x509 combination configuration's tree.
func StrengthX509Nodes(x model.StrengthX509) []Node {
	skis := make([]string, 0, len(x.AllowedIssuerSKIs))
	for _, s := range x.AllowedIssuerSKIs {
		skis = append(skis, model.NormalizeSKI(s))
	}
	return []Node{
		attr("applies_to", model.CanonicalCombinations(x.AppliesTo)),
		attr("allowed_issuer_skis", model.SortedSet(skis)),
		attr("allowed_policy_oids", model.SortedSet(append([]string{}, x.AllowedPolicyOIDs...))),
	}
}

// strengthWithX509 is a deleted strength's tree: its configuration nested.
func strengthWithX509(s model.AuthStrength) []Node {
	nodes := StrengthNodes(s)
	if s.X509 != nil {
		nodes = append(nodes, block("x509_certificate", "", StrengthX509Nodes(*s.X509)...))
	}
	return nodes
}

// ObservedStrengthX509Address addresses a further x509 configuration of a
// declared strength (the tenant may hold one per combination).
func ObservedStrengthX509Address(addr model.Address, id string) model.Address {
	return model.Address(fmt.Sprintf("%s.x509_certificate[%q]", addr, id))
}

// UsageList names the Conditional Access policies of a usage.
func UsageList(u *model.StrengthUsage) string {
	var names []string
	for _, r := range u.MFA {
		names = append(names, fmt.Sprintf("%q (%s, requires MFA)", r.DisplayName, r.ID))
	}
	for _, r := range u.None {
		names = append(names, fmt.Sprintf("%q (%s)", r.DisplayName, r.ID))
	}
	return strings.Join(names, ", ")
}

// matchStrength finds the tenant's custom strengths a declared strength
// is: those of the same display name, else the only one whose name differs
// in case alone (Entra's names are unique without regard to case: the same
// strength, renamed in place). builtIn reports that d has the name of a
// built-in strength.
func matchStrength(d model.AuthStrength, observed []model.AuthStrength) (matches []int, builtIn bool) {
	var folded []int
	for i, o := range observed {
		switch {
		case o.IsBuiltIn() && strings.EqualFold(o.DisplayName, d.DisplayName):
			builtIn = true
		case o.IsBuiltIn():
		case o.DisplayName == d.DisplayName:
			matches = append(matches, i)
		case strings.EqualFold(o.DisplayName, d.DisplayName):
			folded = append(folded, i)
		}
	}
	if len(matches) == 0 && len(folded) == 1 {
		matches = folded
	}
	return matches, builtIn
}

// effectiveStrengths fills the description of every declared strength that
// leaves it out with the description of the tenant's strength it is (when
// exactly one); a strength cbactl creates stays without one.
func effectiveStrengths(desired, observed []model.AuthStrength) []model.AuthStrength {
	out := slices.Clone(desired)
	for i, d := range out {
		if !d.DescriptionUnmanaged || d.Absent {
			continue
		}
		if matches, builtIn := matchStrength(d, observed); !builtIn && len(matches) == 1 {
			out[i].Description = observed[matches[0]].Description
			out[i].DescriptionUnmanaged = false
		}
	}
	return out
}

func (p *Plan) strengths(desired, observed []model.AuthStrength) {
	custom := 0
	for _, o := range observed {
		if !o.IsBuiltIn() {
			custom++
		}
	}
	for _, d := range desired {
		d := d
		addr := model.StrengthAddress(d.Name)
		matches, builtIn := matchStrength(d, observed)
		switch {
		case builtIn:
			p.errorf(addr, "Built-in authentication strength",
				"%q is the name of a built-in authentication strength, which cbactl never changes or deletes. Give the declared strength another display name.", d.DisplayName)
			continue
		case len(matches) > 1:
			p.errorf(addr, "Ambiguous authentication strength",
				"The tenant has %d custom authentication strengths named %q; cbactl identifies strengths by display name and cannot tell which one %s is.", len(matches), d.DisplayName, addr)
			continue
		}
		if d.Absent {
			if len(matches) == 1 {
				o := observed[matches[0]]
				if used := o.Usage.Policies(); len(used) > 0 {
					p.errorf(addr, "Authentication strength in use",
						"%s (%q) cannot be deleted while Conditional Access policies use it: %s. Remove it from those policies first; nothing was planned for it.", addr, d.DisplayName, UsageList(o.Usage))
					continue
				}
				p.Changes = append(p.Changes, Change{
					Address: addr, Kind: KindStrength, Action: Delete, Before: strengthWithX509(o),
					Reason:   `ensure = "absent"`,
					ObjectID: o.ID, StrengthBefore: &o, Strength: &d,
				})
				custom--
			}
			continue
		}
		if len(matches) == 0 {
			p.Changes = append(p.Changes, Change{Address: addr, Kind: KindStrength, Action: Create, After: StrengthNodes(d), Strength: &d})
			custom++
			if d.X509 != nil {
				x := *d.X509
				p.Changes = append(p.Changes, Change{
					Address: addr.Nested("x509_certificate"), Kind: KindStrengthX509, Action: Create,
					After: StrengthX509Nodes(x), Strength: &d, StrengthX509: &x,
				})
			}
			continue
		}
		o := observed[matches[0]]
		if before, after := StrengthNodes(o), StrengthNodes(d); Changed(DiffNodes(before, after)) {
			p.Changes = append(p.Changes, Change{
				Address: addr, Kind: KindStrength, Action: Update, Before: before, After: after,
				ObjectID: o.ID, Strength: &d, StrengthBefore: &o,
			})
		}
		p.strengthX509(addr, d, o)
		if o.OtherConfigurations > 0 {
			p.warnf(addr, "Combination configurations cbactl does not manage",
				"%s (%q) has %d combination configuration(s) of another kind (FIDO2 ...); cbactl leaves them as they are.", addr, d.DisplayName, o.OtherConfigurations)
		}
	}
	if custom > model.MaxCustomStrengths {
		p.errorf("", "Too many authentication strengths",
			"After this plan the tenant would hold %d custom authentication strengths; Entra allows at most %d.", custom, model.MaxCustomStrengths)
	}
}

func (p *Plan) strengthX509(addr model.Address, d, o model.AuthStrength) {
	xaddr := addr.Nested("x509_certificate")
	switch {
	case d.X509 == nil && o.X509 != nil:
		have := *o.X509
		p.Changes = append(p.Changes, Change{
			Address: xaddr, Kind: KindStrengthX509, Action: Delete, Before: StrengthX509Nodes(have),
			Reason:   "the configuration declares no x509_certificate block for this strength",
			ObjectID: have.ID, Strength: &d, StrengthBefore: &o,
		})
	case d.X509 != nil && o.X509 == nil:
		x := *d.X509
		p.Changes = append(p.Changes, Change{
			Address: xaddr, Kind: KindStrengthX509, Action: Create, After: StrengthX509Nodes(x),
			Strength: &d, StrengthBefore: &o, StrengthX509: &x,
		})
	case d.X509 != nil && o.X509 != nil:
		before, after := StrengthX509Nodes(*o.X509), StrengthX509Nodes(*d.X509)
		if Changed(DiffNodes(before, after)) {
			x := *d.X509
			x.ID = o.X509.ID
			p.Changes = append(p.Changes, Change{
				Address: xaddr, Kind: KindStrengthX509, Action: Update, Before: before, After: after,
				ObjectID: o.X509.ID, Strength: &d, StrengthBefore: &o, StrengthX509: &x,
			})
		}
	}
	for _, extra := range o.ExtraX509 {
		p.Changes = append(p.Changes, Change{
			Address: ObservedStrengthX509Address(addr, extra.ID), Kind: KindStrengthX509, Action: Delete,
			Before:   StrengthX509Nodes(extra),
			Reason:   "a strength declares one x509_certificate block; the tenant holds another configuration for it",
			ObjectID: extra.ID, Strength: &d, StrengthBefore: &o,
		})
	}
}

// strengthDigests identifies what a plan depends on in the observed
// strengths: ids, trees and usage, in id order.
func strengthDigests(ss []model.AuthStrength) []string {
	var out []string
	for _, s := range ss {
		v := struct {
			ID, PolicyType string
			Nodes          []Node
			X509           []model.StrengthX509
			Other          int
			Usage          *model.StrengthUsage
		}{ID: s.ID, PolicyType: s.PolicyType, Nodes: StrengthNodes(s), Other: s.OtherConfigurations, Usage: s.Usage}
		if s.X509 != nil {
			v.X509 = append([]model.StrengthX509{*s.X509}, s.ExtraX509...)
		}
		out = append(out, s.ID+"|"+digest(v))
	}
	sort.Strings(out)
	return out
}
