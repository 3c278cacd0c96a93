package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func TestRetry429ThenSuccessResendsBody(t *testing.T) {
	srv := newServer(t)
	c, s := newClient(t, srv)
	srv.FailNext(3, graphtest.Fault{Status: 429, RetryAfter: "1"})
	x := fullX509("aaaaaaaa-0000-0000-0000-000000000001", "AABB")
	if err := c.UpdateX509(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	patches := requests(srv, "PATCH", "/x509Certificate")
	if len(patches) != 4 {
		t.Fatalf("%d PATCH attempts, want 4", len(patches))
	}
	for i, p := range patches {
		if len(p.Body) == 0 || !bytes.Equal(p.Body, patches[0].Body) {
			t.Errorf("attempt %d body differs:\n%s\nvs\n%s", i+1, p.Body, patches[0].Body)
		}
		if p.Header.Get("Content-Encoding") != "" {
			t.Errorf("attempt %d compressed", i+1)
		}
		if want := map[int]string{0: "", 1: "1", 2: "2", 3: "3"}[i]; p.Header.Get("Retry-Attempt") != want {
			t.Errorf("attempt %d Retry-Attempt %q", i+1, p.Header.Get("Retry-Attempt"))
		}
	}
	if got := s.get(); len(got) != 3 || got[0] != time.Second || got[2] != time.Second {
		t.Errorf("waits %v, want 3 × 1s (Retry-After)", got)
	}
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !obs.State.X509.IssuerHints || len(obs.State.X509.Rules) != 3 {
		t.Errorf("PATCH not applied: %+v", obs.State.X509)
	}
}

func TestRetryAfterHTTPDateAndCap(t *testing.T) {
	srv := newServer(t)
	c, s := newClient(t, srv, func(o *Options) { o.MaxWait = 10 * time.Second })
	srv.FailNext(1, graphtest.Fault{Status: 503, RetryAfter: time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)})
	srv.FailNext(1, graphtest.Fault{Status: 429, RetryAfter: "3600"})
	if _, err := c.ResolveGroups(context.Background(), []string{"g"}); err != nil {
		t.Fatal(err)
	}
	got := s.get()
	if len(got) != 2 || got[0] < 3*time.Second || got[0] > 5*time.Second || got[1] != 10*time.Second {
		t.Errorf("waits %v, want ~5s (HTTP-date) then the 10s cap", got)
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	for attempt := 1; attempt <= 10; attempt++ {
		max := min(time.Second<<(attempt-1), 30*time.Second)
		for range 50 {
			if d := backoff(attempt); d < max/2 || d > max {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, max/2, max)
			}
		}
	}
	srv := newServer(t)
	c, s := newClient(t, srv)
	srv.FailNext(2, graphtest.Fault{Status: 504})
	if _, err := c.ResolveGroups(context.Background(), []string{"g"}); err != nil {
		t.Fatal(err)
	}
	if got := s.get(); len(got) != 2 || got[0] > time.Second || got[1] > 2*time.Second || got[1] < time.Second {
		t.Errorf("waits %v", got)
	}
}

func TestServerErrorExhaustion(t *testing.T) {
	srv := newServer(t)
	c, s := newClient(t, srv)
	srv.FailWhen(matchPath("GET", "/x509Certificate"), 100, graphtest.Fault{Status: 503, Message: "try later"})
	_, err := c.Observe(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Observe: %v (%T), want *APIError", err, err)
	}
	if ae.Method != "GET" || ae.Path != "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate" ||
		ae.Status != 503 || ae.Code != "serviceNotAvailable" || ae.RequestID == "" {
		t.Errorf("APIError %#v", ae)
	}
	msg := err.Error()
	for _, want := range []string{"GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate", "503", "serviceNotAvailable", "try later"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if n := len(requests(srv, "GET", "/x509Certificate")); n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
	if n := len(s.get()); n != 4 {
		t.Errorf("%d waits, want 4", n)
	}
}

func TestPatch504IsNotRetried(t *testing.T) {
	srv := newServer(t)
	c, s := newClient(t, srv)
	srv.FailWhen(matchPath("PATCH", "/x509Certificate"), 1, graphtest.Fault{Status: 504})
	err := c.UpdateX509(context.Background(), model.DefaultX509())
	var uo *UnknownOutcomeError
	if !errors.As(err, &uo) {
		t.Fatalf("UpdateX509: %v (%T), want *UnknownOutcomeError", err, err)
	}
	if uo.Method != "PATCH" || uo.Path != "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate" {
		t.Errorf("UnknownOutcomeError %+v", uo)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 504 || ae.Code != "gatewayTimeout" {
		t.Errorf("wrapped %v", uo.Err)
	}
	if !strings.Contains(err.Error(), "outcome of this write is unknown") || !strings.Contains(err.Error(), "re-read the tenant") {
		t.Errorf("message %q", err)
	}
	if n := len(requests(srv, "PATCH", "/x509Certificate")); n != 1 {
		t.Errorf("%d PATCH attempts, want 1", n)
	}
	if len(s.get()) != 0 {
		t.Errorf("waited %v", s.get())
	}
}

// A write that Graph applied but whose answer was lost (500 after handling,
// or a dropped connection) is reported as of unknown outcome, never resent.
func TestWriteUnknownOutcome(t *testing.T) {
	ctx := context.Background()
	t.Run("500 after handling", func(t *testing.T) {
		srv := newServer(t)
		c, _ := newClient(t, srv)
		srv.FailWhen(matchPath("POST", "/certificateBasedAuthConfigurations"), 1, graphtest.Fault{Status: 500, AfterHandling: true})
		_, err := c.CreatePKI(ctx, "p")
		if !IsUnknownOutcome(err) {
			t.Fatalf("CreatePKI: %v", err)
		}
		if n := len(srv.Store.PKIs()); n != 1 {
			t.Errorf("%d PKIs: the POST was applied once", n)
		}
		if n := len(requests(srv, "POST", "/certificateBasedAuthConfigurations")); n != 1 {
			t.Errorf("%d POSTs", n)
		}
	})
	t.Run("dropped connection", func(t *testing.T) {
		srv := newServer(t)
		c, _ := newClient(t, srv)
		id := seedPKI(t, srv, "p", 0, false)
		srv.FailWhen(matchPath("DELETE", id), 1, graphtest.Fault{Drop: true, AfterHandling: true})
		err := c.DeletePKI(ctx, id)
		var uo *UnknownOutcomeError
		if !errors.As(err, &uo) || uo.Method != "DELETE" || !strings.HasSuffix(uo.Path, id) {
			t.Fatalf("DeletePKI: %v", err)
		}
		if n := len(requests(srv, "DELETE", id)); n != 1 {
			t.Errorf("%d DELETEs", n)
		}
	})
	t.Run("503 is retried", func(t *testing.T) {
		srv := newServer(t)
		c, _ := newClient(t, srv)
		srv.FailNext(2, graphtest.Fault{Status: 503})
		if _, err := c.CreatePKI(ctx, "p"); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Store.PKIs()); n != 1 {
			t.Errorf("%d PKIs", n)
		}
	})
}

func TestGetRetriesDroppedConnection(t *testing.T) {
	srv := newServer(t)
	c, s := newClient(t, srv)
	// Twice: Go's transport itself replays a GET once on a dead keep-alive
	// connection.
	srv.FailNext(2, graphtest.Fault{Drop: true})
	if _, err := c.ResolveGroups(context.Background(), []string{"g"}); err != nil {
		t.Fatal(err)
	}
	if len(s.get()) == 0 {
		t.Error("no retry wait")
	}
}

// TestCancelledContextReturnsPromptly: a cancelled command does not sit out
// the server's latency or a Retry-After wait. The waits are a minute and the
// bound half of that, so that no verdict depends on the machine's speed.
func TestCancelledContextReturnsPromptly(t *testing.T) {
	const bound = 30 * time.Second
	srv := newServer(t)
	c, _ := newClient(t, srv, func(o *Options) { o.Sleep = nil })
	srv.SetLatency(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Observe(ctx)
	if d := time.Since(start); d > bound {
		t.Errorf("Observe returned after %v", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}

	// Cancelled during a Retry-After wait, with the real sleep.
	srv.SetLatency(0)
	srv.FailNext(1, graphtest.Fault{Status: 429, RetryAfter: "60"})
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	time.AfterFunc(100*time.Millisecond, cancel2)
	start = time.Now()
	_, err = c.ResolveGroups(ctx2, []string{"g"})
	if d := time.Since(start); d > bound {
		t.Errorf("ResolveGroups returned after %v", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

// A Retry-After that would end after the overall deadline is not waited
// for: the request fails at once and says what Graph asked for. Waits that
// fit are announced through Notify.
func TestRetryAfterBeyondDeadline(t *testing.T) {
	srv := newServer(t)
	var notes []string
	var mu sync.Mutex
	c, s := newClient(t, srv, func(o *Options) {
		o.Notify = func(m string) { mu.Lock(); notes = append(notes, m); mu.Unlock() }
	})
	srv.FailNext(1, graphtest.Fault{Status: 429, RetryAfter: "100000"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.ResolveGroups(ctx, []string{"g"})
	if err == nil || !strings.Contains(err.Error(), "would pass the overall deadline") {
		t.Fatalf("err = %v, want the deadline refusal", err)
	}
	if len(s.get()) != 0 {
		t.Errorf("waited %v", s.get())
	}

	srv.FailNext(1, graphtest.Fault{Status: 503, RetryAfter: "7"})
	if _, err := c.ResolveGroups(ctx, []string{"g"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notes) != 1 || !strings.Contains(notes[0], "GET /groups: Graph answered 503 Service Unavailable with Retry-After: 7; waiting 7s before attempt 2 of 5") {
		t.Errorf("notes %q", notes)
	}
}

// A request cancelled because another one failed reports a plain
// cancellation, in its error and in the debug log, never the other
// request's error (errgroup cancels with that error as the cause).
func TestCancelledRequestLogsItsOwnError(t *testing.T) {
	srv := newServer(t)
	var log bytes.Buffer
	var mu sync.Mutex
	c, _ := newClient(t, srv, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &log, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	srv.FailWhen(matchPath("GET", "/x509Certificate"), -1, graphtest.Fault{Status: 400, Code: "BadRequest", Message: "policy-read-failed"})
	srv.FailWhen(matchPath("GET", "/organization"), -1, graphtest.Fault{Status: 200, Delay: 5 * time.Second})
	// The policy read fails only once /organization is on its way: a read
	// sends nothing more after a failure, and the test is about a request
	// already sent.
	orgSent := make(chan struct{})
	srv.Before(matchPath("GET", "/organization"), func(*http.Request) { close(orgSent) })
	srv.Before(matchPath("GET", "/x509Certificate"), func(*http.Request) { <-orgSent })
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "policy-read-failed") {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "/organization") && strings.Contains(line, "policy-read-failed") {
			t.Errorf("the cancelled request is logged with another request's error: %s", line)
		}
		if strings.Contains(line, "/organization") && !strings.Contains(line, "context canceled") {
			t.Errorf("the cancelled request is not logged as cancelled: %s", line)
		}
	}
	if !strings.Contains(log.String(), "/organization") {
		t.Errorf("no log line for /organization:\n%s", log.String())
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestDebugLogNeverShowsToken(t *testing.T) {
	const secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzZWNyZXQiOiJ5ZXMifQ.c2lnbmF0dXJl"
	srv := graphtest.New(graphtest.Options{Token: secret})
	defer srv.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(Options{BaseURL: srv.URL(), AccessToken: secret, Logger: logger, Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv.FailNext(1, graphtest.Fault{Status: 429, RetryAfter: "1"})
	if _, err := c.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	var errs []error
	srv.FailNext(1, graphtest.Fault{Status: 400, Message: "Bearer " + secret + " was rejected"})
	_, err = c.CreatePKI(ctx, "p")
	errs = append(errs, err)
	srv.FailWhen(matchPath("PATCH", "/x509Certificate"), 1, graphtest.Fault{Drop: true})
	errs = append(errs, c.UpdateX509(ctx, model.DefaultX509()))

	// A client with a wrong token: 401.
	bad, err := New(Options{BaseURL: srv.URL(), AccessToken: secret + "x", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Observe(ctx)
	errs = append(errs, err)

	for i, e := range errs {
		if e == nil {
			t.Errorf("error %d is nil", i)
			continue
		}
		if strings.Contains(e.Error(), secret) || strings.Contains(e.Error(), "c2lnbmF0dXJl") {
			t.Errorf("error %d shows the token: %v", i, e)
		}
	}
	log := buf.String()
	if strings.Contains(log, secret) || strings.Contains(log, "c2lnbmF0dXJl") || strings.Contains(strings.ToLower(log), "authorization") {
		t.Errorf("the log shows the token or the Authorization header:\n%s", log)
	}
	for _, want := range []string{"graph request", "method=GET", "status=429", "status=200", "attempt=2", "request_id=", "duration=", "url=http://127.0.0.1"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"-3", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	} {
		d, ok := retryAfter(http.Header{"Retry-After": {tc.v}}, now)
		if d != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.v, d, ok, tc.want, tc.ok)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, s := range []string{
		"Authorization: Bearer abc.def-ghi_jkl",
		"token eyJhbGciOi.eyJzdWIiOi.sig-nat_ure here",
	} {
		r := redact(s)
		if strings.Contains(r, "abc.def") || strings.Contains(r, "eyJzdWIiOi") {
			t.Errorf("redact(%q) = %q", s, r)
		}
	}
}

// htmlProxy answers every GET of the x509 configuration with an HTML 502,
// as a corporate proxy might; everything else goes to the fake Graph.
type htmlProxy struct{ next http.RoundTripper }

func (p htmlProxy) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/x509Certificate") {
		return &http.Response{
			StatusCode: 502, Status: "502 Bad Gateway", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"text/html"}, "Request-Id": {"proxy-1"}},
			Body:    io.NopCloser(strings.NewReader("<html><body>Bad gateway</body></html>")),
			Request: r,
		}, nil
	}
	return p.next.RoundTrip(r)
}

// The SDK cannot parse a non-JSON error body and loses the status; the
// error still names the request and the status the transport saw.
func TestNonJSONErrorResponse(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, func(o *Options) { o.HTTPTransport = htmlProxy{http.DefaultTransport} })
	_, err := c.Observe(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 502 || ae.Method != "GET" || !strings.HasSuffix(ae.Path, "/x509Certificate") || ae.RequestID != "proxy-1" {
		t.Fatalf("Observe: %v (%#v)", err, ae)
	}
}
