package graphtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

// object parses the request body as a JSON object, with Graph's answers to
// an empty or malformed body.
func (c *call) object() (wire.Object, error) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil, badRequest("Empty Payload. JSON content expected.")
	}
	var o wire.Object
	if err := json.Unmarshal(c.body, &o); err != nil || o == nil {
		return nil, badRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	return o, nil
}

// generic is the body as plain Go values, numbers kept as json.Number.
func (c *call) generic() (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.UseNumber()
	var o map[string]any
	if err := dec.Decode(&o); err != nil {
		return nil, badRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	return o, nil
}

// isAnnotation reports whether a property name is an OData annotation
// ("@odata.type", "includeTargets@odata.context", ...).
func isAnnotation(k string) bool { return strings.Contains(k, "@") }

// withoutAnnotations returns o without its annotations, keeping those in
// keep.
func withoutAnnotations(o wire.Object, keep ...string) wire.Object {
	out := wire.Object{}
	for k, v := range o {
		if !isAnnotation(k) || slices.Contains(keep, k) {
			out[k] = v
		}
	}
	return out
}

// decodeTyped decodes the body into v (a wire type), as wire.Decode does,
// and answers 400 for a value of the wrong JSON type or a property v does
// not model. typeName is the Graph type, for messages.
func (c *call) decodeTyped(v any, typeName string) error {
	unknown, err := wire.Decode(c.body, v, typeName)
	if err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return badRequest("Cannot convert a JSON %s to the type of property '%s' of type 'microsoft.graph.%s'.", ute.Value, ute.Field, typeName)
		}
		return badRequest("Invalid request body for type 'microsoft.graph.%s': %s", typeName, strings.TrimPrefix(err.Error(), typeName+": "))
	}
	if len(unknown) > 0 {
		return unknownProperty(strings.TrimPrefix(unknown[0], typeName+"."), typeName)
	}
	return nil
}

func unknownProperty(prop, typeName string) error {
	return badRequest("The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", prop, typeName)
}

// --- validation of plain JSON values ---

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// present reports whether o has key with a non-null value.
func present(o map[string]any, key string) bool {
	v, ok := o[key]
	return ok && v != nil
}

// requireProps answers 400 unless o has every key, not null and, for
// strings, not empty.
func requireProps(o map[string]any, path string, keys ...string) error {
	for _, k := range keys {
		if s, isString := o[k].(string); !present(o, k) || (isString && s == "") {
			return badRequest("The property '%s' is required and must have a value.", join(path, k))
		}
	}
	return nil
}

// checkEnum answers 400 when o[key] is set to a value Graph does not define
// for the enumeration kind (see wire.Known).
func checkEnum(o map[string]any, path, key, kind string) error {
	if !present(o, key) {
		return nil
	}
	if s, ok := o[key].(string); !ok || !wire.Known(kind, s) {
		return badRequest("The value '%v' of property '%s' is not a valid member of its enumeration.", o[key], join(path, key))
	}
	return nil
}

// objectAt returns o[key] as an object (nil when absent or null).
func objectAt(o map[string]any, path, key string) (map[string]any, error) {
	if !present(o, key) {
		return nil, nil
	}
	m, ok := o[key].(map[string]any)
	if !ok {
		return nil, badRequest("The property '%s' must be an object.", join(path, key))
	}
	return m, nil
}

// objectsAt returns o[key] as a collection of objects (nil when absent or
// null).
func objectsAt(o map[string]any, path, key string) ([]map[string]any, error) {
	if !present(o, key) {
		return nil, nil
	}
	arr, ok := o[key].([]any)
	if !ok {
		return nil, badRequest("The property '%s' must be a collection.", join(path, key))
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, badRequest("The element '%s[%d]' must be an object.", join(path, key), i)
		}
		out[i] = m
	}
	return out, nil
}

// checkString answers 400 unless o[key], when set, is a string of at most
// max characters.
func checkString(o map[string]any, path, key string, max int) error {
	if !present(o, key) {
		return nil
	}
	s, ok := o[key].(string)
	if !ok {
		return badRequest("The property '%s' must be a string.", join(path, key))
	}
	if max > 0 && len([]rune(s)) > max {
		return badRequest("The property '%s' is longer than %d characters.", join(path, key), max)
	}
	return nil
}
