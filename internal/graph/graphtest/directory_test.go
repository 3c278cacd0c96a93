package graphtest

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// --- organization, legacy store, groups ---

func TestOrganizationAndLegacy(t *testing.T) {
	h := setup(t, Options{})
	org := h.must(h.do("GET", "/organization", nil), 200).object(t)
	v := org["value"].([]any)
	tid := v[0].(map[string]any)["id"].(string)
	if len(v) != 1 || !guidRE.MatchString(tid) || h.srv.Store.TenantID() != tid {
		t.Fatalf("organization %v, store tenant %q", org, h.srv.Store.TenantID())
	}
	if again := h.must(h.do("GET", "/organization", nil), 200).object(t); !cmp.Equal(org, again) {
		t.Errorf("tenant id not stable: %v vs %v", org, again)
	}
	h.must(h.do("GET", "/organization/"+tid, nil), 200)

	root := pkitest.NewRoot()
	crl := "http://crl/legacy.crl"
	h.srv.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true, CRLURL: &crl}}})
	var legacy wire.Collection[wire.LegacyConfig]
	if err := json.Unmarshal(h.must(h.do("GET", "/organization/"+tid+"/certificateBasedAuthConfiguration", nil), 200).body, &legacy); err != nil {
		t.Fatal(err)
	}
	want := []wire.LegacyConfig{{ID: wire.LegacyConfigID, CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true, CRLURL: &crl}}}}
	if diff := cmp.Diff(want, legacy.Value); diff != "" {
		t.Errorf("legacy (-want +got):\n%s", diff)
	}
	h.must(h.do("GET", "/organization/"+tid+"/certificateBasedAuthConfiguration/"+wire.LegacyConfigID, nil), 200)
	wantError(t, h.do("GET", "/organization/"+tid+"/certificateBasedAuthConfiguration/other", nil), 404, "itemNotFound", "other")

	other := "00000000-0000-0000-0000-000000000001"
	wantError(t, h.do("GET", "/organization/"+other+"/certificateBasedAuthConfiguration", nil), 404, "itemNotFound", other)
	wantError(t, h.do("GET", "/organization/"+other, nil), 404, "itemNotFound", other)

	// A tenant id set beforehand is served as is.
	h2 := setup(t, Options{})
	h2.srv.Store.SetTenantID("11111111-2222-3333-4444-555555555555")
	h2.must(h2.do("GET", "/organization/11111111-2222-3333-4444-555555555555/certificateBasedAuthConfiguration", nil), 200)
}

func TestGroups(t *testing.T) {
	h := setup(t, Options{})
	h.srv.AddGroup("g1", "CBA Users")
	h.srv.AddGroup("g2", "O'Brien's Team")
	h.srv.AddGroup("g3", "CBA Users") // duplicate names exist in Entra
	h.srv.AddGroup("g4", "cba users")

	ids := func(r reply) []string {
		var c wire.Collection[wire.Group]
		if err := json.Unmarshal(r.body, &c); err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, g := range c.Value {
			out = append(out, g.ID)
		}
		return out
	}
	filter := func(f string) string { return "/groups?$filter=" + url.QueryEscape(f) }
	for _, tt := range []struct {
		path string
		want []string
	}{
		{filter("displayName eq 'CBA Users'"), []string{"g1", "g3"}},
		{filter("displayName eq 'O''Brien''s Team'"), []string{"g2"}},
		{filter("  displayName   eq   'cba users' "), []string{"g4"}},
		{filter("displayName eq 'Nobody'"), []string{}},
		{filter("id eq 'g2'"), []string{"g2"}},
		{filter("displayName eq 'CBA Users'") + "&$select=id,displayName&$top=1", []string{"g1"}},
		{"/groups", []string{"g1", "g2", "g3", "g4"}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(h.must(h.do("GET", tt.path, nil), 200))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	sel := h.must(h.do("GET", filter("displayName eq 'CBA Users'")+"&$select=id", nil), 200).object(t)
	if diff := cmp.Diff([]any{map[string]any{"id": "g1"}, map[string]any{"id": "g3"}}, sel["value"]); diff != "" {
		t.Errorf("$select=id (-want +got):\n%s", diff)
	}
	for _, f := range []string{
		"startswith(displayName,'CBA')",
		"displayName eq 'unterminated",
		"displayName eq 'a' or displayName eq 'b'",
		"displayName ne 'x'",
		"mail eq 'x'",
		"displayName eq CBA",
	} {
		wantError(t, h.do("GET", filter(f), nil), 400, "invalidRequest", "filter")
	}
	h.must(h.do("GET", "/groups/g2", nil), 200)
	wantError(t, h.do("GET", "/groups/nope", nil), 404, "Request_ResourceNotFound", "nope")
}
