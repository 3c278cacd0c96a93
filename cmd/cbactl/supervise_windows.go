package main

import "os"

// runSupervised runs cbactl in this process: Windows has no inherited file
// descriptor for the supervisor of the other systems to read the exit
// status from.
func runSupervised() int { return Main(os.Args[1:], systemEnv()) }
