package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Retry policy defaults (Options overrides the first three).
const (
	defaultMaxAttempts    = 5
	defaultMaxWait        = 120 * time.Second
	defaultAttemptTimeout = 100 * time.Second
	backoffBase           = 1 * time.Second
	backoffCap            = 30 * time.Second
)

// UnknownOutcomeError reports a write (POST, PATCH, DELETE) whose outcome is
// unknown: the connection dropped, or Graph answered 500, 502 or 504, after
// the request may have been processed. Such a write is never retried,
// because repeating it could apply it twice; re-read the tenant before
// deciding what to do next.
type UnknownOutcomeError struct {
	Method string
	Path   string
	Err    error
}

func (e *UnknownOutcomeError) Error() string {
	cause := "no response"
	if ae, ok := e.Err.(*APIError); ok {
		cause = ae.detail()
	} else if e.Err != nil {
		cause = e.Err.Error()
	}
	return fmt.Sprintf("%s %s: the outcome of this write is unknown (it may or may not have been applied): %s; re-read the tenant (for example with cbactl plan) before trying again",
		e.Method, e.Path, cause)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// exchange records what the transport saw of one logical request (all of its
// attempts), so that errors can name the status and request id even when the
// response could not be read.
type exchange struct {
	status    int
	requestID string
	attempts  int
}

type exchangeKey struct{}

func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// retryTransport is the bottom of the HTTP pipeline, below the Graph SDK's
// middleware (which runs without its own retry and compression handlers).
// It buffers the request body so that every attempt sends it intact, retries
// what is safe to retry, and logs every attempt.
type retryTransport struct {
	base           http.RoundTripper
	baseHost       string // the Graph host ("graph.microsoft.com[:port]"): the only host requests go to
	baseScheme     string // and its scheme
	basePath       string // the base URL's path ("/v1.0"), trimmed from logged paths
	maxAttempts    int
	maxWait        time.Duration
	attemptTimeout time.Duration
	sleep          func(context.Context, time.Duration) error
	logger         *slog.Logger
	// notify, when set, is told about every wait before a retry (what
	// failed, how long, why), so that a slow or throttling Graph is never
	// waited on silently.
	notify func(string)
}

func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// apiPath is the request's path below the base URL, for messages.
func (t *retryTransport) apiPath(u *url.URL) string {
	p := u.EscapedPath()
	if t.basePath != "" && strings.HasPrefix(p, t.basePath) {
		p = strings.TrimPrefix(p, t.basePath)
	}
	if p == "" {
		p = "/"
	}
	return p
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s %s: reading the request body: %w", req.Method, t.apiPath(req.URL), err)
		}
		body = b
	}
	write := isWrite(req.Method)
	path := t.apiPath(req.URL)
	ex := exchangeFrom(ctx)
	if t.baseHost != "" && (!strings.EqualFold(req.URL.Host, t.baseHost) || !strings.EqualFold(req.URL.Scheme, t.baseScheme)) {
		// Only a redirect makes a request for another host: the client
		// builds every URL on the base URL and refuses other nextLinks.
		return nil, fmt.Errorf("%s %s://%s%s: refusing a request to a host other than Graph's (%s): a redirect to another host is never followed", req.Method, req.URL.Scheme, req.URL.Host, req.URL.EscapedPath(), t.baseHost)
	}

	for attempt := 1; ; attempt++ {
		resp, err := t.attempt(req, body, attempt)
		if ex != nil {
			ex.attempts = attempt
			if resp != nil {
				ex.status = resp.StatusCode
				ex.requestID = requestID(resp.Header)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s %s: %w", req.Method, path, ctxError(ctx))
			}
			if write {
				return nil, &UnknownOutcomeError{Method: req.Method, Path: path, Err: errors.New("the connection failed before a response arrived: " + redact(err.Error()))}
			}
			if attempt >= t.maxAttempts {
				return nil, fmt.Errorf("%s %s: giving up after %d attempts: %s", req.Method, path, attempt, redact(err.Error()))
			}
			why := "the connection failed: " + redact(err.Error())
			if err := t.wait(ctx, req.Method, path, why, backoff(attempt), false, attempt); err != nil {
				return nil, err
			}
			continue
		}

		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			if loc, err := resp.Location(); err == nil && (!strings.EqualFold(loc.Host, req.URL.Host) || !strings.EqualFold(loc.Scheme, req.URL.Scheme)) {
				drain(resp)
				return nil, fmt.Errorf("%s %s: Graph answered %d with a redirect to another host (%s://%s); refusing to follow it", req.Method, path, resp.StatusCode, loc.Scheme, loc.Host)
			}
		}

		if write && (resp.StatusCode == http.StatusInternalServerError || resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout) {
			apiErr := errorFromResponse(req.Method, path, resp)
			return nil, &UnknownOutcomeError{Method: req.Method, Path: path, Err: apiErr}
		}
		if !retryable(resp.StatusCode, write) || attempt >= t.maxAttempts {
			return resp, nil
		}
		d, ok := retryAfter(resp.Header, time.Now())
		if !ok {
			d = backoff(attempt)
		}
		why := fmt.Sprintf("Graph answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if ok {
			why += fmt.Sprintf(" with Retry-After: %s", redact(strings.TrimSpace(resp.Header.Get("Retry-After"))))
		}
		drain(resp)
		if err := t.wait(ctx, req.Method, path, why, d, ok, attempt); err != nil {
			return nil, err
		}
	}
}

// ctxError is the error of a request whose context is done: the overall
// deadline's own message when it passed, and a plain "context canceled"
// otherwise. A cancellation's cause is not used: when one request of a
// concurrent read fails, the others are cancelled with its error as the
// cause, and that error belongs to the request that failed, not to them.
func ctxError(ctx context.Context) error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		if c := context.Cause(ctx); c != nil && c != err {
			return c
		}
	}
	return err
}

// attempt sends one attempt with its own copy of the body and a per-attempt
// timeout that lasts until the response body is closed.
func (t *retryTransport) attempt(req *http.Request, body []byte, attempt int) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	if t.attemptTimeout > 0 {
		ctx, cancel = context.WithTimeout(req.Context(), t.attemptTimeout)
	}
	r := req.Clone(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	} else {
		r.Body = nil
		r.GetBody = nil
		r.ContentLength = 0
	}
	if attempt > 1 {
		r.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	t.log(r, resp, err, attempt, time.Since(start))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &limitedBody{ReadCloser: &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}}
	return resp, nil
}

// maxResponseBytes bounds the body of one Graph response. A page of the
// largest collection cbactl reads (250 CAs of a container, a few KB each)
// is well under 2 MiB; a body larger than this comes from something that
// is not Graph, and reading it whole would only exhaust memory.
const maxResponseBytes = 64 << 20

// errResponseTooLarge is the read error of a body over maxResponseBytes.
var errResponseTooLarge = fmt.Errorf("the response is larger than %d MiB; refusing to read further", maxResponseBytes>>20)

// limitedBody fails a read past maxResponseBytes.
type limitedBody struct {
	io.ReadCloser
	n int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.n > maxResponseBytes {
		return 0, errResponseTooLarge
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if b.n > maxResponseBytes {
		return n, errResponseTooLarge
	}
	return n, err
}

// wait waits d (at most maxWait) before attempt+1 of a request, after
// telling notify why. A wait that would end after the context's deadline is
// not started: the request fails at once, saying what Graph asked for.
func (t *retryTransport) wait(ctx context.Context, method, path, why string, d time.Duration, asked bool, attempt int) error {
	if d > t.maxWait {
		d = t.maxWait
	}
	if d < 0 {
		d = 0
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, ctxError(ctx))
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		what := "a retry"
		if asked {
			what = "Graph's Retry-After"
		}
		return fmt.Errorf("%s %s: %s; waiting %s for %s would pass the overall deadline (%s left): giving up (--timeout sets the deadline)",
			method, path, why, d.Round(time.Second), what, time.Until(dl).Round(time.Second))
	}
	if t.notify != nil {
		t.notify(fmt.Sprintf("%s %s: %s; waiting %s before attempt %d of %d", method, path, why, d.Round(time.Millisecond), attempt+1, t.maxAttempts))
	}
	if err := t.sleep(ctx, d); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", method, path, ctxError(ctx))
		}
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// log writes one debug record per attempt: method, URL, status, duration,
// request id and attempt number. Never headers or bodies, so never the
// Authorization header.
func (t *retryTransport) log(r *http.Request, resp *http.Response, err error, attempt int, d time.Duration) {
	if t.logger == nil || !t.logger.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("url", redactURL(r.URL)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", requestID(resp.Header)))
	}
	if err != nil {
		msg := err.Error()
		if r.Context().Err() != nil {
			// Not the cause: a request cancelled because another one
			// failed would carry that one's error (see ctxError).
			msg = ctxError(r.Context()).Error()
		}
		attrs = append(attrs, slog.String("error", redact(msg)))
	}
	t.logger.LogAttrs(r.Context(), slog.LevelDebug, "graph request", attrs...)
}

func retryable(status int, write bool) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true // not processed: safe for reads and writes
	case http.StatusGatewayTimeout:
		return !write
	}
	return false
}

// retryAfter reads Retry-After as delay-seconds or an HTTP-date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, true
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// backoff is exponential with jitter: base 1 s doubling per attempt, capped
// at 30 s, then a random wait between half of that and all of it.
func backoff(attempt int) time.Duration {
	d := backoffCap
	if attempt < 16 {
		if e := backoffBase << (attempt - 1); e < backoffCap {
			d = e
		}
	}
	half := d / 2
	return half + rand.N(half+1)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

func requestID(h http.Header) string {
	if id := h.Get("request-id"); id != "" {
		return id
	}
	return h.Get("client-request-id")
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// odataErrorBody is Graph's error envelope, read from every error response
// (by send, and here for a write whose outcome is unknown).
type odataErrorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			RequestID string `json:"request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// errorFromResponse builds an APIError from a response and consumes it.
func errorFromResponse(method, path string, resp *http.Response) *APIError {
	defer resp.Body.Close()
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode, RequestID: requestID(resp.Header)}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var body odataErrorBody
	if json.Unmarshal(b, &body) == nil {
		e.Code, e.Message = body.Error.Code, redact(body.Error.Message)
		if body.Error.InnerError.RequestID != "" {
			e.RequestID = body.Error.InnerError.RequestID
		}
	}
	return e
}

var (
	bearerRE = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*`)
	jwtRE    = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*`)
)

// redact removes anything that looks like a bearer token from a message.
func redact(s string) string {
	s = bearerRE.ReplaceAllString(s, "${1}[REDACTED]")
	return jwtRE.ReplaceAllString(s, "[REDACTED]")
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return redact(c.String())
}

// defaultSleep waits for d or until ctx is done.
func defaultSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
