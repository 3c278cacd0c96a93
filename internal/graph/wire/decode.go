package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// reported.
func Decode(data []byte, v any, path string) ([]string, error) {
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
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var unknown []string
	collectUnknown(data, reflect.TypeOf(v), path, &unknown)
	sort.Strings(unknown)
	return unknown, nil
}

// decodeStrict decodes data, one JSON value and nothing after it, into v, a
// pointer, and fails on a property name that is not exactly the name of a
// field where it appears. encoding/json matches a name to a field without
// case when no field has the exact name, so decodeStrict first checks that
// every name in data is exactly one of the field names of v's type tree and
// that no two of those differ only in case: then every match is exact.
func decodeStrict(data []byte, v any) error {
	names := fieldNamesOf(reflect.TypeOf(v))
	if !names.distinct || !keysAmong(data, names.set) {
		return errNotExact
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errNotExact
	}
	return nil
}

var errNotExact = errors.New("not decoded exactly")

// fieldNames are the JSON names of the fields of a type and of the types
// below it (through pointers, slices and struct fields).
type fieldNames struct {
	set map[string]bool
	// distinct is false when two names differ only in case.
	distinct bool
}

var fieldNamesCache sync.Map // reflect.Type -> fieldNames

func fieldNamesOf(t reflect.Type) fieldNames {
	if n, ok := fieldNamesCache.Load(t); ok {
		return n.(fieldNames)
	}
	n := fieldNames{set: map[string]bool{}, distinct: true}
	addFieldNames(t, n.set, map[reflect.Type]bool{})
	folded := map[string]bool{}
	for name := range n.set {
		f := strings.ToLower(name)
		if folded[f] {
			n.distinct = false
		}
		folded[f] = true
	}
	fieldNamesCache.Store(t, n)
	return n
}

func addFieldNames(t reflect.Type, set map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		set[name] = true
		addFieldNames(f.Type, set, seen)
	}
}

// keysAmong reports whether every object member name in data, valid JSON,
// is in names and written without escapes. In JSON, a string followed by a
// colon is a member name.
func keysAmong(data []byte, names map[string]bool) bool {
	i := 0
	for {
		q := bytes.IndexByte(data[i:], '"')
		if q < 0 {
			return true
		}
		start := i + q + 1
		end := start
		for {
			q := bytes.IndexByte(data[end:], '"')
			if q < 0 {
				return false
			}
			end += q
			backslashes := 0
			for p := end - 1; p >= start && data[p] == '\\'; p-- {
				backslashes++
			}
			if backslashes%2 == 0 {
				break
			}
			end++
		}
		i = end + 1
		for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
			i++
		}
		if i < len(data) && data[i] == ':' {
			key := data[start:end]
			if bytes.IndexByte(key, '\\') >= 0 || !names[string(key)] {
				return false
			}
		}
	}
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
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
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
	unknown, err := Decode(data, &page, path)
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
