// Package graph implements model.Tenant over Microsoft Graph v1.0 on
// Microsoft's Graph runtime: the Kiota abstractions and HTTP adapter, the
// Graph middleware of msgraph-sdk-go-core, kiota-authentication-azure-go and
// azidentity. cbactl calls a handful of endpoints, so it does without the
// generated service library (msgraph-sdk-go, minutes to compile): requests
// are built from the URL templates in endpoints.go; write bodies are
// package wire's shapes serialised once (model -> wire -> JSON); responses
// are read as raw JSON and decoded by package wire (JSON -> wire -> model),
// which reports what cbactl does not model. No Kiota type appears in this
// package's exported API.
package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/cbactl/cbactl/internal/plan/model"
)

var _ model.Tenant = (*Client)(nil)

// DefaultConcurrency bounds the requests a read runs at once.
const DefaultConcurrency = 32

// Options configures a Client.
type Options struct {
	// BaseURL overrides the cloud's Graph URL (CBACTL_GRAPH_URL). It must
	// include the version segment (".../v1.0"); plain http is accepted
	// only for loopback hosts.
	BaseURL string
	// Cloud selects the Graph host and the token authority; "" is global.
	Cloud model.Cloud
	// TenantID is the tenant to authenticate against (may be empty).
	TenantID string
	// AccessToken (CBACTL_ACCESS_TOKEN) is sent as the bearer token as is;
	// it takes precedence over Credential.
	AccessToken string
	// Credential acquires tokens; default azidentity's
	// DefaultAzureCredential with the cloud's authority and TenantID.
	Credential azcore.TokenCredential
	// HTTPTransport is the base transport; default a clone of
	// http.DefaultTransport that keeps Concurrency idle connections.
	HTTPTransport http.RoundTripper
	// Logger receives one debug record per HTTP attempt (method, URL,
	// status, duration, request id, attempt); never headers or bodies.
	// nil: no logging.
	Logger *slog.Logger
	// Concurrency bounds parallel requests (default 32).
	Concurrency int
	// MaxAttempts bounds the attempts of one request (default 5).
	MaxAttempts int
	// MaxWait caps one wait between attempts, Retry-After included
	// (default 120 s).
	MaxWait time.Duration
	// AttemptTimeout bounds one HTTP attempt (default 100 s).
	AttemptTimeout time.Duration
	// Sleep waits between attempts; it must return early with the
	// context's error when the context is done. Default: a timer.
	Sleep func(context.Context, time.Duration) error
	// Now is the clock batch items' Retry-After is measured with (default
	// time.Now); tests pair it with Sleep.
	Now func() time.Time
	// Notify, when set, receives a one-line message before every wait
	// between two attempts of a request (throttling, a failed connection):
	// what is waited for and how long. cbactl prints it on standard error.
	Notify func(string)
}

// Client reads and writes a tenant's certificate-based authentication
// configuration through Microsoft Graph. It is safe for concurrent use.
type Client struct {
	adapter     *core.GraphRequestAdapterBase
	base        *url.URL
	cloud       model.Cloud
	tenantID    string
	concurrency int
	// tokenTenant is the tid claim of the access token in use ("" when
	// unknown), the tenant the credentials reach when GET /organization
	// is refused.
	tokenTenant func() string
	// now, sleep and maxWait pace batch items Graph throttles (batch.go).
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
	maxWait time.Duration
}

type cloudEndpoints struct {
	graph, authority string
	azure            cloud.Configuration
}

// clouds is graph-api.md §6.
var clouds = map[model.Cloud]cloudEndpoints{
	model.CloudGlobal:   {"https://graph.microsoft.com", "https://login.microsoftonline.com", cloud.AzurePublic},
	model.CloudUSGov:    {"https://graph.microsoft.us", "https://login.microsoftonline.us", cloud.AzureGovernment},
	model.CloudUSGovDoD: {"https://dod-graph.microsoft.us", "https://login.microsoftonline.us", cloud.AzureGovernment},
	model.CloudChina:    {"https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn", cloud.AzureChina},
}

// CloudEndpoints returns the Graph root (without version segment) and the
// token authority of a national cloud; "" is global.
func CloudEndpoints(c model.Cloud) (graphRoot, authority string, err error) {
	e, err := endpoints(c)
	return e.graph, e.authority, err
}

func endpoints(c model.Cloud) (cloudEndpoints, error) {
	if c == "" {
		c = model.CloudGlobal
	}
	e, ok := clouds[c]
	if !ok {
		return cloudEndpoints{}, fmt.Errorf("unknown cloud %q: use %s", c, model.Quoted(model.Clouds))
	}
	return e, nil
}

// parseBaseURL checks a Graph base URL: absolute, https (http only for a
// loopback host), ending with a version segment.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil {
		return nil, fmt.Errorf("invalid Graph base URL %q: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("invalid Graph base URL %q: it must be an absolute http(s) URL such as https://graph.microsoft.com/v1.0", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid Graph base URL %q: it must not carry credentials, a query or a fragment", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("invalid Graph base URL %q: plain http is allowed only for loopback hosts (localhost, 127.0.0.1, ::1); use https", raw)
	}
	seg := u.Path[strings.LastIndex(u.Path, "/")+1:]
	if seg != "v1.0" && seg != "beta" {
		return nil, fmt.Errorf("invalid Graph base URL %q: it must end with the version segment, e.g. %s://%s/v1.0", raw, u.Scheme, u.Host)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// staticToken is an AccessTokenProvider for a token acquired elsewhere
// (CBACTL_ACCESS_TOKEN): sent as is, only to the Graph host.
type staticToken struct {
	token string
	hosts *absauth.AllowedHostsValidator
}

func (s *staticToken) GetAuthorizationToken(_ context.Context, u *url.URL, _ map[string]any) (string, error) {
	if !s.hosts.IsUrlHostValid(u) {
		return "", nil
	}
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		return "", errors.New("refusing to send the access token over plain http to a non-loopback host")
	}
	return s.token, nil
}

func (s *staticToken) GetAllowedHostsValidator() *absauth.AllowedHostsValidator { return s.hosts }

// New returns a Client for the tenant and cloud of opts.
func New(opts Options) (*Client, error) {
	ep, err := endpoints(opts.Cloud)
	if err != nil {
		return nil, err
	}
	rawBase := opts.BaseURL
	if rawBase == "" {
		rawBase = ep.graph + "/v1.0"
	}
	base, err := parseBaseURL(rawBase)
	if err != nil {
		return nil, err
	}
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{base.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("Graph base URL %q: %w", rawBase, err)
	}

	var auth absauth.AuthenticationProvider
	var tokenTenant func() string
	if opts.AccessToken != "" {
		tok := strings.TrimSpace(opts.AccessToken)
		tid := TokenTenantID(tok)
		tokenTenant = func() string { return tid }
		auth = absauth.NewBaseBearerTokenAuthenticationProvider(&staticToken{token: tok, hosts: hosts})
	} else {
		cred := opts.Credential
		if cred == nil {
			cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
				ClientOptions: azcore.ClientOptions{Cloud: ep.azure},
				TenantID:      opts.TenantID,
			})
			if err != nil {
				return nil, fmt.Errorf("setting up Azure authentication: %w", err)
			}
		}
		rec := &tidCredential{TokenCredential: cred}
		cred, tokenTenant = rec, rec.tenant
		auth, err = azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{ep.graph + "/.default"}, []string{base.Hostname()})
		if err != nil {
			return nil, fmt.Errorf("setting up Azure authentication: %w", err)
		}
	}

	rt := &retryTransport{
		base:           opts.HTTPTransport,
		baseHost:       base.Host,
		baseScheme:     base.Scheme,
		notify:         opts.Notify,
		basePath:       base.EscapedPath(),
		maxAttempts:    opts.MaxAttempts,
		maxWait:        opts.MaxWait,
		attemptTimeout: opts.AttemptTimeout,
		sleep:          opts.Sleep,
		logger:         opts.Logger,
	}
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	if rt.base == nil {
		rt.base = http.DefaultTransport
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			// Keep a connection per concurrent request alive (the
			// default keeps 2 per host).
			t = t.Clone()
			t.MaxIdleConnsPerHost = concurrency
			rt.base = t
		}
	}
	if rt.maxAttempts <= 0 {
		rt.maxAttempts = defaultMaxAttempts
	}
	if rt.maxWait <= 0 {
		rt.maxWait = defaultMaxWait
	}
	if rt.attemptTimeout <= 0 {
		rt.attemptTimeout = defaultAttemptTimeout
	}
	if rt.sleep == nil {
		rt.sleep = defaultSleep
	}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(rt, middlewares()...),
		// Redirects are the RedirectHandler middleware's business.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// No overall timeout: it would cut retries short. Each attempt
		// has its own (AttemptTimeout); callers bound the rest with ctx.
	}

	// No parse node or serialization writer factories: cbactl reads and
	// writes JSON with package wire.
	adapter, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, clientOptions, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("creating the Graph request adapter: %w", err)
	}
	adapter.SetBaseUrl(base.String())
	c := &Client{
		adapter:     adapter,
		base:        base,
		cloud:       opts.Cloud,
		tenantID:    opts.TenantID,
		concurrency: concurrency,
		tokenTenant: tokenTenant,
		now:         opts.Now,
		sleep:       rt.sleep,
		maxWait:     rt.maxWait,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.cloud == "" {
		c.cloud = model.CloudGlobal
	}
	return c, nil
}

// clientOptions configures Graph's middleware. Its telemetry (the SdkVersion
// header) names msgraph-sdk-go-core only: no generated service library is
// in use.
var clientOptions = core.GraphClientOptions{}

// middlewares is the Graph SDK's default pipeline without its
// CompressionHandler (a retried gzip request went out with an empty body:
// kiota-http-go#183) and without its RetryHandler (which retries writes on
// 504); retryTransport retries below the remaining middleware instead.
func middlewares() []khttp.Middleware {
	opts := clientOptions
	var out []khttp.Middleware
	for _, m := range core.GetDefaultMiddlewaresWithOptions(&opts) {
		switch m.(type) {
		case *khttp.CompressionHandler, *khttp.RetryHandler:
			continue
		}
		out = append(out, m)
	}
	return out
}

// BaseURL is the Graph base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.base.String() }
