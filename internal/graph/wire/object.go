package wire

import "encoding/json"

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
