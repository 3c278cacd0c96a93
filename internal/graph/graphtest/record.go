package graphtest

import (
	"bytes"
	"net/http"
	"slices"
)

// Request is a recorded request.
type Request struct {
	Method string
	// Path is the URL path as sent, version segment included
	// ("/v1.0/directory/publicKeyInfrastructure/...").
	Path     string
	RawQuery string
	// Header holds the request headers as sent, except that a non-empty
	// Authorization value is replaced by "REDACTED".
	Header http.Header
	// Body is the body after decompression (the raw bytes when they could
	// not be decompressed); nil when empty.
	Body []byte
}

// record keeps a copy of the request. Every request is recorded, before
// latency, faults and authentication.
func (s *Server) record(r *http.Request, body []byte) {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Authorization") != "" {
		h.Set("Authorization", "REDACTED")
	}
	req := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: h}
	if len(body) > 0 {
		req.Body = bytes.Clone(body)
	}
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.requests = append(s.requests, req)
}

// Requests returns the requests received since the start or the last
// ResetRequests, oldest first.
func (s *Server) Requests() []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := slices.Clone(s.requests)
	for i := range out {
		out[i].Header = out[i].Header.Clone()
		out[i].Body = bytes.Clone(out[i].Body)
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.requests = nil
}
