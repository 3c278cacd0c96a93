// Package benchtenant makes the tenant of cbactl's plan benchmarks: 20 PKI
// containers × 250 CAs (5,000 certificates), served by a fake Graph server,
// and configurations that declare exactly that tenant, so that a plan of
// either shows no changes. Shapes of trust store:
//
//   - tree: each PKI one self-signed root and 249 intermediates it issued;
//   - roots: 5,000 self-signed roots;
//
// layouts of the configuration: one .hcl file per PKI (many), or one file
// for everything (one). The benchmarks in cmd/cbactl and the serve-large
// program use it.
package benchtenant

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// The tenant's size.
const (
	PKIs = 20
	CAs  = 250
)

// Shapes are the trust store shapes, Layouts the ways of splitting the
// configuration into files.
var (
	Shapes  = []string{"tree", "roots"}
	Layouts = []string{"many", "one"}
)

// Tenant is a served benchmark tenant and its configuration directories.
type Tenant struct {
	Server *graphtest.Server
	// Dirs are the configuration directories by layout, below one
	// temporary directory.
	Dirs map[string]string
	base string
}

// New makes a tenant of the shape, served by a fake Graph server that
// accepts token, and writes its configurations to a new temporary
// directory. Close removes both.
func New(shape, token string) (*Tenant, error) {
	if shape != "tree" && shape != "roots" {
		return nil, fmt.Errorf("unknown shape %q: use tree or roots", shape)
	}
	base, err := os.MkdirTemp("", "cbactl-bench-"+shape+"-")
	if err != nil {
		return nil, err
	}
	t := &Tenant{Server: graphtest.New(graphtest.Options{Token: token}), Dirs: map[string]string{}, base: base}
	if err := t.fill(shape); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Close stops the server and removes the configuration directories.
func (t *Tenant) Close() {
	t.Server.Close()
	_ = os.RemoveAll(t.base)
}

func (t *Tenant) fill(shape string) error {
	files := map[string][]byte{} // relative path -> contents, in every directory
	var all strings.Builder
	for p := range PKIs {
		var hcl strings.Builder
		name := fmt.Sprintf("PKI %02d", p)
		fmt.Fprintf(&hcl, "pki %q {\n  display_name = %q\n", fmt.Sprintf("p%02d", p), name)
		var created struct{ ID string }
		if err := json.Unmarshal(t.Server.Store.CreatePKI(wire.Object{"displayName": []byte(fmt.Sprintf("%q", name))}), &created); err != nil {
			return err
		}
		root := pkitest.NewRoot(pkitest.WithCN(name + " Root"))
		for c := range CAs {
			der, typ := root.DER, "root"
			switch {
			case shape == "roots" && c > 0:
				der = pkitest.NewRoot(pkitest.WithCN(fmt.Sprintf("%s Root %03d", name, c))).DER
			case c > 0:
				der, typ = root.NewIntermediate(pkitest.WithCN(fmt.Sprintf("%s Issuing %03d", name, c))).DER, "intermediate"
			}
			file := fmt.Sprintf("certs/p%02d-ca%03d.pem", p, c)
			files[file] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
			crl := fmt.Sprintf("http://crl.example.com/p%02d/%03d.crl", p, c)
			fmt.Fprintf(&hcl, "  certificate_authority \"ca%03d\" {\n    certificate = file(%q)\n    crl_url     = %q\n  }\n", c, file, crl)
			if _, err := t.Server.Store.CreateCA(created.ID, wire.ToObject(wire.CA{Certificate: der, CertificateAuthorityType: typ, CRLURL: &crl})); err != nil {
				return err
			}
		}
		hcl.WriteString("}\n")
		files[fmt.Sprintf("many/pki-%02d.hcl", p)] = []byte(hcl.String())
		if p > 0 {
			all.WriteString("\n")
		}
		all.WriteString(hcl.String())
	}
	files["one/main.hcl"] = []byte(all.String())
	for _, layout := range Layouts {
		dir := filepath.Join(t.base, layout)
		t.Dirs[layout] = dir
		for name, data := range files {
			if strings.HasSuffix(name, ".hcl") && filepath.Dir(name) != layout {
				continue
			}
			path := filepath.Join(dir, strings.TrimPrefix(name, layout+"/"))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
