package graphtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

type handler func(*call) (response, error)

// route is an endpoint: a path pattern below the version segment, where
// "{}" matches any one segment (an id), and its handlers by method. Fixed
// segments match case-insensitively, as Graph's do.
type route struct {
	pattern []string
	methods map[string]handler
}

const (
	pkisPath = "directory/publicKeyInfrastructure/certificateBasedAuthConfigurations"
	x509Path = "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate"
)

var routes = []route{
	{split(x509Path), map[string]handler{
		http.MethodGet: (*call).getX509, http.MethodPatch: (*call).patchX509, http.MethodDelete: (*call).deleteX509,
	}},
	{split(pkisPath), map[string]handler{
		http.MethodGet: (*call).listPKIs, http.MethodPost: (*call).createPKI,
	}},
	{split(pkisPath + "/{}"), map[string]handler{
		http.MethodGet: (*call).getPKI, http.MethodPatch: (*call).patchPKI, http.MethodDelete: (*call).deletePKI,
	}},
	{split(pkisPath + "/{}/upload"), map[string]handler{
		http.MethodPost: (*call).uploadPKI,
	}},
	{split(pkisPath + "/{}/certificateAuthorities"), map[string]handler{
		http.MethodGet: (*call).listCAs, http.MethodPost: (*call).createCA,
	}},
	{split(pkisPath + "/{}/certificateAuthorities/{}"), map[string]handler{
		http.MethodGet: (*call).getCA, http.MethodPatch: (*call).patchCA, http.MethodDelete: (*call).deleteCA,
	}},
	{split("organization"), map[string]handler{http.MethodGet: (*call).listOrganizations}},
	{split("organization/{}"), map[string]handler{http.MethodGet: (*call).getOrganization}},
	{split("organization/{}/certificateBasedAuthConfiguration"), map[string]handler{http.MethodGet: (*call).listLegacy}},
	{split("organization/{}/certificateBasedAuthConfiguration/{}"), map[string]handler{http.MethodGet: (*call).getLegacy}},
	{split("groups"), map[string]handler{http.MethodGet: (*call).listGroups}},
	{split("groups/{}"), map[string]handler{http.MethodGet: (*call).getGroup}},
}

func split(p string) []string { return strings.Split(p, "/") }

// segments splits an escaped URL path into unescaped segments, so that an
// id holding "%2F" stays one segment. A trailing slash is ignored.
func segments(escaped string) ([]string, error) {
	escaped = strings.Trim(escaped, "/")
	if escaped == "" {
		return nil, nil
	}
	parts := strings.Split(escaped, "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, err
		}
		parts[i] = u
	}
	return parts, nil
}

// match reports whether seg matches pattern, the ids it captured, and how
// many leading segments matched.
func match(seg, pattern []string) (params []string, matched int, ok bool) {
	for i, p := range pattern {
		if i >= len(seg) {
			return nil, i, false
		}
		switch {
		case p == "{}" && seg[i] != "":
			params = append(params, seg[i])
		case strings.EqualFold(p, seg[i]):
		default:
			return nil, i, false
		}
	}
	return params, len(pattern), len(seg) == len(pattern)
}

// route finds the handler of a request: 400 "Resource not found for the
// segment" for an unknown path, 405 for a known path and another method.
func (c *call) route() (handler, error) {
	seg, err := segments(c.r.URL.EscapedPath())
	if err != nil {
		return nil, badRequest("The request URL is not valid: %s", err)
	}
	if len(seg) == 0 {
		return nil, segmentNotFound("")
	}
	switch strings.ToLower(seg[0]) {
	case "v1.0", "beta":
		c.version = strings.ToLower(seg[0])
	default:
		return nil, segmentNotFound(seg[0])
	}
	seg = seg[1:]
	if len(seg) == 0 {
		return nil, segmentNotFound(c.version)
	}
	best := 0
	for _, rt := range routes {
		params, n, ok := match(seg, rt.pattern)
		if !ok {
			best = max(best, n)
			continue
		}
		h, ok := rt.methods[c.r.Method]
		if !ok {
			allowed := make([]string, 0, len(rt.methods))
			for m := range rt.methods {
				allowed = append(allowed, m)
			}
			slices.Sort(allowed)
			return nil, &graphError{
				status: http.StatusMethodNotAllowed, code: "BadRequest",
				message: "Specified HTTP method is not allowed for the request uri.",
				header:  http.Header{"Allow": {strings.Join(allowed, ", ")}},
			}
		}
		c.params = params
		return h, nil
	}
	if best >= len(seg) {
		best = len(seg) - 1
	}
	return nil, segmentNotFound(seg[best])
}

// query returns the request's query options with lower-case names (OData
// system query options are case-insensitive), after checking that every
// system query option ("$..." ) is one of allowed.
func (c *call) query(allowed ...string) (map[string]string, error) {
	vals, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("The query specified in the URI is not valid: %s", err)
	}
	q := map[string]string{}
	for k, vs := range vals {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "$") && !slices.Contains(allowed, lk) {
			return nil, badRequest("The query specified in the URI is not valid. Query option '%s' is not supported here by the fake Graph server (supported: %s).", k, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return nil, badRequest("The query specified in the URI is not valid. Query option '%s' was specified more than once, but it must be specified at most once.", k)
		}
		q[lk] = vs[0]
	}
	return q, nil
}

// maxTop is Graph's largest page size.
const maxTop = 999

// page answers a collection GET: $top (default Options.PageSize, at most
// 999), $skiptoken, $select and $count, with an absolute @odata.nextLink
// while items remain. The skip token names the last item served, so paging
// survives deletions of items already served.
func (c *call) page(items [][]byte, context string, q map[string]string) (response, error) {
	top := c.s.pageSize
	if v, ok := q["$top"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > maxTop {
			return response{}, &graphError{
				status: http.StatusBadRequest, code: "Request_UnsupportedQuery",
				message: fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, maxTop),
			}
		}
		top = n
	}
	start := 0
	if tok, ok := q["$skiptoken"]; ok {
		var err error
		if start, err = resumeAt(tok, items); err != nil {
			return response{}, badRequest("The $skiptoken value is not valid.")
		}
	}
	end := min(start+top, len(items))
	out := struct {
		Context  string            `json:"@odata.context"`
		Count    *int              `json:"@odata.count,omitempty"`
		NextLink string            `json:"@odata.nextLink,omitempty"`
		Value    []json.RawMessage `json:"value"`
	}{Context: context, Value: []json.RawMessage{}}
	if strings.EqualFold(q["$count"], "true") {
		n := len(items)
		out.Count = &n
	}
	for _, it := range items[start:end] {
		b, err := selectProps(it, q["$select"])
		if err != nil {
			return response{}, err
		}
		out.Value = append(out.Value, b)
	}
	if end < len(items) {
		out.NextLink = c.nextLink(skipToken(end, idOf(items[end-1])))
	}
	if c.s.loopNextLink != nil && c.s.loopNextLink(c.r) {
		out.NextLink = c.s.srv.URL + c.r.URL.RequestURI()
	}
	if c.s.endlessNextLink != nil && c.s.endlessNextLink(c.r) {
		// A skip token naming an item that does not exist resumes at its
		// offset: every page is the first one again, under a new link.
		out.NextLink = c.nextLink(skipToken(0, fmt.Sprintf("endless-%d", c.s.endlessPages.Add(1))))
	}
	return jsonResponse(http.StatusOK, out)
}

func skipToken(offset int, lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "|" + lastID))
}

// resumeAt is the index the page after a skip token starts at: just after
// the item it names, or at its offset when that item is gone.
func resumeAt(tok string, items [][]byte) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	off, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return 0, fmt.Errorf("malformed skip token")
	}
	n, err := strconv.Atoi(off)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("malformed skip token")
	}
	if id != "" {
		for i, it := range items {
			if strings.EqualFold(idOf(it), id) {
				return i + 1, nil
			}
		}
	}
	return min(n, len(items)), nil
}

// nextLink is the request's absolute URL with $skiptoken replaced, keeping
// the other query options as they were sent.
func (c *call) nextLink(tok string) string {
	var parts []string
	if c.r.URL.RawQuery != "" {
		for _, p := range strings.Split(c.r.URL.RawQuery, "&") {
			k, _, _ := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(uk, "$skiptoken") {
				continue
			}
			parts = append(parts, p)
		}
	}
	parts = append(parts, "$skiptoken="+tok)
	return c.s.srv.URL + c.r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}

func idOf(item []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(item, &v)
	return v.ID
}

// selectProps keeps the properties $select names (and annotations); an
// empty $select keeps everything.
func selectProps(item []byte, sel string) ([]byte, error) {
	if strings.TrimSpace(sel) == "" {
		return item, nil
	}
	var o wire.Object
	if err := json.Unmarshal(item, &o); err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, p := range strings.Split(sel, ",") {
		keep[strings.ToLower(strings.TrimSpace(p))] = true
	}
	for k := range o {
		if !keep[strings.ToLower(k)] && !strings.Contains(k, "@") {
			delete(o, k)
		}
	}
	return wire.Marshal(o)
}

// entity answers a single-entity GET: the item with its @odata.context and
// $select applied.
func entity(item []byte, context string, q map[string]string) (response, error) {
	var o wire.Object
	if err := json.Unmarshal(item, &o); err != nil {
		return response{}, err
	}
	o["@odata.context"] = rawJSON(context)
	b, err := wire.Marshal(o)
	if err != nil {
		return response{}, err
	}
	if b, err = selectProps(b, q["$select"]); err != nil {
		return response{}, err
	}
	return response{status: http.StatusOK, body: b}, nil
}

func rawJSON(v any) json.RawMessage {
	b, err := wire.Marshal(v)
	if err != nil {
		panic(err) // only called with strings, bools and wire values
	}
	return b
}
