package graphtest

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"time"
)

// Fault is an injected failure.
type Fault struct {
	// Status is the HTTP status to answer with (e.g. 429, 503, 504, 500);
	// 0 means 500 unless Drop is set.
	Status int
	// RetryAfter is the Retry-After header value (seconds, or an HTTP-date);
	// empty: no header.
	RetryAfter string
	// Code and Message are the Graph error's code and message; empty ones
	// default by status (429 TooManyRequests, 503 serviceNotAvailable, 504
	// gatewayTimeout, 500 generalException, ...).
	Code, Message string
	// Drop hijacks the connection and closes it instead of answering, so the
	// client sees a transport error. Note that Go's http.Transport silently
	// resends a replayable request (GET, HEAD, OPTIONS, TRACE without a body)
	// whose *reused* keep-alive connection was closed before any response
	// byte: to observe the error with such a request, disable keep-alives
	// or drop it more than once (FailNext(2, ...)).
	Drop bool
	// Delay is an extra delay before answering (after handling, with
	// AfterHandling).
	Delay time.Duration
	// AfterHandling applies the request first (authentication, validation,
	// store), then answers with the fault instead of the real response: a
	// write that succeeded but whose response was lost.
	AfterHandling bool
	// Header holds extra response headers (e.g. Location for a redirect).
	Header http.Header
	// Body, when set, is the raw response body (JSON) answered with Status
	// (default 200) instead of a Graph error: a proxy's or another
	// service's answer.
	Body []byte
}

// faultRule is a registered fault and the requests it applies to.
type faultRule struct {
	fault Fault
	match func(*http.Request) bool // nil: every request
	nth   bool                     // FailNth: skip counts down to the one request it hits
	skip  int
	times int // remaining applications; -1: unlimited
	// redirect, when set, is a scheme://host the request is redirected to
	// (302, same path and query).
	redirect string
}

// FailNext makes the next n requests fail with f.
func (s *Server) FailNext(n int, f Fault) {
	if n > 0 {
		s.addFault(&faultRule{fault: f, times: n})
	}
}

// FailNth makes the n-th request from now (1-based) fail with f, once. It
// counts every request, including those another fault answers, and it takes
// precedence over FailNext and FailWhen faults when it hits.
func (s *Server) FailNth(n int, f Fault) {
	if n > 0 {
		s.addFault(&faultRule{fault: f, nth: true, skip: n - 1, times: 1})
	}
}

// FailWhen makes requests for which match returns true fail with f, times
// times (-1: always). match sees the request with its body decompressed and
// readable; it must not call the Server's fault methods. A nil match matches
// every request.
func (s *Server) FailWhen(match func(*http.Request) bool, times int, f Fault) {
	if times != 0 {
		s.addFault(&faultRule{fault: f, match: match, times: times})
	}
}

// ClearFaults removes every pending fault, Before action, nextLink loop,
// endless paging and job status mapping.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	s.faults = nil
	s.before = nil
	s.faultMu.Unlock()
	s.mu.Lock()
	s.loopNextLink = nil
	s.endlessNextLink = nil
	s.jobStatus = nil
	s.mu.Unlock()
}

func (s *Server) addFault(r *faultRule) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = append(s.faults, r)
}

// takeFault returns the fault that applies to a request, if any, and uses it
// up. FailNth rules count the request whatever happens; of the rules that
// hit, FailNth ones come first, then the others in registration order.
func (s *Server) takeFault(r *http.Request, body []byte) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	var (
		chosen Fault
		found  bool
	)
	for _, fr := range s.faults {
		if !fr.nth {
			continue
		}
		if fr.skip > 0 {
			fr.skip--
			continue
		}
		if !found {
			chosen, found = fr.fault, true
		}
		fr.times = 0
	}
	for _, fr := range s.faults {
		if found {
			break
		}
		if fr.nth || fr.times == 0 {
			continue
		}
		if fr.match != nil {
			rc := r.Clone(r.Context())
			rc.Body = io.NopCloser(bytes.NewReader(body))
			rc.ContentLength = int64(len(body))
			if !fr.match(rc) {
				continue
			}
		}
		chosen, found = fr.fault, true
		if fr.redirect != "" {
			chosen = Fault{Status: http.StatusFound, Header: http.Header{"Location": {fr.redirect + r.URL.RequestURI()}}}
		}
		if fr.times > 0 {
			fr.times--
		}
	}
	s.faults = slices.DeleteFunc(s.faults, func(fr *faultRule) bool { return fr.times == 0 })
	return chosen, found
}

// faultDefaults are the Graph error code and message of a status.
var faultDefaults = map[int][2]string{
	http.StatusBadRequest:          {"BadRequest", "Bad request."},
	http.StatusUnauthorized:        {"InvalidAuthenticationToken", "Access token validation failure."},
	http.StatusForbidden:           {"Authorization_RequestDenied", "Insufficient privileges to complete the operation."},
	http.StatusNotFound:            {"itemNotFound", "The resource could not be found."},
	http.StatusConflict:            {"Directory_ConcurrencyViolation", "Another operation is in progress on this object."},
	http.StatusPreconditionFailed:  {"preconditionFailed", "The precondition failed."},
	http.StatusTooManyRequests:     {"TooManyRequests", "Too many requests."},
	http.StatusInternalServerError: {"generalException", "An unspecified error has occurred."},
	http.StatusBadGateway:          {"badGateway", "Bad gateway."},
	http.StatusServiceUnavailable:  {"serviceNotAvailable", "The service is temporarily unavailable. Please retry later."},
	http.StatusGatewayTimeout:      {"gatewayTimeout", "The gateway timed out."},
}

// answerFault writes f (or drops the connection).
func (c *call) answerFault(w http.ResponseWriter, f Fault) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection (or resets the HTTP/2 stream)
	}
	if f.Body != nil || (f.Status >= 300 && f.Status < 400) {
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		h := f.Header.Clone()
		if h == nil {
			h = http.Header{}
		}
		if f.Body != nil && h.Get("Content-Type") == "" {
			h.Set("Content-Type", successContentType)
		}
		c.write(w, response{status: status, body: f.Body, header: h})
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	def, ok := faultDefaults[status]
	if !ok {
		def = [2]string{"error", http.StatusText(status)}
	}
	code, msg := f.Code, f.Message
	if code == "" {
		code = def[0]
	}
	if msg == "" {
		msg = def[1]
	}
	h := f.Header.Clone()
	if f.RetryAfter != "" {
		if h == nil {
			h = http.Header{}
		}
		h.Set("Retry-After", f.RetryAfter)
	}
	c.write(w, c.errorOf(status, code, msg, h))
}
