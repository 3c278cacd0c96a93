package config

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/readfile"
)

// certificateType is the object type returned by certificate(path).
var certificateType = cty.Object(map[string]cty.Type{
	"subject":                  cty.String,
	"issuer":                   cty.String,
	"subject_key_identifier":   cty.String,
	"authority_key_identifier": cty.String,
	"thumbprint":               cty.String,
	"sha256":                   cty.String,
	"serial_number":            cty.String,
	"not_before":               cty.String,
	"not_after":                cty.String,
	"is_ca":                    cty.Bool,
	"self_signed":              cty.Bool,
})

// Functions returns the functions available in configuration expressions:
// the go-cty standard library under the names Terraform users know, try and
// can, and the file functions, whose relative paths resolve against baseDir.
func Functions(baseDir string) map[string]function.Function {
	return newFileReader(baseDir).functions()
}

func (files *fileReader) functions() map[string]function.Function {
	return map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"can":             tryfunc.CanFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          stdlib.FormatFunc,
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      stdlib.FormatListFunc,
		"indent":          stdlib.IndentFunc,
		"index":           stdlib.IndexFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      stdlib.JSONDecodeFunc,
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          lengthFunc,
		"log":             stdlib.LogFunc,
		"lookup":          stdlib.LookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"parseint":        stdlib.ParseIntFunc,
		"pow":             stdlib.PowFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"regex_replace":   stdlib.RegexReplaceFunc,
		"replace":         stdlib.ReplaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"signum":          stdlib.SignumFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"timeadd":         stdlib.TimeAddFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"try":             tryfunc.TryFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,

		"base64encode": base64EncodeFunc,
		"base64decode": base64DecodeFunc,
		"file":         files.fileFunc(),
		"filebase64":   files.filebase64Func(),
		"filesha256":   files.filesha256Func(),
		"certificate":  files.certificateFunc(),
	}
}

// maxFileSize bounds what the file functions read: certificates, PKCS#7
// bundles (Entra: 2 MB) and CRLs (Entra: 45 MB in the background).
const maxFileSize = 128 << 20

var pathParam = []function.Parameter{{Name: "path", Type: cty.String}}

// fileReader reads files for the file functions. It refuses any file that
// holds a private key, so that key material can never reach a value, a
// diagnostic or a plan. It remembers what it read: a configuration often
// reads a certificate twice (certificate() in a local, file() in a CA), and
// prefetch fills it from several goroutines before decoding.
type fileReader struct {
	baseDir string

	rootMu sync.Mutex
	root   *os.Root           // baseDir, opened at the first read; see openRoot
	dirs   map[string]openDir // directories files were read from; see readDirect
	// fdMu is held (read) while a descriptor of dirFDs is in use, so that
	// close never closes one under a read, whose number the next open
	// could then reuse for another directory.
	fdMu sync.RWMutex

	mu    sync.Mutex
	files map[string]*readResult // by path as written
	scans map[*byte]*pki.Scanned // see scan
}

type readResult struct {
	// data is never written once read: readText's string shares its
	// memory, and every reader (the file functions, prefetch, the
	// scanners and parsers) only reads it.
	data []byte
	err  error
}

func newFileReader(baseDir string) *fileReader {
	return &fileReader{baseDir: baseDir, files: map[string]*readResult{}}
}

// read returns path's contents, read once and shared by every caller: no
// one may write them (readText's string shares their memory).
func (r *fileReader) read(path string) ([]byte, error) {
	res := r.result(path)
	return res.data, res.err
}

// readText is read, as a string that shares data's memory (which no one
// writes): a trust store's certificate texts are kept once, not twice.
func (r *fileReader) readText(path string) (string, error) {
	res := r.result(path)
	if res.err != nil {
		return "", res.err
	}
	return unsafe.String(unsafe.SliceData(res.data), len(res.data)), nil
}

func (r *fileReader) result(path string) *readResult {
	r.mu.Lock()
	res, ok := r.files[path]
	r.mu.Unlock()
	if !ok {
		res = &readResult{}
		res.data, res.err = r.readFile(path)
		r.mu.Lock()
		if prev, ok := r.files[path]; ok {
			res = prev // read at the same time by another goroutine
		} else {
			r.files[path] = res
		}
		r.mu.Unlock()
	}
	return res
}

func (r *fileReader) readFile(path string) ([]byte, error) {
	rel, err := r.local(path)
	if err != nil {
		return nil, err
	}
	shown := filepath.Join(r.baseDir, rel)
	data, err := r.readDirect(rel)
	if err != nil {
		data, err = r.readOpened(path, rel, shown)
		if err != nil {
			return nil, err
		}
	}
	if r.scan(data).ContainsPrivateKey() {
		return nil, fmt.Errorf("%s contains a private key; cbactl never reads private keys: keep only the certificate in the file", shown)
	}
	return data, nil
}

// readOpened reads rel (path as written, shown in errors) through an
// *os.File opened by open, and says why it cannot.
func (r *fileReader) readOpened(path, rel, shown string) ([]byte, error) {
	f, err := r.open(rel)
	if err != nil {
		if _, cErr := r.confine(path); cErr != nil {
			return nil, cErr
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no file exists at %s", shown)
		}
		return nil, fmt.Errorf("read %s: %w", shown, err)
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", shown, err)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", shown)
	case info.Size() > maxFileSize:
		return nil, fmt.Errorf("%s is %d bytes; cbactl reads files of at most %d bytes", shown, info.Size(), maxFileSize)
	}
	data, err := readfile.Sized(f, info.Size(), maxFileSize)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", shown, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s is more than %d bytes; cbactl reads files of at most %d bytes", shown, maxFileSize, maxFileSize)
	}
	return data, nil
}

// readDirect reads rel, a path relative to the configuration directory,
// the fast way a trust store's thousands of certificate files need: each
// directory is opened once, through the configuration directory's
// os.Root (so it is inside it, whatever links lead there), and a file in
// it is read with readfile.At, which follows no symbolic link and reads
// only a regular file. Anything else (a link, a missing file, a directory
// beyond maxDirs, a platform without At) fails, and readOpened, which
// decides and explains, reads it. As with any os.Root, a directory moved
// while cbactl runs is followed where it goes.
func (r *fileReader) readDirect(rel string) ([]byte, error) {
	if !readfile.CanReadAt {
		return nil, errors.ErrUnsupported
	}
	dir, name := filepath.Split(rel)
	r.fdMu.RLock()
	defer r.fdMu.RUnlock()
	fd, err := r.openDir(dir)
	if err != nil {
		return nil, err
	}
	return readfile.At(fd, name, maxFileSize)
}

// open opens rel, a path relative to the configuration directory, for
// reading, through an os.Root: it never leads outside the directory, not
// even through a symbolic link swapped in at any time. When it refuses,
// confine (which resolves links itself) tells why. readFlags keep a FIFO
// from making the open wait for a writer; the caller reads only a regular
// file.
func (r *fileReader) open(rel string) (*os.File, error) {
	root, err := r.openRoot()
	if err != nil {
		return nil, err
	}
	return root.OpenFile(rel, readFlags, 0)
}

// openRoot returns baseDir as an os.Root, opened once and shared by every
// read (an os.Root is safe for concurrent use) until close.
func (r *fileReader) openRoot() (*os.Root, error) {
	r.rootMu.Lock()
	defer r.rootMu.Unlock()
	return r.openRootLocked()
}

func (r *fileReader) openRootLocked() (*os.Root, error) {
	if r.root == nil {
		root, err := os.OpenRoot(r.baseDir)
		if err != nil {
			return nil, err
		}
		r.root = root
	}
	return r.root, nil
}

// maxDirs bounds the directories a fileReader keeps open: a layout of one
// directory per CA (certs/NAME/ca.pem) must not run out of file
// descriptors.
const maxDirs = 32

var errTooManyDirs = errors.New("too many directories kept open")

// openDir is a directory open for readDirect, and its descriptor.
type openDir struct {
	f  *os.File
	fd int
}

// openDir returns the descriptor of dir ("" for baseDir itself), a
// directory inside baseDir opened through baseDir's os.Root, once, while
// fewer than maxDirs are open.
func (r *fileReader) openDir(dir string) (int, error) {
	if dir == "" {
		dir = "."
	}
	r.rootMu.Lock()
	defer r.rootMu.Unlock()
	if d, ok := r.dirs[dir]; ok {
		return d.fd, nil
	}
	if len(r.dirs) >= maxDirs {
		return 0, errTooManyDirs
	}
	root, err := r.openRootLocked()
	if err != nil {
		return 0, err
	}
	f, err := root.OpenFile(dir, dirFlags, 0)
	if err != nil {
		return 0, err
	}
	if r.dirs == nil {
		r.dirs = map[string]openDir{}
	}
	d := openDir{f: f, fd: int(f.Fd())}
	r.dirs[dir] = d
	return d.fd, nil
}

// close closes the directories that reads go through; a later read opens
// them again.
func (r *fileReader) close() {
	r.fdMu.Lock()
	defer r.fdMu.Unlock()
	r.rootMu.Lock()
	defer r.rootMu.Unlock()
	for _, d := range r.dirs {
		d.f.Close()
	}
	r.dirs = nil
	if r.root != nil {
		r.root.Close()
		r.root = nil
	}
}

// local turns path into a path relative to the configuration directory,
// and refuses a path that leaves it by its spelling: through "..", or as an
// absolute path elsewhere. Symbolic links are confine's.
func (r *fileReader) local(path string) (string, error) {
	rel := path
	if filepath.IsAbs(path) {
		base, err := filepath.Abs(r.baseDir)
		if err != nil {
			return "", err
		}
		if rel, err = filepath.Rel(base, path); err != nil {
			return r.outside(path)
		}
	}
	if !filepath.IsLocal(rel) {
		return r.outside(path)
	}
	return rel, nil
}

func (r *fileReader) outside(path string) (string, error) {
	return "", fmt.Errorf("%s is outside the configuration directory %s; the file functions read only files inside it (symbolic links are resolved first)", path, r.baseDir)
}

// confine turns path into a path relative to the configuration directory,
// and refuses a path that leaves it: through "..", as an absolute path
// elsewhere, or through a symbolic link, once links are resolved. A
// configuration under review (a pull request) must not be able to read a
// runner's secrets into a plan. readOpened asks it only when the os.Root it
// reads through refuses a path, to tell why.
func (r *fileReader) confine(path string) (string, error) {
	rel, err := r.local(path)
	if err != nil {
		return "", err
	}
	base, err := filepath.Abs(r.baseDir)
	if err != nil {
		return "", err
	}
	// Resolve symbolic links: the file, wherever its links lead, must be
	// inside the directory, wherever the directory's own links lead.
	realBase, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", r.baseDir, err)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(base, rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rel, nil // reported as missing when opened
	case err != nil:
		return "", fmt.Errorf("read %s: %w", filepath.Join(r.baseDir, rel), err)
	}
	if inside, err := filepath.Rel(realBase, real); err != nil || !filepath.IsLocal(inside) {
		return r.outside(path)
	}
	return rel, nil
}

// fileFunction builds a function of one path argument that reads the file
// (through read, so keys are refused) and turns its bytes into a value.
func (r *fileReader) fileFunction(description string, ty cty.Type, value func(path string, data []byte) (cty.Value, error)) function.Function {
	return function.New(&function.Spec{
		Description: description,
		Params:      pathParam,
		Type:        function.StaticReturnType(ty),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			path := args[0].AsString()
			data, err := r.read(path)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			v, err := value(path, data)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return v, nil
		},
	})
}

func (r *fileReader) fileFunc() function.Function {
	return r.fileFunction("Reads a UTF-8 text file relative to the configuration directory.", cty.String, r.text)
}

// text is file(path)'s value, of data, path's contents as read.
func (r *fileReader) text(path string, data []byte) (cty.Value, error) {
	if !utf8.Valid(data) {
		return cty.NilVal, fmt.Errorf("%s is not UTF-8 text; use filebase64 for binary files such as DER certificates", path)
	}
	text, err := r.readText(path) // data, as the string every reader of path shares
	return cty.StringVal(text), err
}

func (r *fileReader) filebase64Func() function.Function {
	return r.fileFunction("Reads a file and returns its contents base64-encoded.", cty.String,
		func(_ string, data []byte) (cty.Value, error) {
			return cty.StringVal(base64.StdEncoding.EncodeToString(data)), nil
		})
}

func (r *fileReader) filesha256Func() function.Function {
	return r.fileFunction("Returns the lower-case hex SHA-256 of a file.", cty.String,
		func(_ string, data []byte) (cty.Value, error) {
			sum := sha256.Sum256(data)
			return cty.StringVal(hex.EncodeToString(sum[:])), nil
		})
}

func (r *fileReader) certificateFunc() function.Function {
	return r.fileFunction("Parses the one certificate in a PEM or DER file and returns its identifiers.", certificateType,
		func(path string, data []byte) (cty.Value, error) {
			c, err := pki.ParseCertificate(data)
			if err != nil {
				return cty.NilVal, fmt.Errorf("%s: %s", path, err)
			}
			return certificateValue(pki.Summarize(c)), nil
		})
}

func certificateValue(s pki.Summary) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"subject":                  cty.StringVal(s.Subject),
		"issuer":                   cty.StringVal(s.Issuer),
		"subject_key_identifier":   cty.StringVal(s.SubjectKeyIdentifier),
		"authority_key_identifier": cty.StringVal(s.AuthorityKeyIdentifier),
		"thumbprint":               cty.StringVal(s.Thumbprint),
		"sha256":                   cty.StringVal(s.SHA256),
		"serial_number":            cty.StringVal(s.SerialNumber),
		"not_before":               cty.StringVal(s.NotBefore.UTC().Format(time.RFC3339)),
		"not_after":                cty.StringVal(s.NotAfter.UTC().Format(time.RFC3339)),
		"is_ca":                    cty.BoolVal(s.IsCA),
		"self_signed":              cty.BoolVal(s.SelfSigned),
	})
}

// lengthFunc is Terraform's length: the number of elements of a collection,
// or the number of characters of a string.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of elements of a collection or the number of characters of a string.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true, AllowMarked: true,
	}},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

var base64EncodeFunc = function.New(&function.Spec{
	Description: "Encodes a string with standard base64.",
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(args[0].AsString()))), nil
	},
})

var base64DecodeFunc = function.New(&function.Spec{
	Description: "Decodes a standard base64 string holding UTF-8 text.",
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "invalid base64: %s", err)
		}
		if !utf8.Valid(b) {
			return cty.NilVal, function.NewArgErrorf(0, "the decoded bytes are not UTF-8 text")
		}
		return cty.StringVal(string(b)), nil
	},
})
