package graphtest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// --- snapshots ---

func TestSnapshotRoundTrip(t *testing.T) {
	h := setup(t, Options{})
	h.must(h.do("PATCH", x509URL, docPatchBody), 204)
	id := h.createPKI("Contoso PKI")
	root := pkitest.NewRoot(pkitest.WithCN("Snap Root"))
	h.must(h.do("POST", pkisURL+"/"+id+"/certificateAuthorities", caBody(root.DER)), 201)
	h.createPKI("Empty")
	h.srv.AddGroup("g1", "CBA Users")
	h.srv.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}})
	h.must(h.do("GET", "/organization", nil), 200) // sets the tenant id

	snap := h.srv.Snapshot()
	h2 := setup(t, Options{})
	if err := h2.srv.LoadSnapshot(snap); err != nil {
		t.Fatal(err)
	}
	snap2 := h2.srv.Snapshot()
	if diff := cmp.Diff(string(snap), string(snap2)); diff != "" {
		t.Errorf("Load→Snapshot (-first +second):\n%s", diff)
	}
	if err := h2.srv.LoadSnapshot(snap2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(snap), string(h2.srv.Snapshot())); diff != "" {
		t.Errorf("second Load→Snapshot (-first +second):\n%s", diff)
	}

	// Both servers answer the same (annotations name their own host).
	for _, p := range []string{x509URL, pkisURL, pkisURL + "/" + id + "/certificateAuthorities", "/organization", "/groups"} {
		a := strings.ReplaceAll(string(h.must(h.do("GET", p, nil), 200).body), h.srv.srv.URL, "")
		b := strings.ReplaceAll(string(h2.must(h2.do("GET", p, nil), 200).body), h2.srv.srv.URL, "")
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("GET %s differs (-original +loaded):\n%s", p, diff)
		}
	}
	if err := h2.srv.LoadSnapshot([]byte(`{"snapshotVersion":1,"typo":1}`)); err == nil {
		t.Error("LoadSnapshot accepted an unknown key")
	}
}
