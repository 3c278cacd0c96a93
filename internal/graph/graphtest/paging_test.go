package graphtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

// --- paging ---

// collect follows @odata.nextLink from path and returns the ids and the
// number of pages.
func (h *harness) collect(path string) (ids []string, pages int) {
	h.t.Helper()
	next := path
	for next != "" {
		pages++
		if pages > 100 {
			h.t.Fatal("paging does not end")
		}
		var page struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(h.must(h.do("GET", next, nil), 200).body, &page); err != nil {
			h.t.Fatal(err)
		}
		for _, v := range page.Value {
			ids = append(ids, v.ID)
		}
		next = page.NextLink
		if next != "" && !strings.HasPrefix(next, h.srv.URL()) {
			h.t.Fatalf("nextLink %q is not absolute", next)
		}
	}
	return ids, pages
}

func seedCAs(t *testing.T, s *Server, pkiID string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		b, err := s.Store.CreateCA(pkiID, wire.Object{"certificate": rawJSON([]byte{byte(i), byte(i >> 8)})})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, idOf(b))
	}
	return ids
}

func TestPaging(t *testing.T) {
	h := setup(t, Options{})
	id := h.createPKI("P")
	want := seedCAs(t, h.srv, id, 250)
	base := pkisURL + "/" + id + "/certificateAuthorities"

	got, pages := h.collect(base + "?$top=100")
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids across pages (-want +got):\n%s", diff)
	}
	// Default page size 100; other query options survive in nextLink.
	first := h.must(h.do("GET", base+"?$select=id,createdDateTime&$count=true", nil), 200)
	var page struct {
		Count    int              `json:"@odata.count"`
		NextLink string           `json:"@odata.nextLink"`
		Value    []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(first.body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != 100 || page.Count != 250 || len(page.Value[0]) != 2 {
		t.Errorf("first page: %d items, count %d, item %v", len(page.Value), page.Count, page.Value[0])
	}
	u, err := url.Parse(page.NextLink)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("$select") != "id,createdDateTime" || q.Get("$skiptoken") == "" {
		t.Errorf("nextLink %q", page.NextLink)
	}

	// A page size from Options, and $top up to 999.
	h2 := setup(t, Options{PageSize: 7})
	for i := range 20 {
		h2.createPKI(fmt.Sprint("P", i))
	}
	if ids, pages := h2.collect(pkisURL); len(ids) != 20 || pages != 3 {
		t.Errorf("PageSize 7: %d ids in %d pages", len(ids), pages)
	}
	if ids, pages := h2.collect(pkisURL + "?$top=999"); len(ids) != 20 || pages != 1 {
		t.Errorf("$top=999: %d ids in %d pages", len(ids), pages)
	}
	for _, top := range []string{"1000", "0", "-1", "ten"} {
		wantError(t, h2.do("GET", pkisURL+"?$top="+top, nil), 400, "Request_UnsupportedQuery", "Invalid page size")
	}
	wantError(t, h2.do("GET", pkisURL+"?$skiptoken=%21%21", nil), 400, "BadRequest", "$skiptoken")
}

func TestPagingSurvivesDeletes(t *testing.T) {
	h := setup(t, Options{})
	id := h.createPKI("P")
	all := seedCAs(t, h.srv, id, 30)
	base := pkisURL + "/" + id + "/certificateAuthorities"
	var page struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
		NextLink string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(h.must(h.do("GET", base+"?$top=10", nil), 200).body, &page); err != nil {
		t.Fatal(err)
	}
	// Delete items already served; the next page still starts at item 10.
	for _, caID := range all[2:5] {
		h.must(h.do("DELETE", base+"/"+caID, nil), 204)
	}
	rest, _ := h.collect(page.NextLink)
	if diff := cmp.Diff(all[10:], rest); diff != "" {
		t.Errorf("after deletes (-want +got):\n%s", diff)
	}
}
