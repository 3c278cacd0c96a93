//go:build !unix

package readfile

import "errors"

// CanReadAt is whether At reads files on this platform.
const CanReadAt = false

// At is the fast path of reading a file by the thousands; without it the
// caller takes its usual one.
func At(dirfd int, name string, limit int64) ([]byte, error) {
	return nil, errors.ErrUnsupported
}
