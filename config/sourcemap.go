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
	// Attrs holds the range of each attribute's value expression.
	Attrs map[string]hcl.Range
}

// SourceMap locates every decoded object by address, so that any later
// finding about an object (a validation error, a Graph error during apply)
// can point at the HCL that declared it.
type SourceMap map[model.Address]*Source

func (m SourceMap) add(addr model.Address, def hcl.Range) *Source {
	s := &Source{DefRange: def, Attrs: make(map[string]hcl.Range, 4)}
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
	if r, ok := s.Attrs[attr]; ok {
		return &r
	}
	r := s.DefRange
	return &r
}

// Pos formats the start of a range as file:line:col.
func Pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
