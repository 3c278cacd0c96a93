//go:build !unix

package config

import "os"

// readFlags open a configuration file for reading.
const readFlags = os.O_RDONLY

// dirFlags open a directory that files are read from.
const dirFlags = os.O_RDONLY
