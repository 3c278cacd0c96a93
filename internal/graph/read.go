package graph

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	abs "github.com/microsoft/kiota-abstractions-go"
	"golang.org/x/sync/errgroup"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// pageSize is $top on collections: Graph's maximum for these endpoints.
const pageSize int32 = 999

// preferHeader asks Graph for evolvable enum members (issuerSubjectAndPolicyOID)
// instead of unknownFutureValue. It is sent on every request.
const preferHeader = "include-unknown-enum-members"

// send sends a request through the request adapter (authentication,
// Graph's middleware, retryTransport) and returns the raw response body
// (nil for 204 or an empty body). Errors are *APIError, *UnknownOutcomeError
// or name the request.
func (c *Client) send(ctx context.Context, ri *abs.RequestInformation) ([]byte, error) {
	ri.Headers.TryAdd("Prefer", preferHeader)
	ri.Headers.TryAdd("Accept", "application/json")
	method, path := c.describe(ri)
	ex := &exchange{}
	var body []byte
	var apiErr *APIError
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(r any, _ abs.ErrorMappings) (any, error) {
		resp, ok := r.(*http.Response)
		if !ok || resp == nil {
			return nil, fmt.Errorf("%s %s: no response", method, path)
		}
		if resp.StatusCode >= 400 {
			apiErr = errorFromResponse(method, path, resp)
			return nil, nil
		}
		defer resp.Body.Close()
		b, err := readBody(resp.Body, resp.ContentLength)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusNoContent && len(b) > 0 {
			body = b
		}
		return nil, nil
	})
	ri.AddRequestOptions([]abs.RequestOption{handler})
	if _, err := c.adapter.SendPrimitive(withExchange(ctx, ex), ri, "[]byte", nil); err != nil {
		return nil, wrapError(ctx, method, path, ex, err)
	}
	if apiErr != nil {
		return nil, apiErr
	}
	return body, nil
}

// bodyChunk is the unit in which readBody reads a body of unknown length.
const bodyChunk = 32 << 10

var bodyChunks = sync.Pool{New: func() any { return new([bodyChunk]byte) }}

// maxAnnouncedBody bounds what readBody allocates on the word of a
// Content-Length alone, before the bytes arrive: a page is well under it.
const maxAnnouncedBody = 2 << 20

// readBody reads r to its end, as io.ReadAll does, into a slice of exactly
// the body's size: one allocation however large the body (Graph sends pages
// of hundreds of kilobytes, chunked), rather than the many of a growing
// buffer. size is the announced length (Content-Length), or -1.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size >= 0 && size <= maxAnnouncedBody {
		// One byte more than announced, to see the end without growing.
		b := make([]byte, 0, size+1)
		for {
			n, err := r.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if err == io.EOF {
				return b, nil
			}
			if err != nil {
				return b, err
			}
			if len(b) == cap(b) {
				break // longer than announced: read on in chunks
			}
		}
		rest, err := readChunks(r, b)
		return rest, err
	}
	return readChunks(r, nil)
}

// readChunks reads r to its end in pooled chunks, then copies what it read
// after prefix into one slice.
func readChunks(r io.Reader, prefix []byte) ([]byte, error) {
	var chunks []*[bodyChunk]byte
	defer func() {
		for _, c := range chunks {
			bodyChunks.Put(c)
		}
	}()
	total, last := 0, 0 // bytes read; bytes in the last chunk
	var err error
	for err == nil {
		if len(chunks) == 0 || last == bodyChunk {
			chunks = append(chunks, bodyChunks.Get().(*[bodyChunk]byte))
			last = 0
		}
		var n int
		n, err = r.Read(chunks[len(chunks)-1][last:])
		last += n
		total += n
	}
	if err == io.EOF {
		err = nil
	}
	out := make([]byte, len(prefix), len(prefix)+total)
	copy(out, prefix)
	for i, c := range chunks {
		if i == len(chunks)-1 {
			out = append(out, c[:last]...)
		} else {
			out = append(out, c[:]...)
		}
	}
	return out, err
}

// describe returns a request's method and its path below the base URL.
func (c *Client) describe(ri *abs.RequestInformation) (string, string) {
	method := ri.Method.String()
	if ri.PathParameters != nil {
		ri.PathParameters["baseurl"] = c.adapter.GetBaseUrl()
	}
	u, err := ri.GetUri()
	if err != nil {
		return method, ri.UrlTemplate
	}
	p := u.Path
	if bp := c.base.Path; bp != "" && strings.HasPrefix(p, bp) {
		p = strings.TrimPrefix(p, bp)
	}
	return method, p
}

// nextLinkRequest is a GET of an @odata.nextLink, sent as is. The link must
// point at the Graph host the client talks to: the token is sent only there.
func (c *Client) nextLinkRequest(link string) (*abs.RequestInformation, error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("Graph returned an invalid @odata.nextLink %q: %w", link, err)
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(u.Host, c.base.Host) {
		return nil, fmt.Errorf("Graph returned an @odata.nextLink to another host (%s://%s); refusing to follow it", u.Scheme, u.Host)
	}
	ri := abs.NewRequestInformation()
	ri.Method = abs.GET
	ri.UrlTemplate = "{+baseurl}"
	ri.SetUri(*u)
	return ri, nil
}

// maxPages bounds the pages of one collection: at Graph's largest page size
// (999) far more than any tenant's PKIs, CAs or groups of one name.
const maxPages = 1000

// getAll reads every page of a collection. path names the collection in
// the paths of unknown properties ("certificateBasedAuthConfigurations").
// A nextLink seen before (a page pointing back at itself or at an earlier
// page) and more than maxPages pages are errors, never an endless loop.
func getAll[T any](ctx context.Context, c *Client, ri *abs.RequestInformation, path string) ([]T, []string, error) {
	var items []T
	var unknown []string
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		body, err := c.send(ctx, ri)
		if err != nil {
			return nil, nil, err
		}
		if len(body) == 0 {
			return items, unknown, nil
		}
		page, unk, err := wire.DecodePage[T](body, "")
		if err != nil {
			method, p := c.describe(ri)
			return nil, nil, fmt.Errorf("%s %s: decoding the response: %w", method, p, err)
		}
		for _, u := range unk {
			unknown = append(unknown, reindex(u, path, len(items)))
		}
		switch {
		case len(page.Value) == 0:
		case items == nil:
			items = page.Value // the common case: one page
		default:
			items = append(items, page.Value...)
		}
		if page.NextLink == "" {
			return items, unknown, nil
		}
		method, p := c.describe(ri)
		if seen[page.NextLink] {
			return nil, nil, fmt.Errorf("%s %s: Graph returned an @odata.nextLink it had returned before (page %d of %s points back at an earlier page); refusing to loop", method, p, pages, path)
		}
		if pages >= maxPages {
			return nil, nil, fmt.Errorf("%s %s: %s has more than %d pages; refusing to read further", method, p, path, maxPages)
		}
		seen[page.NextLink] = true
		ri, err = c.nextLinkRequest(page.NextLink)
		if err != nil {
			return nil, nil, err
		}
	}
}

// reindex turns a page-relative unknown-property path ("[3].foo") into a
// collection path with the item's overall index ("pkis[1002].foo").
func reindex(u, path string, offset int) string {
	if strings.HasPrefix(u, "[") {
		if end := strings.IndexByte(u, ']'); end > 0 {
			if n, err := strconv.Atoi(u[1:end]); err == nil {
				return fmt.Sprintf("%s[%d]%s", path, n+offset, u[end+1:])
			}
		}
	}
	return path + u
}

func (c *Client) getX509(ctx context.Context) (*wire.X509Config, []string, error) {
	body, err := c.send(ctx, getX509.request(nil, query{}, nil))
	if err != nil {
		return nil, nil, err
	}
	const req = "GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate"
	if len(body) == 0 {
		return nil, nil, fmt.Errorf("%s: Graph answered without a body; cbactl cannot tell the method's configuration and refuses to guess it", req)
	}
	x := &wire.X509Config{}
	unknown, err := wire.Decode(body, x, "x509Certificate")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: decoding the response: %w", req, err)
	}
	// Anything but the method's configuration (an empty collection from a
	// proxy or another host, another method) must not be read as an
	// untouched tenant.
	if !strings.EqualFold(x.ODataType, wire.X509ODataType) {
		return nil, nil, fmt.Errorf("%s: the response is not an x509CertificateAuthenticationMethodConfiguration (@odata.type %q); refusing to read it as the tenant's configuration", req, x.ODataType)
	}
	if !wire.Known("state", x.State) {
		return nil, nil, fmt.Errorf("%s: the response has state %q, neither \"enabled\" nor \"disabled\"; refusing to read it as the tenant's configuration", req, x.State)
	}
	return x, unknown, nil
}

func (c *Client) listPKIs(ctx context.Context) ([]wire.PKI, []string, error) {
	return getAll[wire.PKI](ctx, c, listPKIs.request(nil, query{top: pageSize}, nil), "certificateBasedAuthConfigurations")
}

func (c *Client) listCAs(ctx context.Context, pkiID, path string) ([]wire.CA, []string, error) {
	return getAll[wire.CA](ctx, c, listCAs.request(params{"pkiId": pkiID}, query{top: pageSize}, nil), path)
}

// organizationID reads the tenant id (GET /organization?$select=id).
func (c *Client) organizationID(ctx context.Context) (string, error) {
	orgs, _, err := getAll[wire.Organization](ctx, c, listOrganizations.request(nil, query{fields: []string{"id"}}, nil), "organization")
	if err != nil {
		return "", err
	}
	if len(orgs) == 0 || orgs[0].ID == "" {
		return "", fmt.Errorf("GET /organization returned no organization")
	}
	return orgs[0].ID, nil
}

func (c *Client) listLegacy(ctx context.Context, tenantID string) ([]wire.LegacyConfig, []string, error) {
	ri := getLegacy.request(params{"organizationId": tenantID}, query{}, nil)
	return getAll[wire.LegacyConfig](ctx, c, ri, "legacyCertificateBasedAuthConfiguration")
}

// legacyWarning is the warning for a legacy trust store that could not be
// read (the caller lacks Organization.Read.All or the Global Administrator
// role): cbactl never writes it, so reading it is best effort.
func legacyWarning(err error) string {
	return "the legacy trust store could not be read: " + err.Error()
}

// targetGroupIDs lists the group ids a configuration targets, without
// repeats.
func targetGroupIDs(x *wire.X509Config) []string {
	if x == nil {
		return nil
	}
	seen := map[string]bool{}
	var ids []string
	add := func(id, typ string) {
		if typ == "group" && !strings.EqualFold(id, model.AllUsersTargetID) && id != "" && !seen[strings.ToLower(id)] {
			seen[strings.ToLower(id)] = true
			ids = append(ids, id)
		}
	}
	for _, t := range x.IncludeTargets {
		add(t.ID, t.TargetType)
	}
	for _, t := range x.ExcludeTargets {
		add(t.ID, t.TargetType)
	}
	for _, s := range x.CertificateAuthorityScopes {
		for _, t := range s.IncludeTargets {
			add(t.ID, t.TargetType)
		}
	}
	return ids
}

// Observe reads the observed state (see ReadDocument).
func (c *Client) Observe(ctx context.Context) (*model.Observation, error) {
	doc, warnings, err := c.ReadDocument(ctx)
	if err != nil {
		return nil, err
	}
	st, enumWarnings := doc.Observe()
	st.Cloud = c.cloud
	return &model.Observation{State: st, Warnings: append(warnings, enumWarnings...)}, nil
}

// readStep is one request of ReadDocument; it returns the requests that
// need its answer.
type readStep func() ([]readStep, error)

// ReadDocument reads the tenant in Graph's shapes in two round trips (plus
// paging), whatever the number of PKIs: the x509 configuration, the PKI list
// and the tenant id concurrently, and each of the requests that need one of
// them as soon as it is there: every PKI's CA list after the PKI list, the
// targeted groups after the configuration, the legacy store after the
// tenant id. At most c.concurrency requests run at once. The warnings name
// the properties cbactl does not model and a legacy store it could not
// read.
func (c *Client) ReadDocument(ctx context.Context) (wire.Document, []string, error) {
	var (
		mu        sync.Mutex
		doc       wire.Document
		unknown   []string
		orgID     string
		orgErr    error
		legacyErr error
		groupErr  error
	)
	addUnknown := func(u []string) {
		mu.Lock()
		unknown = append(unknown, u...)
		mu.Unlock()
	}

	// A request's goroutine (of g) starts once it has one of the slots,
	// and gives the slot back before the requests that need its answer
	// (the steps it returns) wait for theirs: at most c.concurrency
	// requests run at once, and none holds a slot while it waits for
	// another.
	// A failed request cancels the read before it gives its slot back, so
	// that no request waiting for the slot is sent after the failure.
	failed, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	slots := make(chan struct{}, c.concurrency)
	g, gctx := errgroup.WithContext(failed)
	var run func(readStep)
	run = func(s readStep) {
		slots <- struct{}{}
		g.Go(func() error {
			if gctx.Err() != nil {
				<-slots
				// A request failed (its error, whichever goroutine
				// returns first), or the read was cancelled: send no more.
				return context.Cause(gctx)
			}
			next, err := s()
			if err != nil {
				fail(err)
				<-slots
				return err
			}
			<-slots
			for _, n := range next {
				run(n)
			}
			return nil
		})
	}
	// The groups the configuration targets, so that plans and snapshots
	// can name them.
	readGroup := func(id string) readStep {
		return func() ([]readStep, error) {
			body, err := c.send(gctx, getGroup.request(params{"groupId": id}, query{fields: []string{"id", "displayName"}}, nil))
			switch {
			case IsNotFound(err):
				return nil, nil // a deleted group: the plan shows its bare id
			case IsForbidden(err):
				// Names are cosmetic: without Group.Read.All (or
				// GroupMember.Read.All) the plan shows bare ids.
				mu.Lock()
				groupErr = err
				mu.Unlock()
				return nil, nil
			case err != nil:
				return nil, err
			}
			var gr wire.Group
			if _, err := wire.Decode(body, &gr, "groups"); err != nil {
				return nil, fmt.Errorf("GET group %s: decoding the response: %w", id, err)
			}
			mu.Lock()
			doc.Groups = append(doc.Groups, gr)
			mu.Unlock()
			return nil, nil
		}
	}
	run(func() ([]readStep, error) {
		x, unk, err := c.getX509(gctx)
		if err != nil {
			return nil, err
		}
		doc.X509 = x
		addUnknown(unk)
		var next []readStep
		for _, id := range targetGroupIDs(x) {
			next = append(next, readGroup(id))
		}
		return next, nil
	})
	run(func() ([]readStep, error) {
		pkis, unk, err := c.listPKIs(gctx)
		if err != nil {
			return nil, err
		}
		doc.PKIs = pkis
		addUnknown(unk)
		next := make([]readStep, len(pkis))
		for i := range pkis {
			next[i] = func() ([]readStep, error) {
				path := fmt.Sprintf("certificateBasedAuthConfigurations[%d].certificateAuthorities", i)
				cas, unk, err := c.listCAs(gctx, pkis[i].ID, path)
				if err != nil {
					return nil, err
				}
				pkis[i].CertificateAuthorities = cas
				addUnknown(unk)
				return nil, nil
			}
		}
		return next, nil
	})
	run(func() ([]readStep, error) {
		id, err := c.organizationID(gctx)
		switch {
		case err == nil:
			orgID = id
		case IsForbidden(err):
			orgErr = err
			return nil, nil
		default:
			return nil, err
		}
		return []readStep{func() ([]readStep, error) {
			legacy, unk, err := c.listLegacy(gctx, id)
			switch {
			case err == nil:
				doc.Legacy = legacy
				addUnknown(unk)
			case IsForbidden(err):
				legacyErr = err
			case IsNotFound(err):
				// no classic store
			default:
				return nil, err
			}
			return nil, nil
		}}, nil
	})
	if err := g.Wait(); err != nil {
		return wire.Document{}, nil, err
	}

	tid, err := c.observedTenant(orgID, orgErr)
	if err != nil {
		return wire.Document{}, nil, err
	}
	doc.TenantID = tid
	sort.Slice(doc.Groups, func(i, j int) bool { return doc.Groups[i].ID < doc.Groups[j].ID })
	sort.Strings(unknown)
	warnings := wire.UnknownWarnings(unknown)
	if orgErr != nil {
		warnings = append(warnings, legacyWarning(orgErr))
	} else if legacyErr != nil {
		warnings = append(warnings, legacyWarning(legacyErr))
	}
	if groupErr != nil {
		warnings = append(warnings, "the names of the groups the tenant's configuration targets could not be read, so the plan shows their ids (grant Group.Read.All or GroupMember.Read.All to see names): "+groupErr.Error())
	}
	return doc, warnings, nil
}

// observedTenant is the tenant the credentials reach: the organization id
// Graph reports, or, when GET /organization is refused, the tid claim of the
// access token. It never falls back to the configured tenant id (that would
// compare the configuration with itself): without either it is an error.
func (c *Client) observedTenant(orgID string, orgErr error) (string, error) {
	tid := ""
	if c.tokenTenant != nil {
		tid = c.tokenTenant()
	}
	switch {
	case orgID != "" && tid != "" && !strings.EqualFold(orgID, tid):
		return "", fmt.Errorf("GET /organization reports tenant %s, but the access token was issued by tenant %s; refusing to go on", orgID, tid)
	case orgID != "":
		return orgID, nil
	case tid != "":
		return tid, nil
	}
	cause := "GET /organization returned no organization"
	if orgErr != nil {
		cause = orgErr.Error()
	}
	return "", fmt.Errorf("cannot tell which tenant the credentials reach: %s, and the access token carries no tid claim; grant Organization.Read.All (or a directory reader role), or use a token issued by Microsoft Entra ID", cause)
}

// PKI reads one PKI container and its CAs (one round trip plus paging), e.g.
// to poll an upload: Status is "running" while Graph processes it.
func (c *Client) PKI(ctx context.Context, pkiID string) (model.PKI, error) {
	if pkiID == "" {
		return model.PKI{}, fmt.Errorf("PKI: empty PKI id")
	}
	var p wire.PKI
	var cas []wire.CA
	// Both requests are sent whatever the other answers (no shared
	// context that the first error cancels): a PKI whose deletion ends
	// between them answers 404 to one and maybe not to the other, and the
	// requests a poll sends must not depend on which answered first.
	var g errgroup.Group
	g.Go(func() error {
		body, err := c.send(ctx, getPKI.request(params{"pkiId": pkiID}, query{}, nil))
		if err != nil {
			return err
		}
		if _, err := wire.Decode(body, &p, "certificateBasedAuthPki"); err != nil {
			return fmt.Errorf("GET PKI %s: decoding the response: %w", pkiID, err)
		}
		return nil
	})
	g.Go(func() error {
		var err error
		cas, _, err = c.listCAs(ctx, pkiID, "certificateAuthorities")
		return err
	})
	if err := g.Wait(); err != nil {
		return model.PKI{}, err
	}
	if p.ID == "" {
		p.ID = pkiID
	}
	p.CertificateAuthorities = cas
	doc := wire.Document{PKIs: []wire.PKI{p}}
	st, _ := doc.Observe()
	return st.PKIs[0], nil
}

// ResolveGroups looks up groups by exact display name, one request per
// distinct name, concurrently. Every name gets an entry; a name no group has
// maps to an empty slice. Graph compares display names without regard to
// case, and every group it matches is returned.
func (c *Client) ResolveGroups(ctx context.Context, names []string) (map[string][]model.Group, error) {
	out := make(map[string][]model.Group, len(names))
	var unique []string
	for _, name := range names {
		if _, dup := out[name]; !dup {
			out[name] = []model.Group{}
			unique = append(unique, name)
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency)
	for _, name := range unique {
		g.Go(func() error {
			filter := "displayName eq '" + strings.ReplaceAll(name, "'", "''") + "'"
			ri := listGroups.request(nil, query{filter: filter, fields: []string{"id", "displayName"}, top: pageSize}, nil)
			found, _, err := getAll[wire.Group](gctx, c, ri, "groups")
			if IsForbidden(err) {
				return fmt.Errorf("%w; cbactl needs Group.Read.All (or GroupMember.Read.All) to find the id of a group the configuration names by display name (%q): grant it, or name the group by id (group_id, group_ids)", err, name)
			}
			if err != nil {
				return err
			}
			res := make([]model.Group, 0, len(found))
			for _, gr := range found {
				// Every group Graph matched (its eq ignores case), so
				// that an ambiguity is seen rather than hidden.
				res = append(res, model.Group{ID: gr.ID, DisplayName: gr.DisplayName})
			}
			mu.Lock()
			out[name] = res
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
