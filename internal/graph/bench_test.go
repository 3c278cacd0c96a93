package graph

import (
	"context"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
)

// BenchmarkObserve reads a tenant of 20 PKIs × 250 CAs from the fake Graph
// with 20 ms of latency per request.
func BenchmarkObserve(b *testing.B) {
	srv := graphtest.New(graphtest.Options{Token: testToken})
	defer srv.Close()
	for i := range 20 {
		seedPKI(b, srv, "pki"+itoa(i), 250, false)
	}
	c, _ := newClient(b, srv)
	srv.SetLatency(20 * time.Millisecond)
	ctx := context.Background()
	srv.ResetRequests()
	b.ResetTimer()
	for range b.N {
		obs, err := c.Observe(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(obs.State.PKIs) != 20 || len(obs.State.PKIs[19].CAs) != 250 {
			b.Fatalf("observed %d PKIs", len(obs.State.PKIs))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(srv.Requests()))/float64(b.N), "requests/op")
}
