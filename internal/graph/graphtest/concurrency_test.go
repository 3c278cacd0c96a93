package graphtest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// --- concurrency ---

func TestConcurrentRequests(t *testing.T) {
	h := setup(t, Options{})
	id := h.createPKI("P")
	root := pkitest.NewRoot()
	var wg sync.WaitGroup
	statuses := make([]int, 16)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 4 {
			case 0: // the same certificate, concurrently: exactly one wins
				statuses[i] = h.do("POST", pkisURL+"/"+id+"/certificateAuthorities", caBody(root.DER)).status
			case 1:
				statuses[i] = h.do("PATCH", x509URL, docPatchBody).status
			case 2:
				statuses[i] = h.do("POST", pkisURL, map[string]any{"displayName": fmt.Sprint(i)}).status
			default:
				statuses[i] = h.do("GET", pkisURL+"/"+id+"/certificateAuthorities", nil).status
			}
		}()
	}
	wg.Wait()
	created := 0
	for i := 0; i < len(statuses); i += 4 {
		if statuses[i] == 201 {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d concurrent POSTs of one certificate succeeded, want 1 (statuses %v)", created, statuses)
	}
	if n := len(h.srv.Requests()); n != 17 {
		t.Errorf("%d requests recorded, want 17", n)
	}
}

// TestStoreReadsDuringWrites exercises store.Store's readers while the server
// writes (run with -race).
func TestStoreReadsDuringWrites(t *testing.T) {
	h := setup(t, Options{})
	h.must(h.do("PATCH", x509URL, docPatchBody), 204)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 20 {
			h.do("PATCH", x509URL, map[string]any{"@odata.type": wire.X509ODataType, "state": []string{"enabled", "disabled"}[i%2]})
		}
	}()
	go func() {
		defer wg.Done()
		for range 20 {
			if _, _, err := h.srv.Store.Document(); err != nil {
				t.Error(err)
			}
			_ = h.srv.Snapshot()
		}
	}()
	wg.Wait()
}

func TestCloseCutsWaitsShort(t *testing.T) {
	s := New(Options{Token: testToken, Latency: time.Minute})
	h := &harness{t: t, srv: s, hc: &http.Client{Timeout: 30 * time.Second}}
	errc := make(chan error, 1)
	go func() {
		_, err := h.hc.Do(h.request("GET", "/organization", nil))
		errc <- err
	}()
	s.WaitRequests(1)
	// Close waits for every handler: without cutting the minute of latency
	// short it would return after a minute, and the request be answered.
	s.Close()
	if err := <-errc; err == nil {
		t.Error("a request cut short by Close got an answer")
	}
}

// TestTrustStoreNeedsMethodEnabled: "The certificate-based authentication
// method must be enabled in the tenant for you to manage these PKI
// instances" (graph-api.md §2, §9.14). Every PKI and CA write is refused
// while the method is disabled; reads are not.
func TestTrustStoreNeedsMethodEnabled(t *testing.T) {
	h := setup(t, Options{})
	root := pkitest.NewRoot(pkitest.WithCN("Gate Root"))
	id := h.createPKI("P")
	base := pkisURL + "/" + id + "/certificateAuthorities"
	caID := h.must(h.do("POST", base, caBody(root.DER)), 201).object(t)["id"].(string)
	h.must(h.do("PATCH", x509URL, map[string]any{"@odata.type": wire.X509ODataType, "state": "disabled"}), 204)

	const msg = "must be enabled"
	other := pkitest.NewRoot(pkitest.WithCN("Other Root"))
	for _, w := range []struct {
		method, path string
		body         any
	}{
		{"POST", pkisURL, map[string]any{"displayName": "Q"}},
		{"PATCH", pkisURL + "/" + id, map[string]any{"displayName": "R"}},
		{"POST", base, caBody(other.DER)},
		{"PATCH", base + "/" + caID, map[string]any{"isIssuerHintEnabled": true}},
		{"POST", pkisURL + "/" + id + "/upload", map[string]any{"uploadUrl": "https://x/b.p7b", "sha256FileHash": "00"}},
		{"DELETE", base + "/" + caID, nil},
		{"DELETE", pkisURL + "/" + id, nil},
	} {
		wantError(t, h.do(w.method, w.path, w.body), 400, "BadRequest", msg)
	}
	h.must(h.do("GET", pkisURL, nil), 200)
	h.must(h.do("GET", base, nil), 200)
	if cas, _ := h.srv.Store.CAs(id); len(cas) != 1 {
		t.Errorf("%d CAs after refused writes, want 1", len(cas))
	}
}

// TestCAIssuerIsItsOwnSubject: issuer and issuerSubjectKeyIdentifier
// describe the CA as an issuer (graph-api.md §9.13); a body naming the CA's
// parent next to the CA's own key identifier is refused.
func TestCAIssuerIsItsOwnSubject(t *testing.T) {
	h := setup(t, Options{})
	root := pkitest.NewRoot(pkitest.WithCN("Own Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Own Issuing"))
	base := pkisURL + "/" + h.createPKI("P") + "/certificateAuthorities"

	parent := caBody(inter.DER)
	parent["certificateAuthorityType"] = "intermediate"
	parent["issuer"] = "CN=Own Root"
	parent["issuerSubjectKeyIdentifier"] = pki.SubjectKeyID(inter.Cert)
	wantError(t, h.do("POST", base, parent), 400, "BadRequest", "does not match the certificate's subject")

	wrongSKI := caBody(inter.DER)
	wrongSKI["issuerSubjectKeyIdentifier"] = pki.SubjectKeyID(root.Cert)
	wantError(t, h.do("POST", base, wrongSKI), 400, "BadRequest", "does not match the certificate's subject key identifier")

	own := caBody(inter.DER)
	own["certificateAuthorityType"] = "intermediate"
	own["issuer"] = "CN=Own Issuing"
	own["issuerSubjectKeyIdentifier"] = strings.ToLower(pki.SubjectKeyID(inter.Cert))
	if o := h.must(h.do("POST", base, own), 201).object(t); o["issuer"] != "CN=Own Issuing" {
		t.Errorf("issuer %v, want the CA's own subject", o["issuer"])
	}
}
