package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// aliases are property spellings Graph is documented to use besides the one
// a type declares: the docs write deltacertificateRevocationListUrl, the
// metadata deltaCertificateRevocationListUrl (graph-api.md §2.3). encoding/json
// matches keys case-insensitively, so both decode into the same field.
var aliases = map[string]bool{"deltacertificateRevocationListUrl": true}

// Decode decodes Graph JSON into v, a pointer to one of this package's types,
// and returns the properties present in data that v does not model, as paths
// below path (e.g. "x509Certificate.authenticationModeConfiguration.foo").
// OData annotations (@odata.type, includeTargets@odata.context, ...) are not
// reported. v is set to its zero value first: nothing the caller put in it
// is kept.
func Decode(data []byte, v any, path string) ([]string, error) {
	// Both paths decode into a zero value.
	reflect.ValueOf(v).Elem().SetZero()
	// Fast path: when every property name in data is, exactly, the name of
	// a field of v's type or of a type below it, a decode that rejects
	// unknown fields succeeds when everything is modelled, the common case.
	if decodeStrict(data, v) == nil {
		return nil, nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	return decodeLenient(data, v, path)
}

// decodeLenient is Decode's slow path, and what defines its result: decode
// with encoding/json, then find what is not modelled.
func decodeLenient(data []byte, v any, path string) ([]string, error) {
	if err := json.Unmarshal(data, v); err != nil {
		if path == "" { // a page: the caller names the request
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var unknown []string
	collectUnknown(data, reflect.TypeOf(v), path, &unknown)
	sort.Strings(unknown)
	return unknown, nil
}

// decodeStrict decodes data, one JSON value and nothing after it, into v, a
// pointer to a zero value (its slices may have room, but no elements),
// when Decode's slow path would find nothing cbactl does not model in it:
// every member name of every object that stands for a struct (the objects
// collectUnknown looks into) is, exactly and without escapes, the name of
// one of that struct's fields, and no object names a member twice. It
// reads data once (see decoder), where checking the names and then
// json.Unmarshal would read it three times (names, validity, decode), and
// decodes each value by encoding/json's rules, so the two paths give the
// same value. On error, v is partly written: the caller zeroes it.
func decodeStrict(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errNotExact
	}
	d := decoder{walker: walker{data: data}}
	if !d.value(rv.Elem(), decodeTypeOf(rv.Type().Elem()), 0) || d.err != nil {
		return errNotExact
	}
	if d.space(); d.i != len(data) {
		return errNotExact // data after the value
	}
	return nil
}

var errNotExact = errors.New("not decoded exactly")

// schema is what schema.exact checks of a JSON value: for a struct, its
// fields by JSON name (collectUnknown's, see jsonFields); for a slice, its
// elements. A nil *schema checks nothing: collectUnknown does not look
// into the value (a string, a number, []byte, a map, ...).
type schema struct {
	fields map[string]*schema // a struct's fields; nil for a slice
	elem   *schema            // a slice's elements
	list   bool
}

var schemas typeCache[*schema]

// schemaOf is the schema of values of type t, as collectUnknown walks it.
func schemaOf(t reflect.Type) *schema {
	return schemas.of(t, func(t reflect.Type) *schema {
		return buildSchema(t, map[reflect.Type]*schema{})
	})
}

// typeCache holds what is worked out once for each type.
type typeCache[T any] struct {
	m sync.Map // reflect.Type -> T
}

// of returns what build makes of t, made at the first call for t.
func (c *typeCache[T]) of(t reflect.Type, build func(reflect.Type) T) T {
	if v, ok := c.m.Load(t); ok {
		return v.(T)
	}
	v := build(t)
	c.m.Store(t, v)
	return v
}

func buildSchema(t reflect.Type, building map[reflect.Type]*schema) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := building[t]; ok {
		return s // a recursive type
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &schema{fields: map[string]*schema{}}
		building[t] = s
		for name, ft := range jsonFields(t) {
			s.fields[name] = buildSchema(ft, building)
		}
		return s
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte is base64 text
		}
		s := &schema{list: true}
		building[t] = s
		s.elem = buildSchema(t.Elem(), building)
		return s
	}
	return nil
}

// jsonFields are the fields of struct type t by the JSON name their tag
// gives them: the names collectUnknown knows.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	return fields
}

// exact reports whether the JSON value at the start of data (after
// whitespace) is one in which collectUnknown would find nothing to report
// because every member name it would look at is exactly, and without
// escapes, a name of s. It is conservative: on anything else, escaped
// names and annotations included, and on text that is not JSON, it
// reports false, and its caller takes its slow path. lens, when not nil,
// receives the number of elements of each array member of the top-level
// object, by name (-1 for a member named twice).
func (s *schema) exact(data []byte, lens map[string]int) bool {
	w := walker{data: data}
	return w.value(s, lens) && w.err == nil
}

// walker reads JSON text for schema.exact.
type walker struct {
	data []byte
	i    int
	err  error
}

var errSyntax = errors.New("not JSON")

func (w *walker) space() {
	for w.i < len(w.data) {
		switch w.data[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// str reads a string at w.i (its opening quote) and returns its content
// as written, escapes and all.
func (w *walker) str() []byte {
	start := w.i + 1
	end := start
	for {
		q := bytes.IndexByte(w.data[end:], '"')
		if q < 0 {
			w.err = errSyntax
			return nil
		}
		end += q
		backslashes := 0
		for p := end - 1; p >= start && w.data[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			break
		}
		end++
	}
	w.i = end + 1
	return w.data[start:end]
}

// value reads one JSON value, checking it against s (see exact).
func (w *walker) value(s *schema, lens map[string]int) bool {
	w.space()
	if w.i >= len(w.data) {
		w.err = errSyntax
		return false
	}
	switch c := w.data[w.i]; {
	case c == '{' && s != nil && !s.list:
		w.i++
		w.space()
		if w.i < len(w.data) && w.data[w.i] == '}' {
			w.i++
			return true
		}
		for {
			w.space()
			if w.i >= len(w.data) || w.data[w.i] != '"' {
				w.err = errSyntax
				return false
			}
			key := w.str()
			if w.err != nil || bytes.IndexByte(key, '\\') >= 0 {
				return false
			}
			f, ok := s.fields[string(key)]
			if !ok {
				return false
			}
			w.space()
			if w.i >= len(w.data) || w.data[w.i] != ':' {
				w.err = errSyntax
				return false
			}
			w.i++
			if lens != nil && f != nil && f.list {
				w.space()
				n, ok := w.array(f)
				if !ok {
					return false
				}
				if _, dup := lens[string(key)]; dup {
					n = -1 // named twice: no single length
				}
				lens[string(key)] = n
			} else if !w.value(f, nil) {
				return false
			}
			w.space()
			if w.i >= len(w.data) {
				w.err = errSyntax
				return false
			}
			switch w.data[w.i] {
			case ',':
				w.i++
			case '}':
				w.i++
				return true
			default:
				w.err = errSyntax
				return false
			}
		}
	case c == '[' && s != nil && s.list:
		_, ok := w.array(s)
		return ok
	default:
		return w.skip()
	}
}

// array reads a value that schema s, a list, describes, and returns the
// number of its elements when it is an array.
func (w *walker) array(s *schema) (int, bool) {
	if w.i >= len(w.data) || w.data[w.i] != '[' {
		return 0, w.value(s, nil)
	}
	w.i++
	w.space()
	if w.i < len(w.data) && w.data[w.i] == ']' {
		w.i++
		return 0, true
	}
	for n := 1; ; n++ {
		if !w.value(s.elem, nil) {
			return 0, false
		}
		w.space()
		if w.i >= len(w.data) {
			w.err = errSyntax
			return 0, false
		}
		switch w.data[w.i] {
		case ',':
			w.i++
		case ']':
			w.i++
			return n, true
		default:
			w.err = errSyntax
			return 0, false
		}
	}
}

// skip reads a value without looking at its member names: collectUnknown
// does not look into it. It checks only as much syntax as it needs to find
// the value's end (what decodes the value checks the rest).
func (w *walker) skip() bool {
	depth := 0
	for w.i < len(w.data) {
		switch w.data[w.i] {
		case '"':
			if w.str(); w.err != nil {
				return false
			}
			if depth == 0 {
				return true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return true // the end of a number or literal
			}
			depth--
			if depth == 0 {
				w.i++
				return true
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return true // the end of a number or literal
			}
		}
		w.i++
	}
	if depth != 0 {
		w.err = errSyntax
		return false
	}
	return true
}

func collectUnknown(data []byte, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return
		}
		fields := jsonFields(t)
		for k, raw := range obj {
			ft, ok := fields[k]
			switch {
			case ok:
				collectUnknown(raw, ft, path+"."+k, out)
			case strings.Contains(k, "@odata.") || strings.HasPrefix(k, "@"):
			case aliases[k]:
			default:
				*out = append(*out, path+"."+k)
			}
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return // []byte is base64 text
		}
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return
		}
		for i, raw := range items {
			collectUnknown(raw, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// UnknownWarnings words the paths of properties cbactl does not model as
// warnings.
func UnknownWarnings(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, fmt.Sprintf("Graph returned %s, which cbactl does not model; it is left as it is", p))
	}
	return out
}

// Collection is a page of a Graph collection.
type Collection[T any] struct {
	Context  string `json:"@odata.context,omitempty"`
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink,omitempty"`
}

// DecodePage decodes one page of a collection response, reporting unknown
// properties of its items.
func DecodePage[T any](data []byte, path string) (Collection[T], []string, error) {
	var page Collection[T]
	// As Decode, with the items' slice made once at its final size: the
	// names check (a quick pass, without decoding) counts the items.
	lens := map[string]int{}
	if schemaOf(reflect.TypeOf(&page)).exact(data, lens) {
		if n, ok := lens["value"]; ok && n >= 0 {
			page.Value = make([]T, 0, n)
		}
		if decodeStrict(data, &page) == nil {
			return page, nil, nil
		}
		page = Collection[T]{}
	}
	unknown, err := decodeLenient(data, &page, path)
	for i, u := range unknown {
		unknown[i] = strings.Replace(u, path+".value", path, 1)
	}
	return page, unknown, err
}

// Marshal encodes v as Graph JSON, without HTML escaping.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
