package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/cbactl/cbactl/"

// rules says which project packages each package may import (directly), so
// that data flows one way: config and graph produce model states, plan diffs
// them, apply writes through the model's Tenant interface, and only the CLI
// wires them together. The Graph SDK and azidentity stay inside
// internal/graph, so that everything else builds in seconds.
var rules = map[string][]string{
	"internal/pki":            {},
	"internal/jsonout":        {},
	"internal/readfile":       {},
	"internal/plan/model":     {"internal/pki"},
	"config":                  {"internal/pki", "internal/plan/model", "internal/readfile"},
	"internal/plan":           {"internal/pki", "internal/plan/model"},
	"internal/plan/render":    {"internal/jsonout", "internal/pki", "internal/plan", "internal/plan/model"},
	"internal/plan/apply":     {"internal/pki", "internal/plan", "internal/plan/model"},
	"internal/graph/wire":     {"internal/pki", "internal/plan/model"},
	"internal/graph/store":    {"internal/graph/wire", "internal/pki", "internal/plan/model"},
	"internal/export":         {"internal/pki", "internal/plan/model"},
	"internal/simulate":       {"internal/pki", "internal/plan/model"},
	"internal/health":         {"internal/jsonout", "internal/pki", "internal/plan/model"},
	"internal/graph/snapshot": {"internal/atomicfile", "internal/graph/store", "internal/graph/wire", "internal/pki", "internal/plan/model", "internal/readfile"},
	"internal/graph":          {"internal/graph/wire", "internal/pki", "internal/plan/model"},
}

var sdk = []string{"github.com/microsoftgraph/", "github.com/microsoft/kiota", "github.com/Azure/azure-sdk-for-go/"}

func goList(t *testing.T, format string, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-f", format}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	return strings.Fields(string(out))
}

func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("host-dependent (the go command) and slow: skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	for pkg, allowed := range rules {
		ok := map[string]bool{}
		for _, a := range allowed {
			ok[module+a] = true
		}
		for _, imp := range goList(t, `{{join .Imports " "}}`, module+pkg) {
			if strings.HasPrefix(imp, module) && !ok[imp] {
				t.Errorf("%s imports %s", pkg, strings.TrimPrefix(imp, module))
			}
		}
		if pkg == "internal/graph" {
			continue
		}
		for _, dep := range goList(t, `{{join .Deps " "}}`, module+pkg) {
			for _, s := range sdk {
				if strings.HasPrefix(dep, s) {
					t.Errorf("%s depends on %s: the Graph SDK belongs in internal/graph", pkg, dep)
				}
			}
		}
	}
}
