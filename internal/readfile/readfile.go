// Package readfile reads a whole file into memory in one allocation of the
// size its Stat gave, under a limit.
package readfile

import "io"

// Sized reads r to its end, or to limit+1 bytes, whichever comes first: a
// result longer than limit tells the caller that the file is over it.
//
// size is what Stat says the file holds. The buffer is made one byte
// larger (within limit+1), so that a file that did not change is read in
// one read, which stops short of that byte: having what Stat announced,
// Sized asks no more (a trust store reads thousands of certificate files;
// a second read to see the end would double the system calls). A file
// that shrank since is read to its end; one that grew, which fills the
// byte, is read on to its end or the limit.
func Sized(r io.Reader, size, limit int64) ([]byte, error) {
	size = min(max(size, 0), limit+1)
	if size > limit {
		buf := make([]byte, size)
		n, err := io.ReadFull(r, buf)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = nil // it shrank
		}
		return buf[:n], err
	}
	// At least one byte is asked for: a file whose Stat says 0 bytes
	// (/proc's) may hold more.
	buf := make([]byte, size+1)
	n, err := io.ReadAtLeast(r, buf, int(max(size, 1)))
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], nil // it shrank
	case err != nil:
		return nil, err
	case int64(n) <= size:
		return buf[:n], nil
	}
	// It grew: read on, to limit+1 bytes in all.
	rest, err := io.ReadAll(io.LimitReader(r, limit+1-int64(n)))
	if err != nil {
		return nil, err
	}
	return append(buf[:n], rest...), nil
}
