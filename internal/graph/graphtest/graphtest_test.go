package graphtest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
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
