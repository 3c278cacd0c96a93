// Package snapshot is the tenant backend of `--snapshot FILE`: a tenant
// snapshot file (contract §2) read into memory, changed with Graph's write
// semantics, and written back atomically by Flush.
package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/cbactl/cbactl/internal/atomicfile"
	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/readfile"
)

// Tenant is a snapshot file as a model.Tenant.
type Tenant struct {
	path  string
	store *store.Store

	mu    sync.Mutex
	dirty bool
}

var _ model.Tenant = (*Tenant)(nil)

// MaxBytes bounds a snapshot file: a tenant's whole trust store (250 CAs
// a container, a few KB each) and configuration are a few MB at most.
const MaxBytes = 64 << 20

// Open reads the snapshot at path.
func Open(path string) (*Tenant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer f.Close()
	var size int64
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		size = info.Size()
	}
	data, err := readfile.Sized(f, size, MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%s: the snapshot is larger than %d MiB; cbactl reads snapshots of at most %d MiB", path, MaxBytes>>20, MaxBytes>>20)
	}
	s := store.NewStore()
	if err := s.Load(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Tenant{path: path, store: s}, nil
}

// Path is the snapshot file's path.
func (t *Tenant) Path() string { return t.path }

// Flush writes the snapshot back if anything changed, atomically: to a
// temporary file beside it, then renamed over it. Properties cbactl does not
// model are kept.
func (t *Tenant) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.dirty {
		return nil
	}
	if err := atomicfile.WriteFile(t.path, t.store.Snapshot()); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	t.dirty = false
	return nil
}

func (t *Tenant) changed() {
	t.mu.Lock()
	t.dirty = true
	t.mu.Unlock()
}

// ReadDocument returns the snapshot in Graph's shapes; the warnings name the
// properties cbactl does not model.
func (t *Tenant) ReadDocument(context.Context) (wire.Document, []string, error) {
	doc, unknown, err := t.store.Document()
	if err != nil {
		return doc, nil, fmt.Errorf("%s: %w", t.path, err)
	}
	// A value cbactl does not know, or a certificate that does not
	// parse, is an error in a snapshot, never passed over.
	if problems := doc.Check(); len(problems) > 0 {
		return doc, nil, fmt.Errorf("snapshot %s: %s", t.path, strings.Join(problems, "; "))
	}
	return doc, wire.UnknownWarnings(unknown), nil
}

// Observe reads the observed state.
func (t *Tenant) Observe(ctx context.Context) (*model.Observation, error) {
	doc, warnings, err := t.ReadDocument(ctx)
	if err != nil {
		return nil, err
	}
	st, enumWarnings := doc.Observe()
	return &model.Observation{State: st, Warnings: append(warnings, enumWarnings...)}, nil
}

func idOf(obj []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(obj, &v)
	return v.ID
}

// CreatePKI adds an empty PKI container.
func (t *Tenant) CreatePKI(_ context.Context, displayName string) (model.PKI, error) {
	obj := t.store.CreatePKI(wire.ToObject(wire.PKI{DisplayName: displayName}))
	t.changed()
	return model.PKI{ID: idOf(obj), DisplayName: displayName, Status: wire.PKIStatusSucceeded}, nil
}

// UpdatePKI renames a PKI container.
func (t *Tenant) UpdatePKI(_ context.Context, id, displayName string) error {
	_, err := t.store.PatchPKI(id, wire.ToObject(wire.PKI{DisplayName: displayName}))
	return t.result(err)
}

// DeletePKI deletes a PKI container and its CAs.
func (t *Tenant) DeletePKI(_ context.Context, id string) error {
	return t.result(t.store.DeletePKI(id))
}

// CreateCA adds a CA.
func (t *Tenant) CreateCA(_ context.Context, pkiID string, ca model.CA) (model.CA, error) {
	obj, err := t.store.CreateCA(pkiID, wire.ToObject(wire.CAFromModel(ca)))
	if err != nil {
		return model.CA{}, t.result(err)
	}
	t.changed()
	ca.ID = idOf(obj)
	return ca, nil
}

// UpdateCA writes a CA's mutable attributes.
func (t *Tenant) UpdateCA(_ context.Context, pkiID string, ca model.CA) error {
	_, err := t.store.PatchCA(pkiID, ca.ID, wire.ToObject(wire.CAUpdateFromModel(ca)))
	return t.result(err)
}

// DeleteCA deletes a CA.
func (t *Tenant) DeleteCA(_ context.Context, pkiID, caID string) error {
	return t.result(t.store.DeleteCA(pkiID, caID))
}

// StartUpload plays an upload from the local copy of the bundle: a snapshot
// cannot fetch the URL, and the local copy is what the configuration
// declares. The result is what Graph does: one CA per certificate not yet in
// the container.
func (t *Tenant) StartUpload(ctx context.Context, pkiID string, u model.Upload) error {
	certs, err := pki.ParsePKCS7(u.Bundle)
	if err != nil {
		return fmt.Errorf("upload to %s: %w", pkiID, err)
	}
	existing, err := t.store.CAs(pkiID)
	if err != nil {
		return t.result(err)
	}
	have := map[string]bool{}
	for _, obj := range existing {
		var ca wire.CA
		if json.Unmarshal(obj, &ca) == nil {
			have[pki.SHA1Thumbprint(ca.Certificate)] = true
		}
	}
	for _, c := range certs {
		if have[pki.SHA1Thumbprint(c.Raw)] {
			continue
		}
		if _, err := t.CreateCA(ctx, pkiID, model.CAFromUpload(c)); err != nil {
			return err
		}
	}
	return nil
}

// PKI returns a PKI container with its CAs.
func (t *Tenant) PKI(_ context.Context, id string) (model.PKI, error) {
	obj, err := t.store.PKI(id)
	if err != nil {
		return model.PKI{}, t.result(err)
	}
	var wp wire.PKI
	if err := json.Unmarshal(obj, &wp); err != nil {
		return model.PKI{}, err
	}
	cas, err := t.store.CAs(id)
	if err != nil {
		return model.PKI{}, t.result(err)
	}
	for _, c := range cas {
		var ca wire.CA
		if err := json.Unmarshal(c, &ca); err != nil {
			return model.PKI{}, err
		}
		wp.CertificateAuthorities = append(wp.CertificateAuthorities, ca)
	}
	doc := wire.Document{PKIs: []wire.PKI{wp}}
	st, _ := doc.Observe()
	return st.PKIs[0], nil
}

// UpdateX509 replaces the method configuration.
func (t *Tenant) UpdateX509(_ context.Context, x model.X509Config) error {
	body := wire.ToObject(wire.X509FromModel(x))
	for k, v := range body {
		if string(v) == "null" { // left out of the write: the store keeps its value
			delete(body, k)
		}
	}
	t.store.PatchX509(body)
	t.changed()
	return nil
}

// ResolveGroups finds groups by display name among the snapshot's groups.
func (t *Tenant) ResolveGroups(_ context.Context, names []string) (map[string][]model.Group, error) {
	out := make(map[string][]model.Group, len(names))
	for _, n := range names {
		out[n] = []model.Group{}
		for _, obj := range t.store.Groups(n) {
			var g wire.Group
			if err := json.Unmarshal(obj, &g); err != nil {
				return nil, err
			}
			out[n] = append(out[n], model.Group{ID: g.ID, DisplayName: g.DisplayName})
		}
	}
	return out, nil
}

// result marks the tenant changed after a successful write and words a
// missing object as Graph would.
func (t *Tenant) result(err error) error {
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", t.path, err)
	}
	t.changed()
	return nil
}
