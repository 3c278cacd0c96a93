package wire

import (
	"reflect"
	"strings"
)

// decoder is decodeStrict's one pass over JSON text. It walks the objects
// and arrays that stand for structs and slices (the values collectUnknown
// looks into) itself, the walker checking their syntax, and hands every
// other value, its text found by walker.skip, to decodeLeaf: null, true,
// false and strings without escapes it stores as encoding/json would;
// anything else (numbers, escapes, maps, ...) json.Unmarshal decodes, and
// checks, on its own. So every byte of data is checked as json.Unmarshal
// checks it, and each value is decoded by encoding/json's rules into a
// zero value, as in a decode of the whole text. What a decode of the whole
// text could decode otherwise it refuses (false), and Decode takes its
// slow path: a member named twice (encoding/json decodes the second into
// what the first left), a name that is not exactly, without escapes, a
// field's, a struct or slice that is not an object or array or null, or
// that encoding/json does not decode by its kind (UnmarshalJSON), nesting
// deeper than maxDepth.
type decoder struct {
	walker
}

// maxDepth bounds the objects and arrays the decoder walks inside each
// other. Graph's shapes nest a few levels; encoding/json refuses 10,000.
const maxDepth = 100

// decodeType is how the decoder decodes values of a type, worked out once
// for each type (decodeTypeOf).
type decodeType struct {
	walk   walkKind
	fields map[string]decodeField // walkStruct, walkPointer: the struct's fields
	elem   *decodeType            // walkSlice: the elements' type
	leaf   leaf                   // walkLeaf
}

type walkKind uint8

const (
	walkLeaf    walkKind = iota // decodeLeaf: collectUnknown does not look into it
	walkStruct                  // an object, or null
	walkPointer                 // a pointer to a struct: an object, or null
	walkSlice                   // an array, or null (not []byte: base64 text)
	walkNull                    // a type the decoder does not walk: refused, null included
)

// decodeField is a struct field by its JSON name.
type decodeField struct {
	index int
	typ   *decodeType
}

var decodeTypes typeCache[*decodeType]

func decodeTypeOf(t reflect.Type) *decodeType {
	return decodeTypes.of(t, func(t reflect.Type) *decodeType {
		return buildDecodeType(t, map[reflect.Type]*decodeType{})
	})
}

func buildDecodeType(t reflect.Type, building map[reflect.Type]*decodeType) *decodeType {
	if dt, ok := building[t]; ok {
		return dt // a recursive type
	}
	dt := &decodeType{}
	building[t] = dt
	switch {
	case schemaOf(t) == nil:
		dt.walk, dt.leaf = walkLeaf, leafOf(t)
	case !plain(t):
		dt.walk = walkNull
	case t.Kind() == reflect.Struct:
		dt.walk, dt.fields = walkStruct, structFields(t, building)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && plain(t.Elem()):
		dt.walk, dt.fields = walkPointer, structFields(t.Elem(), building)
	case t.Kind() == reflect.Slice:
		dt.walk, dt.elem = walkSlice, buildDecodeType(t.Elem(), building)
	default:
		dt.walk = walkNull // a pointer to a pointer, a pointer to a slice
	}
	return dt
}

// structFields are the fields of struct type t the decoder writes, by
// the JSON name their tag gives them (as jsonFields). Left out, so that a
// member of that name is refused: fields encoding/json decodes otherwise
// (",string") or not at all (unexported), and names two fields share.
func structFields(t reflect.Type, building map[reflect.Type]*decodeType) map[string]decodeField {
	fields := map[string]decodeField{}
	shared := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || strings.Contains(opts, "string") || !f.IsExported() {
			continue
		}
		if _, ok := fields[name]; ok {
			shared[name] = true
		}
		fields[name] = decodeField{index: i, typ: buildDecodeType(f.Type, building)}
	}
	for name := range shared {
		delete(fields, name)
	}
	return fields
}

// value decodes the JSON value at d.i (after whitespace) into v, a zero
// value of type dt. depth is the number of objects and arrays around it.
func (d *decoder) value(v reflect.Value, dt *decodeType, depth int) bool {
	d.space()
	if d.i >= len(d.data) || depth > maxDepth {
		return false
	}
	switch c := d.data[d.i]; {
	case c == '{' && dt.walk == walkStruct:
		return d.object(v, dt.fields, depth+1)
	case c == '{' && dt.walk == walkPointer:
		p := reflect.New(v.Type().Elem())
		v.Set(p)
		return d.object(p.Elem(), dt.fields, depth+1)
	case c == '[' && dt.walk == walkSlice:
		return d.array(v, dt.elem, depth+1)
	}
	start := d.i
	if !d.skip() || d.err != nil {
		return false
	}
	raw := d.data[start:d.i]
	if dt.walk != walkLeaf {
		// null leaves a struct, a pointer or a slice zero, as it is.
		return string(raw) == "null" && dt.walk != walkNull
	}
	return decodeLeaf(raw, v, dt.leaf)
}

// object decodes the object at d.i (its opening brace) into v, a zero
// struct whose fields are fields.
func (d *decoder) object(v reflect.Value, fields map[string]decodeField, depth int) bool {
	// The fields written, by index: a member named twice is refused.
	var seen [4]uint64
	if v.NumField() > len(seen)*64 {
		return false
	}
	if d.enter('}') {
		return true
	}
	for {
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return false
		}
		// The name as written, escapes and all: it is a field's name only
		// when written without escapes.
		name := d.str()
		if d.err != nil {
			return false
		}
		f, ok := fields[string(name)]
		if !ok || seen[f.index/64]&(1<<(f.index%64)) != 0 {
			return false
		}
		seen[f.index/64] |= 1 << (f.index % 64)
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return false
		}
		d.i++
		if !d.value(v.Field(f.index), f.typ, depth) {
			return false
		}
		if more, ok := d.next('}'); !ok || !more {
			return ok
		}
	}
}

// array decodes the array at d.i (its opening bracket) into v, a slice of
// length 0 whose elements are of type elem, appending its elements. An
// empty array is an empty slice, not nil, as encoding/json decodes it.
func (d *decoder) array(v reflect.Value, elem *decodeType, depth int) bool {
	if d.enter(']') {
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return true
	}
	for n := 0; ; n++ {
		if n == v.Cap() {
			v.Grow(1)
		}
		v.SetLen(n + 1)
		if !d.value(v.Index(n), elem, depth) {
			return false
		}
		if more, ok := d.next(']'); !ok || !more {
			return ok
		}
	}
}

// enter consumes the opening bracket at d.i and reports whether close
// follows it at once, and consumes that too.
func (d *decoder) enter(close byte) (empty bool) {
	d.i++
	d.space()
	if d.i < len(d.data) && d.data[d.i] == close {
		d.i++
		return true
	}
	return false
}
