//go:build unix

package readfile

import (
	"errors"
	"io"
	"strings"

	"golang.org/x/sys/unix"
)

// CanReadAt is whether At reads files on this platform.
const CanReadAt = true

// At reads name, a regular file in the directory open as dirfd, with
// Sized, under limit: four system calls (open, stat, read, close), with
// none of an *os.File's bookkeeping. It refuses what it cannot read
// plainly (a symbolic link, which it does not follow; anything but a
// regular file; a name that is not one element of a path; a file over
// limit) with an error that says only that: a caller that reads files by
// the thousands asks At first, and the slower path, which resolves links
// and explains refusals, for the rest.
func At(dirfd int, name string, limit int64) ([]byte, error) {
	if !plainName(name) {
		return nil, errNotPlain
	}
	fd, err := openAt(dirfd, name)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size > limit {
		return nil, errNotPlain
	}
	data, err := Sized(fdReader(fd), st.Size, limit)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errNotPlain
	}
	return data, nil
}

// openAt opens name for reading. O_NONBLOCK: opening a FIFO does not wait
// for a writer (reading a regular file ignores it); O_NOCTTY: a terminal
// never becomes cbactl's; O_NOFOLLOW: a symbolic link is refused (ELOOP).
func openAt(dirfd int, name string) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func fstat(fd int, st *unix.Stat_t) error {
	for {
		if err := unix.Fstat(fd, st); err != unix.EINTR {
			return err
		}
	}
}

// fdReader reads a file descriptor, as an io.Reader.
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

var errNotPlain = errors.New("not a plain regular file")

// plainName reports whether name is one element of a path that names an
// entry of a directory: not empty, "." or "..", and without a slash.
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.Contains(name, "/")
}
