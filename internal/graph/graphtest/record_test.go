package graphtest

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// --- recording ---

func TestRecording(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Status: 429})
	h.do("GET", pkisURL+"?$top=5", nil, "client-request-id", "c1")
	h.do("POST", pkisURL, `{"displayName":"P"}`)
	h.do("GET", "/organization", nil, "Authorization", "")
	want := []Request{
		{Method: "GET", Path: "/v1.0" + pkisURL, RawQuery: "$top=5", Header: http.Header{"Authorization": {"REDACTED"}, "Client-Request-Id": {"c1"}}},
		{Method: "POST", Path: "/v1.0" + pkisURL, Header: http.Header{"Authorization": {"REDACTED"}, "Content-Type": {"application/json"}}, Body: []byte(`{"displayName":"P"}`)},
		{Method: "GET", Path: "/v1.0/organization", Header: http.Header{}},
	}
	got := h.srv.Requests()
	for i := range got {
		for _, k := range []string{"User-Agent", "Accept-Encoding", "Content-Length"} {
			got[i].Header.Del(k)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	h.srv.ResetRequests()
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests after reset", n)
	}
}
