// Package atomicfile replaces files so that a reader never sees a partial
// one: cbactl rewrites configuration files (fmt) and tenant snapshots (apply
// --snapshot, export) with it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces path with data through a temporary file in the same
// directory and a rename. An existing file keeps its permissions; a new one
// gets 0644.
func WriteFile(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
