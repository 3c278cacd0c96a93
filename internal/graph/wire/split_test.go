package wire

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var splitCases = []string{
	`{}`, ` { } `, `[]`, `[ ]`, `null`, `1`, `"a"`,
	`{"a":1,"b":"x\"}","c":{"d":[1,{"e":"]"}]},"f":null,"g":true,"h":-1.5e3}`,
	"{ \"a\" :\n[ 1 , 2 ] ,\"b\":{ }\t}\n",
	`{"a":1,"a":2}`, `{"\u0061":1}`, `{"a\\b":1}`, "{\"\xff\":1}",
	`[1,"two",{"three":3},[4],null,true]`, `[{"a":1} , {"b":[]} ]`,
}

// compareSplit: where Members or Elements split valid JSON, encoding/json
// reads the same members or elements.
func compareSplit(t *testing.T, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		return
	}
	if members, ok := AppendMembers(nil, data); ok {
		var want map[string]json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("Members splits it, encoding/json: %v", err)
		}
		got := map[string]json.RawMessage{}
		for _, m := range members {
			got[m.Name] = m.Value
		}
		if len(got) != len(members) {
			t.Errorf("a name twice: %v", members)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("members (-encoding/json +Members):\n%s", diff)
		}
	}
	if elems, ok := Elements(data); ok {
		var want []json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("Elements splits it, encoding/json: %v", err)
		}
		got := make([]json.RawMessage, len(elems))
		for i, e := range elems {
			got[i] = e
		}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b json.RawMessage) bool { return string(a) == string(b) })); diff != "" {
			t.Errorf("elements (-encoding/json +Elements):\n%s", diff)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, c := range splitCases {
		compareSplit(t, []byte(c))
	}
	if _, ok := AppendMembers(nil, []byte(`{"a":1,"a":2}`)); ok {
		t.Error("Members splits an object that names a member twice")
	}
	if _, ok := AppendMembers(nil, []byte(`{"\u0061":1}`)); ok {
		t.Error("Members splits an object with an escaped name")
	}
	if m, ok := AppendMembers(nil, []byte(splitCases[7])); !ok || len(m) != 6 || m[5].Name != "h" || string(m[2].Value) != `{"d":[1,{"e":"]"}]}` {
		t.Errorf("Members = %q, %v", m, ok)
	}
}

func FuzzSplit(f *testing.F) {
	for _, c := range splitCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, data string) { compareSplit(t, []byte(data)) })
}
