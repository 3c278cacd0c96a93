package readfile

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// Sized reads what a file holds, whatever the size Stat gave: the same,
// less (the file shrank) or more (it grew), through any reader, and at
// most limit+1 bytes.
func TestSized(t *testing.T) {
	body := bytes.Repeat([]byte("-----BEGIN CERTIFICATE-----\n"), 40)
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(body) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(body)) },
	}
	n := int64(len(body))
	for _, size := range []int64{-1, 0, 1, n - 1, n, n + 1, 4 * n} {
		for name, reader := range readers {
			got, err := Sized(reader(), size, 1<<20)
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("Stat size %d, %s reads: %d bytes, %v; want %d bytes", size, name, len(got), err, n)
			}
		}
	}
	for _, limit := range []int64{0, 1, n - 1} {
		for _, size := range []int64{0, limit, n} {
			for name, reader := range readers {
				got, err := Sized(reader(), size, limit)
				if err != nil || !bytes.Equal(got, body[:limit+1]) {
					t.Errorf("limit %d, Stat size %d, %s reads: %d bytes, %v; want the first %d", limit, size, name, len(got), err, limit+1)
				}
			}
		}
	}
	if got, err := Sized(bytes.NewReader(body), n, n); err != nil || !bytes.Equal(got, body) {
		t.Errorf("a file of exactly the limit: %d bytes, %v", len(got), err)
	}
	if _, err := Sized(iotest.ErrReader(io.ErrClosedPipe), 10, 100); err == nil {
		t.Error("a read error was not reported")
	}
	if _, err := Sized(io.MultiReader(bytes.NewReader(body), iotest.ErrReader(io.ErrClosedPipe)), n, 1<<20); err == nil {
		t.Error("a read error after the announced size was not reported")
	}
}
