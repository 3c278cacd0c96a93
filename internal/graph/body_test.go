package graph

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadBody: readBody reads what io.ReadAll reads, and fails as it
// does, whatever the body's length, the length announced (right, too short,
// too long, unknown) and the way the reader hands the bytes out.
func TestReadBody(t *testing.T) {
	broken := errors.New("connection reset")
	for _, size := range []int{0, 1, 511, bodyChunk - 1, bodyChunk, bodyChunk + 1, 3*bodyChunk + 17} {
		body := make([]byte, size)
		for i := range body {
			body[i] = byte(i*7 + i/251)
		}
		for _, announced := range []int64{-1, int64(size), int64(size) - 1, int64(size) + 1, 0, maxAnnouncedBody + 1, 1 << 40} {
			readers := map[string]func() io.Reader{
				"whole":    func() io.Reader { return bytes.NewReader(body) },
				"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
				"halves":   func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
				"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(body)) },
			}
			for name, r := range readers {
				got, err := readBody(r(), announced)
				if err != nil {
					t.Fatalf("%d bytes, %d announced, %s: %v", size, announced, name, err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("%d bytes, %d announced, %s: read %d bytes, not the body", size, announced, name, len(got))
				}
			}
			r := io.MultiReader(bytes.NewReader(body), iotest.ErrReader(broken))
			if _, err := readBody(r, announced); !errors.Is(err, broken) {
				t.Fatalf("%d bytes, %d announced, then an error: got %v", size, announced, err)
			}
		}
	}
}
