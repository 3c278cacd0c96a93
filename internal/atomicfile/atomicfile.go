// Package atomicfile replaces files so that a reader never sees a partial
// one: cbactl rewrites configuration files (fmt) and tenant snapshots (apply
// --snapshot, export) with it.
//
// A path that is a symbolic link is written through: the link's target is
// replaced and the link stays, as an editor would do it. A link to nothing is
// refused, so that a write never silently turns a link into a plain file.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data through a temporary file in the same
// directory and a rename. An existing file keeps its permissions; a new one
// gets 0644.
func WriteFile(path string, data []byte) error {
	s, err := Stage(path, data)
	if err != nil {
		return err
	}
	return s.Commit()
}

// Staged is a file written next to its destination, not yet in place.
type Staged struct {
	tmp, dest string
}

// Stage writes data to a temporary file beside path (beside the target of
// path when path is a symbolic link), ready to replace it. Call Commit to put
// it in place, or Discard.
func Stage(path string, data []byte) (*Staged, error) {
	dest, err := Target(path)
	if err != nil {
		return nil, err
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(dest); err == nil {
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", path)
		}
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Staged, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	return &Staged{tmp: tmp.Name(), dest: dest}, nil
}

// Commit moves the staged file into place.
func (s *Staged) Commit() error {
	if err := os.Rename(s.tmp, s.dest); err != nil {
		os.Remove(s.tmp)
		return err
	}
	return nil
}

// Discard removes the staged file.
func (s *Staged) Discard() { os.Remove(s.tmp) }

// Target is the file a write to path replaces: path itself, or, when path
// is a symbolic link, the file it points to. A link whose target does not
// exist is an error.
func Target(path string) (string, error) {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, nil
	case err != nil:
		return "", err
	case info.Mode()&fs.ModeSymlink == 0:
		return path, nil
	}
	dest, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link to a file that does not exist; refusing to replace the link with a plain file", path)
	}
	return dest, nil
}
