package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
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
	// Fast path, one pass: a decode that rejects unknown members and matches
	// names exactly succeeds when everything is modelled, the common case.
	if jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true)) == nil {
		return nil, nil
	}
	// Slow path: decode leniently, then find what is not modelled.
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var unknown []string
	collectUnknown(data, reflect.TypeOf(v), path, &unknown)
	sort.Strings(unknown)
	return unknown, nil
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
