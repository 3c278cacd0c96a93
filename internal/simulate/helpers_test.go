package simulate_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/simulate"
)

var (
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidE  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// rdns builds a subject in encoded order from (type, value) pairs.
func rdns(pairs ...any) pkix.RDNSequence {
	var out pkix.RDNSequence
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, pkix.RelativeDistinguishedNameSET{{Type: pairs[i].(asn1.ObjectIdentifier), Value: pairs[i+1]}})
	}
	return out
}

// store is a trust store of CAs in one PKI container; a self-signed CA is a
// root, any other an intermediate.
type store struct {
	cas []model.CA
}

func trust(cas ...*pkitest.CA) *store {
	s := &store{}
	for _, c := range cas {
		typ := model.CATypeIntermediate
		if pki.IsSelfSigned(c.Cert) {
			typ = model.CATypeRoot
		}
		s.cas = append(s.cas, model.CA{Certificate: c.DER, Type: typ})
	}
	return s
}

// withCRL gives the CA with certificate ca the CRL URL (and delta URL).
func (s *store) withCRL(ca *pkitest.CA, url, delta string) *store {
	for i := range s.cas {
		if pki.SHA1Thumbprint(s.cas[i].Certificate) == pki.SHA1Thumbprint(ca.DER) {
			s.cas[i].CRLURL, s.cas[i].DeltaCRLURL = url, delta
		}
	}
	return s
}

// baseX509 is an enabled method for all users, single factor and low
// affinity by default, with the documented default binding PrincipalName →
// userPrincipalName (DD: "By default, the subject alternative name (SAN)
// Principal Name in the certificate is mapped to the userPrincipalName
// attribute").
func baseX509() *model.X509Config {
	return &model.X509Config{
		State:           model.StateEnabled,
		IncludeTargets:  []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: model.AllUsersTargetID}}},
		DefaultMode:     model.SingleFactor,
		DefaultAffinity: model.AffinityLow,
		UsernameBindings: []model.UsernameBinding{
			{Field: model.FieldPrincipalName, Attribute: model.AttrUserPrincipalName, Priority: 1},
		},
	}
}

func (s *store) state(x *model.X509Config) model.State {
	return model.State{
		ManagesTrustStore: true,
		PKIs:              []model.PKI{{Name: "test", DisplayName: "Test PKI", CAs: s.cas}},
		X509:              x,
	}
}

func rule(name, issuer, oid string, mode model.Mode, affinity model.Affinity) model.Rule {
	return model.Rule{Name: name, Issuer: issuer, PolicyOID: oid, Mode: mode, Affinity: affinity}
}

func binding(f model.CertificateField, a model.UserAttribute, p int) model.UsernameBinding {
	return model.UsernameBinding{Field: f, Attribute: a, Priority: p}
}

func crl(t *testing.T, name string, der []byte) simulate.CRL {
	t.Helper()
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return simulate.CRL{Name: name, List: l, DER: der}
}

func eval(st model.State, leaf *x509.Certificate, user *simulate.User, crls ...simulate.CRL) simulate.Result {
	return simulate.Evaluate(simulate.Input{State: st, Certificate: leaf, CRLs: crls, Now: time.Now(), User: user})
}

// want checks the fields of a result that a test cares about.
type want struct {
	success  bool
	code     string
	trusted  *bool
	revoked  bool
	mode     model.Mode
	affinity model.Affinity
	rule     string
	bindings []model.CertificateField // nil: not checked
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func check(t *testing.T, r simulate.Result, w want) {
	t.Helper()
	defer func() {
		if t.Failed() {
			js, _ := json.MarshalIndent(r, "", "  ")
			t.Logf("result: %s", js)
		}
	}()
	if r.Success != w.success {
		t.Errorf("success = %v, want %v", r.Success, w.success)
	}
	if r.ErrorCode != w.code {
		t.Errorf("error code = %q, want %q", r.ErrorCode, w.code)
	}
	if w.trusted != nil && r.Trusted != *w.trusted {
		t.Errorf("trusted = %v, want %v", r.Trusted, *w.trusted)
	}
	if r.Revoked != w.revoked {
		t.Errorf("revoked = %v, want %v", r.Revoked, w.revoked)
	}
	if w.mode != "" && r.Mode != w.mode {
		t.Errorf("mode = %q, want %q", r.Mode, w.mode)
	}
	if w.affinity != "" && r.Affinity != w.affinity {
		t.Errorf("affinity = %q, want %q", r.Affinity, w.affinity)
	}
	if w.rule != "" && r.Rule != w.rule {
		t.Errorf("rule = %q, want %q", r.Rule, w.rule)
	}
	if w.bindings != nil {
		got := make([]model.CertificateField, len(r.Bindings))
		for i, b := range r.Bindings {
			got[i] = b.Field
		}
		if strings.Join(fields(got), ",") != strings.Join(fields(w.bindings), ",") {
			t.Errorf("bindings tried = %v, want %v", got, w.bindings)
		}
	}
}

func fields(fs []model.CertificateField) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

// hasAssumption reports whether one of r's assumptions contains every
// fragment.
func hasAssumption(r simulate.Result, fragments ...string) bool {
	for _, a := range r.Assumptions {
		ok := true
		for _, f := range fragments {
			if !strings.Contains(a, f) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func assumes(t *testing.T, r simulate.Result, fragments ...string) {
	t.Helper()
	if !hasAssumption(r, fragments...) {
		t.Errorf("no assumption contains %q; assumptions:\n  %s", fragments, strings.Join(r.Assumptions, "\n  "))
	}
}

func doesNotAssume(t *testing.T, r simulate.Result, fragments ...string) {
	t.Helper()
	if hasAssumption(r, fragments...) {
		t.Errorf("an assumption contains %q; assumptions:\n  %s", fragments, strings.Join(r.Assumptions, "\n  "))
	}
}

// stepWith returns the first step named name whose detail contains
// fragment.
func stepWith(r simulate.Result, name, fragment string) (simulate.Step, bool) {
	for _, s := range r.Steps {
		if s.Name == name && strings.Contains(s.Detail, fragment) {
			return s, true
		}
	}
	return simulate.Step{}, false
}
