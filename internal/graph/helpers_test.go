package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

const testToken = "t0ken"

// sleeps records the waits of the retry transport without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newServer(t testing.TB) *graphtest.Server {
	t.Helper()
	srv := graphtest.New(graphtest.Options{Token: testToken})
	t.Cleanup(srv.Close)
	srv.EnableMethod() // Graph refuses trust store writes while the method is disabled
	return srv
}

func newClient(t testing.TB, srv *graphtest.Server, mod ...func(*Options)) (*Client, *sleeps) {
	t.Helper()
	s := &sleeps{}
	opts := Options{BaseURL: srv.URL(), AccessToken: testToken, Sleep: s.sleep}
	for _, m := range mod {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, s
}

// requests returns the recorded requests with method m whose path ends with
// suffix.
func requests(srv *graphtest.Server, m, suffix string) []graphtest.Request {
	var out []graphtest.Request
	for _, r := range srv.Requests() {
		if r.Method == m && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

func matchPath(method, suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == method && strings.HasSuffix(r.URL.Path, suffix)
	}
}

// seedPKI adds a PKI with n CAs directly to the store (no HTTP, no
// 250-CA limit) and returns its id. The CAs are intermediates of one root.
func seedPKI(t testing.TB, srv *graphtest.Server, name string, n int, distinct bool) string {
	t.Helper()
	var p wire.PKI
	if err := json.Unmarshal(srv.Store.CreatePKI(wire.ToObject(wire.PKI{DisplayName: name})), &p); err != nil {
		t.Fatal(err)
	}
	root := pkitest.NewRoot(pkitest.WithCN(name + " Root"))
	der := root.DER
	for i := range n {
		if distinct {
			der = root.NewIntermediate(pkitest.WithCN(name + " CA")).DER
		}
		display := name + "-" + strconv.Itoa(i)
		ca := wire.CA{Certificate: der, CertificateAuthorityType: "intermediate", DisplayName: &display}
		if _, err := srv.Store.CreateCA(p.ID, wire.ToObject(ca)); err != nil {
			t.Fatal(err)
		}
	}
	return p.ID
}

// fullX509 is a configuration that uses every property.
func fullX509(groupID string, ski string) model.X509Config {
	return model.X509Config{
		State: model.StateEnabled,
		IncludeTargets: []model.IncludeTarget{
			{Target: model.Target{Type: model.TargetGroup, ID: groupID}, RegistrationRequired: true},
		},
		ExcludeTargets:  []model.Target{{Type: model.TargetGroup, ID: "99999999-0000-0000-0000-000000000001"}},
		DefaultMode:     model.MultiFactor,
		DefaultAffinity: model.AffinityHigh,
		Rules: []model.Rule{
			{Issuer: "CN=Contoso Issuing,DC=contoso,DC=com", Mode: model.MultiFactor, Affinity: model.AffinityHigh},
			{PolicyOID: "1.2.3.4", Mode: model.SingleFactor},
			{Issuer: "CN=Partner CA", PolicyOID: "1.3.6.1.4.1.311.21.8.1", Mode: model.MultiFactor, Affinity: model.AffinityLow},
		},
		UsernameBindings: []model.UsernameBinding{
			{Field: model.FieldPrincipalName, Attribute: model.AttrUserPrincipalName, Priority: 1},
			{Field: model.FieldSubjectKeyIdentifier, Attribute: model.AttrCertificateUserIDs, Priority: 2},
		},
		CRLValidation: model.CRLValidation{Required: true, ExemptSKIs: []string{ski}},
		IssuerHints:   true,
		CAScopes: []model.CAScope{{
			SKI: ski, PKI: "Contoso PKI",
			Groups: []model.Target{{Type: model.TargetGroup, ID: groupID}},
		}},
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
