//go:build unix

package config

import (
	"os"
	"syscall"
)

// readFlags open a configuration file for reading. With O_NONBLOCK, opening
// a FIFO does not wait for a writer (the reader then refuses anything but a
// regular file), and the Go runtime need not switch each descriptor to
// non-blocking mode and back (four fcntl calls per file, for thousands of
// certificate files); reads of a regular file ignore it. O_NOCTTY: a
// terminal never becomes cbactl's.
const readFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// dirFlags open a directory that files are read from: O_DIRECTORY refuses
// anything else, a FIFO or a device swapped in for it included, without
// opening it.
const dirFlags = readFlags | syscall.O_DIRECTORY
