package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/config/configtest"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// TestDecode checks the desired state a small configuration decodes to,
// including the parts it leaves out, marked as not managed.
func TestDecode(t *testing.T) {
	dir := t.TempDir()
	if err := configtest.WriteCerts(dir, testNow); err != nil {
		t.Fatal(err)
	}
	src := `
variable "crl" {
  default = "http://crl.example.com"
}
locals {
  issuing = certificate("certs/issuing.pem")
}
pki "fixture" {
  certificate_authority "root" {
    certificate = file("certs/root-2.pem")
    crl_url     = "${var.crl}/root.crl"
  }
  certificate_authority "issuing" {
    certificate   = filebase64("certs/issuing-3.der")
    crl_url       = "${var.crl}/issuing.crl"
    delta_crl_url = "${var.crl}/issuing-delta.crl"
    issuer_hint   = true
    display_name  = "Issuing"
  }
}
pki "bundle" {
  display_name = "Bundle PKI"
  upload {
    url  = "https://pki.example.com/bundle.p7b"
    file = "certs/bundle.p7b"
  }
}
x509_certificate {
  state = "enabled"
  include_target {
    group                 = "CBA Users"
    registration_required = true
  }
  exclude_target { group_id = "00000000-0000-0000-0000-0000000000aa" }
  authentication_mode {
    rule "piv" {
      policy_oid = "1.2.3.4"
      mode       = "multi_factor"
      affinity   = "high"
    }
  }
  username_binding {
    certificate_field = "SubjectKeyIdentifier"
    user_attribute    = "certificateUserIds"
    priority          = 1
  }
  certificate_authority_scope {
    certificate_authority = "pki.fixture.certificate_authority.issuing"
    groups                = ["Contractors"]
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{Now: testNow, Vars: []string{"crl=http://crl.contoso.com"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	certs := configtest.Certs(testNow)
	der := func(name string) []byte {
		c, err := pki.ParseCertificate(certs[name])
		if err != nil {
			t.Fatal(err)
		}
		return c.Raw
	}
	bundle, err := pki.ParsePKCS7(certs["certs/bundle.p7b"])
	if err != nil {
		t.Fatal(err)
	}
	issuing3, _ := pki.ParseCertificate(certs["certs/issuing-3.der"])
	want := model.State{
		Cloud:             model.CloudGlobal,
		ManagesTrustStore: true,
		PKIs: []model.PKI{
			{Name: "fixture", DisplayName: "fixture", CAs: []model.CA{
				{Name: "root", Certificate: der("certs/root-2.pem"), Type: model.CATypeRoot, CRLURL: "http://crl.contoso.com/root.crl",
					Unmanaged: model.CAPartDeltaCRLURL | model.CAPartIssuerHint | model.CAPartDisplayName},
				{Name: "issuing", Certificate: issuing3.Raw, Type: model.CATypeIntermediate, CRLURL: "http://crl.contoso.com/issuing.crl",
					DeltaCRLURL: "http://crl.contoso.com/issuing-delta.crl", IssuerHint: true, DisplayName: "Issuing"},
			}},
			{Name: "bundle", DisplayName: "Bundle PKI",
				Upload: &model.Upload{URL: "https://pki.example.com/bundle.p7b", File: "certs/bundle.p7b", SHA256: pki.SHA256Fingerprint(certs["certs/bundle.p7b"]), Bundle: certs["certs/bundle.p7b"]},
				CAs: []model.CA{
					{Certificate: bundle[0].Raw, Type: model.CATypeRoot, Unmanaged: model.CAAllParts},
					{Certificate: bundle[1].Raw, Type: model.CATypeIntermediate, Unmanaged: model.CAAllParts},
				}},
		},
		X509: &model.X509Config{
			State: model.StateEnabled,
			IncludeTargets: []model.IncludeTarget{
				{Target: model.Target{Type: model.TargetGroup, GroupName: "CBA Users"}, RegistrationRequired: true},
			},
			ExcludeTargets: []model.Target{{Type: model.TargetGroup, ID: "00000000-0000-0000-0000-0000000000aa"}},
			// Left out, so not managed: no default is assumed.
			Unmanaged: model.X509DefaultMode | model.X509DefaultAffinity | model.X509CRLRequired | model.X509CRLExemptSKIs | model.X509IssuerHints,
			Rules:     []model.Rule{{Name: "piv", PolicyOID: "1.2.3.4", Mode: model.MultiFactor, Affinity: model.AffinityHigh}},
			UsernameBindings: []model.UsernameBinding{
				{Field: model.FieldSubjectKeyIdentifier, Attribute: model.AttrCertificateUserIDs, Priority: 1},
			},
			CAScopes: []model.CAScope{{
				SKI: pki.SubjectKeyID(issuing3), PKI: "fixture",
				Groups: []model.Target{{Type: model.TargetGroup, GroupName: "Contractors"}},
			}},
		},
	}
	if diff := cmp.Diff(want, cfg.Desired, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("desired state (-want +got):\n%s", diff)
	}
	if r := cfg.Sources.Range(model.RuleAddress("piv"), "policy_oid"); r == nil || r.Start.Line != 37 {
		t.Errorf("source of the rule's policy_oid: %v", r)
	}
}

// TestExampleValidates loads the bundled example: no errors.
func TestExampleValidates(t *testing.T) {
	_, diags := config.Load("../examples/contoso", config.LoadOptions{Now: testNow})
	for _, d := range diags {
		if d.Severity == 1 { // hcl.DiagError
			t.Errorf("%s", d)
		}
	}
}

// TestSKIsArePlainHex: subject key identifiers pasted with colons or spaces
// reach Graph as the plain hex Graph documents.
func TestSKIsArePlainHex(t *testing.T) {
	dir := t.TempDir()
	src := `
x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }
  crl_validation {
    required    = false
    exempt_skis = ["a4:ad:7b:01", " b2 c3 "]
  }
  certificate_authority_scope {
    subject_key_identifier = "de:ad:be:ef"
    group_ids              = ["00000000-0000-0000-0000-000000000001"]
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{Now: testNow})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	x := cfg.Desired.X509
	if diff := cmp.Diff([]string{"A4AD7B01", "B2C3"}, x.CRLValidation.ExemptSKIs); diff != "" {
		t.Errorf("exempt SKIs (-want +got):\n%s", diff)
	}
	if x.CAScopes[0].SKI != "DEADBEEF" {
		t.Errorf("scope SKI %q", x.CAScopes[0].SKI)
	}
}

// TestLeftOutIsNotManaged: every optional part the x509_certificate block
// leaves out is marked unmanaged, with no default filled in.
func TestLeftOutIsNotManaged(t *testing.T) {
	for name, tc := range map[string]struct {
		src     string
		want    model.X509Part
		regUnmg bool
	}{
		"only the state": {`x509_certificate { state = "disabled" }`, model.X509AllParts, false},
		"a target without registration_required": {`x509_certificate {
  state = "enabled"
  include_target { group_id = "00000000-0000-0000-0000-000000000001" }
}`, model.X509AllParts &^ model.X509IncludeTargets, true},
		"authentication_mode without defaults manages its rules": {`x509_certificate {
  state = "enabled"
  authentication_mode {}
}`, model.X509AllParts &^ model.X509Rules, false},
		"crl_validation without exempt_skis": {`x509_certificate {
  state = "enabled"
  crl_validation { required = true }
}`, model.X509AllParts &^ model.X509CRLRequired, false},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := config.Load(dir, config.LoadOptions{Now: testNow})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			x := cfg.Desired.X509
			if x.Unmanaged != tc.want {
				t.Errorf("unmanaged %b, want %b", x.Unmanaged, tc.want)
			}
			if x.DefaultMode != "" || x.DefaultAffinity != "" || len(x.UsernameBindings) != 0 {
				t.Errorf("a default was filled in: %+v", x)
			}
			if tc.regUnmg && !x.IncludeTargets[0].RegistrationUnmanaged {
				t.Error("registration_required left out but managed")
			}
		})
	}
}

// TestStrengthDescription: a description left out or null is not managed; an
// empty one is (no description).
func TestStrengthDescription(t *testing.T) {
	for name, tc := range map[string]struct {
		attr      string
		want      string
		unmanaged bool
	}{
		"left out": {"", "", true},
		"null":     {"description = null", "", true},
		"empty":    {`description = ""`, "", false},
		"set":      {`description = "Smart cards"`, "Smart cards", false},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := "authentication_strength \"secret\" {\n  allowed_combinations = [\"x509CertificateMultiFactor\"]\n  " + tc.attr + "\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := config.Load(dir, config.LoadOptions{Now: testNow})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			s := cfg.Desired.Strengths[0]
			if s.Description != tc.want || s.DescriptionUnmanaged != tc.unmanaged {
				t.Errorf("description %q (unmanaged %v), want %q (unmanaged %v)", s.Description, s.DescriptionUnmanaged, tc.want, tc.unmanaged)
			}
		})
	}
}
