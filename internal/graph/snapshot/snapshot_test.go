package snapshot

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

const seed = `{
  "snapshotVersion": 1,
  "tenantId": "00000000-0000-0000-0000-0000000000aa",
  "x509Certificate": {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#x", "state": "disabled", "futureSetting": 7},
  "groups": [{"id": "11111111-1111-1111-1111-111111111111", "displayName": "CBA Users"},
             {"id": "22222222-2222-2222-2222-222222222222", "displayName": "Twins"},
             {"id": "33333333-3333-3333-3333-333333333333", "displayName": "Twins"}]
}`

func open(t *testing.T) *Tenant {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.json")
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	tn, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// TestWritesPersist applies every kind of write, flushes, reopens the file
// and observes the same state; what cbactl does not model is kept.
func TestWritesPersist(t *testing.T) {
	ctx := context.Background()
	tn := open(t)
	root := pkitest.NewRoot(pkitest.WithCN("Root"), pkitest.WithCRLDistributionPoints("http://crl.example.com/root.crl"))
	issuing := root.NewIntermediate(pkitest.WithCN("Issuing"))

	p, err := tn.CreatePKI(ctx, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := tn.CreateCA(ctx, p.ID, model.CA{Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl/root.crl", IssuerHint: true})
	if err != nil {
		t.Fatal(err)
	}
	ca.CRLURL, ca.DeltaCRLURL = "http://crl/root2.crl", "http://crl/delta.crl"
	if err := tn.UpdateCA(ctx, p.ID, ca); err != nil {
		t.Fatal(err)
	}
	if err := tn.UpdatePKI(ctx, p.ID, "Contoso PKI"); err != nil {
		t.Fatal(err)
	}
	bundle := pkitest.Bundle(root.Cert, issuing.Cert)
	p2, _ := tn.CreatePKI(ctx, "Bundle")
	if err := tn.StartUpload(ctx, p2.ID, model.Upload{URL: "https://x/b.p7b", Bundle: bundle}); err != nil {
		t.Fatal(err)
	}
	x := model.DefaultX509()
	x.State = model.StateEnabled
	x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: "11111111-1111-1111-1111-111111111111"}}}
	if err := tn.UpdateX509(ctx, x); err != nil {
		t.Fatal(err)
	}
	if err := tn.Flush(); err != nil {
		t.Fatal(err)
	}

	again, err := Open(tn.Path())
	if err != nil {
		t.Fatal(err)
	}
	obs, err := again.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.PKI{
		{ID: p.ID, DisplayName: "Contoso PKI", Status: "succeeded", CAs: []model.CA{{
			ID: ca.ID, Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl/root2.crl", DeltaCRLURL: "http://crl/delta.crl", IssuerHint: true,
		}}},
		{ID: p2.ID, DisplayName: "Bundle", Status: "succeeded", CAs: []model.CA{
			{Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl.example.com/root.crl"},
			{Certificate: issuing.DER, Type: model.CATypeIntermediate},
		}},
	}
	if diff := cmp.Diff(want, obs.State.PKIs, cmpopts.IgnoreFields(model.CA{}, "ID")); diff != "" {
		t.Errorf("PKIs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&x, obs.State.X509); diff != "" {
		t.Errorf("x509 (-want +got):\n%s", diff)
	}
	if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "x509Certificate.futureSetting") {
		t.Errorf("warnings: %v", obs.Warnings)
	}

	// A second upload of the same bundle adds nothing.
	if err := again.StartUpload(ctx, p2.ID, model.Upload{Bundle: bundle}); err != nil {
		t.Fatal(err)
	}
	got, _ := again.PKI(ctx, p2.ID)
	if len(got.CAs) != 2 {
		t.Errorf("re-upload: %d CAs", len(got.CAs))
	}

	// Deletes, and no temporary file is left behind.
	if err := again.DeleteCA(ctx, p.ID, ca.ID); err != nil {
		t.Fatal(err)
	}
	if err := again.DeletePKI(ctx, p2.ID); err != nil {
		t.Fatal(err)
	}
	if err := again.DeleteCA(ctx, p.ID, ca.ID); err == nil {
		t.Error("deleting a missing CA succeeded")
	}
	if err := again.Flush(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(tn.Path()))
	if len(entries) != 1 {
		t.Errorf("files beside the snapshot: %v", entries)
	}
}

func TestResolveGroups(t *testing.T) {
	got, err := open(t).ResolveGroups(context.Background(), []string{"CBA Users", "Twins", "Nobody"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["CBA Users"]) != 1 || len(got["Twins"]) != 2 || len(got["Nobody"]) != 0 {
		t.Errorf("resolved: %v", got)
	}
}

func TestFlushWithoutChangesWritesNothing(t *testing.T) {
	tn := open(t)
	info, _ := os.Stat(tn.Path())
	if _, err := tn.Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := tn.Flush(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(tn.Path())
	if !after.ModTime().Equal(info.ModTime()) || after.Size() != info.Size() {
		t.Error("an unchanged snapshot was rewritten")
	}
}

// Values cbactl does not know and certificates that do not parse are errors
// in a snapshot, naming the file and the JSON location.
func TestBadValuesAreErrors(t *testing.T) {
	for name, tc := range map[string]struct{ body, want string }{
		"state": {`{"snapshotVersion":1,"x509Certificate":{"state":"enabeld"}}`,
			`x509Certificate.state: "enabeld" is not a value cbactl knows`},
		"mode": {`{"snapshotVersion":1,"x509Certificate":{"state":"enabled","authenticationModeConfiguration":{"x509CertificateAuthenticationDefaultMode":"x509CertificateMultiFactr","rules":[]}}}`,
			`x509Certificate.authenticationModeConfiguration.x509CertificateAuthenticationDefaultMode: "x509CertificateMultiFactr"`},
		"binding field": {`{"snapshotVersion":1,"x509Certificate":{"state":"enabled","certificateUserBindings":[{"x509CertificateField":"PrincipleName","userProperty":"userPrincipalName","priority":1}]}}`,
			`x509Certificate.certificateUserBindings[0].x509CertificateField: "PrincipleName"`},
		"CA type": {`{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","displayName":"P","certificateAuthorities":[{"id":"c1","certificate":"` + base64DER() + `","certificateAuthorityType":"bridge"}]}]}`,
			`certificateBasedAuthConfigurations[0].certificateAuthorities[0].certificateAuthorityType: "bridge"`},
		"certificate": {`{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","displayName":"P","certificateAuthorities":[{"id":"c1","certificate":"AAEC","certificateAuthorityType":"root"}]}]}`,
			`certificateBasedAuthConfigurations[0].certificateAuthorities[0].certificate: not a DER X.509 certificate`},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tenant.json")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			tn, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tn.Observe(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want %q naming %s", err, tc.want, path)
			}
		})
	}
}

func base64DER() string {
	return base64.StdEncoding.EncodeToString(pkitest.NewRoot(pkitest.WithCN("R")).DER)
}
