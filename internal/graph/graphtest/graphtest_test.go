package graphtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

const testToken = "test-token"

const (
	x509URL = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate"
	pkisURL = "/directory/publicKeyInfrastructure/certificateBasedAuthConfigurations"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// --- helpers ---

type harness struct {
	t   *testing.T
	srv *Server
	hc  *http.Client
}

// setup starts a server whose x509Certificate method is enabled, so that
// the trust store can be written.
func setup(t *testing.T, opts Options) *harness {
	t.Helper()
	h := setupDisabled(t, opts)
	h.srv.EnableMethod()
	return h
}

// setupDisabled starts a server in Graph's initial state: the method
// disabled.
func setupDisabled(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	s := New(opts)
	t.Cleanup(s.Close)
	return &harness{t: t, srv: s, hc: &http.Client{Timeout: 20 * time.Second}}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// object decodes the reply body as a JSON object.
func (r reply) object(t *testing.T) map[string]any {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(r.body, &o); err != nil {
		t.Fatalf("reply body %q is not a JSON object: %v", r.body, err)
	}
	return o
}

// request builds a request; path is below URL() unless it is absolute.
// header holds name/value pairs; an empty value removes the header.
func (h *harness) request(method, path string, body any, header ...string) *http.Request {
	h.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = h.srv.URL() + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	return req
}

func (h *harness) send(req *http.Request) reply {
	h.t.Helper()
	resp, err := h.hc.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (h *harness) do(method, path string, body any, header ...string) reply {
	h.t.Helper()
	return h.send(h.request(method, path, body, header...))
}

// must checks a reply's status.
func (h *harness) must(r reply, status int) reply {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// wantError checks a Graph error reply: status, code, a message substring,
// and innerError's ids matching the response headers.
func wantError(t *testing.T, r reply, status int, code, msg string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var e struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				Date            string `json:"date"`
				RequestID       string `json:"request-id"`
				ClientRequestID string `json:"client-request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if e.Error.Code != code {
		t.Errorf("error code %q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	if !strings.Contains(e.Error.Message, msg) {
		t.Errorf("error message %q does not contain %q", e.Error.Message, msg)
	}
	if e.Error.InnerError.RequestID == "" || e.Error.InnerError.RequestID != r.header.Get("request-id") {
		t.Errorf("innerError.request-id %q, header %q", e.Error.InnerError.RequestID, r.header.Get("request-id"))
	}
	if e.Error.InnerError.ClientRequestID == "" || e.Error.InnerError.ClientRequestID != r.header.Get("client-request-id") {
		t.Errorf("innerError.client-request-id %q, header %q", e.Error.InnerError.ClientRequestID, r.header.Get("client-request-id"))
	}
	if _, err := time.Parse("2006-01-02T15:04:05", e.Error.InnerError.Date); err != nil {
		t.Errorf("innerError.date %q: %v", e.Error.InnerError.Date, err)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
}

func (h *harness) createPKI(name string) string {
	h.t.Helper()
	r := h.must(h.do("POST", pkisURL, map[string]any{"displayName": name}), http.StatusCreated)
	return r.object(h.t)["id"].(string)
}

func caBody(der []byte) map[string]any {
	return map[string]any{
		"certificate":              base64.StdEncoding.EncodeToString(der),
		"thumbprint":               pki.SHA1Thumbprint(der),
		"expirationDateTime":       "2035-01-01T00:00:00Z",
		"certificateAuthorityType": "root",
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// docPatchBody is the PATCH example of graph-api.md §1.4, verbatim.
const docPatchBody = `{ "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
  "id": "X509Certificate", "state": "enabled",
  "certificateUserBindings": [
    {"x509CertificateField":"PrincipalName","userProperty":"onPremisesUserPrincipalName","priority":1},
    {"x509CertificateField":"SubjectKeyIdentifier","userProperty":"certificateUserIds","priority":2,"trustAffinityLevel":"high"}],
  "authenticationModeConfiguration": {
    "x509CertificateAuthenticationDefaultMode":"x509CertificateMultiFactor",
    "x509CertificateDefaultRequiredAffinityLevel":"low",
    "rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"CN=ContosoCA,DC=Contoso,DC=org","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"},
             {"x509CertificateRuleType":"policyOID","identifier":"1.2.3.4","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]},
  "crlValidationConfiguration": {"state":"disabled","exemptedCertificateAuthoritiesSubjectKeyIdentifiers":[]},
  "issuerHintsConfiguration": {"state":"enabled"},
  "certificateAuthorityScopes": [{"subjectKeyIdentifier":"aaaaaaaabbbbcccc111122222222222222333333",
     "publicKeyInfrastructureIdentifier":"Contoso PKI","includeTargets":[{"id":"<groupId>","targetType":"group"}]}],
  "includeTargets": [{"targetType":"group","id":"<groupId>","isRegistrationRequired":false}] }`

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

// --- x509Certificate ---

func TestX509GetDefault(t *testing.T) {
	h := setupDisabled(t, Options{})
	r := h.must(h.do("GET", x509URL, nil), 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	o := r.object(t)
	want := map[string]any{
		"@odata.context":               h.srv.URL() + "/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity",
		"includeTargets@odata.context": h.srv.URL() + "/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('X509Certificate')/microsoft.graph.x509CertificateAuthenticationMethodConfiguration/includeTargets",
		"@odata.type":                  wire.X509ODataType,
		"id":                           "X509Certificate",
		"state":                        "disabled",
	}
	for k, v := range want {
		if o[k] != v {
			t.Errorf("%s = %v, want %v", k, o[k], v)
		}
	}
	var cfg wire.X509Config
	unknown, err := wire.Decode(r.body, &cfg, "x509")
	if err != nil || len(unknown) != 0 {
		t.Fatalf("Decode: %v, unknown %v", err, unknown)
	}
	if diff := cmp.Diff([]wire.IncludeTarget{{ID: "all_users", TargetType: "group"}}, cfg.IncludeTargets); diff != "" {
		t.Errorf("includeTargets (-want +got):\n%s", diff)
	}
}

func TestX509PatchDocumentedExample(t *testing.T) {
	h := setup(t, Options{})
	r := h.must(h.do("PATCH", x509URL, docPatchBody), http.StatusNoContent)
	if len(r.body) != 0 {
		t.Errorf("204 with body %q", r.body)
	}
	var got wire.X509Config
	if _, err := wire.Decode(h.must(h.do("GET", x509URL, nil), 200).body, &got, "x509"); err != nil {
		t.Fatal(err)
	}
	var want wire.X509Config
	if err := json.Unmarshal([]byte(docPatchBody), &want); err != nil {
		t.Fatal(err)
	}
	want.ExcludeTargets = []wire.Target{} // not sent: the default is kept
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET after PATCH (-sent +got):\n%s", diff)
	}
	// Annotations other than @odata.type are not stored.
	h.must(h.do("PATCH", x509URL, `{"@odata.type":"`+wire.X509ODataType+`","@odata.context":"x","includeTargets@odata.context":"y","state":"disabled"}`), 204)
	if s := string(h.srv.Store.X509()); strings.Contains(s, `"x"`) || strings.Contains(s, `"y"`) {
		t.Errorf("annotations stored: %s", s)
	}
}

func TestX509PatchMerges(t *testing.T) {
	h := setup(t, Options{})
	h.must(h.do("PATCH", x509URL, docPatchBody), 204)
	h.must(h.do("PATCH", x509URL, map[string]any{"@odata.type": wire.X509ODataType, "state": "disabled"}), 204)
	var got wire.X509Config
	if _, err := wire.Decode(h.must(h.do("GET", x509URL, nil), 200).body, &got, "x509"); err != nil {
		t.Fatal(err)
	}
	if got.State != "disabled" || len(got.CertificateUserBindings) != 2 || got.IssuerHintsConfiguration.State != "enabled" {
		t.Errorf("PATCH did not merge: %+v", got)
	}
}

func TestX509PatchRejected(t *testing.T) {
	const typ = `"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration"`
	tests := []struct {
		name, body, msg string
	}{
		{"empty body", ``, "Empty Payload"},
		{"not JSON", `{`, "Unable to read JSON"},
		{"array", `[]`, "Unable to read JSON"},
		{"missing @odata.type", `{"state":"enabled"}`, "@odata.type"},
		{"wrong @odata.type", `{"@odata.type":"#microsoft.graph.fido2AuthenticationMethodConfiguration","state":"enabled"}`, "@odata.type"},
		{"unknown property", `{` + typ + `,"stat":"enabled"}`, "'stat' does not exist"},
		{"unknown nested property", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"policyOID","identifier":"1.2","x509CertificateAuthenticationMode":"x509CertificateMultiFactor","bogus":1}]}}`, "'authenticationModeConfiguration.rules[0].bogus' does not exist"},
		{"wrong case property", `{` + typ + `,"State":"enabled"}`, "'State' does not exist"},
		{"bad state", `{` + typ + `,"state":"on"}`, "'on' of property 'state'"},
		{"bad default mode", `{` + typ + `,"authenticationModeConfiguration":{"x509CertificateAuthenticationDefaultMode":"multiFactor"}}`, "x509CertificateAuthenticationDefaultMode"},
		{"bad rule type", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"issuer","identifier":"CN=x","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]}}`, "rules[0].x509CertificateRuleType"},
		{"unknownFutureValue rule type", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"unknownFutureValue","identifier":"CN=x","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]}}`, "rules[0].x509CertificateRuleType"},
		{"rule without identifier", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"issuerSubject","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]}}`, "rules[0].identifier' is required"},
		{"rule with empty identifier", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]}}`, "rules[0].identifier' is required"},
		{"rule without mode", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"CN=x"}]}}`, "x509CertificateAuthenticationMode' is required"},
		{"bad rule affinity", `{` + typ + `,"authenticationModeConfiguration":{"rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"CN=x","x509CertificateAuthenticationMode":"x509CertificateMultiFactor","x509CertificateRequiredAffinityLevel":"medium"}]}}`, "x509CertificateRequiredAffinityLevel"},
		{"binding without priority", `{` + typ + `,"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName"}]}`, "certificateUserBindings[0].priority' is required"},
		{"binding without userProperty", `{` + typ + `,"certificateUserBindings":[{"x509CertificateField":"PrincipalName","priority":1}]}`, "userProperty' is required"},
		{"binding priority as string", `{` + typ + `,"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":"1"}]}`, "priority"},
		{"duplicate priority", `{` + typ + `,"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":1},{"x509CertificateField":"RFC822Name","userProperty":"userPrincipalName","priority":1}]}`, "must be unique"},
		{"negative priority", `{` + typ + `,"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":-1}]}`, "negative"},
		{"bad trust affinity", `{` + typ + `,"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":1,"trustAffinityLevel":"max"}]}`, "trustAffinityLevel"},
		{"include target without targetType", `{` + typ + `,"includeTargets":[{"id":"all_users"}]}`, "includeTargets[0].targetType' is required"},
		{"include target with bad targetType", `{` + typ + `,"includeTargets":[{"id":"all_users","targetType":"everyone"}]}`, "includeTargets[0].targetType"},
		{"exclude target without id", `{` + typ + `,"excludeTargets":[{"targetType":"group"}]}`, "excludeTargets[0].id' is required"},
		{"null target", `{` + typ + `,"excludeTargets":[null]}`, "excludeTargets[0]' must be an object"},
		{"scope target without id", `{` + typ + `,"certificateAuthorityScopes":[{"subjectKeyIdentifier":"AB","publicKeyInfrastructureIdentifier":"P","includeTargets":[{"targetType":"group"}]}]}`, "certificateAuthorityScopes[0].includeTargets[0].id"},
		{"scope without PKI", `{` + typ + `,"certificateAuthorityScopes":[{"subjectKeyIdentifier":"AB","includeTargets":[{"id":"g","targetType":"group"}]}]}`, "certificateAuthorityScopes[0].publicKeyInfrastructureIdentifier"},
		{"bad CRL state", `{` + typ + `,"crlValidationConfiguration":{"state":"required"}}`, "crlValidationConfiguration.state"},
		{"bad issuer hints state", `{` + typ + `,"issuerHintsConfiguration":{"state":true}}`, "state"},
		{"collection as object", `{` + typ + `,"includeTargets":{"id":"x"}}`, "includeTargets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t, Options{})
			h.must(h.do("PATCH", x509URL, docPatchBody), 204)
			before := h.srv.Store.X509()
			wantError(t, h.do("PATCH", x509URL, tt.body), 400, "BadRequest", tt.msg)
			if diff := cmp.Diff(string(before), string(h.srv.Store.X509())); diff != "" {
				t.Errorf("store changed by a rejected PATCH (-before +after):\n%s", diff)
			}
		})
	}
}

func TestX509EvolvableEnum(t *testing.T) {
	h := setup(t, Options{})
	body := map[string]any{
		"@odata.type": wire.X509ODataType,
		"authenticationModeConfiguration": map[string]any{"rules": []any{
			map[string]any{"x509CertificateRuleType": "issuerSubjectAndPolicyOID", "identifier": "CN=A", "issuerSubjectIdentifier": "CN=A", "policyOidIdentifier": "1.2.3", "x509CertificateAuthenticationMode": "x509CertificateMultiFactor"},
			map[string]any{"x509CertificateRuleType": "policyOID", "identifier": "1.2.4", "x509CertificateAuthenticationMode": "x509CertificateSingleFactor"},
		}},
	}
	h.must(h.do("PATCH", x509URL, body), 204)
	ruleTypes := func(r reply) []string {
		var c wire.X509Config
		if err := json.Unmarshal(r.body, &c); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range c.AuthenticationModeConfiguration.Rules {
			out = append(out, r.Type)
		}
		return out
	}
	tests := []struct {
		name    string
		prefer  string
		want    []string
		applied string
	}{
		{"no header", "", []string{"unknownFutureValue", "policyOID"}, ""},
		{"opted in", "include-unknown-enum-members", []string{"issuerSubjectAndPolicyOID", "policyOID"}, "include-unknown-enum-members"},
		{"among other preferences", "odata.maxpagesize=10, Include-Unknown-Enum-Members", []string{"issuerSubjectAndPolicyOID", "policyOID"}, "include-unknown-enum-members"},
		{"other preference only", "return=minimal", []string{"unknownFutureValue", "policyOID"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.must(h.do("GET", x509URL, nil, "Prefer", tt.prefer), 200)
			if diff := cmp.Diff(tt.want, ruleTypes(r)); diff != "" {
				t.Errorf("rule types (-want +got):\n%s", diff)
			}
			if got := r.header.Get("Preference-Applied"); got != tt.applied {
				t.Errorf("Preference-Applied %q, want %q", got, tt.applied)
			}
		})
	}
	// The store keeps the real value.
	if !strings.Contains(string(h.srv.Store.X509()), "issuerSubjectAndPolicyOID") {
		t.Error("store lost the rule type")
	}
}

func TestX509Delete(t *testing.T) {
	h := setup(t, Options{})
	h.must(h.do("PATCH", x509URL, docPatchBody), 204)
	r := h.must(h.do("DELETE", x509URL, nil), 204)
	if len(r.body) != 0 {
		t.Errorf("body %q", r.body)
	}
	if diff := cmp.Diff(string(store.DefaultX509()["state"]), `"disabled"`); diff != "" {
		t.Fatal(diff)
	}
	if st := h.must(h.do("GET", x509URL, nil), 200).object(t)["state"]; st != "disabled" {
		t.Errorf("state after DELETE %v", st)
	}
}

// --- request bodies ---

func TestGzipBodies(t *testing.T) {
	h := setup(t, Options{})
	body := `{"@odata.type":"` + wire.X509ODataType + `","state":"enabled"}`
	h.must(h.do("PATCH", x509URL, gz(t, []byte(body)), "Content-Encoding", "gzip"), 204)
	if st := h.must(h.do("GET", x509URL, nil), 200).object(t)["state"]; st != "enabled" {
		t.Errorf("state %v after gzip PATCH", st)
	}
	reqs := h.srv.Requests()
	if got := string(reqs[0].Body); got != body {
		t.Errorf("recorded body %q, want decompressed %q", got, body)
	}
	if reqs[0].Header.Get("Content-Encoding") != "gzip" {
		t.Error("recorded headers lost Content-Encoding")
	}

	id := h.createPKI("P")
	r := h.must(h.do("PATCH", pkisURL+"/"+id, gz(t, []byte(`{"displayName":"Q"}`)), "Content-Encoding", "gzip"), 200)
	if r.object(t)["displayName"] != "Q" {
		t.Errorf("gzip PKI PATCH: %s", r.body)
	}

	// The kiota retry bug (graph-api.md §8.2): gzip header, empty or plain body.
	wantError(t, h.do("PATCH", x509URL, "", "Content-Encoding", "gzip"), 400, "BadRequest", "gzip")
	wantError(t, h.do("PATCH", x509URL, body, "Content-Encoding", "gzip"), 400, "BadRequest", "gzip")
	wantError(t, h.do("PATCH", x509URL, body, "Content-Encoding", "br"), 400, "BadRequest", "Content-Encoding")
}

// --- PKI containers ---

func TestPKILifecycle(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	h := setup(t, Options{Now: func() time.Time { return now }})

	r := h.must(h.do("POST", pkisURL, map[string]any{"@odata.type": "#microsoft.graph.certificateBasedAuthPki", "displayName": "Contoso PKI"}), 201)
	p := r.object(t)
	id, _ := p["id"].(string)
	if !guidRE.MatchString(id) {
		t.Fatalf("id %q", id)
	}
	want := map[string]any{
		"@odata.context": h.srv.URL() + "/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations/$entity",
		"id":             id, "displayName": "Contoso PKI", "status": "succeeded", "statusDetails": nil,
		"lastModifiedDateTime": "2026-03-04T05:06:07Z", "deletedDateTime": nil,
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("created PKI (-want +got):\n%s", diff)
	}
	if loc := r.header.Get("Location"); loc != h.srv.URL()+pkisURL+"/"+id {
		t.Errorf("Location %q", loc)
	}

	got := h.must(h.do("GET", pkisURL+"/"+id, nil), 200).object(t)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET PKI (-want +got):\n%s", diff)
	}
	sel := h.must(h.do("GET", pkisURL+"/"+id+"?$select=displayName", nil), 200).object(t)
	if diff := cmp.Diff(map[string]any{"@odata.context": want["@odata.context"], "displayName": "Contoso PKI"}, sel); diff != "" {
		t.Errorf("$select (-want +got):\n%s", diff)
	}

	list := h.must(h.do("GET", pkisURL, nil), 200).object(t)
	if list["@odata.context"] != h.srv.URL()+"/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations" {
		t.Errorf("list context %v", list["@odata.context"])
	}
	if v := list["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != id {
		t.Errorf("list %v", list)
	}

	r = h.must(h.do("PATCH", pkisURL+"/"+strings.ToUpper(id), map[string]any{"displayName": "Renamed"}), 200)
	if r.object(t)["displayName"] != "Renamed" {
		t.Errorf("PATCH reply %s", r.body)
	}

	for name, body := range map[string]string{
		"read-only status": `{"status":"failed"}`,
		"unknown":          `{"name":"x"}`,
		"not a string":     `{"displayName":5}`,
		"too long":         `{"displayName":"` + strings.Repeat("x", 257) + `"}`,
		"empty":            ``,
	} {
		t.Run("PATCH "+name, func(t *testing.T) {
			wantError(t, h.do("PATCH", pkisURL+"/"+id, body), 400, "BadRequest", "")
		})
		t.Run("POST "+name, func(t *testing.T) {
			wantError(t, h.do("POST", pkisURL, body), 400, "BadRequest", "")
		})
	}

	// The deletion is asynchronous: the PKI stays, status running, for one
	// GET (Options.DeletePolls), refusing writes; then it is gone.
	h.must(h.do("DELETE", pkisURL+"/"+id, nil), 204)
	if body := string(h.must(h.do("GET", pkisURL+"/"+id, nil), 200).body); !strings.Contains(body, `"status":"running"`) {
		t.Errorf("GET during the deletion: %s", body)
	}
	wantError(t, h.do("PATCH", pkisURL+"/"+id, `{"displayName":"x"}`), 400, "BadRequest", "being deleted")
	for _, m := range []string{"GET", "DELETE"} {
		wantError(t, h.do(m, pkisURL+"/"+id, nil), 404, "itemNotFound", "Resource '"+id+"' does not exist")
	}
	wantError(t, h.do("PATCH", pkisURL+"/"+id, `{"displayName":"x"}`), 404, "itemNotFound", id)
	wantError(t, h.do("GET", pkisURL+"/"+id+"/certificateAuthorities", nil), 404, "itemNotFound", id)
}

// --- certificate authorities ---

func TestCALifecycle(t *testing.T) {
	h := setup(t, Options{})
	root := pkitest.NewRoot(pkitest.WithCN("Test Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Test Issuing"))
	id := h.createPKI("P")
	base := pkisURL + "/" + id + "/certificateAuthorities"

	r := h.must(h.do("POST", base, caBody(root.DER)), 201)
	ca := r.object(t)
	caID := ca["id"].(string)
	if ca["thumbprint"] != pki.SHA1Thumbprint(root.DER) || ca["issuer"] != "CN=Test Root" ||
		ca["issuerSubjectKeyIdentifier"] != pki.SubjectKeyID(root.Cert) || ca["certificateAuthorityType"] != "root" ||
		ca["certificateRevocationListUrl"] != nil || ca["isIssuerHintEnabled"] != false {
		t.Errorf("created CA %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != h.srv.URL()+base+"/"+caID {
		t.Errorf("Location %q", loc)
	}

	// The delta CRL URL is accepted in the docs' spelling and stored in the metadata's.
	b := caBody(inter.DER)
	b["certificateAuthorityType"] = "intermediate"
	b["deltacertificateRevocationListUrl"] = "http://crl/delta.crl"
	r = h.must(h.do("POST", base, b), 201)
	if o := r.object(t); o["deltaCertificateRevocationListUrl"] != "http://crl/delta.crl" || o["deltacertificateRevocationListUrl"] != nil {
		t.Errorf("alias not normalised: %s", r.body)
	}

	badCert := caBody(root.DER)
	badCert["certificate"] = base64.StdEncoding.EncodeToString([]byte("not a certificate"))
	noThumb := caBody(inter.DER)
	delete(noThumb, "thumbprint")
	noExpiry := caBody(inter.DER)
	delete(noExpiry, "expirationDateTime")
	badExpiry := caBody(inter.DER)
	badExpiry["expirationDateTime"] = "tomorrow"
	badType := caBody(inter.DER)
	badType["certificateAuthorityType"] = "issuing"
	unknown := caBody(inter.DER)
	unknown["crlUrl"] = "http://x"
	badBase64 := caBody(inter.DER)
	badBase64["certificate"] = "!!!"
	noCert := caBody(inter.DER)
	delete(noCert, "certificate")
	hint := caBody(inter.DER)
	hint["isIssuerHintEnabled"] = "yes"
	for _, tt := range []struct {
		name string
		body any
		msg  string
	}{
		{"duplicate", caBody(root.DER), "Duplicate Certificate exists"},
		{"not a certificate", badCert, "certificate"},
		{"bad base64", badBase64, "base64"},
		{"no certificate", noCert, "'certificate' is required"},
		{"no thumbprint", noThumb, "'thumbprint' is required"},
		{"no expiry", noExpiry, "'expirationDateTime' is required"},
		{"bad expiry", badExpiry, "expirationDateTime"},
		{"bad type", badType, "certificateAuthorityType"},
		{"unknown property", unknown, "'crlUrl' does not exist"},
		{"wrong JSON type", hint, "isIssuerHintEnabled"},
	} {
		t.Run("POST "+tt.name, func(t *testing.T) {
			wantError(t, h.do("POST", base, tt.body), 400, "BadRequest", tt.msg)
		})
	}
	if cas, _ := h.srv.Store.CAs(id); len(cas) != 2 {
		t.Fatalf("%d CAs after rejected POSTs, want 2", len(cas))
	}

	got := h.must(h.do("GET", base+"/"+caID, nil), 200).object(t)
	if got["id"] != caID || got["@odata.context"] != h.srv.URL()+"/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations('"+id+"')/certificateAuthorities/$entity" {
		t.Errorf("GET CA %v", got)
	}

	patch := map[string]any{
		"certificateAuthorityType": "intermediate", "certificateRevocationListUrl": "http://crl/root.crl",
		"deltacertificateRevocationListUrl": "http://crl/root-delta.crl", "isIssuerHintEnabled": true, "displayName": "Root",
	}
	got = h.must(h.do("PATCH", base+"/"+caID, patch), 200).object(t)
	for k, v := range map[string]any{
		"certificateAuthorityType": "intermediate", "certificateRevocationListUrl": "http://crl/root.crl",
		"deltaCertificateRevocationListUrl": "http://crl/root-delta.crl", "isIssuerHintEnabled": true, "displayName": "Root",
		"thumbprint": pki.SHA1Thumbprint(root.DER),
	} {
		if got[k] != v {
			t.Errorf("after PATCH %s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["deltacertificateRevocationListUrl"]; ok {
		t.Error("alias key stored")
	}
	h.must(h.do("PATCH", base+"/"+caID, map[string]any{"certificateRevocationListUrl": nil}), 200)

	for _, tt := range []struct {
		name string
		body any
		msg  string
	}{
		{"certificate", map[string]any{"certificate": base64.StdEncoding.EncodeToString(inter.DER)}, "'certificate'"},
		{"thumbprint", map[string]any{"thumbprint": "AA"}, "'thumbprint'"},
		{"unknown", map[string]any{"foo": 1}, "'foo'"},
		{"bad type", map[string]any{"certificateAuthorityType": "leaf"}, "certificateAuthorityType"},
		{"bad hint", map[string]any{"isIssuerHintEnabled": "true"}, "isIssuerHintEnabled"},
	} {
		t.Run("PATCH "+tt.name, func(t *testing.T) {
			wantError(t, h.do("PATCH", base+"/"+caID, tt.body), 400, "BadRequest", tt.msg)
		})
	}

	h.must(h.do("DELETE", base+"/"+caID, nil), 204)
	wantError(t, h.do("GET", base+"/"+caID, nil), 404, "itemNotFound", caID)
	wantError(t, h.do("PATCH", base+"/"+caID, map[string]any{"displayName": "x"}), 404, "itemNotFound", caID)
	wantError(t, h.do("DELETE", base+"/"+caID, nil), 404, "itemNotFound", caID)
	wantError(t, h.do("POST", pkisURL+"/nope/certificateAuthorities", caBody(root.DER)), 404, "itemNotFound", "nope")
	// Deleted, the certificate can be added again.
	h.must(h.do("POST", base, caBody(root.DER)), 201)
}

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

// --- faults ---

func TestFailNextThrottles(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(2, Fault{Status: 429, RetryAfter: "3"})
	for i := range 2 {
		r := h.do("GET", "/organization", nil)
		wantError(t, r, 429, "TooManyRequests", "Too many requests.")
		if got := r.header.Get("Retry-After"); got != "3" {
			t.Errorf("request %d: Retry-After %q", i+1, got)
		}
	}
	h.must(h.do("GET", "/organization", nil), 200)

	// Faults come before authentication.
	h.srv.FailNext(1, Fault{Status: 503})
	wantError(t, h.do("GET", "/organization", nil, "Authorization", ""), 503, "serviceNotAvailable", "")

	// Code and message override the defaults; Retry-After as an HTTP-date.
	date := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	h.srv.FailNext(1, Fault{Status: 504, RetryAfter: date, Code: "custom", Message: "boom"})
	r := h.do("GET", "/organization", nil)
	wantError(t, r, 504, "custom", "boom")
	if r.header.Get("Retry-After") != date {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	h.srv.FailNext(1, Fault{Status: 504})
	wantError(t, h.do("GET", "/organization", nil), 504, "gatewayTimeout", "")
	h.srv.FailNext(1, Fault{})
	wantError(t, h.do("GET", "/organization", nil), 500, "generalException", "")
}

func TestFailNth(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNth(3, Fault{Status: 503})
	h.srv.FailNext(1, Fault{Status: 429})
	var got []int
	for range 5 {
		got = append(got, h.do("GET", "/organization", nil).status)
	}
	if diff := cmp.Diff([]int{429, 200, 503, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestFailWhen(t *testing.T) {
	h := setup(t, Options{})
	id := h.createPKI("P")
	h.srv.FailWhen(func(r *http.Request) bool {
		b, _ := io.ReadAll(r.Body)
		return r.Method == http.MethodPatch && strings.Contains(string(b), "fail-me")
	}, 2, Fault{Status: 500})
	var got []int
	for _, name := range []string{"ok", "fail-me", "fail-me", "fail-me"} {
		got = append(got, h.do("PATCH", pkisURL+"/"+id, map[string]any{"displayName": name}).status)
	}
	got = append(got, h.do("GET", pkisURL+"/"+id, nil).status)
	if diff := cmp.Diff([]int{200, 500, 500, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	h.srv.FailWhen(func(r *http.Request) bool { return r.Method == http.MethodDelete }, -1, Fault{Status: 409})
	for range 3 {
		wantError(t, h.do("DELETE", pkisURL+"/"+id, nil), 409, "Directory_ConcurrencyViolation", "")
	}
	h.srv.ClearFaults()
	h.must(h.do("DELETE", pkisURL+"/"+id, nil), 204)
}

func TestFaultDrop(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Drop: true})
	_, err := h.hc.Do(h.request("POST", pkisURL, map[string]any{"displayName": "P"}))
	if err == nil {
		t.Fatal("dropped connection gave no client error")
	}
	if n := len(h.srv.Store.PKIs()); n != 0 {
		t.Errorf("dropped request applied: %d PKIs", n)
	}
	// Drop + AfterHandling: the write happened, the response was lost.
	h.srv.FailNext(1, Fault{Drop: true, AfterHandling: true})
	if _, err := h.hc.Do(h.request("POST", pkisURL, map[string]any{"displayName": "P"})); err == nil {
		t.Fatal("dropped connection gave no client error")
	}
	if n := len(h.srv.Store.PKIs()); n != 1 {
		t.Errorf("AfterHandling drop: %d PKIs, want 1", n)
	}
	// A GET on a fresh connection fails too.
	h.srv.FailNext(1, Fault{Drop: true})
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := hc.Do(h.request("GET", "/organization", nil)); err == nil {
		t.Fatal("dropped GET gave no client error")
	}
	h.must(h.do("GET", "/organization", nil), 200)
}

func TestFaultAfterHandling(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Status: 504, AfterHandling: true})
	wantError(t, h.do("PATCH", x509URL, docPatchBody), 504, "gatewayTimeout", "")
	if st := h.must(h.do("GET", x509URL, nil), 200).object(t)["state"]; st != "enabled" {
		t.Errorf("AfterHandling PATCH not applied: state %v", st)
	}
	// A rejected request stays rejected in the store, whatever the fault says.
	h.srv.FailNext(1, Fault{Status: 504, AfterHandling: true})
	wantError(t, h.do("POST", pkisURL, `{"bogus":1}`), 504, "gatewayTimeout", "")
	if n := len(h.srv.Store.PKIs()); n != 0 {
		t.Errorf("%d PKIs", n)
	}
}

func TestDelaysHonourContext(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Status: 503, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := h.hc.Do(h.request("GET", "/organization", nil).WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
	h.srv.SetLatency(time.Minute)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := h.hc.Do(h.request("POST", pkisURL, map[string]any{"displayName": "late"}).WithContext(ctx2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
	// The cancelled requests' handlers give up their minute-long waits:
	// WaitIdle would block for a minute otherwise.
	h.srv.WaitIdle()
	h.srv.SetLatency(20 * time.Millisecond)
	start := time.Now()
	h.must(h.do("GET", "/organization", nil), 200)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("latency not applied: %v", d)
	}
	if n := len(h.srv.Store.PKIs()); n != 0 {
		t.Errorf("a request cancelled during latency was applied: %d PKIs", n)
	}
}

// --- recording ---

func TestRecording(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Status: 429})
	h.do("GET", pkisURL+"?$top=5", nil, "client-request-id", "c1")
	h.do("POST", pkisURL, `{"displayName":"P"}`)
	h.do("GET", "/organization", nil, "Authorization", "")
	want := []Request{
		{Method: "GET", Path: "/v1.0" + pkisURL, RawQuery: "$top=5", Header: http.Header{"Authorization": {"REDACTED"}, "Client-Request-Id": {"c1"}}},
		{Method: "POST", Path: "/v1.0" + pkisURL, Header: http.Header{"Authorization": {"REDACTED"}, "Content-Type": {"application/json"}}, Body: []byte(`{"displayName":"P"}`)},
		{Method: "GET", Path: "/v1.0/organization", Header: http.Header{}},
	}
	got := h.srv.Requests()
	for i := range got {
		for _, k := range []string{"User-Agent", "Accept-Encoding", "Content-Length"} {
			got[i].Header.Del(k)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	h.srv.ResetRequests()
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests after reset", n)
	}
}

// --- uploads ---

type uploadFixture struct {
	h      *harness
	id     string
	root   *pkitest.CA
	inter  *pkitest.CA
	bundle []byte
}

func newUploadFixture(t *testing.T, opts Options) *uploadFixture {
	h := setup(t, opts)
	root := pkitest.NewRoot(pkitest.WithCN("Upload Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Upload Issuing"),
		pkitest.WithCRLDistributionPoints("ldap:///CN=Upload%20Root,CN=CDP", "https://crl.example.com/issuing.crl", "http://crl.example.com/issuing.crl", "http://crl2.example.com/issuing.crl"))
	return &uploadFixture{h: h, id: h.createPKI("Bulk"), root: root, inter: inter, bundle: pkitest.Bundle(root.Cert, inter.Cert)}
}

func (f *uploadFixture) upload(url, hash string) reply {
	return f.h.do("POST", pkisURL+"/"+f.id+"/upload", map[string]any{"uploadUrl": url, "sha256FileHash": hash})
}

func (f *uploadFixture) status() (string, any) {
	o := f.h.must(f.h.do("GET", pkisURL+"/"+f.id, nil), 200).object(f.h.t)
	return o["status"].(string), o["statusDetails"]
}

func TestUploadSucceeds(t *testing.T) {
	f := newUploadFixture(t, Options{})
	const u = "https://pki.example.com/bundle.p7b"
	f.h.srv.RegisterBundle(u, f.bundle)
	r := f.h.must(f.upload(u, strings.ToUpper(sha256Hex(f.bundle))), 204)
	if len(r.body) != 0 {
		t.Errorf("body %q", r.body)
	}
	wantError(t, f.upload(u, sha256Hex(f.bundle)), 400, "BadRequest", "already running")

	// Two polls see "running" (the CA list counts as a poll and shows the
	// CAs added so far), the third sees the result.
	if st, _ := f.status(); st != "running" {
		t.Fatalf("poll 1: %s", st)
	}
	ids, _ := f.h.collect(pkisURL + "/" + f.id + "/certificateAuthorities")
	if len(ids) != 2 {
		t.Errorf("poll 2: %d CAs listed, want 2 (one added per poll)", len(ids))
	}
	if st, details := f.status(); st != "succeeded" || details != nil {
		t.Fatalf("poll 3: %s %v", st, details)
	}

	var cas wire.Collection[wire.CA]
	if err := json.Unmarshal(f.h.must(f.h.do("GET", pkisURL+"/"+f.id+"/certificateAuthorities", nil), 200).body, &cas); err != nil {
		t.Fatal(err)
	}
	// The first http:// CDP, past the ldap:// and https:// ones (graph-api.md
	// §2.4); the display name is set by the service (the fake: the subject);
	// issuer is the CA's own subject (§9.13).
	crl := "http://crl.example.com/issuing.crl"
	rootName, interName := "CN=Upload Root", "CN=Upload Issuing"
	want := []wire.CA{
		{Certificate: f.root.DER, CertificateAuthorityType: "root", Thumbprint: pki.SHA1Thumbprint(f.root.DER), Issuer: "CN=Upload Root", DisplayName: &rootName},
		{Certificate: f.inter.DER, CertificateAuthorityType: "intermediate", Thumbprint: pki.SHA1Thumbprint(f.inter.DER), Issuer: "CN=Upload Issuing", CRLURL: &crl, DisplayName: &interName},
	}
	if diff := cmp.Diff(want, cas.Value, cmp.FilterPath(func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".ID", ".CreatedDateTime", ".ExpirationDateTime", ".IssuerSubjectKeyIdentifier", ".DeletedDateTime":
			return true
		}
		return false
	}, cmp.Ignore())); diff != "" {
		t.Errorf("uploaded CAs (-want +got):\n%s", diff)
	}

	// Uploading a certificate the PKI holds is refused at once.
	wantError(t, f.upload(u, sha256Hex(f.bundle)), 400, "BadRequest", "Duplicate Certificate exists")
	if st, _ := f.status(); st != "succeeded" {
		t.Errorf("status %s after refused upload", st)
	}
}

func TestUploadFails(t *testing.T) {
	for _, tt := range []struct {
		name    string
		url     string
		content func(f *uploadFixture) []byte // registered at url; nil: not registered
		hash    func(f *uploadFixture) string
		details string
	}{
		{
			name: "unregistered URL", url: "https://pki.example.com/missing.p7b",
			hash:    func(f *uploadFixture) string { return sha256Hex(f.bundle) },
			details: "Unable to download the file from the upload URL",
		},
		{
			name: "hash mismatch", url: "https://pki.example.com/b.p7b",
			content: func(f *uploadFixture) []byte { return f.bundle },
			hash:    func(f *uploadFixture) string { return sha256Hex([]byte("something else")) },
			details: "The SHA256 hash of the file does not match sha256FileHash",
		},
		{
			name: "not PKCS#7", url: "http://pki.example.com/cert.cer",
			content: func(f *uploadFixture) []byte { return f.root.DER },
			hash:    func(f *uploadFixture) string { return sha256Hex(f.root.DER) },
			details: "PKCS#7",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newUploadFixture(t, Options{UploadPolls: 1})
			if tt.content != nil {
				f.h.srv.RegisterBundle(tt.url, tt.content(f))
			}
			f.h.must(f.upload(tt.url, tt.hash(f)), 204)
			if st, _ := f.status(); st != "running" {
				t.Fatalf("poll 1: %s", st)
			}
			st, details := f.status()
			if d, _ := details.(string); st != "failed" || !strings.Contains(d, tt.details) {
				t.Errorf("status %s, details %v; want failed, %q", st, details, tt.details)
			}
			if cas, _ := f.h.srv.Store.CAs(f.id); len(cas) != 0 {
				t.Errorf("%d CAs after a failed upload", len(cas))
			}
			// A failed upload no longer blocks another.
			f.h.srv.RegisterBundle("https://ok/b.p7b", f.bundle)
			f.h.must(f.upload("https://ok/b.p7b", sha256Hex(f.bundle)), 204)
		})
	}
}

func TestUploadRejected(t *testing.T) {
	f := newUploadFixture(t, Options{})
	h := f.h
	for _, tt := range []struct {
		name, body, msg string
	}{
		{"no hash", `{"uploadUrl":"https://x/b.p7b"}`, "'sha256FileHash' is required"},
		{"no URL", `{"sha256FileHash":"00"}`, "'uploadUrl' is required"},
		{"unknown parameter", `{"uploadUrl":"https://x/b.p7b","sha256FileHash":"00","other":1}`, "'other'"},
		{"not a URL", `{"uploadUrl":"file:///b.p7b","sha256FileHash":"00"}`, "http or https"},
		{"hash not a string", `{"uploadUrl":"https://x/b.p7b","sha256FileHash":0}`, "sha256FileHash"},
		{"empty", ``, "Empty Payload"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.do("POST", pkisURL+"/"+f.id+"/upload", tt.body), 400, "BadRequest", tt.msg)
		})
	}
	wantError(t, h.do("POST", pkisURL+"/nope/upload", `{"uploadUrl":"https://x/b.p7b","sha256FileHash":"00"}`), 404, "itemNotFound", "nope")
	if st, _ := f.status(); st != "succeeded" {
		t.Errorf("status %s after rejected uploads", st)
	}
}

func TestUploadImmediateAndDelete(t *testing.T) {
	f := newUploadFixture(t, Options{UploadPolls: -1})
	f.h.srv.RegisterBundle("https://x/b.p7b", f.bundle)
	f.h.must(f.upload("https://x/b.p7b", sha256Hex(f.bundle)), 204)
	if st, _ := f.status(); st != "succeeded" {
		t.Errorf("UploadPolls -1: first poll sees %s", st)
	}
	// Deleting a PKI cancels its upload.
	id2 := f.h.createPKI("Other")
	f.h.must(f.h.do("POST", pkisURL+"/"+id2+"/upload", map[string]any{"uploadUrl": "https://x/b.p7b", "sha256FileHash": sha256Hex(f.bundle)}), 204)
	f.h.must(f.h.do("DELETE", pkisURL+"/"+id2, nil), 204)
	f.h.srv.mu.Lock()
	defer f.h.srv.mu.Unlock()
	if len(f.h.srv.uploads) != 0 {
		t.Error("upload job survived its PKI")
	}
}

// --- snapshots ---

func TestSnapshotRoundTrip(t *testing.T) {
	h := setup(t, Options{})
	h.must(h.do("PATCH", x509URL, docPatchBody), 204)
	id := h.createPKI("Contoso PKI")
	root := pkitest.NewRoot(pkitest.WithCN("Snap Root"))
	h.must(h.do("POST", pkisURL+"/"+id+"/certificateAuthorities", caBody(root.DER)), 201)
	h.createPKI("Empty")
	h.srv.AddGroup("g1", "CBA Users")
	h.srv.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}})
	h.must(h.do("GET", "/organization", nil), 200) // sets the tenant id

	snap := h.srv.Snapshot()
	h2 := setup(t, Options{})
	if err := h2.srv.LoadSnapshot(snap); err != nil {
		t.Fatal(err)
	}
	snap2 := h2.srv.Snapshot()
	if diff := cmp.Diff(string(snap), string(snap2)); diff != "" {
		t.Errorf("Load→Snapshot (-first +second):\n%s", diff)
	}
	if err := h2.srv.LoadSnapshot(snap2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(snap), string(h2.srv.Snapshot())); diff != "" {
		t.Errorf("second Load→Snapshot (-first +second):\n%s", diff)
	}

	// Both servers answer the same (annotations name their own host).
	for _, p := range []string{x509URL, pkisURL, pkisURL + "/" + id + "/certificateAuthorities", "/organization", "/groups"} {
		a := strings.ReplaceAll(string(h.must(h.do("GET", p, nil), 200).body), h.srv.srv.URL, "")
		b := strings.ReplaceAll(string(h2.must(h2.do("GET", p, nil), 200).body), h2.srv.srv.URL, "")
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("GET %s differs (-original +loaded):\n%s", p, diff)
		}
	}
	if err := h2.srv.LoadSnapshot([]byte(`{"snapshotVersion":1,"typo":1}`)); err == nil {
		t.Error("LoadSnapshot accepted an unknown key")
	}
}

// --- concurrency ---

func TestConcurrentRequests(t *testing.T) {
	h := setup(t, Options{})
	id := h.createPKI("P")
	root := pkitest.NewRoot()
	var wg sync.WaitGroup
	statuses := make([]int, 16)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 4 {
			case 0: // the same certificate, concurrently: exactly one wins
				statuses[i] = h.do("POST", pkisURL+"/"+id+"/certificateAuthorities", caBody(root.DER)).status
			case 1:
				statuses[i] = h.do("PATCH", x509URL, docPatchBody).status
			case 2:
				statuses[i] = h.do("POST", pkisURL, map[string]any{"displayName": fmt.Sprint(i)}).status
			default:
				statuses[i] = h.do("GET", pkisURL+"/"+id+"/certificateAuthorities", nil).status
			}
		}()
	}
	wg.Wait()
	created := 0
	for i := 0; i < len(statuses); i += 4 {
		if statuses[i] == 201 {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d concurrent POSTs of one certificate succeeded, want 1 (statuses %v)", created, statuses)
	}
	if n := len(h.srv.Requests()); n != 17 {
		t.Errorf("%d requests recorded, want 17", n)
	}
}

// TestStoreReadsDuringWrites exercises store.Store's readers while the server
// writes (run with -race).
func TestStoreReadsDuringWrites(t *testing.T) {
	h := setup(t, Options{})
	h.must(h.do("PATCH", x509URL, docPatchBody), 204)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 20 {
			h.do("PATCH", x509URL, map[string]any{"@odata.type": wire.X509ODataType, "state": []string{"enabled", "disabled"}[i%2]})
		}
	}()
	go func() {
		defer wg.Done()
		for range 20 {
			if _, _, err := h.srv.Store.Document(); err != nil {
				t.Error(err)
			}
			_ = h.srv.Snapshot()
		}
	}()
	wg.Wait()
}

func TestCloseCutsWaitsShort(t *testing.T) {
	s := New(Options{Token: testToken, Latency: time.Minute})
	h := &harness{t: t, srv: s, hc: &http.Client{Timeout: 30 * time.Second}}
	errc := make(chan error, 1)
	go func() {
		_, err := h.hc.Do(h.request("GET", "/organization", nil))
		errc <- err
	}()
	s.WaitRequests(1)
	// Close waits for every handler: without cutting the minute of latency
	// short it would return after a minute, and the request be answered.
	s.Close()
	if err := <-errc; err == nil {
		t.Error("a request cut short by Close got an answer")
	}
}

// TestTrustStoreNeedsMethodEnabled: "The certificate-based authentication
// method must be enabled in the tenant for you to manage these PKI
// instances" (graph-api.md §2, §9.14). Every PKI and CA write is refused
// while the method is disabled; reads are not.
func TestTrustStoreNeedsMethodEnabled(t *testing.T) {
	h := setup(t, Options{})
	root := pkitest.NewRoot(pkitest.WithCN("Gate Root"))
	id := h.createPKI("P")
	base := pkisURL + "/" + id + "/certificateAuthorities"
	caID := h.must(h.do("POST", base, caBody(root.DER)), 201).object(t)["id"].(string)
	h.must(h.do("PATCH", x509URL, map[string]any{"@odata.type": wire.X509ODataType, "state": "disabled"}), 204)

	const msg = "must be enabled"
	other := pkitest.NewRoot(pkitest.WithCN("Other Root"))
	for _, w := range []struct {
		method, path string
		body         any
	}{
		{"POST", pkisURL, map[string]any{"displayName": "Q"}},
		{"PATCH", pkisURL + "/" + id, map[string]any{"displayName": "R"}},
		{"POST", base, caBody(other.DER)},
		{"PATCH", base + "/" + caID, map[string]any{"isIssuerHintEnabled": true}},
		{"POST", pkisURL + "/" + id + "/upload", map[string]any{"uploadUrl": "https://x/b.p7b", "sha256FileHash": "00"}},
		{"DELETE", base + "/" + caID, nil},
		{"DELETE", pkisURL + "/" + id, nil},
	} {
		wantError(t, h.do(w.method, w.path, w.body), 400, "BadRequest", msg)
	}
	h.must(h.do("GET", pkisURL, nil), 200)
	h.must(h.do("GET", base, nil), 200)
	if cas, _ := h.srv.Store.CAs(id); len(cas) != 1 {
		t.Errorf("%d CAs after refused writes, want 1", len(cas))
	}
}

// TestCAIssuerIsItsOwnSubject: issuer and issuerSubjectKeyIdentifier
// describe the CA as an issuer (graph-api.md §9.13); a body naming the CA's
// parent next to the CA's own key identifier is refused.
func TestCAIssuerIsItsOwnSubject(t *testing.T) {
	h := setup(t, Options{})
	root := pkitest.NewRoot(pkitest.WithCN("Own Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Own Issuing"))
	base := pkisURL + "/" + h.createPKI("P") + "/certificateAuthorities"

	parent := caBody(inter.DER)
	parent["certificateAuthorityType"] = "intermediate"
	parent["issuer"] = "CN=Own Root"
	parent["issuerSubjectKeyIdentifier"] = pki.SubjectKeyID(inter.Cert)
	wantError(t, h.do("POST", base, parent), 400, "BadRequest", "does not match the certificate's subject")

	wrongSKI := caBody(inter.DER)
	wrongSKI["issuerSubjectKeyIdentifier"] = pki.SubjectKeyID(root.Cert)
	wantError(t, h.do("POST", base, wrongSKI), 400, "BadRequest", "does not match the certificate's subject key identifier")

	own := caBody(inter.DER)
	own["certificateAuthorityType"] = "intermediate"
	own["issuer"] = "CN=Own Issuing"
	own["issuerSubjectKeyIdentifier"] = strings.ToLower(pki.SubjectKeyID(inter.Cert))
	if o := h.must(h.do("POST", base, own), 201).object(t); o["issuer"] != "CN=Own Issuing" {
		t.Errorf("issuer %v, want the CA's own subject", o["issuer"])
	}
}
