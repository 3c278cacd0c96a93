package main

import (
	"encoding/json"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/jsonout"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// conflictConfig is a configuration whose two issuer+OID rules both match
// a certificate carrying both policies, with different modes: a case no
// documentation covers (cba-semantics.md §1, §7.3).
const conflictConfig = `
locals {
  issuing = certificate("certs/issuing.pem")
}

pki "corp" {
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "issuing" {
    certificate = file("certs/issuing.pem")
    crl_url     = "http://crl.example.com/issuing.crl"
  }
}

x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }

  authentication_mode {
    rule "strong" {
      issuer     = local.issuing.subject
      policy_oid = "1.2.3.1"
      mode       = "multi_factor"
      affinity   = "high"
    }
    rule "weak" {
      issuer     = local.issuing.subject
      policy_oid = "1.2.3.2"
      mode       = "single_factor"
      affinity   = "high"
    }
  }

  username_binding {
    certificate_field = "SubjectKeyIdentifier"
    user_attribute    = "certificateUserIds"
    priority          = 1
  }
}

test "both policies" {
  certificate = "certs/both.pem"
  crl         = ["certs/issuing.crl"]
  expect {
    trusted  = true
    revoked  = false
    mode     = "single_factor"
    affinity = "high"
    rule     = "x509_certificate.rule.weak"
    bindings = ["SubjectKeyIdentifier"]
  }
}

test "wrong expectations" {
  certificate = "certs/both.pem"
  expect {
    mode     = "multi_factor"
    bindings = ["PrincipalName"]
  }
}
`

func conflictDir(t *testing.T) (dir string, leafPEM []byte) {
	t.Helper()
	root := pkitest.NewRoot(pkitest.WithCN("Corp Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Corp Issuing"))
	leaf := issuing.NewLeaf(pkitest.WithPolicies("1.2.3.1", "1.2.3.2"), pkitest.WithUPN("u@example.com"))
	dir = t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"main.hcl":          []byte(conflictConfig),
		"certs/root.pem":    root.PEM(),
		"certs/issuing.pem": issuing.PEM(),
		"certs/both.pem":    leaf.PEM(),
		"certs/issuing.crl": pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: issuing.NewCRL()}),
	})
	return dir, leaf.PEM()
}

// The assumptions list is non-empty whenever an undocumented case is hit,
// through the command.
func TestSimulateListsAssumptionsForConflictingRules(t *testing.T) {
	dir, _ := conflictDir(t)
	code, out, errOut := run(t, "simulate", "--chdir", dir, "--cert", filepath.Join(dir, "certs/both.pem"),
		"--crl", filepath.Join(dir, "certs/issuing.crl"), "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var r struct {
		Success     bool     `json:"success"`
		Mode        string   `json:"mode"`
		Rule        string   `json:"rule"`
		Assumptions []string `json:"assumptions"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !r.Success || r.Mode != "single_factor" || r.Rule != "x509_certificate.rule.weak" {
		t.Errorf("success %v, mode %q, rule %q; want true, single_factor, x509_certificate.rule.weak", r.Success, r.Mode, r.Rule)
	}
	if len(r.Assumptions) == 0 {
		t.Fatal("no assumptions")
	}
	if !strings.Contains(strings.Join(r.Assumptions, "\n"), "several issuer and policy OID rules match with different modes") {
		t.Errorf("assumptions do not name the mode conflict:\n%s", strings.Join(r.Assumptions, "\n"))
	}
	if strings.Contains(out, `\u003c`) {
		t.Error("the JSON escapes '<'")
	}

	// The text form lists them under Assumptions.
	_, text, _ := run(t, "simulate", "--chdir", dir, "--cert", filepath.Join(dir, "certs/both.pem"))
	if !strings.Contains(text, "\nAssumptions:\n  - ") {
		t.Errorf("text output without assumptions:\n%s", text)
	}
}

func TestTestCommand(t *testing.T) {
	dir, _ := conflictDir(t)
	code, out, errOut := run(t, "test", "--chdir", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`PASS "both policies"`,
		`FAIL "wrong expectations": mode: expected "multi_factor", got "single_factor"`,
		`FAIL "wrong expectations": bindings: expected ["PrincipalName"], got ["SubjectKeyIdentifier"]`,
		"\n1 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = run(t, "test", "--chdir", dir, "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var results []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	for _, r := range results {
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		if len(keys) != 4 || r["name"] == nil || r["passed"] == nil || r["failures"] == nil || r["result"] == nil {
			t.Errorf("result keys %v, want name, passed, failures, result", keys)
		}
	}
	var failures []struct {
		Field    string `json:"field"`
		Expected any    `json:"expected"`
		Got      any    `json:"got"`
	}
	if err := json.Unmarshal(results[1]["failures"], &failures); err != nil {
		t.Fatal(err)
	}
	if len(failures) != 2 || failures[0].Field != "mode" || failures[1].Field != "bindings" {
		t.Errorf("failures = %+v, want mode and bindings", failures)
	}
	if string(results[0]["failures"]) != "[]" {
		t.Errorf("a passing test's failures = %s, want []", results[0]["failures"])
	}
}

// plan --json reports a failed test block in the one JSON diagnostic shape:
// the test's address and the range of its block, the detail without a
// file:line:col pasted in.
func TestPlanJSONTestDiagnostic(t *testing.T) {
	dir, _ := conflictDir(t)
	writeFiles(t, dir, map[string][]byte{"empty.json": []byte(`{"snapshotVersion": 1}`)})
	code, out, errOut := run(t, "plan", "--chdir", dir, "--snapshot", filepath.Join(dir, "empty.json"), "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	var doc struct {
		Diagnostics []map[string]json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var found bool
	for _, d := range doc.Diagnostics {
		if string(d["summary"]) != `"Test \"wrong expectations\" failed"` {
			continue
		}
		found = true
		if got, want := string(d["address"]), `"test.\"wrong expectations\""`; got != want {
			t.Errorf("address %s, want %s", got, want)
		}
		var rng jsonout.Range
		if err := json.Unmarshal(d["range"], &rng); err != nil {
			t.Fatalf("range %s: %v", d["range"], err)
		}
		if filepath.Base(rng.Filename) != "main.hcl" || rng.Start.Line == 0 || rng.End.Line < rng.Start.Line {
			t.Errorf("range %+v, want the test block in main.hcl", rng)
		}
		if strings.Contains(string(d["detail"]), "main.hcl:") {
			t.Errorf("detail %s names the location; the range does", d["detail"])
		}
		if !strings.Contains(string(d["detail"]), `mode: expected \"multi_factor\", got \"single_factor\"`) {
			t.Errorf("detail %s lacks the failed expectation", d["detail"])
		}
	}
	if !found {
		t.Errorf("no diagnostic for the failed test:\n%s", out)
	}
}
