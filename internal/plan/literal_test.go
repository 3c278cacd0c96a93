package plan

import (
	"encoding/json"
	"testing"
)

// TestLiteral: how a plan shows a JSON value.
func TestLiteral(t *testing.T) {
	for _, c := range []struct {
		in   json.RawMessage
		want string
	}{
		{nil, "null"},
		{json.RawMessage(`null`), "[]"},
		{json.RawMessage(`"x"`), `"x"`},
		{json.RawMessage(" \n\"x\""), `"x"`},
		{json.RawMessage(`"a\"b\u00e9"`), `"a\"bé"`},
		{json.RawMessage(`""`), `""`},
		{json.RawMessage(`["a","b"]`), `["a", "b"]`},
		{json.RawMessage(` ["a"]`), `["a"]`},
		{json.RawMessage(`[]`), `[]`},
		{json.RawMessage(`[1]`), `[1]`},
		{json.RawMessage(`true`), `true`},
		{json.RawMessage(`12`), `12`},
		{json.RawMessage(`{"a":1}`), `{"a":1}`},
		{json.RawMessage(`"unterminated`), `"unterminated`},
	} {
		if got := Literal(c.in); got != c.want {
			t.Errorf("Literal(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
