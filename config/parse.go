package config

import (
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// minChunk is the least source a chunk of a large file holds: below it,
// starting a goroutine costs more than it saves.
const minChunk = 64 << 10

// parseConfig parses one configuration file with hclsyntax.ParseConfig. HCL
// parses a file on one core, so a large one (a trust store of thousands of
// CAs in one file) is cut, at lines that start a top-level item (items,
// from checkLimits), into chunks that are parsed at once, each with its
// true start position; their blocks, in order, make the file's body. When
// any chunk has anything to say (an error, a warning) or a top-level
// argument, the whole file is parsed again as one: diagnostics, and any
// input checkLimits may misjudge, are always exactly HCL's own.
func parseConfig(src []byte, filename string, items []hcl.Pos) (*hcl.File, hcl.Diagnostics) {
	target := max(minChunk, len(src)/(2*runtime.GOMAXPROCS(0)))
	if f := parseChunks(src, filename, cuts(items, len(src), target)); f != nil {
		return f, nil
	}
	return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
}

// cuts picks, from items, where chunks of at least target bytes start.
func cuts(items []hcl.Pos, size, target int) []hcl.Pos {
	var out []hcl.Pos
	last := 0
	for _, p := range items {
		if p.Byte-last >= target && size-p.Byte >= target {
			out = append(out, p)
			last = p.Byte
		}
	}
	return out
}

// parseChunks parses src cut at cuts, each chunk on a goroutine. It returns
// nil when there are no cuts, or when any chunk has a diagnostic or a
// top-level argument (or panics): parseConfig then parses src whole.
func parseChunks(src []byte, filename string, cuts []hcl.Pos) *hcl.File {
	if len(cuts) == 0 {
		return nil
	}
	starts := append([]hcl.Pos{hcl.InitialPos}, cuts...)
	bodies := make([]*hclsyntax.Body, len(starts))
	var wg sync.WaitGroup
	for i, start := range starts {
		end := len(src)
		if i+1 < len(starts) {
			end = starts[i+1].Byte
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if recover() != nil {
					bodies[i] = nil // parsed again whole, where a panic is reported
				}
			}()
			f, diags := hclsyntax.ParseConfig(src[start.Byte:end], filename, start)
			if body, ok := f.Body.(*hclsyntax.Body); ok && len(diags) == 0 && len(body.Attributes) == 0 {
				bodies[i] = body
			}
		}()
	}
	wg.Wait()
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	for _, b := range bodies {
		if b == nil {
			return nil
		}
		body.Blocks = append(body.Blocks, b.Blocks...)
	}
	first, last := bodies[0], bodies[len(bodies)-1]
	body.SrcRange = hcl.RangeBetween(first.SrcRange, last.SrcRange)
	body.EndRange = last.EndRange
	// Nav (hclsyntax's own, for diagnostics' "in block" context) is left
	// out: cbactl keeps only the files' bytes once loaded.
	return &hcl.File{Body: body, Bytes: src}
}
