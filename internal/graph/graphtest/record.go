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
	s.recCond.Broadcast()
}

func (s *Server) enter() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.active++
}

func (s *Server) leave() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.active--
	s.recCond.Broadcast()
}

// WaitRequests blocks until at least n requests have been recorded since
// the start or the last ResetRequests: a test's way to know that a request
// has reached the server, without sleeping.
func (s *Server) WaitRequests(n int) {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	for len(s.requests) < n {
		s.recCond.Wait()
	}
}

// WaitIdle blocks until no request is being handled: every request that
// reached the server has been answered or abandoned (a client that gave up
// during a wait), and nothing it does is still to come.
func (s *Server) WaitIdle() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	for s.active > 0 {
		s.recCond.Wait()
	}
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
