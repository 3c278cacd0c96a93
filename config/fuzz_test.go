package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cbactl/cbactl/config/configtest"
)

// FuzzLoad feeds arbitrary text to the loader as a configuration file beside
// the fixture certificates: it must never panic, and every diagnostic with a
// subject must point into a file the loader knows.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/diagnostics/*.hcl")
	seeds = append(seeds, "../examples/contoso/main.hcl")
	for _, s := range seeds {
		src, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(`x509_certificate { state = "enabled" } # trailing`))
	f.Add([]byte("pki \"p\" {\n  upload {\n    url = 1\n    file = [\"x\"]\n  }\n}\n"))
	f.Add([]byte(`locals { a = [for x in range(3) : x * local.a] }`))

	dir := f.TempDir()
	now := time.Now()
	if err := configtest.WriteCerts(dir, now); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg := newConfig(dir)
		diags := cfg.load([]source{{name: "fuzz.hcl", src: src}}, LoadOptions{Now: now})
		files := cfg.Files()
		for _, d := range diags {
			if d.Subject == nil {
				continue
			}
			if _, ok := files[d.Subject.Filename]; !ok && d.Subject.Filename != "fuzz.hcl" {
				t.Errorf("diagnostic %q points into unknown file %q", d.Summary, d.Subject.Filename)
			}
		}
	})
}
