package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// unsignedJWT is a token shaped like Entra's, with the claims given.
func unsignedJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"typ":"JWT","alg":"none"}`)) + "." + enc([]byte(payload)) + "." + enc([]byte("sig"))
}

func TestTokenTenantID(t *testing.T) {
	for tok, want := range map[string]string{
		unsignedJWT(`{"tid":"11111111-1111-1111-1111-111111111111","aud":"x"}`): "11111111-1111-1111-1111-111111111111",
		unsignedJWT(`{"aud":"x"}`):       "",
		unsignedJWT(`not json`):          "",
		"opaque-token":                   "",
		"a.!!!.c":                        "",
		" " + unsignedJWT(`{"tid":"t"}`): "t",
	} {
		if got := TokenTenantID(tok); got != want {
			t.Errorf("TokenTenantID(%q) = %q, want %q", tok, got, want)
		}
	}
}

func forbid(srv *graphtest.Server, prefix string) {
	srv.FailWhen(func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1.0"+prefix)
	}, -1, graphtest.Fault{Status: 403})
}

// Without GET /organization the tenant is the token's tid claim, never the
// configured tenant id; without a tid either, reading fails closed.
func TestTenantFromTokenWhenOrganizationForbidden(t *testing.T) {
	const tid = "22222222-2222-2222-2222-222222222222"
	tok := unsignedJWT(`{"tid":"` + tid + `"}`)
	srv := graphtest.New(graphtest.Options{Token: tok})
	defer srv.Close()
	forbid(srv, "/organization")
	c, _ := newClient(t, srv, func(o *Options) {
		o.AccessToken = tok
		o.TenantID = "11111111-1111-1111-1111-111111111111"
	})
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if obs.State.TenantID != tid {
		t.Errorf("tenant %q, want the token's %q", obs.State.TenantID, tid)
	}
	if w := strings.Join(obs.Warnings, "\n"); !strings.Contains(w, "legacy trust store could not be read") {
		t.Errorf("warnings %q", w)
	}

	srv.SetToken(testToken)
	c2, _ := newClient(t, srv, func(o *Options) { o.TenantID = "11111111-1111-1111-1111-111111111111" })
	_, err = c2.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot tell which tenant the credentials reach") || !strings.Contains(err.Error(), "403") {
		t.Fatalf("err = %v, want a fail-closed error", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Error("the error shows the token")
	}
}

// The organization and the token disagreeing is an error.
func TestTenantOrganizationAndTokenDisagree(t *testing.T) {
	tok := unsignedJWT(`{"tid":"22222222-2222-2222-2222-222222222222"}`)
	srv := graphtest.New(graphtest.Options{Token: tok})
	defer srv.Close()
	srv.Store.SetTenantID("33333333-3333-3333-3333-333333333333")
	c, _ := newClient(t, srv, func(o *Options) { o.AccessToken = tok })
	if _, err := c.Observe(context.Background()); err == nil || !strings.Contains(err.Error(), "issued by tenant 22222222") {
		t.Fatalf("err = %v", err)
	}
}

// Without permission to read groups, the names are missing (a warning) and
// the read goes on; resolving a configured name is a clear error.
func TestGroupsForbidden(t *testing.T) {
	srv := newServer(t)
	const gid = "44444444-4444-4444-4444-444444444444"
	srv.AddGroup(gid, "CBA Users")
	c, _ := newClient(t, srv)
	x := fullX509(gid, "AABB")
	if err := c.UpdateX509(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	forbid(srv, "/groups")
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(obs.Warnings, "\n"); !strings.Contains(w, "group") || !strings.Contains(w, "ids") {
		t.Errorf("warnings %q", w)
	}
	_, err = c.ResolveGroups(context.Background(), []string{"CBA Users"})
	if err == nil || !strings.Contains(err.Error(), "Group.Read.All") || !strings.Contains(err.Error(), "group_id") {
		t.Errorf("err = %v", err)
	}
}

// A nextLink pointing back at its own page ends with an error.
func TestNextLinkLoopRefused(t *testing.T) {
	srv := newServer(t)
	seedPKI(t, srv, "p", 1, false)
	srv.LoopNextLink(func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, "/certificateBasedAuthConfigurations")
	})
	c, _ := newClient(t, srv)
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "@odata.nextLink it had returned before") {
		t.Fatalf("err = %v", err)
	}
	if n := len(requests(srv, "GET", "/certificateBasedAuthConfigurations")); n != 2 {
		t.Errorf("%d page requests, want 2", n)
	}
}

// A redirect to another host is refused; nothing reaches that host.
func TestCrossHostRedirectRefused(t *testing.T) {
	srv := newServer(t)
	srv.RedirectWhen(matchPath("GET", "/x509Certificate"), -1)
	c, _ := newClient(t, srv)
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect to another host") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.ForeignRequests(); n != 0 {
		t.Errorf("the foreign host got %d requests", n)
	}
}

// DELETE answered 404 matches model.ErrNotFound.
func TestDeleteNotFoundIsErrNotFound(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv)
	err := c.DeletePKI(context.Background(), "55555555-5555-5555-5555-555555555555")
	if !errors.Is(err, model.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}

// With a credential, the tid claim of the tokens it returns is the tenant
// when GET /organization is refused.
func TestCredentialTokenTenant(t *testing.T) {
	const tid = "66666666-6666-6666-6666-666666666666"
	tok := unsignedJWT(`{"tid":"` + tid + `"}`)
	srv := graphtest.New(graphtest.Options{Token: tok})
	defer srv.Close()
	forbid(srv, "/organization")
	c, err := New(Options{BaseURL: srv.URL(), Credential: &fakeCredential{token: tok}, Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if obs.State.TenantID != tid {
		t.Errorf("tenant %q, want %q", obs.State.TenantID, tid)
	}
}
