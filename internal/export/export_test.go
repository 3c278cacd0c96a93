package export_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/export"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func file(t *testing.T, res export.Result, path string) string {
	t.Helper()
	for _, f := range res.Files {
		if f.Path == path {
			return string(f.Data)
		}
	}
	t.Fatalf("no file %s among %v", path, paths(res))
	return ""
}

func paths(res export.Result) []string {
	var out []string
	for _, f := range res.Files {
		out = append(out, f.Path)
	}
	return out
}

func contains(t *testing.T, text, pattern string) {
	t.Helper()
	if !regexp.MustCompile(pattern).MatchString(text) {
		t.Errorf("no match for %s in:\n%s", pattern, text)
	}
}

// says checks that the comments of text say sentence, however they are
// wrapped.
func says(t *testing.T, text, sentence string) {
	t.Helper()
	flat := regexp.MustCompile(`\s*\n\s*#\s*`).ReplaceAllString(text, " ")
	if !strings.Contains(flat, sentence) {
		t.Errorf("the comments do not say %q:\n%s", sentence, text)
	}
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "0000000" + string(rune('1'+i)) + "-0000-4000-8000-000000000000"
	}
	return out
}

// TestTwinSubjects: two CAs with identical subjects get distinct file names
// and labels, the smaller thumbprint the plain name, whatever their order.
func TestTwinSubjects(t *testing.T) {
	a := pkitest.NewRoot(pkitest.WithCN("Twin Root CA"))
	b := pkitest.NewRoot(pkitest.WithCN("Twin Root CA"))
	if pki.SHA1Thumbprint(a.DER) > pki.SHA1Thumbprint(b.DER) {
		a, b = b, a
	}
	for _, order := range [][]*pkitest.CA{{a, b}, {b, a}} {
		st := model.State{PKIs: []model.PKI{{DisplayName: "Twins"}}}
		for _, c := range order {
			st.PKIs[0].CAs = append(st.PKIs[0].CAs, model.CA{Certificate: c.DER, Type: model.CATypeRoot})
		}
		res := export.Export(export.Input{State: st})
		if got := file(t, res, "certs/twin-root-ca.pem"); !strings.Contains(got, strings.TrimSpace(string(a.PEM()))) {
			t.Errorf("certs/twin-root-ca.pem is not the certificate with the smaller thumbprint")
		}
		if got := file(t, res, "certs/twin-root-ca-2.pem"); !strings.Contains(got, strings.TrimSpace(string(b.PEM()))) {
			t.Errorf("certs/twin-root-ca-2.pem is not the certificate with the larger thumbprint")
		}
		p := file(t, res, "pki.hcl")
		contains(t, p, `certificate_authority "twin_root_ca" \{\n\s+certificate = file\("certs/twin-root-ca.pem"\)`)
		contains(t, p, `certificate_authority "twin_root_ca_2" \{\n\s+certificate = file\("certs/twin-root-ca-2.pem"\)`)
	}
}

// TestUnexpressible: what the configuration language cannot say is written
// as comments and reported, and the rest still loads.
func TestUnexpressible(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	g := ids(3)
	x := model.DefaultX509()
	x.IncludeTargets = []model.IncludeTarget{
		{Target: model.Target{Type: model.TargetUser, ID: g[0]}, RegistrationRequired: true},
		{Target: model.Target{Type: model.TargetGroup, ID: g[1]}},
	}
	x.ExcludeTargets = []model.Target{{Type: model.TargetGroup, ID: model.AllUsersTargetID}}
	x.CAScopes = []model.CAScope{{SKI: "ABCD", PKI: "Gone PKI", Groups: []model.Target{{Type: model.TargetGroup, ID: g[2]}}}}
	st := model.State{
		TenantID: "not-a-guid",
		PKIs:     []model.PKI{{DisplayName: "Busy", Status: "running", CAs: []model.CA{{Certificate: root.DER, Type: model.CATypeRoot}}}},
		X509:     &x,
		Groups:   []model.Group{{ID: g[1], DisplayName: "Named"}, {ID: g[2], DisplayName: "Dup"}},
	}
	res := export.Export(export.Input{
		State:      st,
		Warnings:   []string{"x509Certificate.future: new\n} x509_certificate {"},
		GroupNames: map[string]string{strings.ToUpper(g[1]): "Named"},
	})
	main := file(t, res, "main.hcl")
	says(t, main, `Not exported (user targets are not supported by the configuration; target a group); `+"`cbactl plan`"+` shows its removal: include_target { user_id = "`+g[0]+`", registration_required = true }`)
	says(t, main, `Not exported (the configuration cannot exclude all users); `+"`cbactl plan`"+` shows its removal: exclude_target { all_users = true }`)
	contains(t, main, `group += "Named" # `+g[1])
	contains(t, main, `group_ids += \["`+g[2]+`"\] # "Dup": not a unique display name in the tenant`)
	contains(t, main, `subject_key_identifier = "ABCD"`)
	contains(t, main, `#   - x509Certificate.future: new } x509_certificate \{`)
	if strings.Contains(main, "tenant {") {
		t.Error("a tenant id that is not a GUID was written")
	}
	contains(t, file(t, res, "pki.hcl"), `A job \(upload or delete\) on "Busy" was still running \(status "running"\)`)
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"includeTargets[0] (user " + g[0], "excludeTargets[0]", `names the PKI container "Gone PKI"`, `job (upload or delete) on the PKI container "Busy" was still running`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}

	// The comments hide nothing from the parser: the warning's "}" and
	// block header stay inside the comment.
	f, diags := hclsyntax.ParseConfig([]byte(main), "main.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var blocks []string
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		blocks = append(blocks, b.Type)
	}
	if strings.Join(blocks, ",") != "x509_certificate" {
		t.Errorf("main.hcl has the blocks %v", blocks)
	}

	dir := t.TempDir()
	writeFiles(t, dir, res.Files)
	if _, diags := config.Load(dir, config.LoadOptions{Now: time.Now()}); diags.HasErrors() {
		t.Errorf("the export does not load: %s", diags.Error())
	}
}

// TestEmptyCollections: a configuration without include targets or username
// bindings cannot be written (cbactl manages Graph's defaults then); export
// says so.
func TestEmptyCollections(t *testing.T) {
	x := model.DefaultX509()
	x.IncludeTargets, x.UsernameBindings = nil, nil
	res := export.Export(export.Input{State: model.State{X509: &x}})
	main := file(t, res, "main.hcl")
	contains(t, main, `# The tenant has no include target`)
	contains(t, main, `# The tenant has no username binding`)
	if len(res.Notes) != 2 {
		t.Errorf("notes: %q", res.Notes)
	}
	if got := strings.Join(paths(res), ","); got != "main.hcl" {
		t.Errorf("files %s, want main.hcl only (no PKI container, no legacy CA)", got)
	}
}

// TestLegacy: the legacy store's CAs become pki "legacy" (renamed when a
// container has the name), each certificate once, a CA that a container
// holds is only mentioned, and a "root" that is not self-signed becomes an
// intermediate.
func TestLegacy(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Old Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Old Issuing"))
	shared := pkitest.NewRoot(pkitest.WithCN("Shared Root"))
	st := model.State{
		PKIs: []model.PKI{{DisplayName: "legacy trust store", CAs: []model.CA{{Certificate: shared.DER, Type: model.CATypeRoot, CRLURL: "http://a/shared.crl"}}}},
		LegacyCAs: []model.LegacyCA{
			{Certificate: issuing.DER, IsRootAuthority: true, CRLURL: "http://a/issuing.crl", DeltaCRLURL: "http://a/issuing-delta.crl"},
			{Certificate: root.DER, IsRootAuthority: true},
			{Certificate: root.DER, IsRootAuthority: true},
			{Certificate: shared.DER, IsRootAuthority: true, CRLURL: "http://b/shared.crl"},
		},
	}
	res := export.Export(export.Input{State: st})
	l := file(t, res, "legacy.hcl")
	contains(t, l, `pki "legacy" \{\n  display_name = "Legacy trust store 2"`)
	contains(t, l, `certificate_authority "old_root" \{\n\s+certificate = file\("certs/old-root.pem"\)\n\s+type += "root"\n\s+issuer_hint = false\n`)
	contains(t, l, `certificate_authority "old_issuing" \{\n\s+certificate += file\("certs/old-issuing.pem"\)\n\s+type += "intermediate"\n\s+crl_url += "http://a/issuing.crl"\n\s+delta_crl_url = "http://a/issuing-delta.crl"`)
	says(t, l, "CN=Shared Root (thumbprint "+pki.SHA1Thumbprint(shared.DER)+"), declared as pki.legacy_trust_store.certificate_authority.shared_root; their CRL URLs differ (PKI: http://a/shared.crl; classic: http://b/shared.crl)")
	contains(t, l, `Is Legacy Store Used`)
	if n := strings.Count(l, "certificate_authority \""); n != 2 {
		t.Errorf("legacy.hcl declares %d CAs, want 2", n)
	}
	if s := res.Summary; s.LegacyCAs != 2 || s.LegacyInPKI != 1 || s.Certificates != 3 {
		t.Errorf("summary %+v", s)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"not self-signed", "more than once", "pki.legacy"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}

	// The configuration loads, and plans the legacy container's creation.
	dir := t.TempDir()
	writeFiles(t, dir, res.Files)
	cfg, diags := config.Load(dir, config.LoadOptions{Now: time.Now()})
	if diags.HasErrors() {
		t.Fatalf("the export does not load: %s", diags.Error())
	}
	if s := plan.Diff(cfg.Desired, st).Summary(); s.Add != 3 || s.Change != 0 || s.Destroy != 0 {
		t.Errorf("plan summary %+v, want 3 to add", s)
	}
}

// TestUnparseable: a certificate Graph returned that does not parse is
// written as it is (validate then points at it), and reported.
func TestUnparseable(t *testing.T) {
	st := model.State{PKIs: []model.PKI{{DisplayName: "P", CAs: []model.CA{{Certificate: []byte("junk"), Type: model.CATypeRoot}}}}}
	res := export.Export(export.Input{State: st})
	thumb := pki.SHA1Thumbprint([]byte("junk"))
	name := "certs/ca-" + strings.ToLower(thumb[:8]) + ".pem"
	file(t, res, name)
	contains(t, file(t, res, "pki.hcl"), `certificate_authority "ca_`+strings.ToLower(thumb[:8])+`"`)
	if !strings.Contains(strings.Join(res.Notes, "\n"), "does not parse") {
		t.Errorf("notes: %q", res.Notes)
	}
}

// TestGroupNames: names come from the tenant's groups, and only a name that
// resolves to exactly that group is used.
func TestGroupNames(t *testing.T) {
	g := ids(4)
	x := model.DefaultX509()
	x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: strings.ToUpper(g[0])}}, {Target: model.Target{Type: model.TargetGroup, ID: g[1]}}}
	x.ExcludeTargets = []model.Target{{Type: model.TargetGroup, ID: g[2]}}
	st := model.State{X509: &x, Groups: []model.Group{
		{ID: g[0], DisplayName: "Unique"}, {ID: g[1], DisplayName: "Twice"}, {ID: g[2], DisplayName: "Moved"}, {ID: g[3], DisplayName: "Not targeted"},
	}}
	names := export.GroupNamesToCheck(st)
	if strings.Join(names, ",") != "Moved,Twice,Unique" {
		t.Errorf("GroupNamesToCheck = %q", names)
	}
	found := map[string][]model.Group{
		"Unique": {{ID: g[0]}},
		"Twice":  {{ID: g[1]}, {ID: "other"}},
		"Moved":  {{ID: "other"}},
	}
	got := export.UniqueGroupNames(st, found)
	if len(got) != 1 || got[strings.ToLower(g[0])] != "Unique" {
		t.Errorf("UniqueGroupNames = %v", got)
	}
}

// TestFilesOnDisk: a small tenant end to end on disk: one PKI, roots
// before intermediates, a rule that names its CA by certificate.
func TestFilesOnDisk(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Contoso Root CA"))
	issuing := root.NewIntermediate(pkitest.WithCN("Contoso Issuing CA"))
	c, _ := x509.ParseCertificate(issuing.DER)
	x := model.DefaultX509()
	x.Rules = []model.Rule{{Issuer: pki.SubjectDN(c, pki.RuleOrder), Mode: model.MultiFactor}}
	st := model.State{PKIs: []model.PKI{{DisplayName: "Contoso PKI", CAs: []model.CA{
		{Certificate: issuing.DER, Type: model.CATypeIntermediate, CRLURL: "http://crl/i.crl"},
		{Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl/r.crl"},
	}}}, X509: &x}
	res := export.Export(export.Input{State: st})
	if got := strings.Join(paths(res), ","); got != "main.hcl,pki.hcl,certs/contoso-issuing-ca.pem,certs/contoso-root-ca.pem" {
		t.Errorf("files %s", got)
	}
	contains(t, file(t, res, "main.hcl"), `rule "contoso_issuing_ca" \{\n\s+issuer = certificate\("certs/contoso-issuing-ca.pem"\).subject # CN=Contoso Issuing CA\n\s+mode += "multi_factor"\n\s+\}`)
	contains(t, file(t, res, "pki.hcl"), `(?s)certificate_authority "contoso_root_ca".*certificate_authority "contoso_issuing_ca"`)
	dir := t.TempDir()
	writeFiles(t, dir, res.Files)
	if _, err := os.Stat(filepath.Join(dir, "certs", "contoso-root-ca.pem")); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{Now: time.Now()})
	if diags.HasErrors() {
		t.Fatalf("the export does not load: %s", diags.Error())
	}
	if p := plan.Diff(cfg.Desired, st); p.HasChanges() {
		t.Errorf("the plan has changes: %+v", p.Changes)
	}
}
