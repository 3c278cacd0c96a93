package graphtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

// tenantID is the store's tenant id, set to a new GUID when it has none.
// The caller holds s.mu.
func (s *Server) tenantID() string {
	id := s.Store.TenantID()
	if id == "" {
		id = store.NewGUID()
		s.Store.SetTenantID(id)
	}
	return id
}

// GET /organization
func (c *call) listOrganizations() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	org := rawJSON(wire.Organization{ID: c.s.tenantID()})
	return c.page([][]byte{org}, c.base()+"/$metadata#organization", q)
}

// checkTenant answers 404 unless the path's first id is the tenant's.
func (c *call) checkTenant() error {
	if !strings.EqualFold(c.params[0], c.s.tenantID()) {
		return notFound(c.params[0])
	}
	return nil
}

// GET /organization/{tenantId}
func (c *call) getOrganization() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	if err := c.checkTenant(); err != nil {
		return response{}, err
	}
	return entity(rawJSON(wire.Organization{ID: c.s.tenantID()}), c.base()+"/$metadata#organization/$entity", q)
}

func (c *call) legacyContext() string {
	return c.base() + "/$metadata#organization('" + c.params[0] + "')/certificateBasedAuthConfiguration"
}

// GET /organization/{tenantId}/certificateBasedAuthConfiguration
func (c *call) listLegacy() (response, error) {
	q, err := c.query(listQuery...)
	if err != nil {
		return response{}, err
	}
	if err := c.checkTenant(); err != nil {
		return response{}, err
	}
	return c.page(c.s.Store.Legacy(), c.legacyContext(), q)
}

// GET /organization/{tenantId}/certificateBasedAuthConfiguration/{id}
func (c *call) getLegacy() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	if err := c.checkTenant(); err != nil {
		return response{}, err
	}
	for _, l := range c.s.Store.Legacy() {
		if strings.EqualFold(idOf(l), c.params[1]) {
			return entity(l, c.legacyContext()+"/$entity", q)
		}
	}
	return response{}, notFound(c.params[1])
}

// allGroups returns every directory group.
func (s *Server) allGroups() ([][]byte, error) {
	var f struct {
		Groups []json.RawMessage `json:"groups"`
	}
	if err := json.Unmarshal(s.Store.Snapshot(), &f); err != nil {
		return nil, err
	}
	out := make([][]byte, len(f.Groups))
	for i, g := range f.Groups {
		out[i] = g
	}
	return out, nil
}

// GET /groups, with $filter "displayName eq '...'" or "id eq '...'" (the
// only filters supported), $select, $top, $count and paging.
func (c *call) listGroups() (response, error) {
	q, err := c.query("$filter", "$select", "$top", "$count", "$skiptoken")
	if err != nil {
		return response{}, err
	}
	var items [][]byte
	filter, filtered := q["$filter"]
	if !filtered {
		if items, err = c.s.allGroups(); err != nil {
			return response{}, err
		}
		return c.page(items, c.base()+"/$metadata#groups", q)
	}
	prop, value, ok := parseEqFilter(filter)
	switch {
	case ok && strings.EqualFold(prop, "displayName"):
		items = c.s.Store.Groups(value)
	case ok && strings.EqualFold(prop, "id"):
		all, err := c.s.allGroups()
		if err != nil {
			return response{}, err
		}
		for _, g := range all {
			if strings.EqualFold(idOf(g), value) {
				items = append(items, g)
			}
		}
	default:
		return response{}, &graphError{
			status: http.StatusBadRequest, code: "invalidRequest",
			message: fmt.Sprintf("Invalid filter clause: the fake Graph server supports only \"displayName eq '...'\" and \"id eq '...'\", not %q.", filter),
		}
	}
	return c.page(items, c.base()+"/$metadata#groups", q)
}

// GET /groups/{id}
func (c *call) getGroup() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	all, err := c.s.allGroups()
	if err != nil {
		return response{}, err
	}
	for _, g := range all {
		if strings.EqualFold(idOf(g), c.params[0]) {
			return entity(g, c.base()+"/$metadata#groups/$entity", q)
		}
	}
	return response{}, &graphError{
		status: http.StatusNotFound, code: "Request_ResourceNotFound",
		message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", c.params[0]),
	}
}

// parseEqFilter parses "<property> eq '<OData string literal>'", where a
// quote inside the literal is doubled.
func parseEqFilter(f string) (prop, value string, ok bool) {
	f = strings.TrimSpace(f)
	i := strings.IndexFunc(f, unicode.IsSpace)
	if i <= 0 {
		return "", "", false
	}
	prop = f[:i]
	rest := strings.TrimLeftFunc(f[i:], unicode.IsSpace)
	if len(rest) < 3 || !strings.EqualFold(rest[:2], "eq") || !unicode.IsSpace(rune(rest[2])) {
		return "", "", false
	}
	rest = strings.TrimLeftFunc(rest[2:], unicode.IsSpace)
	if !strings.HasPrefix(rest, "'") {
		return "", "", false
	}
	var b strings.Builder
	for j := 1; j < len(rest); j++ {
		if rest[j] != '\'' {
			b.WriteByte(rest[j])
			continue
		}
		if j+1 < len(rest) && rest[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		if strings.TrimSpace(rest[j+1:]) != "" {
			return "", "", false
		}
		return prop, b.String(), true
	}
	return "", "", false // unterminated literal
}
