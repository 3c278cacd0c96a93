package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileKeepsModeAndLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v", info.Mode().Perm())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	entries, _ := os.ReadDir(dir)
	if string(got) != "two" || info.Mode().Perm() != 0o600 || len(entries) != 1 {
		t.Errorf("content %q, mode %v, %d entries", got, info.Mode().Perm(), len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestWriteFileWritesThroughSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "main.hcl")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.hcl")
	if err := os.Symlink(filepath.Join("real", "main.hcl"), link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", info, err)
	}
	got, _ := os.ReadFile(real)
	info, _ := os.Stat(real)
	if string(got) != "new" || info.Mode().Perm() != 0o600 {
		t.Errorf("target holds %q with mode %v", got, info.Mode().Perm())
	}

	dangling := filepath.Join(dir, "dangling.hcl")
	if err := os.Symlink("nowhere.hcl", dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(dangling, []byte("x")); err == nil {
		t.Error("writing through a dangling link succeeded")
	}
	if info, err := os.Lstat(dangling); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the dangling link was replaced")
	}
}

func TestStageDiscardLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Stage(path, []byte("new"))
	if err != nil {
		t.Fatal(err)
	}
	s.Discard()
	got, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if string(got) != "keep" || len(entries) != 1 {
		t.Errorf("content %q, %d entries", got, len(entries))
	}
}
