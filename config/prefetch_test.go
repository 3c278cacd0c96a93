package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// TestTenantKnown pins when Load says which tenant to read: at once when no
// file can hold a tenant block (even if the files then fail to parse),
// after parsing when "tenant" is only a word in a comment, and with the
// tenant block's values when there is one.
func TestTenantKnown(t *testing.T) {
	type call struct {
		Cloud    model.Cloud
		TenantID string
	}
	tests := map[string]struct {
		src  string
		want []call
	}{
		"no tenant block, syntax error": {
			src:  "pki \"p\" {\n",
			want: []call{{model.CloudGlobal, ""}},
		},
		"the word in a comment": {
			src:  "# the tenant comes from AZURE_TENANT_ID\nx509_certificate {\n  state = \"enabled\"\n}\n",
			want: []call{{model.CloudGlobal, ""}},
		},
		"the word in a comment, syntax error": {
			src:  "# the tenant comes from AZURE_TENANT_ID\npki \"p\" {\n",
			want: nil,
		},
		"tenant block": {
			src:  "variable \"t\" {\n  default = \"00000000-0000-0000-0000-000000000001\"\n}\ntenant {\n  id    = var.t\n  cloud = \"usgov\"\n}\n",
			want: []call{{model.CloudUSGov, "00000000-0000-0000-0000-000000000001"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			var got []call
			Load(dir, LoadOptions{TenantKnown: func(c model.Cloud, id string) { got = append(got, call{c, id}) }})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("TenantKnown calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrefetchOrder checks that every CA gets its own certificate whatever
// mix of prefetched (literal path) and evaluated certificates declares them.
func TestPrefetchOrder(t *testing.T) {
	dir := t.TempDir()
	root := pkitest.NewRoot(pkitest.WithCN("Order Root"))
	var cas []*pkitest.CA
	for range 6 {
		cas = append(cas, root.NewIntermediate())
	}
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "certs", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("root.pem", root.PEM())
	for i, c := range cas {
		write("ca"+string(rune('0'+i))+".pem", c.PEM())
	}
	write("ca5.cer", cas[5].DER)
	src := `locals {
  dir = "certs"
}
pki "p" {
  certificate_authority "ca1" {
    certificate = file("${local.dir}/ca1.pem")
    crl_url     = "http://crl.example.com/1.crl"
  }
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "ca0" {
    certificate = file("certs/ca0.pem")
    crl_url     = "http://crl.example.com/0.crl"
  }
  certificate_authority "ca2" {
    certificate = trimspace(file("certs/ca2.pem"))
    crl_url     = "http://crl.example.com/2.crl"
  }
  certificate_authority "ca3" {
    certificate = file("certs/ca3.pem")
    crl_url     = "http://crl.example.com/3.crl"
  }
  certificate_authority "ca4" {
    certificate = file("certs/missing.pem")
    crl_url     = "http://crl.example.com/4.crl"
  }
  certificate_authority "ca5" {
    certificate = filebase64("certs/ca5.cer")
    crl_url     = "http://crl.example.com/5.crl"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{Now: time.Now()})
	// ca4's file is missing: that is the one error.
	if len(diags.Errs()) != 1 {
		t.Fatalf("want one error (the missing file), got %v", diags)
	}
	got := map[string][]byte{}
	for _, ca := range cfg.Desired.PKIs[0].CAs {
		got[ca.Name] = ca.Certificate
	}
	want := map[string][]byte{"root": root.DER, "ca0": cas[0].DER, "ca1": cas[1].DER, "ca2": cas[2].DER, "ca3": cas[3].DER, "ca5": cas[5].DER}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("certificates by CA (-want +got):\n%s", diff)
	}
}

// Load returns only once prefetch reads no more: when decoding does not ask
// for every certificate (here, CAs named twice are not decoded), the files
// left are not read after Load has returned, and no directory is left open.
func TestLoadLeavesNothingOpen(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	dir := t.TempDir()
	root := pkitest.NewRoot(pkitest.WithCN("Open Root"))
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	src.WriteString("pki \"p\" {\n")
	for i := range 3000 {
		name := fmt.Sprintf("ca%04d.pem", i)
		if err := os.WriteFile(filepath.Join(dir, "certs", name), root.PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&src, "  certificate_authority \"same\" {\n    certificate = file(\"certs/%s\")\n  }\n", name)
	}
	src.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The descriptors open on the configuration directory or below it.
	fds := func() (open []string) {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
			if err == nil && (target == real || strings.HasPrefix(target, real+string(filepath.Separator))) {
				open = append(open, target)
			}
		}
		return open
	}
	_, diags := Load(dir, LoadOptions{Now: time.Now()})
	if !diags.HasErrors() {
		t.Fatal("CAs named twice were accepted")
	}
	if open := fds(); len(open) > 0 {
		t.Errorf("open after Load: %v", open)
	}
}
