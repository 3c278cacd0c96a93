package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// baseConfig is the configuration every convergence case starts from; each
// case edits it, plans, applies and plans again.
const baseConfig = `
locals {
  issuing = certificate("certs/issuing.pem")
}

pki "contoso" {
  display_name = "Contoso"
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
    default_mode     = "single_factor"
    default_affinity = "low"
    rule "issuer" {
      issuer = local.issuing.subject
      mode   = "multi_factor"
    }
    rule "oid" {
      policy_oid = "1.2.3.4"
      mode       = "multi_factor"
    }
    rule "both" {
      issuer     = local.issuing.subject
      policy_oid = "1.2.3.5"
      mode       = "multi_factor"
      affinity   = "high"
    }
  }

  username_binding {
    certificate_field = "PrincipalName"
    user_attribute    = "userPrincipalName"
    priority          = 1
  }
  username_binding {
    certificate_field = "SubjectKeyIdentifier"
    user_attribute    = "certificateUserIds"
    priority          = 2
  }

  crl_validation {
    required = false
  }
}
`

// TestEveryChangeConverges: each kind of change plans the expected change,
// applies through Graph, and the next plan has no changes.
func TestEveryChangeConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: skipped with -short")
	}
	dir := t.TempDir()
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Issuing"))
	renewed := root.NewIntermediate(pkitest.WithCN("Issuing"))
	partner := pkitest.NewRoot(pkitest.WithCN("Partner"))
	bundleRoot := pkitest.NewRoot(pkitest.WithCN("Bundle Root"), pkitest.WithCRLDistributionPoints("http://crl.example.com/bundle-root.crl"))
	bundle := pkitest.Bundle(bundleRoot.Cert, bundleRoot.NewIntermediate(pkitest.WithCN("Bundle Issuing"),
		pkitest.WithCRLDistributionPoints("http://crl.example.com/bundle-issuing.crl")).Cert)
	for name, data := range map[string][]byte{
		"certs/root.pem": root.PEM(), "certs/issuing.pem": issuing.PEM(), "certs/renewed.pem": renewed.PEM(),
		"certs/partner.pem": partner.PEM(), "certs/bundle.p7b": bundle,
	} {
		if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	srv := graphtest.New(graphtest.Options{Token: fakeToken, UploadPolls: -1})
	defer srv.Close()
	srv.AddGroup("0c000000-0000-0000-0000-000000000001", "CBA Users")
	srv.AddGroup("0c000000-0000-0000-0000-000000000002", "Contractors")
	srv.AddGroup("0c000000-0000-0000-0000-000000000003", "Break Glass")
	srv.RegisterBundle("https://pki.example.com/bundle.p7b", bundle)

	cbactl := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Main(args, &Env{
			In: strings.NewReader(""), Out: &out, Err: &errOut, Now: time.Now,
			Environ: []string{"CBACTL_GRAPH_URL=" + srv.URL(), "CBACTL_ACCESS_TOKEN=" + fakeToken},
		})
		return code, out.String() + errOut.String()
	}
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	applyAndConverge := func(t *testing.T) {
		t.Helper()
		if code, out := cbactl("apply", "--chdir", dir, "--auto-approve", "--allow-destroy"); code != 0 {
			t.Fatalf("apply: exit %d\n%s", code, out)
		}
		if code, out := cbactl("plan", "--chdir", dir, "--detailed-exitcode"); code != 0 {
			t.Fatalf("plan after apply: exit %d\n%s", code, out)
		}
	}

	write(baseConfig)
	applyAndConverge(t)

	edit := func(pairs ...string) string {
		s := baseConfig
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(s, pairs[i]) {
				t.Fatalf("the base configuration has no %q", pairs[i])
			}
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		return s
	}
	const x509 = "x509_certificate"
	cases := []struct {
		name    string
		config  string
		address string
		action  string
	}{
		{"state", edit(`state = "enabled"`, `state = "disabled"`), x509, "update"},
		{"default mode", edit(`default_mode     = "single_factor"`, `default_mode = "multi_factor"`), x509, "update"},
		{"default affinity", edit(`default_affinity = "low"`, `default_affinity = "high"`), x509, "update"},
		{"rule added", edit(`    rule "oid" {`, "    rule \"more\" {\n      policy_oid = \"1.2.3.9\"\n      mode = \"single_factor\"\n    }\n    rule \"oid\" {"), x509, "update"},
		{"rule removed", edit("    rule \"oid\" {\n      policy_oid = \"1.2.3.4\"\n      mode       = \"multi_factor\"\n    }\n", ""), x509, "update"},
		{"rule mode", edit("policy_oid = \"1.2.3.4\"\n      mode       = \"multi_factor\"", "policy_oid = \"1.2.3.4\"\n      mode       = \"single_factor\""), x509, "update"},
		{"rule affinity", edit(`affinity   = "high"`, `affinity   = "low"`), x509, "update"},
		{"binding priority swap", edit("priority          = 1", "priority          = 3", "priority          = 2", "priority          = 1"), x509, "update"},
		{"target added", edit(`include_target { group = "CBA Users" }`, "include_target { group = \"CBA Users\" }\n  include_target {\n    group = \"Contractors\"\n    registration_required = true\n  }"), x509, "update"},
		{"target replaced", edit(`include_target { group = "CBA Users" }`, `include_target { group = "Contractors" }`), x509, "update"},
		{"exclude target", edit(`include_target { group = "CBA Users" }`, "include_target { group = \"CBA Users\" }\n  exclude_target { group = \"Break Glass\" }"), x509, "update"},
		{"CRL validation", edit(`required = false`, `required = true`), x509, "update"},
		{"exempt SKI", edit(`required = false`, "required = false\n    exempt_skis = [local.issuing.subject_key_identifier]"), x509, "update"},
		{"issuer hints", edit(`state = "enabled"`, "state = \"enabled\"\n  issuer_hints = true"), x509, "update"},
		{"CA scope", edit(`  crl_validation {`, "  certificate_authority_scope {\n    certificate_authority = \"pki.contoso.certificate_authority.issuing\"\n    groups = [\"Contractors\"]\n  }\n  crl_validation {"), x509, "update"},
		{"CA CRL", edit(`crl_url     = "http://crl.example.com/issuing.crl"`, `crl_url     = "http://crl2.example.com/issuing.crl"`), "pki.contoso.certificate_authority.issuing", "update"},
		{"CA delta CRL and hint", edit(`crl_url     = "http://crl.example.com/issuing.crl"`, "crl_url = \"http://crl.example.com/issuing.crl\"\n    delta_crl_url = \"http://crl.example.com/delta.crl\"\n    issuer_hint = true"), "pki.contoso.certificate_authority.issuing", "update"},
		{"CA display name", edit(`crl_url     = "http://crl.example.com/root.crl"`, "crl_url = \"http://crl.example.com/root.crl\"\n    display_name = \"The root\""), "pki.contoso.certificate_authority.root", "update"},
		{"CA type", edit(`crl_url     = "http://crl.example.com/root.crl"`, "crl_url = \"http://crl.example.com/root.crl\"\n    type = \"intermediate\""), "pki.contoso.certificate_authority.root", "update"},
		{"CA replaced", edit(`certificate = file("certs/issuing.pem")`, `certificate = file("certs/renewed.pem")`, `issuing = certificate("certs/issuing.pem")`, `issuing = certificate("certs/renewed.pem")`), "pki.contoso.certificate_authority.issuing", "replace"},
		{"PKI added", baseConfig + "\npki \"partner\" {\n  certificate_authority \"root\" {\n    certificate = file(\"certs/partner.pem\")\n    crl_url = \"http://crl.example.com/partner.crl\"\n  }\n}\n", "pki.partner", "create"},
		{"upload", baseConfig + "\npki \"bundle\" {\n  upload {\n    url = \"https://pki.example.com/bundle.p7b\"\n    file = \"certs/bundle.p7b\"\n  }\n}\n", "pki.bundle.upload", "create"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			write(tc.config)
			code, out := cbactl("plan", "--chdir", dir, "--json")
			if code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, out)
			}
			var p struct {
				Changes []struct{ Address, Action string }
			}
			if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &p); err != nil {
				t.Fatalf("plan --json: %v\n%s", err, out)
			}
			found := false
			for _, c := range p.Changes {
				found = found || (c.Address == tc.address && c.Action == tc.action)
			}
			if !found {
				t.Fatalf("no %s of %s in %+v", tc.action, tc.address, p.Changes)
			}
			applyAndConverge(t)
			// Back to the base, which must converge too.
			write(baseConfig)
			applyAndConverge(t)
		})
	}

	// A PKI removed from the configuration is deleted.
	t.Run("PKI removed", func(t *testing.T) {
		write(baseConfig + "\npki \"partner\" {\n  certificate_authority \"root\" {\n    certificate = file(\"certs/partner.pem\")\n    crl_url = \"http://crl.example.com/partner.crl\"\n  }\n}\n")
		applyAndConverge(t)
		write(baseConfig)
		if code, out := cbactl("plan", "--chdir", dir, "--json"); code != 0 || !strings.Contains(out, `"address": "pki[\"Partner\"]"`) && !strings.Contains(out, `"action": "delete"`) {
			t.Fatalf("plan: exit %d\n%s", code, out)
		}
		applyAndConverge(t)
	})
}
