package store

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

func TestStoreSnapshotRoundTripKeepsUnknowns(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	s := NewStore()
	s.SetTenantID("00000000-0000-0000-0000-0000000000aa")
	s.PatchX509(wire.Object{"state": wire.Raw("enabled"), "futureSetting": json.RawMessage(`{"a":1}`)})
	p := s.CreatePKI(wire.Object{"displayName": wire.Raw("Contoso")})
	pkiID := idOfTest(p)
	ca, err := s.CreateCA(pkiID, wire.ToObject(wire.CA{Certificate: root.DER, CertificateAuthorityType: "root"}))
	if err != nil {
		t.Fatal(err)
	}
	var got wire.CA
	if err := json.Unmarshal(ca, &got); err != nil {
		t.Fatal(err)
	}
	if got.Thumbprint == "" || got.ExpirationDateTime == "" || got.IssuerSubjectKeyIdentifier == "" || got.Issuer != "CN=Root" {
		t.Errorf("derived fields missing: %+v", got)
	}
	s.AddGroup(wire.Group{ID: "g", DisplayName: "CBA Users"})
	s.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}})

	snap := s.Snapshot()
	s2 := NewStore()
	if err := s2.Load(snap); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(snap), string(s2.Snapshot())); diff != "" {
		t.Errorf("snapshot round trip (-first +second):\n%s", diff)
	}
	if !strings.Contains(string(snap), `"futureSetting"`) {
		t.Error("a property cbactl does not model was dropped")
	}
	_, unknown, err := s2.Document()
	if err != nil || len(unknown) != 1 || unknown[0] != "x509Certificate.futureSetting" {
		t.Errorf("Document: unknown %v, err %v", unknown, err)
	}
}

func TestLoadRejects(t *testing.T) {
	for name, src := range map[string]string{
		"unknown top-level key": `{"snapshotVersion":1,"x509certificate":{}}`,
		"wrong version":         `{"snapshotVersion":2}`,
		"no version":            `{}`,
		"PKI without id":        `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"displayName":"x"}]}`,
		"not JSON":              `snapshotVersion: 1`,
	} {
		if err := NewStore().Load([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLoadErrors: what Load says of a snapshot it rejects (the start of
// the message).
func TestLoadErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`{"snapshotVersion":1,"x509certificate":{"state":"enabled"}}`, `invalid snapshot: unknown top-level key "x509certificate"`},
		{`{"snapshotVersion":1,"groups":[],"bogus":null}`, `invalid snapshot: unknown top-level key "bogus"`},
		{`[{"snapshotVersion":1}]`, "invalid snapshot: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{`"snapshot"`, "invalid snapshot: json: cannot unmarshal string into Go value of type map[string]json.RawMessage"},
		{`{"snapshotVersion":1,}`, "invalid snapshot: invalid character '}' looking for beginning of object key string"},
		{`{"snapshotVersion":"1"}`, "invalid snapshot: json: cannot unmarshal string into Go struct field snapshotFile.snapshotVersion of type int"},
	} {
		err := NewStore().Load([]byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Load(%s): %v, want %s...", c.src, err, c.want)
		}
	}
}

func idOfTest(obj []byte) string {
	var v struct{ ID string }
	_ = json.Unmarshal(obj, &v)
	return v.ID
}

// TestCreateCADescribesTheCAAsIssuer: the store derives issuer from the
// CA's own certificate, as wire.CAFromModel does (graph-api.md §9.13).
func TestCreateCADescribesTheCAAsIssuer(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Issuing"))
	s := NewStore()
	p := s.CreatePKI(wire.Object{"displayName": wire.Raw("P")})
	ca, err := s.CreateCA(idOfTest(p), wire.ToObject(wire.CA{Certificate: issuing.DER}))
	if err != nil {
		t.Fatal(err)
	}
	var got wire.CA
	if err := json.Unmarshal(ca, &got); err != nil {
		t.Fatal(err)
	}
	if got.Issuer != "CN=Issuing" {
		t.Errorf("stored issuer %q, want the CA's own subject", got.Issuer)
	}
}
