package config

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Parsing a large file in units.
//
// hclsyntax lexes a whole source into one slice of tokens (96 bytes each)
// before parsing it, appending to a slice that grows by about 1.25× once
// large: the tokens of a 700 KB trust store cost about 5× their final size
// in allocation, which the garbage collector and the kernel's page faults
// then pay for. So parseConfig parses a file of more than a few units'
// size as a sequence of small units, each with hclsyntax.ParseConfig, and
// assembles the file's syntax tree from theirs: exactly the tree parsing
// the whole file gives, or nothing, and then the whole file is parsed.
//
// Units are cut at the starts of lines that begin a body item (checkLimits'
// items), at the top level (depth 0) or in the body of a top-level block
// (depth 1), such as each certificate_authority in a pki block. A unit is
// src[from:to], parsed at its true start position, so every token and node
// in it has its true range. A unit that starts inside a block's body (at a
// depth 1 item) is preceded by the synthetic header contPrefix, a block
// "b{" on the line before the unit's first: its items parse into that
// synthetic block, whose closing brace is the real one (or, see below, the
// synthetic one). A unit that ends inside a block's body is followed by
// the synthetic contSuffix "}", which closes the block left open: its last
// block. Assembling then moves the synthetic blocks' items into the block
// they continue, and takes the real closing brace's ranges from the unit
// that has it.
//
// Why the result is HCL's own: a cut is at the start of a line outside any
// string, heredoc, comment or expression, where the lexer starts afresh,
// so the units' tokens are the whole file's (had the scanner misjudged a
// cut, the unit before it would end inside a string, heredoc, comment or
// bracket, which HCL reports). HCL's parser reads a body as a loop over
// items, each ending with its newline, deciding on nothing past it; at a
// cut both parsers are at the top of that loop, in the same body, and go
// on reading the same tokens alike until the next cut. A unit is used only
// if HCL has nothing to say about it, and its synthetic blocks are where
// they must be (assemble checks their positions): where the scanner took
// braces for a block's that are not (an object's: `a = {` over lines), a
// synthetic brace closes no block, or the wrong one. An argument defined
// in two units (which HCL reports) also leaves the file to be parsed whole.
// Tests and FuzzParseUnits compare the assembled tree with the whole
// file's.

const (
	// unitSize is the least source a unit holds. append doubles a slice
	// of tokens up to 256 of them (24 KiB), then grows it by less and less
	// (towards 1.25×): the slices a unit's tokens go through cost about
	// 2-4× its tokens' final size up to there, ~5× for a large file. At
	// the ~6 bytes a token of a trust store (a certificate_authority block
	// is ~140 bytes, 23 tokens), 1.5 KiB is about 250 tokens: at the top
	// of that range's best ratio. It is also ten items or so, enough to
	// share each ParseConfig's fixed cost.
	unitSize = 1536
	// parallelSize is the least source per worker: a file below it is
	// parsed on the calling goroutine (load parses files concurrently).
	parallelSize = 64 << 10

	contPrefix = "b{\n"
	contSuffix = "}"
)

// parseConfig parses one configuration file as hclsyntax.ParseConfig does,
// in units of about unitSize cut at items (from checkLimits) when it is
// large enough: see above. When any unit has anything to say (an error, a
// warning), or its tree is not as expected, the whole file is parsed again
// as one: diagnostics, and any input checkLimits may misjudge, are always
// exactly HCL's own.
func parseConfig(src []byte, filename string, items []item) (*hcl.File, hcl.Diagnostics) {
	if f := parseUnits(src, filename, cutUnits(items, len(src), unitSize)); f != nil {
		return f, nil
	}
	return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
}

// A unit is src[from:to], starting at start, a line's start; cont says it
// starts inside a top-level block's body (it gets contPrefix), open that
// it ends inside one (it gets contSuffix).
type unit struct {
	from, to   int
	start      hcl.Pos
	cont, open bool
}

// cutUnits cuts a source of size bytes into units of at least target bytes
// at items, the first from the start of the file, the last to its end. It
// returns nil when there would be only one.
func cutUnits(items []item, size, target int) []unit {
	var units []unit
	last := unit{start: hcl.InitialPos}
	for _, it := range items {
		if it.pos.Byte-last.from < target || size-it.pos.Byte < target {
			continue
		}
		last.to, last.open = it.pos.Byte, it.depth > 0
		units = append(units, last)
		last = unit{from: it.pos.Byte, start: it.pos, cont: it.depth > 0}
	}
	if units == nil {
		return nil
	}
	last.to = size
	return append(units, last)
}

// parseUnits parses the units of src (on up to GOMAXPROCS goroutines, one
// per parallelSize of source) and assembles the file. It returns nil when
// there are no units, or when any unit has a diagnostic, panics, or does
// not fit: parseConfig then parses src whole.
func parseUnits(src []byte, filename string, units []unit) *hcl.File {
	if len(units) == 0 {
		return nil
	}
	bodies := make([]*hclsyntax.Body, len(units))
	var next atomic.Int64
	var failed atomic.Bool
	work := func() {
		for !failed.Load() {
			i := int(next.Add(1)) - 1
			if i >= len(units) {
				return
			}
			if bodies[i] = parseUnit(src, filename, units[i]); bodies[i] == nil {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	workers := max(1, min(runtime.GOMAXPROCS(0), len(src)/parallelSize))
	for range workers - 1 {
		wg.Go(work)
	}
	work() // and the last worker is this goroutine
	wg.Wait()
	if failed.Load() {
		return nil
	}
	body := assemble(units, bodies)
	if body == nil {
		return nil
	}
	// Nav (hclsyntax's own, for the "in block" context of HCL's diagnostic
	// writer) is left out: cbactl writes diagnostics from a file's bytes.
	return &hcl.File{Body: body, Bytes: src}
}

// parseUnit parses one unit, with its synthetic prefix and suffix, at its
// true position. It returns nil when HCL has anything to say, or panics.
func parseUnit(src []byte, filename string, u unit) (body *hclsyntax.Body) {
	defer func() {
		if recover() != nil {
			body = nil // parsed again whole, where a panic is reported
		}
	}()
	buf, start := src[u.from:u.to], u.start
	if u.cont || u.open {
		b := make([]byte, 0, len(contPrefix)+len(buf)+len(contSuffix))
		if u.cont {
			// The prefix ends the line before the unit's first: the
			// unit's bytes keep their true line, column and offset.
			b = append(b, contPrefix...)
			start = hcl.Pos{Line: start.Line - 1, Column: 1, Byte: start.Byte - len(contPrefix)}
		}
		b = append(b, buf...)
		if u.open {
			b = append(b, contSuffix...)
		}
		buf = b
	}
	f, diags := hclsyntax.ParseConfig(buf, filename, start)
	if len(diags) > 0 {
		return nil
	}
	body, _ = f.Body.(*hclsyntax.Body)
	return body
}

// assemble makes the file's body from its units' bodies, or returns nil
// when they do not fit together as expected.
func assemble(units []unit, bodies []*hclsyntax.Body) *hclsyntax.Body {
	file := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: hclsyntax.Blocks{}}
	var open *hclsyntax.Block // the top-level block whose body continues in the next unit
	for i, u := range units {
		body, blocks := bodies[i], bodies[i].Blocks
		if u.cont != (open != nil) {
			return nil // a cut at depth 1 must be in a block left open
		}
		if u.cont {
			// The unit's first block is the synthetic one of contPrefix:
			// its items are open's.
			if len(blocks) == 0 || blocks[0].TypeRange.Start.Byte != u.from-len(contPrefix) {
				return nil
			}
			syn := blocks[0]
			blocks = blocks[1:]
			if !mergeItems(open.Body, syn.Body) {
				return nil
			}
			if syn.CloseBraceRange.Start.Byte == u.to {
				// Closed by contSuffix: open goes on in the next unit,
				// and nothing else is in this one.
				if !u.open || len(blocks) > 0 || len(body.Attributes) > 0 {
					return nil
				}
				continue
			}
			// syn's closing brace is open's: HCL ends a block's body's
			// range at its closing brace, and its EndRange after it.
			open.CloseBraceRange = syn.CloseBraceRange
			open.Body.SrcRange.End = syn.Body.SrcRange.End
			open.Body.EndRange = syn.Body.EndRange
			open = nil
		}
		if !mergeItems(file, &hclsyntax.Body{Attributes: body.Attributes, Blocks: blocks}) {
			return nil
		}
		if u.open {
			// The unit's last item is the block contSuffix closed: the
			// next unit continues its body. Its closing brace's ranges,
			// and the end of its body's, are contSuffix's until then.
			if len(blocks) == 0 || blocks[len(blocks)-1].CloseBraceRange.Start.Byte != u.to {
				return nil
			}
			open = blocks[len(blocks)-1]
		}
	}
	if open != nil {
		return nil
	}
	// The file's body spans the first unit's first token to the end of
	// the last unit: the end of the file.
	first, last := bodies[0], bodies[len(bodies)-1]
	file.SrcRange = hcl.Range{Filename: first.SrcRange.Filename, Start: first.SrcRange.Start, End: last.SrcRange.End}
	file.EndRange = last.EndRange
	return file
}

// mergeItems adds from's arguments and blocks to into's, and returns false
// if an argument is in both (HCL reports that when parsing the whole).
func mergeItems(into, from *hclsyntax.Body) bool {
	for name, attr := range from.Attributes {
		if _, dup := into.Attributes[name]; dup {
			return false
		}
		into.Attributes[name] = attr
	}
	into.Blocks = append(into.Blocks, from.Blocks...)
	return true
}
