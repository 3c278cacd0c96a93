// Package graphtest is a fake Microsoft Graph server (net/http/httptest) for
// the endpoints cbactl uses, so that every feature is tested through real
// HTTP. It is an HTTP front over a *store.Store, which holds the tenant with
// Graph's write semantics; this package adds what Graph does at the HTTP
// level: authentication, request validation (unknown properties, enum values,
// required fields), status codes and error bodies, paging, the evolvable-enum
// Prefer header, the asynchronous PKI upload, and, for tests, request
// recording and fault injection.
//
// Each request goes through these steps, in order:
//
//  1. the response headers request-id (a new GUID) and client-request-id (the
//     request's, or a new GUID) are set;
//  2. the body is read and, with Content-Encoding: gzip, decompressed;
//  3. the request is recorded (see Requests);
//  4. Options.Latency (SetLatency) passes, and Before actions run;
//  5. faults are applied (FailNext, FailNth, FailWhen): a fault answers
//     instead of the server, so it wins over authentication; an AfterHandling
//     fault lets steps 6-7 run first and then answers instead;
//  6. authentication: without "Authorization: Bearer <Options.Token>" the
//     answer is 401 InvalidAuthenticationToken;
//  7. routing, validation and the store operation. Handlers run one at a
//     time, so a check and the write that follows it are atomic.
//
// A waiting request (latency, Fault.Delay) gives up when the client cancels
// it or the server is closed; its connection is then closed unanswered.
//
// Endpoints, below /v1.0 (or /beta); fixed path segments match
// case-insensitively:
//
//	GET|PATCH|DELETE /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate
//	GET|POST         /directory/publicKeyInfrastructure/certificateBasedAuthConfigurations
//	GET|PATCH|DELETE   .../certificateBasedAuthConfigurations/{id}
//	POST               .../certificateBasedAuthConfigurations/{id}/upload
//	GET|POST           .../certificateBasedAuthConfigurations/{id}/certificateAuthorities
//	GET|PATCH|DELETE   .../certificateBasedAuthConfigurations/{id}/certificateAuthorities/{caId}
//	GET              /organization, /organization/{tenantId}
//	GET              /organization/{tenantId}/certificateBasedAuthConfiguration[/{id}]
//	GET              /groups[?$filter=displayName eq '...' | id eq '...'], /groups/{id}
//	GET|POST         /policies/authenticationStrengthPolicies (and below: strength.go)
//	GET              /users, /users/{id|userPrincipalName}; PATCH /users/{id|upn} (users.go)
//	POST             /$batch (at most 20 requests; each throttled on its own: users.go)
//
// Status codes: GET 200; PATCH of the x509 configuration 204, of a PKI or a
// CA 200 with the object; POST 201 with the object and a Location header;
// DELETE and upload 204. An unknown id is 404 itemNotFound
// (Request_ResourceNotFound for groups), an unknown path 400 "Resource not
// found for the segment '...'", a known path with another method 405, and a
// system query option an endpoint does not support ($filter outside /groups,
// $orderby, $expand, ...) 400, so that a client relying on one notices.
// Collections page with $top (default Options.PageSize, 1..999),
// $skiptoken (in an absolute @odata.nextLink) and $count=true; $select works
// on collections and entities.
//
// A PKI DELETE is asynchronous, as Graph's: the container stays, with
// status "running", for Options.DeletePolls GETs of it and refuses writes,
// then it is gone. CA scopes must carry publicKeyInfrastructureIdentifier.
// For tests of what the documentation does not promise, the fake can also
// redirect to another host (RedirectWhen), answer a page with a nextLink to
// itself (LoopNextLink) or to ever new pages (EndlessNextLink), spell job statuses otherwise (SetJobStatus),
// answer with any body (Fault.Body), change the accepted token (SetToken),
// and let "another client" write just before a request (Before).
//
// Where Graph's behaviour is undocumented (graph-api.md §9) the fake is
// strict in ways that catch client bugs: binding priorities must be unique
// and non-negative, a PKI holds at most 250 CAs, a CA PATCH may change only
// its type, CRL URLs, issuer hint and display name, and the rule type
// issuerSubjectAndPolicyOID is accepted in a PATCH whatever the Prefer
// header (only responses hide it).
package graphtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

// Options configures a Server.
type Options struct {
	// Token is the bearer token every request must carry
	// ("Authorization: Bearer <Token>"). Required.
	Token string
	// Latency is a delay before each response (see SetLatency).
	Latency time.Duration
	// PageSize is the default page size of collections (Graph's: 100).
	// $top overrides it, up to 999.
	PageSize int
	// UploadPolls is how many GETs of a PKI (or of its CA list) an upload
	// stays "running" before it completes. 0 means 2; a negative value
	// means that the first GET already sees the upload's result.
	UploadPolls int
	// DeletePolls is how many GETs of a PKI (not of its CA list) a deleted
	// PKI stays, with status "running", before it is gone (404): Graph
	// deletes PKIs asynchronously. 0 means 1; a negative value deletes at
	// once.
	DeletePolls int
	// Now is the clock of the store and of error bodies (default time.Now).
	Now func() time.Time
}

// Server is a fake Microsoft Graph. Create it with New and Close it when done.
type Server struct {
	// Store is the tenant. Tests may read and seed it directly; writes made
	// through it bypass HTTP validation.
	Store *store.Store

	srv         *httptest.Server
	token       string
	pageSize    int
	uploadPolls int
	now         func() time.Time
	latency     atomic.Int64
	closed      chan struct{}
	closeOnce   sync.Once

	recMu    sync.Mutex
	recCond  *sync.Cond // signalled when a request is recorded or a handler returns
	requests []Request
	active   int // requests being handled

	faultMu sync.Mutex
	faults  []*faultRule
	before  []*beforeRule

	// mu serialises request handling against the store, the registered
	// bundles and the upload jobs.
	mu           sync.Mutex
	bundles      map[string][]byte
	uploads      map[string]*upload // by lower-case PKI id
	deletes      map[string]int     // PKIs being deleted: GETs seen so far, by lower-case PKI id
	deletePolls  int
	loopNextLink func(*http.Request) bool
	// endlessNextLink: every page of a matching request has a nextLink to
	// a page never seen before (endlessPages counts them).
	endlessNextLink func(*http.Request) bool
	endlessPages    atomic.Int64
	jobStatus       func(string) string
	// users is the user write quota and the record of user writes (users.go).
	users userThrottle

	foreignOnce sync.Once
	foreign     *httptest.Server
	foreignHits atomic.Int64
}

// EnableMethod sets the x509Certificate method's state to enabled, as a
// tenant that can hold a PKI trust store has it (Graph refuses PKI and CA
// writes while the method is disabled). It bypasses HTTP validation.
func (s *Server) EnableMethod() {
	s.Store.PatchX509(wire.Object{"state": json.RawMessage(`"` + wire.StateEnabled + `"`)})
}

// New starts a server on a loopback address (plain HTTP). It panics when
// opts.Token is empty.
func New(opts Options) *Server {
	if opts.Token == "" {
		panic("graphtest: Options.Token is required")
	}
	s := &Server{
		Store:       store.NewStore(),
		token:       opts.Token,
		pageSize:    opts.PageSize,
		uploadPolls: opts.UploadPolls,
		now:         opts.Now,
		closed:      make(chan struct{}),
		bundles:     map[string][]byte{},
		uploads:     map[string]*upload{},
		deletes:     map[string]int{},
		deletePolls: opts.DeletePolls,
	}
	s.recCond = sync.NewCond(&s.recMu)
	switch {
	case s.deletePolls == 0:
		s.deletePolls = 1
	case s.deletePolls < 0:
		s.deletePolls = 0
	}
	if s.pageSize <= 0 {
		s.pageSize = 100
	}
	if s.pageSize > maxTop {
		s.pageSize = maxTop
	}
	switch {
	case s.uploadPolls == 0:
		s.uploadPolls = 2
	case s.uploadPolls < 0:
		s.uploadPolls = 0
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.Store.Now = s.now
	s.Store.EnsureBuiltInStrengths() // every tenant has them
	s.latency.Store(int64(opts.Latency))
	// Set s.srv before the server starts, so that its handlers (which read
	// s.srv.URL) happen after: a request cannot come before New returns,
	// but the race detector cannot know that.
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Start()
	return s
}

// URL is the base URL including the version segment,
// "http://127.0.0.1:PORT/v1.0". The server also answers below /beta.
func (s *Server) URL() string { return s.srv.URL + "/v1.0" }

// Close stops the server. Requests still waiting (latency, fault delays)
// are cut short.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.srv.Close()
	s.mu.Lock()
	foreign := s.foreign
	s.mu.Unlock()
	if foreign != nil {
		foreign.Close()
	}
}

// LoadSnapshot replaces the tenant with a snapshot (store.Store.Load) and
// forgets running uploads. The built-in authentication strengths are added
// when the snapshot lacks them: every tenant has them.
func (s *Server) LoadSnapshot(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.Store.Load(data); err != nil {
		return err
	}
	s.Store.EnsureBuiltInStrengths()
	clear(s.uploads)
	clear(s.deletes)
	return nil
}

// Snapshot returns the tenant as a snapshot file.
func (s *Server) Snapshot() []byte { return s.Store.Snapshot() }

// SetLatency sets the delay before each response.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// AddGroup adds a directory group.
func (s *Server) AddGroup(id, displayName string) {
	s.Store.AddGroup(wire.Group{ID: id, DisplayName: displayName})
}

// RegisterBundle makes p7b the content Graph downloads from url when a PKI
// upload names it. A URL that is not registered cannot be downloaded.
func (s *Server) RegisterBundle(url string, p7b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bundles[url] = bytes.Clone(p7b)
}

// wait sleeps for d unless ctx ends or the server closes first; it reports
// whether the full delay passed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// maxBody bounds request bodies (Graph's largest documented payload, a PKI
// file, is 2 MB and is not sent inline).
const maxBody = 16 << 20

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.enter()
	defer s.leave()
	c := &call{s: s, r: r, reqID: store.NewGUID(), clientReqID: r.Header.Get("client-request-id")}
	if c.clientReqID == "" {
		c.clientReqID = store.NewGUID()
	}
	w.Header().Set("request-id", c.reqID)
	w.Header().Set("client-request-id", c.clientReqID)

	var bodyErr error
	c.body, bodyErr = readBody(r)
	s.record(r, c.body)

	s.waitOrAbort(r.Context(), time.Duration(s.latency.Load()))
	s.runBefore(r)
	f, faulted := s.takeFault(r, c.body)
	if faulted && !f.AfterHandling {
		s.waitOrAbort(r.Context(), f.Delay)
		c.answerFault(w, f)
		return
	}
	resp := s.handle(c, bodyErr)
	if faulted {
		s.waitOrAbort(r.Context(), f.Delay)
		c.answerFault(w, f)
		return
	}
	c.write(w, resp)
}

// waitOrAbort waits for d; when the client gives up or the server closes
// first, it aborts the handler, so that the connection is closed rather than
// answered with an empty 200.
func (s *Server) waitOrAbort(ctx context.Context, d time.Duration) {
	if !s.wait(ctx, d) {
		panic(http.ErrAbortHandler)
	}
}

// readBody returns the request body, gunzipped when the request says so. On
// a decompression error it returns the raw bytes and the error.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return raw, fmt.Errorf("reading the request body: %w", err)
	}
	if len(raw) > maxBody {
		return raw[:maxBody], errors.New("the request body is too large")
	}
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return raw, fmt.Errorf("the request body is not valid gzip: %w", err)
		}
		body, err := io.ReadAll(io.LimitReader(zr, maxBody+1))
		if err != nil {
			return raw, fmt.Errorf("the request body is not valid gzip: %w", err)
		}
		if len(body) > maxBody {
			return raw, errors.New("the request body is too large")
		}
		return body, nil
	default:
		return raw, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
}

// handle authenticates, routes and runs a request.
func (s *Server) handle(c *call, bodyErr error) response {
	if err := s.authenticate(c.r); err != nil {
		return c.errorResponse(err)
	}
	if bodyErr != nil {
		return c.errorResponse(badRequest("%s", bodyErr))
	}
	h, err := c.route()
	if err != nil {
		return c.errorResponse(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp, err := h(c)
	if err != nil {
		return c.errorResponse(err)
	}
	return resp
}

func (s *Server) authenticate(r *http.Request) error {
	unauthorized := func(msg string) error {
		return &graphError{
			status: http.StatusUnauthorized, code: "InvalidAuthenticationToken", message: msg,
			header: http.Header{"Www-Authenticate": {`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`}},
		}
	}
	v := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, _ := strings.Cut(v, " ")
	token = strings.TrimSpace(token)
	switch {
	case v == "" || (strings.EqualFold(scheme, "Bearer") && token == ""):
		return unauthorized("Access token is empty.")
	case !strings.EqualFold(scheme, "Bearer") || token != s.currentToken():
		return unauthorized("Access token validation failure.")
	}
	return nil
}

func (s *Server) currentToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// call is one request being handled.
type call struct {
	s           *Server
	r           *http.Request
	body        []byte
	reqID       string
	clientReqID string
	version     string   // "v1.0" or "beta"
	params      []string // the ids in the path, in order
}

// base is the service root the request used, for annotations.
func (c *call) base() string { return c.s.srv.URL + "/" + c.version }

// response is what a handler answers; the body is JSON, or empty when nil.
type response struct {
	status int
	body   []byte
	header http.Header
}

func noContent() (response, error) { return response{status: http.StatusNoContent}, nil }

func jsonResponse(status int, v any) (response, error) {
	b, err := wire.Marshal(v)
	if err != nil {
		return response{}, err
	}
	return response{status: status, body: b}, nil
}

const (
	successContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
	errorContentType   = "application/json"
)

func (c *call) write(w http.ResponseWriter, resp response) {
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	if resp.body != nil {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", successContentType)
		}
		w.Header().Set("OData-Version", "4.0")
	}
	w.WriteHeader(resp.status)
	if resp.body != nil {
		_, _ = w.Write(resp.body)
	}
}
