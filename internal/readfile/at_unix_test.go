//go:build unix

package readfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO is refused at once: opening it does not wait for a writer.
func TestAtFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Skip(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := At(int(d.Fd()), "fifo", 1<<20); err == nil {
		t.Error("a FIFO was read")
	}
}
