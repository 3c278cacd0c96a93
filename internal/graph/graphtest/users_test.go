package graphtest

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

func TestUsersBatchAndPaging(t *testing.T) {
	h := setup(t, Options{})
	yes := true
	h.srv.Store.AddUser(wire.User{ID: "a", UserPrincipalName: "alice@contoso.com", AuthorizationInfo: &wire.AuthorizationInfo{CertificateUserIDs: []string{"X509:<PN>alice"}}})
	h.srv.Store.AddUser(wire.User{ID: "s", UserPrincipalName: "synced@contoso.com", OnPremisesSyncEnabled: &yes})
	for i := range 30 {
		h.srv.Store.AddUser(wire.User{ID: fmt.Sprintf("u%d", i), UserPrincipalName: fmt.Sprintf("u%d@contoso.com", i)})
	}
	patch := func(id string, values ...string) map[string]any {
		return map[string]any{"id": id, "method": "PATCH", "url": "/users/" + id, "headers": map[string]string{"Content-Type": "application/json"},
			"body": map[string]any{"authorizationInfo": map[string]any{"certificateUserIds": values}}}
	}
	var many []any
	for i := range 21 {
		many = append(many, patch(fmt.Sprintf("u%d", i), "X509:<PN>x"))
	}
	wantError(t, h.do("POST", "/$batch", map[string]any{"requests": many}), 400, "BadRequest", "at most 20")

	r := h.must(h.do("POST", "/$batch", map[string]any{"requests": []any{
		patch("s", "X509:<PN>s"), patch("u1", "X509:<PN>ALICE"), patch("u2", "X509:<PN>u2"), patch("nobody", "X509:<PN>n"),
	}}), http.StatusOK).object(t)
	status := map[string]float64{}
	for _, it := range r["responses"].([]any) {
		m := it.(map[string]any)
		status[m["id"].(string)] = m["status"].(float64)
	}
	if status["s"] != 400 || status["u1"] != 400 || status["u2"] != 204 || status["nobody"] != 404 {
		t.Errorf("statuses %v", status)
	}

	h.srv.SetUserWriteQuota(1)
	r = h.must(h.do("POST", "/$batch", map[string]any{"requests": []any{patch("u3", "X509:<PN>u3"), patch("u4", "X509:<PN>u4")}}), http.StatusOK).object(t)
	items := r["responses"].([]any)
	second := items[1].(map[string]any)
	if second["status"].(float64) != 429 || second["headers"].(map[string]any)["Retry-After"] == nil {
		t.Errorf("second item %v, want 429 with Retry-After", second)
	}

	page := h.must(h.do("GET", "/users?$top=10&$select=id,authorizationInfo", nil), 200).object(t)
	if len(page["value"].([]any)) != 10 || page["@odata.nextLink"] == nil {
		t.Errorf("first page %v", page)
	}
	wantError(t, h.do("GET", "/users?$filter=authorizationInfo/certificateUserIds/any(x:x%20eq%20'X509:<PN>alice')&$count=true", nil), 400, "Request_UnsupportedQuery", "ConsistencyLevel")
}
