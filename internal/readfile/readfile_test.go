package readfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// Sized reads what a file holds, whatever the size Stat gave: the same,
// less (the file shrank) or more (it grew), and at most limit+1 bytes.
// Reads that stop short are read on until they reach what Stat announced;
// a file (whose reads fill what they can) is read whole.
func TestSized(t *testing.T) {
	body := bytes.Repeat([]byte("-----BEGIN CERTIFICATE-----\n"), 40)
	filling := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(body) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(body)) },
	}
	short := map[string]func() io.Reader{
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
	}
	n := int64(len(body))
	for _, size := range []int64{-1, 0, 1, n - 1, n, n + 1, 4 * n} {
		for name, reader := range filling {
			got, err := Sized(reader(), size, 1<<20)
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("Stat size %d, %s reads: %d bytes, %v; want %d bytes", size, name, len(got), err, n)
			}
		}
		for name, reader := range short {
			got, err := Sized(reader(), size, 1<<20)
			if err != nil || !bytes.HasPrefix(body, got) || int64(len(got)) < min(max(size, 1), n) {
				t.Errorf("Stat size %d, %s reads: %d bytes, %v; want at least %d bytes of the file", size, name, len(got), err, min(max(size, 1), n))
			}
			if size >= n && !bytes.Equal(got, body) {
				t.Errorf("Stat size %d, %s reads: %d bytes; want %d bytes", size, name, len(got), n)
			}
		}
	}
	for _, limit := range []int64{0, 1, n - 1} {
		for _, size := range []int64{0, limit, n} {
			for name, reader := range filling {
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
	if _, err := Sized(io.MultiReader(bytes.NewReader(body), iotest.ErrReader(io.ErrClosedPipe)), n-1, 1<<20); err == nil {
		t.Error("a read error after the file grew past its announced size was not reported")
	}
	// What Stat announced, read in one read that stops short of the byte
	// beyond, is the file: Sized asks no more.
	if got, err := Sized(io.MultiReader(bytes.NewReader(body), iotest.ErrReader(io.ErrClosedPipe)), n, 1<<20); err != nil || !bytes.Equal(got, body) {
		t.Errorf("a file that read as announced: %d bytes, %v", len(got), err)
	}
}

// At reads a regular file of the directory whole, and refuses a symbolic
// link, a directory, a FIFO, a name that is not one element of a path and
// a file over the limit, so that its caller takes the path that decides.
func TestAt(t *testing.T) {
	dir := t.TempDir()
	body := bytes.Repeat([]byte("0123456789abcdef"), 300)
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", body)
	write("empty", nil)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	write("sub/in.pem", body)
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fd := int(d.Fd())
	if got, err := At(fd, "ca.pem", 1<<20); errors.Is(err, errors.ErrUnsupported) {
		t.Skip("no At on this platform")
	} else if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("ca.pem: %d bytes, %v; want %d bytes", len(got), err, len(body))
	}
	if got, err := At(fd, "empty", 1<<20); err != nil || len(got) != 0 {
		t.Errorf("empty: %q, %v", got, err)
	}
	if err := os.Symlink("ca.pem", filepath.Join(dir, "link.pem")); err == nil {
		if _, err := At(fd, "link.pem", 1<<20); err == nil {
			t.Error("a symbolic link was followed")
		}
	}
	for _, name := range []string{"", ".", "..", "sub", "sub/in.pem", "missing.pem"} {
		if _, err := At(fd, name, 1<<20); err == nil {
			t.Errorf("%q was read", name)
		}
	}
	if _, err := At(fd, "ca.pem", int64(len(body))-1); err == nil {
		t.Error("a file over the limit was read")
	}
	if got, err := At(fd, "ca.pem", int64(len(body))); err != nil || !bytes.Equal(got, body) {
		t.Errorf("a file of exactly the limit: %d bytes, %v", len(got), err)
	}
}
