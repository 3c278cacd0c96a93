package jsonout

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func TestWrite(t *testing.T) {
	for name, c := range map[string]struct {
		in   any
		want string
	}{
		"object indented":  {map[string]any{"a": 1, "b": []int{2}}, "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n"},
		"no HTML escaping": {map[string]string{"id": "X509:<PN>a&b"}, "{\n  \"id\": \"X509:<PN>a&b\"\n}\n"},
		"null":             {nil, "null\n"},
		"empty array":      {[]string{}, "[]\n"},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, c.in); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Errorf("got %q, want %q", b.String(), c.want)
			}
		})
	}
}

type countingWriter struct{ writes int }

func (w *countingWriter) Write(p []byte) (int, error) { w.writes++; return len(p), nil }

func TestWriteOnceOrNothing(t *testing.T) {
	w := &countingWriter{}
	if err := Write(w, []any{1, "two", map[string]int{"three": 3}}); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 {
		t.Errorf("%d writes, want 1", w.writes)
	}
	w = &countingWriter{}
	if err := Write(w, []any{1, math.Inf(1)}); err == nil {
		t.Error("an infinite number encoded")
	}
	if w.writes != 0 {
		t.Errorf("%d writes after an encoding error, want 0", w.writes)
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteError(t *testing.T) {
	if err := Write(failingWriter{}, 1); !errors.Is(err, errWrite) {
		t.Errorf("error %v, want %v", err, errWrite)
	}
}
