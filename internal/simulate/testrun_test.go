package simulate_test

import (
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/simulate"
)

func ptr[T any](v T) *T { return &v }

// RunTests checks exactly the expectations a test block states, each
// against the simulated decision, and names every one the decision misses.
func TestRunTests(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	revoked := root.NewLeaf(pkitest.WithUPN("r@contoso.com"))
	crlDER := root.NewCRL(pkitest.WithRevoked(revoked.Cert.SerialNumber))
	x := baseX509()
	x.Rules = []model.Rule{rule("strong", root.Cert.Subject.String(), "", model.MultiFactor, model.AffinityHigh)}
	st := trust(root).withCRL(root, "http://crl/root.crl", "").state(x)
	strong := "x509_certificate.rule.strong"

	type fail struct{ field, text string }
	for name, c := range map[string]struct {
		test model.Test
		want []fail // nil: passes
	}{
		"nothing expected": {test: model.Test{Certificate: leaf.DER}},
		"all met": {test: model.Test{Certificate: leaf.DER, Expect: model.Expectation{
			Trusted: ptr(true), Revoked: ptr(false), Mode: ptr(model.MultiFactor), Affinity: ptr(model.AffinityHigh),
			Rule: &strong, Bindings: &[]model.CertificateField{}, Satisfies: &[]string{}, // no user: no binding tried
		}}},
		"mode and rule missed": {
			test: model.Test{Certificate: leaf.DER, Expect: model.Expectation{Mode: ptr(model.SingleFactor), Rule: ptr("default")}},
			want: []fail{{"mode", `mode: expected "single_factor", got "multi_factor"`}, {"rule", `rule: expected "default", got "x509_certificate.rule.strong"`}},
		},
		"affinity missed": {
			test: model.Test{Certificate: leaf.DER, Expect: model.Expectation{Affinity: ptr(model.AffinityLow)}},
			want: []fail{{"affinity", `affinity: expected "low", got "high"`}},
		},
		"bindings missed": {
			test: model.Test{Certificate: leaf.DER, Expect: model.Expectation{Bindings: &[]model.CertificateField{model.FieldPrincipalName}}},
			want: []fail{{"bindings", `bindings: expected ["PrincipalName"], got []`}},
		},
		"satisfies missed": {
			test: model.Test{Certificate: leaf.DER, Expect: model.Expectation{Satisfies: &[]string{"secret"}}},
			want: []fail{{"satisfies", `satisfies: expected ["secret"], got []`}},
		},
		"revoked by the test's CRL": {
			test: model.Test{Certificate: revoked.DER, CRLPaths: []string{"root.crl"}, CRLs: [][]byte{crlDER},
				Expect: model.Expectation{Revoked: ptr(false), Trusted: ptr(true)}},
			want: []fail{{"revoked", "revoked: expected false, got true"}},
		},
		"PEM CRL": {test: model.Test{Certificate: revoked.DER, CRLPaths: []string{"root.crl"},
			CRLs:   [][]byte{pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crlDER})},
			Expect: model.Expectation{Revoked: ptr(true)}}},
		"not a CRL": {
			test: model.Test{Certificate: leaf.DER, CRLPaths: []string{"leaf.pem"}, CRLs: [][]byte{leaf.PEM()}},
			want: []fail{{"crl", `crl: expected "leaf.pem", got "leaf.pem: not a certificate revocation list: it holds \"CERTIFICATE\" PEM blocks, not \"X509 CRL\""`}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			c.test.Name = name
			out := simulate.RunTests([]model.Test{c.test}, st, time.Now())
			if len(out) != 1 {
				t.Fatalf("%d outcomes, want 1", len(out))
			}
			o := out[0]
			var got []fail
			for _, f := range o.Failures {
				got = append(got, fail{f.Field, f.String()})
			}
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(fail{})); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if o.Name != name || o.Passed != (len(c.want) == 0) || o.Failures == nil {
				t.Errorf("outcome %q passed=%v failures=%v", o.Name, o.Passed, o.Failures)
			}
		})
	}
}

func TestRunTestsKeepsOrder(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	st := trust(root).state(baseX509())
	var tests []model.Test
	for _, n := range []string{"c", "a", "b"} {
		tests = append(tests, model.Test{Name: n, Certificate: leaf.DER})
	}
	var names []string
	for _, o := range simulate.RunTests(tests, st, time.Now()) {
		names = append(names, o.Name)
	}
	if strings.Join(names, ",") != "c,a,b" {
		t.Errorf("outcomes in order %v, want the tests' order c,a,b", names)
	}
	if out := simulate.RunTests(nil, st, time.Now()); out == nil || len(out) != 0 {
		t.Errorf("no tests: %#v, want an empty list (test --json prints [])", out)
	}
}
