package main

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cbactl/cbactl/config/configtest"
	"github.com/cbactl/cbactl/internal/graph/graphtest"
)

// fakeToken is the bearer token of the scripts' fake Graph server.
const fakeToken = "fake-token-7f3a9c"

type serverKey struct{}

// TestMain lets the test binary act as the cbactl binary inside scripts,
// supervised (a parent process and a child) exactly as main runs it.
func TestMain(m *testing.M) {
	testscript.Main(benchCleanup{m}, map[string]func(){
		"cbactl": func() { tuneGC(); os.Exit(runSupervised()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each runs the
// cbactl binary and checks its output and exit code. Set UPDATE_SCRIPTS=1 to
// rewrite the expected output of failing cmp commands.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") != "",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", root)
			e.Setenv("NO_COLOR", "")
			// Every script has its own fake Graph server; cbactl reaches it
			// through the contract's CBACTL_GRAPH_URL and CBACTL_ACCESS_TOKEN.
			srv := graphtest.New(graphtest.Options{Token: fakeToken, UploadPolls: 3})
			e.Defer(srv.Close)
			e.Values[serverKey{}] = srv
			e.Setenv("CBACTL_GRAPH_URL", srv.URL())
			e.Setenv("CBACTL_ACCESS_TOKEN", fakeToken)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fixture":       cmdFixture,
			"nokey":         cmdNoKey,
			"graph":         cmdGraph,
			"expiry":        cmdExpiry,
			"strengthcerts": cmdStrengthCerts,
			"replace":       cmdReplace,
			"repeat":        cmdRepeat,
			"usercerts":     cmdUserCerts,
			"jsonvalues":    cmdJSONValues,
			"linesin":       cmdLinesIn,
		},
	})
}

// fixture DIR NAME: copies config/testdata/diagnostics/NAME.hcl into DIR as
// main.hcl, beside the fixture certificates (DIR/certs/...).
func cmdFixture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fixture DIR NAME")
	}
	src := filepath.Join(ts.Getenv("REPO"), "config", "testdata", "diagnostics", args[1]+".hcl")
	ts.Check(configtest.Fixture(ts.MkAbs(args[0]), src, time.Now()))
}

// replace FILE OLD NEW: replaces every OLD in FILE with NEW (an edit of a
// saved plan, say); fails when FILE holds no OLD.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	data := ts.ReadFile(args[0])
	if !strings.Contains(data, args[1]) {
		ts.Fatalf("%s holds no %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.ReplaceAll(data, args[1], args[2])), 0o644))
}

// repeat FILE N TEXT: appends TEXT (with \n for a newline) N times to FILE,
// for inputs too large to spell out in a script.
func cmdRepeat(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: repeat FILE N TEXT")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	ts.Check(err)
	_, err = f.WriteString(strings.Repeat(strings.ReplaceAll(args[2], `\n`, "\n"), n))
	ts.Check(errors.Join(err, f.Close()))
}

// nokey KEYFILE: fails if any line of the base64 body of the private key in
// KEYFILE appears in the last command's stdout or stderr.
func cmdNoKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: nokey KEYFILE")
	}
	data := []byte(ts.ReadFile(args[0]))
	var keyLines []string
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			body := string(pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: b.Bytes}))
			for _, l := range strings.Split(body, "\n") {
				if len(l) >= 16 && !strings.HasPrefix(l, "-----") {
					keyLines = append(keyLines, l)
				}
			}
		}
	}
	if len(keyLines) == 0 {
		ts.Fatalf("%s holds no private key", args[0])
	}
	for _, stream := range []string{"stdout", "stderr"} {
		out := ts.ReadFile(stream)
		for _, l := range keyLines {
			if strings.Contains(out, l) || strings.Contains(out, l[:16]) {
				ts.Fatalf("%s contains private key material", stream)
			}
		}
	}
}

// run executes cbactl in-process and returns its exit code, stdout and
// stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &Env{
		In:  strings.NewReader(""),
		Out: &out, Err: &errOut,
		Environ: []string{},
		Now:     func() time.Time { return testNow },
	})
	return code, out.String(), errOut.String()
}

var testNow = time.Now().UTC().Truncate(time.Second)

// writeFiles writes name → contents below dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
