package plan

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// publicKeyInfrastructureIdentifier may hold the container's display name
// (the docs' example) or its id (a Microsoft365DSC example): both name the
// same container, neither causes a change, and a write keeps the tenant's
// spelling; it is never left out.
func TestScopeContainerIdentifier(t *testing.T) {
	c, err := x509.ParseCertificate(issuing.DER)
	if err != nil {
		t.Fatal(err)
	}
	ski := pki.SubjectKeyID(c)
	const pkiID = "6f0d7c1e-1111-2222-3333-444455556666"
	inTenant := model.PKI{ID: pkiID, DisplayName: "Contoso", Status: "succeeded", CAs: []model.CA{observedCA("c1", ca("issuing", issuing.DER))}}
	declared := model.PKI{Name: "contoso", DisplayName: "Contoso", CAs: []model.CA{ca("issuing", issuing.DER)}}
	group := []model.Target{{Type: model.TargetGroup, ID: "g1"}}
	x509With := func(state model.MethodState, scopes ...model.CAScope) *model.X509Config {
		x := model.DefaultX509()
		x.State = state
		x.CAScopes = scopes
		return &x
	}

	for _, tenantValue := range []string{pkiID, strings.ToUpper(pkiID), "Contoso", "contoso"} {
		for _, desiredPKI := range []string{"Contoso", ""} {
			desired := state(declared)
			desired.X509 = x509With(model.StateEnabled, model.CAScope{SKI: ski, PKI: desiredPKI, Groups: group})
			observed := state(inTenant)
			observed.X509 = x509With(model.StateEnabled, model.CAScope{SKI: ski, PKI: tenantValue, Groups: group})
			if p := Diff(desired, observed); p.HasChanges() || p.HasErrors() {
				t.Errorf("tenant %q, desired %q: plan %+v, diagnostics %+v", tenantValue, desiredPKI, summarize(p), p.Diagnostics)
			}

			// Another change writes the whole configuration: the
			// scope keeps the tenant's spelling.
			observed.X509 = x509With(model.StateDisabled, model.CAScope{SKI: ski, PKI: tenantValue, Groups: group})
			p := Diff(desired, observed)
			if len(p.Changes) != 1 || p.HasErrors() {
				t.Fatalf("plan %+v, diagnostics %+v", summarize(p), p.Diagnostics)
			}
			if got := p.Changes[0].X509.CAScopes[0].PKI; got != tenantValue {
				t.Errorf("tenant %q, desired %q: the write names %q", tenantValue, desiredPKI, got)
			}
		}
	}

	// A new scope on an undeclared CA names the container that holds it.
	desired := state(declared)
	desired.X509 = x509With(model.StateEnabled, model.CAScope{SKI: ski, Groups: group})
	observed := state(inTenant)
	observed.X509 = x509With(model.StateEnabled)
	p := Diff(desired, observed)
	if len(p.Changes) != 1 || p.HasErrors() || p.Changes[0].X509.CAScopes[0].PKI != "Contoso" {
		t.Errorf("plan %+v, diagnostics %+v", summarize(p), p.Diagnostics)
	}

	// A scope on a CA no container holds cannot be written.
	desired.X509 = x509With(model.StateEnabled, model.CAScope{SKI: "AABB", Groups: group})
	p = Diff(desired, observed)
	if !p.HasErrors() || !strings.Contains(p.Diagnostics[0].Detail, "publicKeyInfrastructureIdentifier") {
		t.Errorf("diagnostics %+v", p.Diagnostics)
	}
}
