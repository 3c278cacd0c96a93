package graph

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cbactl/cbactl/internal/graph/snapshot"
	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// TestSnapshotOfGraphLoadsBack: a snapshot written from what the client read
// (what `cbactl export --format snapshot` does) loads back, through the
// snapshot backend, to the same observed state.
func TestSnapshotOfGraphLoadsBack(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	srv.Store.SetTenantID("11111111-2222-3333-4444-555555555555")
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Issuing"))
	srv.AddGroup("22222222-0000-0000-0000-000000000001", "CBA Users")
	c, _ := newClient(t, srv)

	p, err := c.CreatePKI(ctx, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	for _, ca := range []model.CA{
		{Certificate: root.DER, Type: model.CATypeRoot, CRLURL: "http://crl/root"},
		{Certificate: issuing.DER, Type: model.CATypeIntermediate, CRLURL: "http://crl/i", DeltaCRLURL: "http://crl/d", IssuerHint: true, DisplayName: "Issuing"},
	} {
		if _, err := c.CreateCA(ctx, p.ID, ca); err != nil {
			t.Fatal(err)
		}
	}
	x := fullX509("22222222-0000-0000-0000-000000000001", "AB12")
	if err := c.UpdateX509(ctx, x); err != nil {
		t.Fatal(err)
	}
	srv.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}})

	doc, _, err := c.ReadDocument(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tenant.json")
	if err := os.WriteFile(path, store.SnapshotFromDocument(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	fromGraph, err := c.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fromSnapshot, err := snap.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The cloud is where the client connected, not a property of the tenant.
	if diff := cmp.Diff(fromGraph.State, fromSnapshot.State, cmpopts.IgnoreFields(model.State{}, "Cloud")); diff != "" {
		t.Errorf("observed state (-graph +snapshot):\n%s", diff)
	}
	if len(fromGraph.State.Groups) != 1 || fromGraph.State.Groups[0].DisplayName != "CBA Users" {
		t.Errorf("targeted groups: %+v", fromGraph.State.Groups)
	}
}
