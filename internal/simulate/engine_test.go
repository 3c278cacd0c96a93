package simulate_test

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/simulate"
)

// Two matching issuer+OID rules with different modes: no source covers it
// (§1 "Not covered by any source": "two matching issuerSubjectAndPolicyOID
// rules with different modes"), so the trace must say what it assumed.
func TestAssumptionsForConflictingIssuerAndOIDRules(t *testing.T) {
	ca := pkitest.NewRoot(pkitest.WithCN("Contoso Issuing"))
	x := baseX509()
	x.Rules = []model.Rule{
		rule("mfa", "CN=Contoso Issuing", "1.2.3.1", mf, high),
		rule("sfa", "CN=Contoso Issuing", "1.2.3.2", sf, low),
	}
	x.UsernameBindings = append(x.UsernameBindings, binding(model.FieldSubjectKeyIdentifier, model.AttrCertificateUserIDs, 2))
	leaf := ca.NewLeaf(pkitest.WithPolicies("1.2.3.1", "1.2.3.2"), pkitest.WithUPN("u@contoso.com"))
	r := eval(trust(ca).state(x), leaf.Cert, nil)
	if len(r.Assumptions) == 0 {
		t.Fatal("no assumptions for two matching issuer+OID rules with different modes")
	}
	check(t, r, want{success: true, mode: sf, affinity: high, rule: "x509_certificate.rule.sfa"})
	assumes(t, r, "several issuer and policy OID rules match with different modes")
	assumes(t, r, "require different affinities", "high affinity is assumed")
}

// Every undocumented case the engine meets is listed in the assumptions
// (cba-semantics.md §7).
func TestUndocumentedCasesAreAssumed(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithSubject(rdns(oidC, "US", oidO, "Contoso", oidCN, "Contoso Root")))
	issuing := root.NewIntermediate(pkitest.WithSubject(rdns(oidC, "US", oidO, "Contoso", oidCN, "Contoso Issuing")))
	const issuer = "CN=Contoso Issuing,O=Contoso,C=US"
	st := func(x *model.X509Config) model.State { return trust(root, issuing).state(x) }
	plain := issuing.NewLeaf(pkitest.WithUPN("u@contoso.com"))

	noEKU := *plain.Cert
	noEKU.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}

	tests := map[string]struct {
		x       func(*model.X509Config)
		state   func(*model.X509Config) model.State
		leaf    *x509.Certificate
		chain   []*x509.Certificate
		user    *simulate.User
		want    want
		assumed []string
	}{
		"issuer matches only after normalisation (§7.1)": {
			x: func(x *model.X509Config) {
				x.Rules = []model.Rule{rule("r", " cn=contoso issuing, o=Contoso, c=US ", "", mf, low)}
			},
			want:    want{success: true, mode: mf, rule: "x509_certificate.rule.r"},
			assumed: []string{"only after normalisation", "§7.1"},
		},
		"issuer rule names the CA above the issuing CA (§7.4)": {
			x: func(x *model.X509Config) {
				x.Rules = []model.Rule{rule("root", "CN=Contoso Root,O=Contoso,C=US", "", mf, low)}
			},
			want:    want{success: true, mode: sf, rule: simulate.DefaultRule},
			assumed: []string{"x509_certificate.rule.root names", "above the certificate's issuing CA"},
		},
		"issuer written in encoded order": {
			x: func(x *model.X509Config) {
				x.Rules = []model.Rule{rule("rev", "C=US,O=Contoso,CN=Contoso Issuing", "", mf, low)}
			},
			want:    want{success: true, mode: sf, rule: simulate.DefaultRule},
			assumed: []string{"in encoded order"},
		},
		"rule without affinity": {
			x:       func(x *model.X509Config) { x.Rules = []model.Rule{rule("r", issuer, "", mf, "")} },
			want:    want{success: true, mode: mf, affinity: low},
			assumed: []string{"x509_certificate.rule.r sets no affinity: the tenant default (low)"},
		},
		"conflicting issuer rules (§7.3)": {
			x: func(x *model.X509Config) {
				x.Rules = []model.Rule{rule("a", issuer, "", mf, low), rule("b", " "+issuer, "", sf, low)}
			},
			want:    want{success: true, mode: sf, rule: "x509_certificate.rule.b"},
			assumed: []string{"several issuer rules match with different modes"},
		},
		"no rule matches": {
			x:       func(x *model.X509Config) { x.Rules = []model.Rule{rule("r", "", "1.2.3", mf, low)} },
			want:    want{success: true, mode: sf, rule: simulate.DefaultRule},
			assumed: []string{"no rule matches"},
		},
		"anyPolicy": {
			x:       func(x *model.X509Config) { x.Rules = []model.Rule{rule("r", "", "1.2.3", mf, low)} },
			leaf:    issuing.NewLeaf(pkitest.WithPolicies("2.5.29.32.0"), pkitest.WithUPN("u@contoso.com")).Cert,
			want:    want{success: true, mode: sf, rule: simulate.DefaultRule},
			assumed: []string{"anyPolicy (2.5.29.32.0)"},
		},
		"several UPNs (§7.5)": {
			leaf:    issuing.NewLeaf(pkitest.WithUPN("a@contoso.com", "b@contoso.com")).Cert,
			user:    &simulate.User{UserPrincipalName: "a@contoso.com"},
			want:    want{success: true},
			assumed: []string{"2 user principal names", "(a@contoso.com)"},
		},
		"RFC822Name does not fall back to E= (§7.5)": {
			x: func(x *model.X509Config) {
				x.UsernameBindings = []model.UsernameBinding{binding(model.FieldRFC822Name, model.AttrUserPrincipalName, 1)}
			},
			leaf:    issuing.NewLeaf(pkitest.WithSubject(rdns(oidCN, "U", oidE, "u@contoso.com"))).Cert,
			user:    &simulate.User{UserPrincipalName: "u@contoso.com"},
			want:    want{success: false, code: simulate.CodeNoUser, bindings: []model.CertificateField{model.FieldRFC822Name}},
			assumed: []string{"E=u@contoso.com", "not to fall back"},
		},
		"UPN differs in case (§7.2)": {
			user:    &simulate.User{UserPrincipalName: "U@Contoso.com"},
			want:    want{success: true},
			assumed: []string{"only case-insensitively"},
		},
		"no user": {
			want:    want{success: true, bindings: []model.CertificateField{model.FieldPrincipalName}},
			assumed: []string{"the user's attributes were not given", `"u@contoso.com"`},
		},
		"user given by group memberships only": {
			user:    &simulate.User{Groups: []string{"CBA Users"}},
			want:    want{success: true, bindings: []model.CertificateField{model.FieldPrincipalName}},
			assumed: []string{"the user's attributes were not given"},
		},
		"extended key usage without client authentication (§7.6)": {
			leaf:    &noEKU,
			want:    want{success: true},
			assumed: []string{"does not include client authentication"},
		},
		"presented chain certificate outside the trust store": {
			state:   func(x *model.X509Config) model.State { return trust(root).state(x) },
			chain:   []*x509.Certificate{issuing.Cert},
			want:    want{success: false, code: simulate.CodeUntrusted, trusted: no()},
			assumed: []string{"presented chain certificate", "trust store only"},
		},
		"CA scope above the issuing CA (§7.4)": {
			x: func(x *model.X509Config) {
				x.CAScopes = []model.CAScope{{SKI: pki.SubjectKeyID(root.Cert), Groups: []model.Target{{Type: model.TargetGroup, GroupName: "Staff"}}}}
			},
			user:    &simulate.User{UserPrincipalName: "u@contoso.com", Groups: []string{"staff"}},
			want:    want{success: true},
			assumed: []string{"above the issuing CA, is assumed to apply"},
		},
		"unknown group membership": {
			x: func(x *model.X509Config) {
				x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, GroupName: "CBA Users"}}}
			},
			want:    want{success: true},
			assumed: []string{"assumed to be in scope"},
		},
		"issuer hints without a hinted CA": {
			x:       func(x *model.X509Config) { x.IssuerHints = true },
			want:    want{success: true},
			assumed: []string{"issuer hints are enabled"},
		},
		"method not managed": {
			state:   func(*model.X509Config) model.State { return trust(root, issuing).state(nil) },
			want:    want{success: false, code: ""},
			assumed: []string{"an untouched tenant's configuration is assumed"},
		},
		"bindings left out of the configuration": {
			x: func(x *model.X509Config) {
				x.UsernameBindings = nil
				x.Unmanaged |= model.X509UsernameBindings
			},
			want:    want{success: true},
			assumed: []string{"leaves username_binding out", "SubjectKeyIdentifier → certificateUserIds (3)"},
		},
		"trust store not managed": {
			state:   func(x *model.X509Config) model.State { return model.State{X509: x} },
			want:    want{success: false, code: simulate.CodeUntrusted, trusted: no()},
			assumed: []string{"declares no pki block"},
		},
		"disabled method": {
			x:       func(x *model.X509Config) { x.State = model.StateDisabled },
			want:    want{success: false, code: ""},
			assumed: []string{"no error code for a disabled method", "no code is reported"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			x := baseX509()
			if tc.x != nil {
				tc.x(x)
			}
			s := st
			if tc.state != nil {
				s = tc.state
			}
			leaf := tc.leaf
			if leaf == nil {
				leaf = plain.Cert
			}
			r := simulate.Evaluate(simulate.Input{State: s(x), Certificate: leaf, Chain: tc.chain, Now: time.Now(), User: tc.user})
			check(t, r, tc.want)
			if len(r.Assumptions) == 0 {
				t.Fatal("no assumptions")
			}
			assumes(t, r, tc.assumed...)
		})
	}
}

// A documented decision needs no assumption.
func TestDocumentedCaseNeedsNoAssumption(t *testing.T) {
	ca := pkitest.NewRoot(pkitest.WithCN("Contoso Issuing"))
	x := baseX509()
	x.Rules = []model.Rule{rule("r", "CN=Contoso Issuing", "", mf, low)}
	leaf := ca.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	r := eval(trust(ca).state(x), leaf.Cert, &simulate.User{UserPrincipalName: "u@contoso.com", Groups: []string{}})
	check(t, r, want{success: true, mode: mf, affinity: low, rule: "x509_certificate.rule.r"})
	if len(r.Assumptions) != 0 {
		t.Errorf("assumptions = %q, want none", r.Assumptions)
	}
}

func TestChain(t *testing.T) {
	root := pkitest.NewRoot()
	issuing := root.NewIntermediate()
	other := pkitest.NewRoot(pkitest.WithCN("Northwind Root"))
	const upn = "u@contoso.com"
	user := &simulate.User{UserPrincipalName: upn}
	now := time.Now()

	t.Run("trusted", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn))
		r := eval(trust(root, issuing).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: true, trusted: yes()})
		wantChain := []string{pki.SHA1Thumbprint(leaf.DER), pki.SHA1Thumbprint(issuing.DER), pki.SHA1Thumbprint(root.DER)}
		if strings.Join(r.Chain, " ") != strings.Join(wantChain, " ") {
			t.Errorf("chain = %v, want %v", r.Chain, wantChain)
		}
	})
	t.Run("issuer not in the trust store", func(t *testing.T) {
		leaf := other.NewLeaf(pkitest.WithUPN(upn))
		r := eval(trust(root, issuing).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: false, code: simulate.CodeUntrusted, trusted: no()})
	})
	t.Run("missing intermediate", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn))
		r := eval(trust(root).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: false, code: simulate.CodeUntrusted, trusted: no()})
	})
	t.Run("intermediate only, no root", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn))
		r := eval(trust(issuing).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: false, code: simulate.CodeUntrusted, trusted: no()})
		if len(r.Chain) != 2 {
			t.Errorf("chain = %v, want the leaf and the intermediate", r.Chain)
		}
	})
	t.Run("SKI/AKI mismatch", func(t *testing.T) {
		noSKI := root.NewIntermediate(pkitest.WithoutSKI(), pkitest.WithCN("No SKI CA"))
		leaf := noSKI.NewLeaf(pkitest.WithUPN(upn))
		r := eval(trust(root, noSKI).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: false, code: simulate.CodeUntrusted, trusted: no()})
		if _, ok := stepWith(r, simulate.StepChain, "SKI/AKI mismatch"); !ok {
			t.Errorf("the chain step does not name the SKI/AKI mismatch: %+v", r.Steps)
		}
	})
	t.Run("leaf without AKI", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn), pkitest.WithoutAKI())
		r := eval(trust(root, issuing).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: true, trusted: yes()})
		assumes(t, r, "has no authority key identifier")
	})
	t.Run("expired certificate", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn), pkitest.WithValidity(now.Add(-48*time.Hour), now.Add(-24*time.Hour)))
		r := eval(trust(root, issuing).state(baseX509()), leaf.Cert, user)
		check(t, r, want{success: false, code: simulate.CodeNotValidInTime, trusted: yes()})
	})
	t.Run("wrong signature", func(t *testing.T) {
		// A certificate of another CA claiming the issuing CA's key
		// identifier: the AKI finds the CA, the signature does not verify.
		impostor := *other.NewLeaf(pkitest.WithUPN(upn)).Cert
		impostor.AuthorityKeyId = issuing.Cert.SubjectKeyId
		r := eval(trust(root, issuing).state(baseX509()), &impostor, user)
		check(t, r, want{success: false, code: simulate.CodeUntrusted, trusted: no()})
	})
	t.Run("root in the legacy store", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn))
		st := trust(issuing).state(baseX509())
		st.LegacyCAs = []model.LegacyCA{{Certificate: root.DER, IsRootAuthority: true}}
		r := eval(st, leaf.Cert, user)
		check(t, r, want{success: true, trusted: yes()})
	})
	t.Run("CA in both stores: the legacy CRL URL wins when the PKI store has none", func(t *testing.T) {
		leaf := issuing.NewLeaf(pkitest.WithUPN(upn))
		st := trust(root, issuing).state(baseX509())
		st.LegacyCAs = []model.LegacyCA{{Certificate: issuing.DER, CRLURL: "http://legacy/issuing.crl"}}
		crlDER := issuing.NewCRL(pkitest.WithRevoked(leaf.Cert.SerialNumber))
		r := eval(st, leaf.Cert, user, crl(t, "issuing.crl", crlDER))
		check(t, r, want{success: false, code: simulate.CodeRevoked, trusted: yes(), revoked: true})
		assumes(t, r, "in both trust stores")
	})
}

func TestRevocationOfAnIntermediate(t *testing.T) {
	root := pkitest.NewRoot()
	issuing := root.NewIntermediate()
	leaf := issuing.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	st := trust(root, issuing).withCRL(root, "http://crl/root.crl", "").state(baseX509())
	r := eval(st, leaf.Cert, nil, crl(t, "root.crl", root.NewCRL(pkitest.WithRevoked(issuing.Cert.SerialNumber))))
	check(t, r, want{success: false, code: simulate.CodeRevoked, revoked: true})
	assumes(t, r, "a CA of the chain, is revoked")
}

func TestCRLWithoutURLIsIgnored(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	r := eval(trust(root).state(baseX509()), leaf.Cert, nil, crl(t, "root.crl", root.NewCRL(pkitest.WithRevoked(leaf.Cert.SerialNumber))))
	check(t, r, want{success: true})
	if s, ok := stepWith(r, simulate.StepRevocation, "Entra does not check it (it lists the certificate"); !ok || s.Outcome != simulate.OutcomeSkip {
		t.Errorf("no skipped revocation step explains the ignored CRL: %+v", r.Steps)
	}
}

func TestDeltaCRL(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	st := trust(root).withCRL(root, "http://crl/root.crl", "http://crl/root-delta.crl").state(baseX509())
	base := crl(t, "root.crl", root.NewCRL(pkitest.WithCRLNumber(5)))
	delta := crl(t, "root-delta.crl", root.NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(5), pkitest.WithRevoked(leaf.Cert.SerialNumber)))

	r := eval(st, leaf.Cert, nil, base, delta)
	check(t, r, want{success: false, code: simulate.CodeRevoked, revoked: true})

	r = eval(st, leaf.Cert, nil, base)
	check(t, r, want{success: true})
	assumes(t, r, "delta CRL URL", "assumed reachable")
}

func TestMethodScope(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	const users = "11111111-2222-3333-4444-555555555555"
	targets := func(x *model.X509Config) {
		x.IncludeTargets = []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: users}}}
		x.ExcludeTargets = []model.Target{{Type: model.TargetGroup, GroupName: "Break Glass"}}
	}
	tests := map[string]struct {
		x    func(*model.X509Config)
		user *simulate.User
		want want
	}{
		"disabled":                {x: func(x *model.X509Config) { x.State = model.StateDisabled }, want: want{success: false}},
		"member of include group": {x: targets, user: &simulate.User{UserPrincipalName: "u@contoso.com", Groups: []string{"CBA Users"}}, want: want{success: true}},
		"excluded":                {x: targets, user: &simulate.User{UserPrincipalName: "u@contoso.com", Groups: []string{"CBA Users", "Break Glass"}}, want: want{success: false}},
		"in no include group":     {x: targets, user: &simulate.User{UserPrincipalName: "u@contoso.com", Groups: []string{"Other"}}, want: want{success: false}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			x := baseX509()
			tc.x(x)
			st := trust(root).state(x)
			st.Groups = []model.Group{{ID: users, DisplayName: "CBA Users"}}
			r := eval(st, leaf.Cert, tc.user)
			check(t, r, tc.want)
		})
	}
}

// The JSON form is contract §5's, key for key.
func TestJSONShape(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	x := baseX509()
	x.UsernameBindings = append(x.UsernameBindings, binding(model.FieldRFC822Name, model.AttrUserPrincipalName, 0))
	r := eval(trust(root).state(x), leaf.Cert, nil)
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(js))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 {
				keys = append(keys, v)
				// Skip the value.
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	want := "success error_code trusted chain revoked mode affinity rule bindings assumptions steps"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("keys = %s\nwant   %s", got, want)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	if m["error_code"] != nil {
		t.Errorf("error_code = %v, want null on success", m["error_code"])
	}
	bindings := m["bindings"].([]any)
	first := bindings[0].(map[string]any)
	if first["certificate_field"] != "RFC822Name" || first["value"] != nil {
		t.Errorf("first binding = %v, want RFC822Name with a null value", first)
	}
	if _, ok := first["value"]; !ok {
		t.Error("a binding without value has no value key")
	}
}
