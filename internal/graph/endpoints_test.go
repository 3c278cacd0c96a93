package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestEndpointURLs checks every endpoint's method and URL, as the HTTP
// pipeline sends them, against Graph's v1.0 reference (graph-api.md §3 and
// the API reference pages it cites), with the query options cbactl sends,
// and that ids are percent-encoded as path segments.
func TestEndpointURLs(t *testing.T) {
	var mu sync.Mutex
	var method, target string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		method, target = r.Method, r.RequestURI
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL + "/v1.0", AccessToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	const (
		base = "/v1.0"
		pki  = "d42c0cc1-12f8-4619-a99c-a79c9fcef8ec"
		ca   = "43d03534-99d3-43c4-9470-1cda9dbf2908"
		org  = "4a6f2c1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b"
		str  = "937aa8f1-012b-4f2d-854b-c4e9682a80e2"
		cfg  = "5c1e1d7e-6a8b-4c3d-9e0f-112233445566"
		pkis = base + "/directory/publicKeyInfrastructure/certificateBasedAuthConfigurations"
		sps  = base + "/policies/authenticationStrengthPolicies"
	)
	all := []string{"id", "displayName"}
	for _, tc := range []struct {
		e      endpoint
		p      params
		q      query
		method string
		want   string
	}{
		{getX509, nil, query{}, "GET", base + "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate"},
		{patchX509, nil, query{}, "PATCH", base + "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate"},
		{listPKIs, nil, query{top: 999}, "GET", pkis + "?$top=999"},
		{listPKIs, nil, query{}, "GET", pkis},
		{createPKI, nil, query{}, "POST", pkis},
		{getPKI, params{"pkiId": pki}, query{}, "GET", pkis + "/" + pki},
		{patchPKI, params{"pkiId": pki}, query{}, "PATCH", pkis + "/" + pki},
		{deletePKI, params{"pkiId": pki}, query{}, "DELETE", pkis + "/" + pki},
		{uploadPKI, params{"pkiId": pki}, query{}, "POST", pkis + "/" + pki + "/upload"},
		{listCAs, params{"pkiId": pki}, query{top: 999}, "GET", pkis + "/" + pki + "/certificateAuthorities?$top=999"},
		{createCA, params{"pkiId": pki}, query{}, "POST", pkis + "/" + pki + "/certificateAuthorities"},
		{patchCA, params{"pkiId": pki, "caId": ca}, query{}, "PATCH", pkis + "/" + pki + "/certificateAuthorities/" + ca},
		{deleteCA, params{"pkiId": pki, "caId": ca}, query{}, "DELETE", pkis + "/" + pki + "/certificateAuthorities/" + ca},
		{listOrganizations, nil, query{fields: []string{"id"}}, "GET", base + "/organization?$select=id"},
		{getLegacy, params{"organizationId": org}, query{}, "GET", base + "/organization/" + org + "/certificateBasedAuthConfiguration"},
		{listGroups, nil, query{filter: "displayName eq 'CBA Users'", fields: all, top: 999}, "GET",
			base + "/groups?$filter=displayName%20eq%20%27CBA%20Users%27&$select=id,displayName&$top=999"},
		{getGroup, params{"groupId": org}, query{fields: all}, "GET", base + "/groups/" + org + "?$select=id,displayName"},
		{listStrengths, nil, query{}, "GET", sps},
		{createStrength, nil, query{}, "POST", sps},
		{patchStrength, params{"strengthId": str}, query{}, "PATCH", sps + "/" + str},
		{deleteStrength, params{"strengthId": str}, query{}, "DELETE", sps + "/" + str},
		{updateAllowedCombos, params{"strengthId": str}, query{}, "POST", sps + "/" + str + "/updateAllowedCombinations"},
		{getStrengthUsage, params{"strengthId": str}, query{}, "GET", sps + "/" + str + "/usage()"},
		{listStrengthConfigs, params{"strengthId": str}, query{}, "GET", sps + "/" + str + "/combinationConfigurations"},
		{createStrengthConfig, params{"strengthId": str}, query{}, "POST", sps + "/" + str + "/combinationConfigurations"},
		{patchStrengthConfig, params{"strengthId": str, "configId": cfg}, query{}, "PATCH", sps + "/" + str + "/combinationConfigurations/" + cfg},
		{deleteStrengthConfig, params{"strengthId": str, "configId": cfg}, query{}, "DELETE", sps + "/" + str + "/combinationConfigurations/" + cfg},
		// An id is one path segment, whatever it holds.
		{getPKI, params{"pkiId": "a/b c?d"}, query{}, "GET", pkis + "/a%2Fb%20c%3Fd"},
		// A filter value is encoded whole, quotes and all.
		{listGroups, nil, query{filter: "displayName eq 'R&D ''x''#1'"}, "GET", base + "/groups?$filter=displayName%20eq%20%27R%26D%20%27%27x%27%27%231%27"},
	} {
		ri := tc.e.request(tc.p, tc.q, nil)
		if got := ri.Headers.Get("Accept"); len(got) != 1 || got[0] != "application/json" {
			t.Errorf("%s: Accept %q, want application/json", tc.want, got)
		}
		if _, err := c.send(context.Background(), ri); err != nil {
			t.Errorf("%s: %v", tc.e.template, err)
			continue
		}
		mu.Lock()
		gotMethod, got := method, target
		mu.Unlock()
		if gotMethod != tc.method {
			t.Errorf("%s: method %s, want %s", tc.want, gotMethod, tc.method)
		}
		if got != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.method, tc.e.template, got, tc.want)
		}
	}
}

// TestEndpointBody: a body goes out as JSON, exactly as given.
func TestEndpointBody(t *testing.T) {
	body := []byte(`{"displayName":"Contoso PKI"}`)
	ri := createPKI.request(nil, query{}, body)
	if string(ri.Content) != string(body) {
		t.Errorf("content %q, want %q", ri.Content, body)
	}
	if got := ri.Headers.Get("Content-Type"); len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	if ri := getX509.request(nil, query{}, nil); ri.Content != nil || len(ri.Headers.Get("Content-Type")) != 0 {
		t.Errorf("a request without a body has content %q, Content-Type %q", ri.Content, ri.Headers.Get("Content-Type"))
	}
}
