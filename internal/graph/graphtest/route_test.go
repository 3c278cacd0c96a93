package graphtest

import (
	"testing"
)

// --- authentication, headers, routing ---

func TestAuthentication(t *testing.T) {
	h := setup(t, Options{})
	tests := []struct {
		name   string
		auth   string
		status int
		msg    string
	}{
		{"missing", "", 401, "Access token is empty."},
		{"empty bearer", "Bearer ", 401, "Access token is empty."},
		{"wrong token", "Bearer nope", 401, "Access token validation failure."},
		{"wrong scheme", "Basic " + testToken, 401, "Access token validation failure."},
		{"valid", "Bearer " + testToken, 200, ""},
		{"scheme is case-insensitive", "bearer " + testToken, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := h.request("GET", "/organization", nil)
			req.Header.Del("Authorization")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			r := h.send(req)
			if tt.status == 200 {
				h.must(r, 200)
				return
			}
			wantError(t, r, tt.status, "InvalidAuthenticationToken", tt.msg)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestRequestIDHeaders(t *testing.T) {
	h := setup(t, Options{})
	r := h.must(h.do("GET", "/organization", nil, "client-request-id", "my-id"), 200)
	if got := r.header.Get("client-request-id"); got != "my-id" {
		t.Errorf("client-request-id %q, want echo", got)
	}
	if !guidRE.MatchString(r.header.Get("request-id")) {
		t.Errorf("request-id %q is not a GUID", r.header.Get("request-id"))
	}
	r2 := h.must(h.do("GET", "/organization", nil), 200)
	if !guidRE.MatchString(r2.header.Get("client-request-id")) {
		t.Errorf("generated client-request-id %q is not a GUID", r2.header.Get("client-request-id"))
	}
	if r2.header.Get("request-id") == r.header.Get("request-id") {
		t.Error("request-id repeated")
	}
}

func TestRouting(t *testing.T) {
	h := setup(t, Options{})
	tests := []struct {
		method, path string
		status       int
		code, msg    string
	}{
		{"GET", "/nothing", 400, "BadRequest", "Resource not found for the segment 'nothing'."},
		{"GET", "/directory/publicKeyInfrastructure/bogus", 400, "BadRequest", "segment 'bogus'"},
		{"GET", pkisURL + "/x/certificateAuthorities/y/z", 400, "BadRequest", "segment 'z'"},
		{"GET", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2", 400, "BadRequest", "segment 'fido2'"},
		{"POST", x509URL, 405, "BadRequest", "method is not allowed"},
		{"PUT", pkisURL, 405, "BadRequest", "method is not allowed"},
		{"GET", h.srv.srv.URL + "/v2.0/organization", 400, "BadRequest", "segment 'v2.0'"},
		{"GET", pkisURL + "?$orderby=displayName", 400, "BadRequest", "$orderby"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			wantError(t, h.do(tt.method, tt.path, nil), tt.status, tt.code, tt.msg)
		})
	}
	r := h.do("POST", x509URL, nil)
	if got := r.header.Get("Allow"); got != "DELETE, GET, PATCH" {
		t.Errorf("Allow %q", got)
	}
	// Segments are case-insensitive, a trailing slash is ignored, /beta works too.
	for _, p := range []string{
		"/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/X509Certificate",
		"/POLICIES/authenticationmethodspolicy/authenticationMethodConfigurations/x509certificate/",
		h.srv.srv.URL + "/beta" + x509URL,
	} {
		h.must(h.do("GET", p, nil), 200)
	}
}
