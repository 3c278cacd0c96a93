package wire

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Object is a Graph JSON object whose properties are kept as they came, so
// that properties cbactl does not model survive every write.
type Object = map[string]json.RawMessage

// Raw encodes a value that cannot fail to encode.
func Raw(v any) json.RawMessage {
	b, err := Marshal(v)
	if err != nil {
		panic(err) // strings, bools and wire structs always encode
	}
	return b
}

// ToObject encodes a wire value as an Object.
func ToObject(v any) Object {
	var o Object
	if err := json.Unmarshal(Raw(v), &o); err != nil {
		panic(err)
	}
	return o
}

// DecodeObject is Decode of o as Raw writes it, without writing that text
// when it need not: when every property of o is, exactly, the name of a
// field of v's struct type (and what is below it, as Decode's fast path
// checks), each property decodes straight into its field. Otherwise (a
// property cbactl does not model, an alias, a value of the wrong type) it
// is Decode(Raw(o), v, path), so that unknown properties and errors are
// the same as ever.
func DecodeObject(o Object, v any, path string) ([]string, error) {
	if decodeFields(o, v) {
		return nil, nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	return Decode(Raw(o), v, path)
}

// decodeFields decodes o into *v, a struct, field by field; false when a
// property is not exactly a field's name or does not decode, as the fast
// path of Decode would refuse the whole object. The members of an Object
// are distinct, so each field is written at most once, as a decode of the
// whole object would write it.
func decodeFields(o Object, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	sv := rv.Elem()
	fields := objectFieldsOf(sv.Type())
	for k, raw := range o {
		f, ok := fields[k]
		if !ok {
			return false
		}
		if f.schema != nil && !f.schema.exact(raw, nil) {
			return false
		}
		if !decodeValue(raw, sv.Field(f.index)) {
			return false
		}
	}
	return true
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodeValue decodes one JSON value into fv, a zero field, as
// json.Unmarshal would; false when it does not decode. The values of
// Graph's objects are mostly null, true, false and strings without escapes
// (ids, names, URLs, base64): those it stores itself, without
// json.Unmarshal's state for each call; anything else is json.Unmarshal's.
func decodeValue(raw []byte, fv reflect.Value) bool {
	return decodeLeaf(raw, fv, leafOf(fv.Type()))
}

// leaf is what decodeValue needs to know of a field's type, worked out
// once for all the values of a type when there are many (see decoder).
type leaf struct {
	plain     bool // plain(t)
	ptrString bool // t is a pointer to a plain string type
	bytes     bool // t is a slice of bytes: base64 text
}

func leafOf(t reflect.Type) leaf {
	return leaf{
		plain:     plain(t),
		ptrString: t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.String && plain(t.Elem()),
		bytes:     t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8,
	}
}

// decodeLeaf is decodeValue of a field of a type described by l.
func decodeLeaf(raw []byte, fv reflect.Value, l leaf) bool {
	t := fv.Type()
	if l.plain {
		switch {
		case string(raw) == "null":
			return true // the field is zero already: null leaves it so
		case t.Kind() == reflect.Bool && (string(raw) == "true" || string(raw) == "false"):
			fv.SetBool(string(raw) == "true")
			return true
		case l.bytes:
			if b, ok := base64String(raw); ok {
				fv.SetBytes(b)
				return true
			}
		}
		if text, ok := plainString(raw); ok {
			switch {
			case t.Kind() == reflect.String:
				fv.SetString(string(text))
				return true
			case l.ptrString:
				p := reflect.New(t.Elem())
				p.Elem().SetString(string(text))
				fv.Set(p)
				return true
			}
		}
	}
	return json.Unmarshal(raw, fv.Addr().Interface()) == nil
}

// base64String decodes raw, a JSON string without escapes, as
// encoding/json decodes base64 text into []byte; false for any other text
// (escapes, text that is not base64), which json.Unmarshal decodes or
// refuses. It does not check the string (plainString) before it decodes
// it, which would read each certificate twice: text that decodes holds
// only the base64 alphabet, '=', and the '\r' and '\n' the decoder skips,
// all of them a JSON string's own text but raw '\r' and '\n', looked for
// after.
func base64String(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	text := raw[1 : len(raw)-1]
	b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(b, text)
	if err != nil || bytes.IndexByte(text, '\r') >= 0 || bytes.IndexByte(text, '\n') >= 0 {
		return nil, false
	}
	return b[:n], true
}

// plain reports whether encoding/json decodes into type t by its kind
// alone: t has no UnmarshalJSON or UnmarshalText.
func plain(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return !pt.Implements(jsonUnmarshaler) && !pt.Implements(textUnmarshaler)
}

// plainString is the content of a JSON string that is its own value: no
// escapes, no control characters, valid UTF-8.
func plainString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	text := raw[1 : len(raw)-1]
	for _, c := range text {
		if c == '\\' || c == '"' || c < 0x20 {
			return nil, false
		}
	}
	return text, utf8.Valid(text)
}

// objectField is a struct field by its JSON name, with what Decode's fast
// path checks of its value.
type objectField struct {
	index  int
	schema *schema
}

var objectFields typeCache[map[string]objectField]

func objectFieldsOf(t reflect.Type) map[string]objectField {
	return objectFields.of(t, buildObjectFields)
}

func buildObjectFields(t reflect.Type) map[string]objectField {
	fields := map[string]objectField{}
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if strings.Contains(opts, "string") {
			continue // decoded otherwise in a whole object: left to Decode
		}
		if name != "" && name != "-" {
			fields[name] = objectField{index: i, schema: schemaOf(t.Field(i).Type)}
		}
	}
	return fields
}
