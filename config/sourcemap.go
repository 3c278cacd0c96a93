package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Source is where an object of the configuration was declared.
type Source struct {
	// DefRange is the block header ("pki \"contoso\"").
	DefRange hcl.Range
	// attrs holds the range of each attribute's value expression: a few
	// per block, in a slice (a map would weigh four times as much, for
	// each of a trust store's thousands of CAs).
	attrs []attrRange
}

type attrRange struct {
	name string
	rng  hcl.Range
}

// Attr returns the range of attribute name's value expression, if written.
func (s *Source) Attr(name string) (hcl.Range, bool) {
	for _, a := range s.attrs {
		if a.name == name {
			return a.rng, true
		}
	}
	return hcl.Range{}, false
}

// SourceMap locates every decoded object by address, so that any later
// finding about an object (a validation error, a Graph error during apply)
// can point at the HCL that declared it.
type SourceMap map[model.Address]*Source

func (m SourceMap) add(addr model.Address, def hcl.Range) *Source {
	s := &Source{DefRange: def}
	m[addr] = s
	return s
}

// Range returns the range of attribute attr of the object at addr, or the
// object's block header when attr is empty or was not written.
func (m SourceMap) Range(addr model.Address, attr string) *hcl.Range {
	s, ok := m[addr]
	if !ok {
		return nil
	}
	return s.rangePtr(attr)
}

// Pos formats the start of a range as file:line:col.
func Pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
