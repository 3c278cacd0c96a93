// Package readfile reads a whole file into memory in one allocation of the
// size its Stat gave, under a limit.
package readfile

import "io"

// Sized reads r to its end, or to limit+1 bytes, whichever comes first: a
// result longer than limit tells the caller that the file is over it.
//
// size is what Stat says the file holds. The buffer is made that size
// (within 0 and limit+1), so that a file that did not change is read in
// one read and kept with no slack (a trust store keeps thousands of
// certificate files in memory); one that shrank or grew since is read all
// the same.
func Sized(r io.Reader, size, limit int64) ([]byte, error) {
	size = min(max(size, 0), limit+1)
	buf := make([]byte, size)
	n, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], nil // it shrank
	case err != nil:
		return nil, err
	case size > limit:
		return buf, nil
	}
	// Did it grow? One byte tells, without allocating for the answer no.
	var probe [1]byte
	for {
		n, err := r.Read(probe[:])
		if n > 0 {
			break
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	rest, err := io.ReadAll(io.LimitReader(r, limit-size))
	if err != nil {
		return nil, err
	}
	return append(append(buf, probe[0]), rest...), nil
}
