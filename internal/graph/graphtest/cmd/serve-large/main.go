// Command serve-large serves the tenant of cbactl's plan benchmarks (package
// benchtenant: 20 PKI containers × 250 CAs) from the fake Graph server, to
// measure the real binary (wall and CPU time, peak memory) from outside:
//
//	go run ./internal/graph/graphtest/cmd/serve-large -shape roots -latency 20ms &
//	# it prints CBACTL_GRAPH_URL, CBACTL_ACCESS_TOKEN and the configuration
//	# directories (DIR_MANY, DIR_ONE), then serves until interrupted
//	CBACTL_GRAPH_URL=… CBACTL_ACCESS_TOKEN=… /usr/bin/time -v cbactl plan --chdir DIR_ONE
//
// On SIGINT or SIGTERM (or after -for) it stops and removes the directories.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest/benchtenant"
)

// token is the fake server's bearer token: not a secret.
const token = "fake-token-7f3a9c"

func main() {
	shape := flag.String("shape", "tree", "trust store shape: tree (a root and 249 intermediates per PKI) or roots (5,000 self-signed roots)")
	latency := flag.Duration("latency", 20*time.Millisecond, "the fake Graph's latency per request")
	serveFor := flag.Duration("for", 0, "stop after this long (0: when interrupted)")
	flag.Parse()
	if err := run(*shape, *latency, *serveFor); err != nil {
		fmt.Fprintln(os.Stderr, "serve-large:", err)
		os.Exit(1)
	}
}

func run(shape string, latency, serveFor time.Duration) error {
	t, err := benchtenant.New(shape, token)
	if err != nil {
		return err
	}
	defer t.Close()
	t.Server.SetLatency(latency)
	fmt.Printf("CBACTL_GRAPH_URL=%s CBACTL_ACCESS_TOKEN=%s\n", t.Server.URL(), token)
	for _, layout := range benchtenant.Layouts {
		fmt.Printf("DIR_%s=%s\n", strings.ToUpper(layout), t.Dirs[layout])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if serveFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, serveFor)
		defer cancel()
	}
	<-ctx.Done()
	return nil
}
