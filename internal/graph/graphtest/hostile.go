package graphtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// What a real tenant, network or service may do that the documentation
// does not promise: a redirect to another host, a nextLink pointing back at
// its own page, other spellings of a job's status, another token.

// SetToken changes the bearer token every request must carry.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// LoopNextLink makes every collection page of a request match accepts
// answer with an @odata.nextLink to the very URL requested: a page that
// points back at itself. A nil match removes the fault.
func (s *Server) LoopNextLink(match func(*http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loopNextLink = match
}

// EndlessNextLink makes every collection page of a request match accepts
// answer with an @odata.nextLink to a page never linked before: paging that
// never ends, though no link repeats. EndlessPages counts the links handed
// out. A nil match removes the fault.
func (s *Server) EndlessNextLink(match func(*http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endlessNextLink = match
}

// EndlessPages is the number of nextLinks EndlessNextLink has handed out.
func (s *Server) EndlessPages() int64 { return s.endlessPages.Load() }

// SetJobStatus makes the server report the status of asynchronous jobs on
// PKI containers (upload, delete) as f returns it for the documented
// "running" and "succeeded" and the undocumented "failed": Graph documents
// status as a free string, so other spellings ("Running") or other values
// ("inProgress") must be handled. nil restores the documented values.
func (s *Server) SetJobStatus(f func(status string) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobStatus = f
}

// setPKIStatus records a job's status through the SetJobStatus mapping. The
// caller holds s.mu.
func (s *Server) setPKIStatus(id, status, details string) error {
	if s.jobStatus != nil {
		status = s.jobStatus(status)
	}
	return s.Store.SetPKIStatus(id, status, details)
}

// ForeignURL is the base URL (with /v1.0) of another host, which answers
// every request with 200 {"value":[]} and counts them (ForeignRequests):
// the target of a redirect Graph must never lead cbactl to.
func (s *Server) ForeignURL() string {
	s.foreignOnce.Do(func() {
		f := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.foreignHits.Add(1)
			w.Header().Set("Content-Type", successContentType)
			_, _ = w.Write([]byte(`{"value":[]}`))
		}))
		s.mu.Lock()
		s.foreign = f
		s.mu.Unlock()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.foreign.URL + "/v1.0"
}

// ForeignRequests is the number of requests the foreign host received.
func (s *Server) ForeignRequests() int64 { return s.foreignHits.Load() }

// RedirectWhen answers requests for which match returns true, times times
// (-1: always), with 302 Found to the same path on the foreign host
// (ForeignURL).
func (s *Server) RedirectWhen(match func(*http.Request) bool, times int) {
	foreign := strings.TrimSuffix(s.ForeignURL(), "/v1.0")
	s.addFault(&faultRule{match: match, times: times, redirect: foreign})
}

// Before makes act run just before a request for which match returns true
// is handled (before faults and authentication), once: another client's
// write landing between cbactl's requests. act may use the Store; it must
// not call the Server's fault methods.
func (s *Server) Before(match func(*http.Request) bool, act func(*http.Request)) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.before = append(s.before, &beforeRule{match: match, act: act})
}

type beforeRule struct {
	match func(*http.Request) bool
	act   func(*http.Request)
	done  bool
}

// runBefore runs the Before actions a request triggers.
func (s *Server) runBefore(r *http.Request) {
	s.faultMu.Lock()
	var acts []func(*http.Request)
	for _, b := range s.before {
		if !b.done && b.match(r) {
			b.done = true
			acts = append(acts, b.act)
		}
	}
	s.faultMu.Unlock()
	for _, a := range acts {
		a(r)
	}
}
