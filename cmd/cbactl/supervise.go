//go:build !windows

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// exitFDEnv tells a supervised cbactl that file descriptor 3 is where it
// writes its exit status before it exits.
const exitFDEnv = "CBACTL_EXIT_FD"

// runSupervised runs cbactl under a supervisor: the process the user started runs
// cbactl again as a child, and exits with the status the child reports.
// The Go runtime ends a process on a fatal error (a stack overflow, running
// out of memory) with exit status 2, which plan --detailed-exitcode means as
// "success, with changes": a nightly drift check would report drift instead
// of a failure. A child that ends without reporting its status has crashed,
// and the supervisor exits 1.
func runSupervised() int {
	if os.Getenv(exitFDEnv) != "" {
		code := Main(os.Args[1:], systemEnv())
		if f := os.NewFile(3, "exit-status"); f != nil {
			_, _ = f.Write([]byte{byte(code)})
			_ = f.Close()
		}
		return code
	}
	exe, err := os.Executable()
	if err != nil {
		return Main(os.Args[1:], systemEnv())
	}
	code, ok := supervise(exe, os.Args, os.Stderr)
	if !ok {
		return Main(os.Args[1:], systemEnv())
	}
	return code
}

// supervise runs exe with argv (argv[0] included) as a child that shares the
// standard streams, forwards termination signals to it, and returns the exit
// status it reports on file descriptor 3. ok is false when the child could
// not be started (the caller then runs unsupervised).
func supervise(exe string, argv []string, stderr io.Writer) (code int, ok bool) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, false
	}
	defer r.Close()
	cmd := exec.Command(exe, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w}
	cmd.Env = append(os.Environ(), exitFDEnv+"=3")

	// The child cancels its work on an interrupt; the supervisor only
	// passes signals on, and waits.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		w.Close()
		return 0, false
	}
	w.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()

	status := make(chan int, 1)
	go func() {
		var b [1]byte
		if n, _ := io.ReadFull(r, b[:]); n == 1 {
			status <- int(b[0])
			return
		}
		status <- -1
	}()
	waitErr := cmd.Wait()
	if code := <-status; code >= 0 {
		return code, true
	}
	if sig, ok := stoppedBy(cmd.ProcessState); ok {
		fmt.Fprintf(stderr, "Error: cbactl was stopped (%v) before it finished; what it printed above is all it did.\n", sig)
		return exitError, true
	}
	fmt.Fprintf(stderr, "Error: cbactl ended abnormally (%v) before it finished; what it printed above is all it did. This is a bug in cbactl: please report it.\n", waitErr)
	return exitError, true
}

// stoppedBy reports the signal that ended a child when it is one a user
// sends to stop a command (Ctrl-C, kill, a closed terminal): the child was
// stopped, it did not crash.
func stoppedBy(ps *os.ProcessState) (syscall.Signal, bool) {
	if ps == nil {
		return 0, false
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	switch sig := ws.Signal(); sig {
	case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
		return sig, true
	}
	return 0, false
}
