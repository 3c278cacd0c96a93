//go:build unix

package config

import (
	"os"
	"syscall"
)

// readFlags open a configuration file for reading. O_NONBLOCK spares the Go
// runtime switching each descriptor to non-blocking mode and back (four
// fcntl calls per file, for thousands of certificate files); reads of a
// regular file ignore it.
const readFlags = os.O_RDONLY | syscall.O_NONBLOCK
