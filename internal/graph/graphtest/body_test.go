package graphtest

import (
	"testing"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

// --- request bodies ---

func TestGzipBodies(t *testing.T) {
	h := setup(t, Options{})
	body := `{"@odata.type":"` + wire.X509ODataType + `","state":"enabled"}`
	h.must(h.do("PATCH", x509URL, gz(t, []byte(body)), "Content-Encoding", "gzip"), 204)
	if st := h.must(h.do("GET", x509URL, nil), 200).object(t)["state"]; st != "enabled" {
		t.Errorf("state %v after gzip PATCH", st)
	}
	reqs := h.srv.Requests()
	if got := string(reqs[0].Body); got != body {
		t.Errorf("recorded body %q, want decompressed %q", got, body)
	}
	if reqs[0].Header.Get("Content-Encoding") != "gzip" {
		t.Error("recorded headers lost Content-Encoding")
	}

	id := h.createPKI("P")
	r := h.must(h.do("PATCH", pkisURL+"/"+id, gz(t, []byte(`{"displayName":"Q"}`)), "Content-Encoding", "gzip"), 200)
	if r.object(t)["displayName"] != "Q" {
		t.Errorf("gzip PKI PATCH: %s", r.body)
	}

	// The kiota retry bug (graph-api.md §8.2): gzip header, empty or plain body.
	wantError(t, h.do("PATCH", x509URL, "", "Content-Encoding", "gzip"), 400, "BadRequest", "gzip")
	wantError(t, h.do("PATCH", x509URL, body, "Content-Encoding", "gzip"), 400, "BadRequest", "gzip")
	wantError(t, h.do("PATCH", x509URL, body, "Content-Encoding", "br"), 400, "BadRequest", "Content-Encoding")
}
