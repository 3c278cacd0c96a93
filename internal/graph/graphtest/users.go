package graphtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

// Users and JSON batching, v1.0:
//
//	GET    /users[?$select=…&$top=…&$count=true]       paged ($top ≤ 999)
//	GET    /users?$filter=authorizationInfo/certificateUserIds/any(x:x eq 'VALUE')&$count=true
//	       (needs the header ConsistencyLevel: eventual, as Graph's advanced queries)
//	GET    /users/{id | userPrincipalName}
//	PATCH  /users/{id | userPrincipalName}  {"authorizationInfo":{"certificateUserIds":[…]}} → 204
//	POST   /$batch                           at most 20 requests → 200
//
// The store enforces Graph's rules on certificateUserIds (wire/users.go): at
// most 10 values of at most 1024 characters, a value unique in the tenant
// (without regard to case), and no write to a user synchronised from
// Active Directory ("…originated within an external service"). A PATCH may
// carry only authorizationInfo.certificateUserIds.
//
// Writes of users are throttled on their own when SetUserWriteQuota is set:
// a token bucket of N writes per second. A write beyond it is a 429 with
// Retry-After (whole seconds); inside a $batch it is that item's response,
// in a 200 batch response, as Graph throttles batch items one by one. A
// write to a user before the Retry-After the server gave for it is counted
// (EarlyRetries) and throttled again.

const usersPath = "users"

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

func init() {
	routes = append(routes,
		route{split(usersPath), map[string]handler{http.MethodGet: (*call).listUsers}},
		route{split(usersPath + "/{}"), map[string]handler{http.MethodGet: (*call).getUser, http.MethodPatch: (*call).patchUser}},
		route{split("$batch"), map[string]handler{http.MethodPost: (*call).batch}},
	)
}

// userThrottle is the write quota's state; guarded by Server.mu.
type userThrottle struct {
	perSecond float64
	tokens    float64
	last      time.Time
	notBefore map[string]time.Time // by lower-case user key
	early     int
	throttled int
	writes    []UserWrite
}

// UserWrite is one write of a user's certificateUserIds the server received
// (directly or as a batch item).
type UserWrite struct {
	User   string // as named in the URL
	Status int
	Values []string
	At     time.Time
}

// SetUserWriteQuota throttles user writes to perSecond (0: no limit).
func (s *Server) SetUserWriteQuota(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users.perSecond = float64(perSecond)
	s.users.tokens = float64(perSecond)
	s.users.last = s.now()
}

// UserWrites lists the user writes received, in order.
func (s *Server) UserWrites() []UserWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]UserWrite(nil), s.users.writes...)
}

// EarlyRetries counts writes to a user that came before the Retry-After
// the server had given for it; Throttled counts 429 answers to user writes.
func (s *Server) EarlyRetries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.early
}

// Throttled counts user writes answered 429.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.throttled
}

// ResetUserWrites forgets the recorded user writes and counters.
func (s *Server) ResetUserWrites() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users.writes, s.users.early, s.users.throttled = nil, 0, 0
	s.users.notBefore = nil
}

// admitWrite takes a token for a write to user key, or returns the
// Retry-After to answer with.
func (s *Server) admitWrite(key string) (time.Duration, bool) {
	t := &s.users
	now := s.now()
	k := strings.ToLower(key)
	if nb, ok := t.notBefore[k]; ok && now.Before(nb) {
		t.early++
		return nb.Sub(now), false
	}
	if t.perSecond <= 0 {
		return 0, true
	}
	t.tokens = math.Min(t.perSecond, t.tokens+now.Sub(t.last).Seconds()*t.perSecond)
	t.last = now
	if t.tokens >= 1 {
		t.tokens--
		return 0, true
	}
	wait := time.Duration(math.Ceil((1-t.tokens)/t.perSecond)) * time.Second
	if wait < time.Second {
		wait = time.Second
	}
	if t.notBefore == nil {
		t.notBefore = map[string]time.Time{}
	}
	t.notBefore[k] = now.Add(wait)
	return wait, false
}

func (c *call) userContext() string { return c.base() + "/$metadata#users" }

func (c *call) listUsers() (response, error) {
	q, err := c.query("$select", "$top", "$skiptoken", "$count", "$filter")
	if err != nil {
		return response{}, err
	}
	st := c.s.Store
	if f, ok := q["$filter"]; ok {
		return c.filterUsers(f, q)
	}
	top := c.s.pageSize
	if v, ok := q["$top"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > maxTop {
			return response{}, &graphError{status: http.StatusBadRequest, code: "Request_UnsupportedQuery",
				message: fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, maxTop)}
		}
		top = n
	}
	start := 0
	if tok, ok := q["$skiptoken"]; ok {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return response{}, badRequest("The $skiptoken value is not valid.")
		}
		if start, err = strconv.Atoi(string(b)); err != nil || start < 0 {
			return response{}, badRequest("The $skiptoken value is not valid.")
		}
	}
	n := st.UserCount()
	start = min(start, n)
	end := min(start+top, n)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"@odata.context":%q`, c.userContext())
	if strings.EqualFold(q["$count"], "true") {
		fmt.Fprintf(&buf, `,"@odata.count":%d`, n)
	}
	if end < n {
		fmt.Fprintf(&buf, `,"@odata.nextLink":%q`, c.nextLink(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))))
	}
	buf.WriteString(`,"value":[`)
	for i := start; i < end; i++ {
		b, err := selectProps(st.UserAt(i), q["$select"])
		if err != nil {
			return response{}, err
		}
		if i > start {
			buf.WriteByte(',')
		}
		buf.Write(b)
	}
	buf.WriteString("]}")
	return response{status: http.StatusOK, body: buf.Bytes()}, nil
}

// filterUsers answers the reverse lookup of a certificateUserIds value.
func (c *call) filterUsers(f string, q map[string]string) (response, error) {
	const pre, post = "authorizationInfo/certificateUserIds/any(x:x eq '", "')"
	if !strings.HasPrefix(f, pre) || !strings.HasSuffix(f, post) {
		return response{}, badRequest("Unsupported filter on users by the fake Graph server: %s", f)
	}
	if !strings.EqualFold(c.r.Header.Get("ConsistencyLevel"), "eventual") || !strings.EqualFold(q["$count"], "true") {
		return response{}, &graphError{status: http.StatusBadRequest, code: "Request_UnsupportedQuery",
			message: "Unsupported or invalid query filter clause specified for property 'certificateUserIds' of resource 'User'. (It needs ConsistencyLevel: eventual and $count=true.)"}
	}
	want := strings.ReplaceAll(f[len(pre):len(f)-len(post)], "''", "'")
	var items [][]byte
	for _, u := range c.s.Store.Users() {
		var wu wire.User
		_ = json.Unmarshal(u, &wu)
		if wu.AuthorizationInfo == nil {
			continue
		}
		for _, v := range wu.AuthorizationInfo.CertificateUserIDs {
			if strings.EqualFold(v, want) {
				items = append(items, u)
				break
			}
		}
	}
	return c.page(items, c.userContext(), q)
}

func (c *call) getUser() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	u, err := c.s.Store.User(c.params[0])
	if err != nil {
		return response{}, storeError(err)
	}
	return entity(u, c.userContext()+"/$entity", q)
}

func (c *call) patchUser() (response, error) {
	var body struct {
		AuthorizationInfo *struct {
			CertificateUserIDs *[]string `json:"certificateUserIds"`
		} `json:"authorizationInfo"`
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return response{}, badRequest("Invalid request body for type 'microsoft.graph.user' (the fake Graph server accepts only authorizationInfo.certificateUserIds): %s", err)
	}
	if body.AuthorizationInfo == nil || body.AuthorizationInfo.CertificateUserIDs == nil {
		return response{}, badRequest("The request body carries no authorizationInfo.certificateUserIds.")
	}
	values := *body.AuthorizationInfo.CertificateUserIDs
	key := c.params[0]
	rec := UserWrite{User: key, Values: values, At: c.s.now()}
	defer func() { c.s.users.writes = append(c.s.users.writes, rec) }()
	if wait, ok := c.s.admitWrite(key); !ok {
		rec.Status = http.StatusTooManyRequests
		c.s.users.throttled++
		secs := int(math.Ceil(wait.Seconds()))
		return response{}, &graphError{status: http.StatusTooManyRequests, code: "TooManyRequests",
			message: "Too many requests are being made to this application and tenant; the write quota for users is exhausted.",
			header:  http.Header{"Retry-After": {strconv.Itoa(secs)}}}
	}
	if err := c.s.Store.SetUserIDs(key, values); err != nil {
		if re, ok := err.(*wire.UserRefusedError); ok {
			rec.Status = http.StatusBadRequest
			return response{}, &graphError{status: http.StatusBadRequest, code: re.Code, message: re.Message}
		}
		rec.Status = http.StatusNotFound
		return response{}, storeError(err)
	}
	rec.Status = http.StatusNoContent
	return noContent()
}

// batchRequest and batchResponse are JSON batching's shapes.
type batchRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// batch answers POST /$batch: each request runs on its own (Graph runs them
// in any order; dependsOn is not supported here), and its response, error
// or 429 included, is one item of a 200 response.
func (c *call) batch() (response, error) {
	var in struct {
		Requests []batchRequest `json:"requests"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		return response{}, badRequest("Invalid batch payload: %s", err)
	}
	if len(in.Requests) == 0 {
		return response{}, badRequest("Invalid batch payload: the batch holds no requests.")
	}
	if len(in.Requests) > maxBatch {
		return response{}, badRequest("Invalid batch payload format: the number of requests in a batch must be at most %d.", maxBatch)
	}
	ids := map[string]bool{}
	out := struct {
		Responses []batchResponse `json:"responses"`
	}{}
	for _, r := range in.Requests {
		if r.ID == "" || ids[r.ID] {
			return response{}, badRequest("Invalid batch payload: every request needs a unique id.")
		}
		ids[r.ID] = true
		out.Responses = append(out.Responses, c.batchItem(r))
	}
	return jsonResponse(http.StatusOK, out)
}

func (c *call) batchItem(r batchRequest) batchResponse {
	br := batchResponse{ID: r.ID, Headers: map[string]string{"Content-Type": "application/json"}}
	fail := func(status int, code, msg string, h http.Header) batchResponse {
		br.Status = status
		for k := range h {
			br.Headers[k] = h.Get(k)
		}
		br.Body, _ = json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg}})
		return br
	}
	if !strings.HasPrefix(r.URL, "/") {
		r.URL = "/" + r.URL
	}
	u, err := url.Parse("/" + c.version + r.URL)
	if err != nil || r.Method == "" {
		return fail(http.StatusBadRequest, "BadRequest", "Invalid batch request: method and a relative url are required.", nil)
	}
	hr, err := http.NewRequestWithContext(c.r.Context(), strings.ToUpper(r.Method), u.String(), bytes.NewReader(r.Body))
	if err != nil {
		return fail(http.StatusBadRequest, "BadRequest", err.Error(), nil)
	}
	for k, v := range r.Headers {
		hr.Header.Set(k, v)
	}
	sub := &call{s: c.s, r: hr, body: r.Body, reqID: store.NewGUID(), clientReqID: c.clientReqID}
	h, err := sub.route()
	var resp response
	if err == nil {
		resp, err = h(sub)
	}
	if err != nil {
		ge, ok := err.(*graphError)
		if !ok {
			ge = &graphError{status: http.StatusInternalServerError, code: "generalException", message: err.Error()}
		}
		return fail(ge.status, ge.code, ge.message, ge.header)
	}
	br.Status = resp.status
	for k := range resp.header {
		br.Headers[k] = resp.header.Get(k)
	}
	if resp.body != nil {
		br.Body = resp.body
	} else {
		delete(br.Headers, "Content-Type")
	}
	return br
}
