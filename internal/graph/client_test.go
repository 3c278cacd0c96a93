package graph

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/cbactl/cbactl/internal/plan/model"
)

func TestCloudEndpoints(t *testing.T) {
	for _, tc := range []struct {
		cloud            model.Cloud
		graph, authority string
	}{
		{"", "https://graph.microsoft.com", "https://login.microsoftonline.com"},
		{model.CloudGlobal, "https://graph.microsoft.com", "https://login.microsoftonline.com"},
		{model.CloudUSGov, "https://graph.microsoft.us", "https://login.microsoftonline.us"},
		{model.CloudUSGovDoD, "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"},
		{model.CloudChina, "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"},
	} {
		g, a, err := CloudEndpoints(tc.cloud)
		if err != nil || g != tc.graph || a != tc.authority {
			t.Errorf("CloudEndpoints(%q) = %q, %q, %v", tc.cloud, g, a, err)
		}
		e, _ := endpoints(tc.cloud)
		if strings.TrimSuffix(e.azure.ActiveDirectoryAuthorityHost, "/") != tc.authority {
			t.Errorf("%q: azidentity authority %q", tc.cloud, e.azure.ActiveDirectoryAuthorityHost)
		}
		c, err := New(Options{Cloud: tc.cloud, AccessToken: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if c.BaseURL() != tc.graph+"/v1.0" {
			t.Errorf("%q: base URL %q", tc.cloud, c.BaseURL())
		}
	}
	if _, _, err := CloudEndpoints("germany"); err == nil {
		t.Error("unknown cloud accepted")
	}
	if _, err := New(Options{Cloud: "germany", AccessToken: "x"}); err == nil {
		t.Error("New accepted an unknown cloud")
	}
}

func TestBaseURLValidation(t *testing.T) {
	for _, ok := range []string{
		"https://graph.microsoft.com/v1.0",
		"https://graph.microsoft.com/v1.0/",
		"https://proxy.example.com/graph/v1.0",
		"http://127.0.0.1:8080/v1.0",
		"http://localhost:1234/v1.0",
		"http://[::1]:8080/v1.0",
		"https://graph.microsoft.com/beta",
	} {
		if _, err := New(Options{BaseURL: ok, AccessToken: "x"}); err != nil {
			t.Errorf("%s rejected: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"http://graph.microsoft.com/v1.0",
		"http://10.0.0.1/v1.0",
		"http://127.0.0.1.example.com/v1.0",
		"https://graph.microsoft.com",
		"https://graph.microsoft.com/v2.0",
		"graph.microsoft.com/v1.0",
		"ftp://graph.microsoft.com/v1.0",
		"https://user:pw@graph.microsoft.com/v1.0",
	} {
		if _, err := New(Options{BaseURL: bad, AccessToken: "x"}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// fakeCredential is an azcore.TokenCredential that records the scopes it
// was asked for.
type fakeCredential struct {
	mu     sync.Mutex
	scopes []string
	token  string
}

func (f *fakeCredential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scopes = append(f.scopes, o.Scopes...)
	return azcore.AccessToken{Token: f.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// With a credential, the token goes to the base URL's host (here a loopback
// fake): the SDK's Azure provider would otherwise silently send none.
func TestCredentialAuthToLoopback(t *testing.T) {
	srv := newServer(t)
	cred := &fakeCredential{token: testToken}
	c, err := New(Options{BaseURL: srv.URL(), Cloud: model.CloudUSGov, Credential: cred, Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	cred.mu.Lock()
	defer cred.mu.Unlock()
	if len(cred.scopes) == 0 || cred.scopes[0] != "https://graph.microsoft.us/.default" {
		t.Errorf("scopes %v", cred.scopes)
	}
}
