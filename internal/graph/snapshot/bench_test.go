package snapshot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// largeSnapshot is the file of a tenant of the plan benchmarks' size: 20
// PKI containers of 250 self-signed roots each, made once.
var largeSnapshot = sync.OnceValues(func() ([]byte, error) {
	s := store.NewStore()
	for p := range 20 {
		obj := s.CreatePKI(wire.ToObject(wire.PKI{DisplayName: fmt.Sprintf("PKI %02d", p)}))
		id := idOf(obj)
		for c := range 250 {
			crl := fmt.Sprintf("http://crl.example.com/p%02d/%03d.crl", p, c)
			der := pkitest.NewRoot(pkitest.WithCN(fmt.Sprintf("PKI %02d Root %03d", p, c))).DER
			if _, err := s.CreateCA(id, wire.ToObject(wire.CA{Certificate: der, CertificateAuthorityType: "root", CRLURL: &crl})); err != nil {
				return nil, err
			}
		}
	}
	return s.Snapshot(), nil
})

// BenchmarkObserveLarge reads a 5,000-CA snapshot as `cbactl plan
// --snapshot` does: Open, then Observe. -benchmem gives the bytes each read
// allocates.
func BenchmarkObserveLarge(b *testing.B) {
	data, err := largeSnapshot()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "tenant.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		tn, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		obs, err := tn.Observe(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n := len(obs.State.PKIs); n != 20 {
			b.Fatalf("%d PKIs", n)
		}
	}
}
