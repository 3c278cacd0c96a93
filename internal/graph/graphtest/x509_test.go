package graphtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

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
