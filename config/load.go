// Package config turns a directory of cbactl HCL files into the desired
// state (model.State) and the configuration's tests, with precise
// diagnostics. It knows nothing about Graph or plans.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/readfile"
)

// Block type names of the configuration language.
const (
	blockTenant    = "tenant"
	blockVariable  = "variable"
	blockLocals    = "locals"
	blockPKI       = "pki"
	blockX509      = "x509_certificate"
	blockTest      = "test"
	blockCA        = "certificate_authority"
	blockUpload    = "upload"
	blockInclude   = "include_target"
	blockExclude   = "exclude_target"
	blockAuthMode  = "authentication_mode"
	blockRule      = "rule"
	blockBinding   = "username_binding"
	blockCRL       = "crl_validation"
	blockScope     = "certificate_authority_scope"
	blockExpect    = "expect"
	blockValidaton = "validation"
)

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: blockTenant},
		{Type: blockVariable, LabelNames: []string{"name"}},
		{Type: blockLocals},
		{Type: blockPKI, LabelNames: []string{"name"}},
		{Type: blockX509},
		{Type: blockTest, LabelNames: []string{"name"}},
	},
}

// LoadOptions are the inputs of Load besides the directory.
type LoadOptions struct {
	Vars     []string          // --var NAME=VALUE, in order
	VarFiles []string          // --var-file paths, in order
	Env      map[string]string // CBACTL_VAR_* environment entries (see EnvVars)
	// Now is the time certificate validity is judged against.
	Now time.Time
	// TenantKnown, when set, is called as soon as the tenant block is
	// decoded (with the defaults when there is none: before the files are
	// even parsed when none of them can hold one), before the rest of the
	// configuration, so that the caller can start reading the tenant while
	// the configuration loads. It is not called when the tenant block is in
	// error.
	TenantKnown func(cloud model.Cloud, tenantID string)
}

// Config is a loaded configuration.
type Config struct {
	Dir     string
	Desired model.State
	Tests   []model.Test
	// Sources locates every decoded object and attribute in the files.
	Sources SourceMap

	// files are the configuration's files, by name, with only the bytes
	// diagnostics show: decoding lets each syntax tree go when done with
	// it (a large configuration's trees weigh more than the state decoded
	// from them). parser holds the variable files (--var-file) while
	// loading, until keepSources.
	files  map[string]*hcl.File
	parser *hclparse.Parser
	facts  *certFacts
}

// Files returns the files by name, for diagnostic snippets. It is safe to
// call on a Config returned with errors.
func (c *Config) Files() map[string]*hcl.File {
	switch {
	case c == nil:
		return nil
	case c.parser == nil:
		return c.files
	}
	all := maps.Clone(c.files)
	for name, f := range c.parser.Files() {
		if _, ok := all[name]; !ok {
			all[name] = f
		}
	}
	return all
}

// keepSources keeps only the bytes of the variable files once loading is
// done, as of the configuration's files.
func (c *Config) keepSources() {
	for name, f := range c.parser.Files() {
		if _, ok := c.files[name]; !ok {
			c.files[name] = &hcl.File{Bytes: f.Bytes}
		}
	}
	c.parser = nil
}

// Load reads every *.hcl file in dir, evaluates variables and locals, decodes
// the blocks into the desired state and runs every offline check. It always
// returns a non-nil Config (so diagnostics can show source snippets); the
// Config is usable only when the diagnostics hold no error.
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	cfg := newConfig(dir)
	paths, err := hclFiles(dir)
	if err != nil {
		return cfg, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   err.Error(),
		}}
	}
	if len(paths) == 0 {
		return cfg, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("The directory %s contains no *.hcl files.", dir),
		}}
	}

	// Configuration files are read through an os.Root on the directory,
	// as the file functions read theirs: a *.hcl symbolic link leading
	// out of it (to /proc/self/environ, say, in a pull request) is never
	// read, so no diagnostic can quote what it points to.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return cfg, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   err.Error(),
		}}
	}
	defer root.Close()
	sources := make([]source, 0, len(paths))
	for _, p := range paths {
		src, diags := readConfigFile(root, dir, p)
		if diags.HasErrors() {
			return cfg, diags
		}
		sources = append(sources, source{name: p, src: src})
	}
	diags := cfg.load(sources, opts)
	cfg.keepSources()
	redactDiagnostics(diags)
	return cfg, diags
}

// readConfigFile reads the configuration file path (in dir) through root:
// a regular file inside the directory, once symbolic links are resolved, of
// at most MaxSourceBytes.
func readConfigFile(root *os.Root, dir, path string) ([]byte, hcl.Diagnostics) {
	fail := func(summary, detail string) ([]byte, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail}}
	}
	name := filepath.Base(path)
	// Stat first: opening a FIFO would wait for a writer.
	info, err := root.Stat(name)
	if err == nil && !info.Mode().IsRegular() {
		return fail("Cannot read configuration file", fmt.Sprintf("%s is not a regular file.", path))
	}
	f, err := root.Open(name)
	if err != nil {
		if info, lerr := os.Lstat(path); lerr == nil && info.Mode()&fs.ModeSymlink != 0 && !errors.Is(err, fs.ErrNotExist) {
			return fail("Configuration file outside the configuration directory",
				fmt.Sprintf("%s is a symbolic link to a file outside the configuration directory %s; cbactl reads configuration files only inside it (symbolic links are resolved first).", path, dir))
		}
		return fail("Cannot read configuration file", err.Error())
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return fail("Cannot read configuration file", err.Error())
	}
	if !info.Mode().IsRegular() {
		return fail("Cannot read configuration file", fmt.Sprintf("%s is not a regular file.", path))
	}
	return readLimited(f, path)
}

// readSource reads a configuration or variable file of at most
// MaxSourceBytes: a larger one is refused without being read whole.
func readSource(path string) ([]byte, hcl.Diagnostics) {
	f, err := os.Open(path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()}}
	}
	defer f.Close()
	return readLimited(f, path)
}

// readLimited reads f (path) whole when it holds at most MaxSourceBytes.
func readLimited(f *os.File, path string) ([]byte, hcl.Diagnostics) {
	var size int64
	if info, err := f.Stat(); err == nil {
		size = info.Size()
	}
	src, err := readfile.Sized(f, size, MaxSourceBytes)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()}}
	}
	if len(src) > MaxSourceBytes {
		return nil, CheckLimits(src, path)
	}
	return src, nil
}

func newConfig(dir string) *Config {
	return &Config{Dir: dir, files: map[string]*hcl.File{}, parser: hclparse.NewParser(), Sources: SourceMap{}, facts: newCertFacts()}
}

// source is one configuration file's name and contents.
type source struct {
	name string
	src  []byte
}

// load decodes and checks the configuration files in sources.
func (cfg *Config) load(sources []source, opts LoadOptions) hcl.Diagnostics {
	dir := cfg.Dir
	var diags, rootDiags hcl.Diagnostics
	opts.TenantKnown = tenantKnownEarly(sources, opts.TenantKnown)
	var blocks hcl.Blocks
	// Files are parsed concurrently: a large trust store split over files
	// loads faster.
	type parsed struct {
		file  *hcl.File
		diags hcl.Diagnostics
	}
	results := make([]parsed, len(sources))
	var wg sync.WaitGroup
	for i, s := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				// A panic in a goroutine would end the process with exit
				// status 2: report it as an error of the file instead.
				if r := recover(); r != nil {
					results[i] = parsed{&hcl.File{Bytes: s.src}, hcl.Diagnostics{{
						Severity: hcl.DiagError,
						Summary:  "Internal error",
						Detail:   fmt.Sprintf("cbactl failed parsing %s: %v. This is a bug in cbactl; please report it.", s.name, r),
					}}}
				}
			}()
			d, items := checkLimits(s.src, s.name)
			if d.HasErrors() {
				// Not parsed; kept for the diagnostic's snippet.
				results[i] = parsed{&hcl.File{Bytes: s.src}, d}
				return
			}
			f, d := parseConfig(s.src, s.name, items)
			results[i] = parsed{f, d}
		}()
	}
	wg.Wait()
	collectParserGarbage(sources)
	for i, s := range sources {
		f, fDiags := results[i].file, results[i].diags
		if f != nil {
			// Diagnostics need only the bytes; the syntax tree goes on in
			// blocks, and decoding lets it go (see decodeRoot).
			cfg.files[s.name] = &hcl.File{Bytes: f.Bytes}
		}
		diags = append(diags, fDiags...)
		if f == nil || fDiags.HasErrors() {
			continue
		}
		content, cDiags := f.Body.Content(rootSchema)
		rootDiags = append(rootDiags, cDiags...)
		blocks = append(blocks, content.Blocks...)
	}
	if diags.HasErrors() {
		// A file that does not parse leaves too much unknown to go on.
		return diags
	}
	diags = append(diags, rootDiags...)
	if opts.TenantKnown != nil && len(blocks.OfType(blockTenant)) == 0 {
		opts.TenantKnown(model.CloudGlobal, "")
		opts.TenantKnown = nil
	}

	d := &decoder{sources: cfg.Sources, dir: dir, now: opts.Now, files: newFileReader(dir), facts: cfg.facts}
	d.parsed = prefetch(blocks, d.files, d.facts)
	defer func() {
		d.parsed.stop()
		d.files.close()
	}()

	// Variables first: everything else may refer to them.
	vars := map[string]*variable{}
	for _, b := range blocks.OfType(blockVariable) {
		v, vDiags := decodeVariable(b)
		diags = append(diags, vDiags...)
		if prev, ok := vars[v.name]; ok {
			diags = append(diags, duplicate("variable", v.name, b.LabelRanges[0], prev.declRange))
			continue
		}
		vars[v.name] = v
	}
	values, vDiags := resolveVariables(vars, opts, dir, cfg.parser)
	diags = append(diags, vDiags...)
	for name, v := range vars {
		if _, ok := values[name]; !ok {
			values[name] = cty.UnknownVal(v.typ) // reported above; keeps later errors meaningful
		}
	}

	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(values)},
		Functions: d.files.functions(),
	}
	diags = append(diags, checkValidations(vars, ctx)...)

	locals, lDiags := evalLocals(blocks.OfType(blockLocals), ctx)
	diags = append(diags, lDiags...)
	ctx.Variables["local"] = cty.ObjectVal(locals)
	d.ctx = ctx

	cfg.Desired, cfg.Tests = d.decodeRoot(blocks, opts.TenantKnown)
	diags = append(diags, d.diags...)
	if !diags.HasErrors() {
		diags = append(diags, validate(cfg, d.certs, opts.Now)...)
	}
	return diags
}

// collectParserGarbage collects garbage once the files are parsed, when
// their sources add up to more than parserGarbageBytes. hclsyntax lexes
// each unit into a slice of tokens that is garbage as soon as the unit is
// parsed: a trust store of thousands of CAs leaves some 40 MB of it, and
// only its syntax trees (a third as much) live. Collected now, at the cost
// of marking those trees, the memory serves everything loading allocates
// next (certificates, the decoded state, the tenant read beside it);
// otherwise the heap grows by as much again in pages fresh from the
// kernel, each a page fault, and the collector runs later, at the memory
// limit, over more. (For issue 11 this saved ~35 ms of CPU and 10 MB of
// peak memory in validating 5,000 CAs.)
func collectParserGarbage(sources []source) {
	n := 0
	for _, s := range sources {
		n += len(s.src)
	}
	if n > parserGarbageBytes {
		runtime.GC()
	}
}

// parserGarbageBytes is the configuration size above which parsing leaves
// enough garbage to collect at once: 64 KB of HCL, ~450 CAs, leave ~4 MB.
const parserGarbageBytes = 64 << 10

// evalLocals evaluates the attributes of every locals block in dependency
// order.
func evalLocals(blocks hcl.Blocks, ctx *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	pending := map[string]*hcl.Attribute{}
	for _, b := range blocks {
		attrs, aDiags := b.Body.JustAttributes()
		diags = append(diags, aDiags...)
		for name, a := range attrs {
			if prev, ok := pending[name]; ok {
				diags = append(diags, duplicate("local value", name, a.NameRange, prev.NameRange))
				continue
			}
			pending[name] = a
		}
	}
	declared := map[string]bool{}
	for n := range pending {
		declared[n] = true
	}

	values := map[string]cty.Value{}
	for len(pending) > 0 {
		progress := false
		names := make([]string, 0, len(pending))
		for n := range pending {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			a := pending[name]
			ready := true
			for _, tr := range a.Expr.Variables() {
				if tr.RootName() != "local" || len(tr) < 2 {
					continue
				}
				step, ok := tr[1].(hcl.TraverseAttr)
				if !ok {
					continue
				}
				if !declared[step.Name] {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Reference to undeclared local value",
						Detail:   fmt.Sprintf("No local value named %q is declared.", step.Name),
						Subject:  tr.SourceRange().Ptr(),
					})
					values[step.Name] = cty.DynamicVal
					declared[step.Name] = true
					continue
				}
				if _, done := values[step.Name]; !done {
					ready = false
				}
			}
			if !ready {
				continue
			}
			scope := ctx.NewChild()
			scope.Variables = map[string]cty.Value{"local": localsFor(a.Expr, values)}
			v, vDiags := a.Expr.Value(scope)
			diags = append(diags, vDiags...)
			if vDiags.HasErrors() {
				v = cty.DynamicVal
			}
			values[name] = v
			delete(pending, name)
			progress = true
		}
		if !progress {
			names := make([]string, 0, len(pending))
			for n := range pending {
				names = append(names, n)
			}
			sort.Strings(names)
			a := pending[names[0]]
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cycle in local values",
				Detail:   fmt.Sprintf("The local values %v refer to each other, so none of them can be evaluated.", names),
				Subject:  a.NameRange.Ptr(),
			})
			for _, n := range names {
				values[n] = cty.DynamicVal
			}
			break
		}
	}
	return values, diags
}

// localsFor is the local object an expression sees: only the local values
// it refers to, so that evaluating n locals costs O(n), not O(n²) (building
// the object of every local value for each of them). An expression that
// uses local as a whole gets every value.
func localsFor(expr hcl.Expression, values map[string]cty.Value) cty.Value {
	refs := map[string]cty.Value{}
	for _, tr := range expr.Variables() {
		if tr.RootName() != "local" {
			continue
		}
		var step hcl.TraverseAttr
		ok := len(tr) >= 2
		if ok {
			step, ok = tr[1].(hcl.TraverseAttr)
		}
		if !ok {
			return cty.ObjectVal(values)
		}
		if v, ok := values[step.Name]; ok {
			refs[step.Name] = v
		}
	}
	return cty.ObjectVal(refs)
}

func duplicate(kind, name string, rng, prev hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s %q", kind, name),
		Detail:   fmt.Sprintf("A %s named %q was already declared at %s. Names must be unique.", kind, name, Pos(prev)),
		Subject:  rng.Ptr(),
	}
}
