package wire

import (
	"strings"
	"testing"
)

func TestWriteBodies(t *testing.T) {
	url := "http://crl.example.com/a&b.crl"
	name := "Root"
	for _, tc := range []struct {
		name string
		body func() ([]byte, error)
		want string
	}{
		{"PKI create", func() ([]byte, error) { return PKIBody("Contoso PKI", false) },
			`{"@odata.type":"#microsoft.graph.certificateBasedAuthPki","displayName":"Contoso PKI"}`},
		{"PKI create without a name", func() ([]byte, error) { return PKIBody("", false) },
			`{"@odata.type":"#microsoft.graph.certificateBasedAuthPki"}`},
		{"PKI update", func() ([]byte, error) { return PKIBody("", true) },
			`{"@odata.type":"#microsoft.graph.certificateBasedAuthPki","displayName":""}`},
		{"upload", func() ([]byte, error) { return UploadBody("https://pki.example.com/b.p7b", "AB12") },
			`{"sha256FileHash":"AB12","uploadUrl":"https://pki.example.com/b.p7b"}`},
		// A create leaves out what is nil; Graph's own properties never go.
		{"CA create", func() ([]byte, error) {
			return CABody(CA{ID: "x", Certificate: []byte{1, 2}, CertificateAuthorityType: "root", CRLURL: &url, Thumbprint: "AA", CreatedDateTime: "2026-01-01T00:00:00Z"}, false)
		}, `{"@odata.type":"#microsoft.graph.certificateAuthorityDetail","certificate":"AQI=","certificateAuthorityType":"root","certificateRevocationListUrl":"http://crl.example.com/a&b.crl","isIssuerHintEnabled":false,"thumbprint":"AA"}`},
		// An update sends nil URLs and display name as null: it clears them.
		{"CA update", func() ([]byte, error) {
			return CABody(CA{CertificateAuthorityType: "intermediate", DisplayName: &name, IsIssuerHintEnabled: true}, true)
		}, `{"@odata.type":"#microsoft.graph.certificateAuthorityDetail","certificateAuthorityType":"intermediate","certificateRevocationListUrl":null,"deltaCertificateRevocationListUrl":null,"displayName":"Root","isIssuerHintEnabled":true}`},
		// Every collection whole, never null; scopes left out when not managed.
		{"x509 minimal", func() ([]byte, error) { return X509Body(X509Config{State: "enabled"}) },
			`{"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration","certificateUserBindings":[],"excludeTargets":[],"includeTargets":[],"state":"enabled"}`},
		{"x509 full", func() ([]byte, error) {
			return X509Body(X509Config{
				ID: X509ID, State: "enabled",
				IncludeTargets:          []IncludeTarget{{ID: "g1", TargetType: "group"}},
				CertificateUserBindings: []UserBinding{{X509CertificateField: "PrincipalName", UserProperty: "userPrincipalName", Priority: 1, TrustAffinityLevel: "low"}},
				AuthenticationModeConfiguration: &AuthModeConfig{DefaultMode: ModeSingleFactor, Rules: []Rule{
					{Type: RuleIssuerSubject, Identifier: "CN=A&B", Mode: ModeMultiFactor}}},
				CRLValidationConfiguration: &CRLValidation{State: "disabled"},
				IssuerHintsConfiguration:   &IssuerHints{State: "enabled"},
				CertificateAuthorityScopes: []CertificateAuthorityScope{{SubjectKeyIdentifier: "AB", PublicKeyInfrastructureIdentifier: "p1"}},
			})
		}, `{"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",` +
			`"authenticationModeConfiguration":{"rules":[{"identifier":"CN=A&B","x509CertificateAuthenticationMode":"x509CertificateMultiFactor","x509CertificateRuleType":"issuerSubject"}],"x509CertificateAuthenticationDefaultMode":"x509CertificateSingleFactor"},` +
			`"certificateAuthorityScopes":[{"includeTargets":[],"publicKeyInfrastructureIdentifier":"p1","subjectKeyIdentifier":"AB"}],` +
			`"certificateUserBindings":[{"priority":1,"trustAffinityLevel":"low","userProperty":"userPrincipalName","x509CertificateField":"PrincipalName"}],` +
			`"crlValidationConfiguration":{"exemptedCertificateAuthoritiesSubjectKeyIdentifiers":[],"state":"disabled"},` +
			`"excludeTargets":[],"id":"X509Certificate","includeTargets":[{"id":"g1","isRegistrationRequired":false,"targetType":"group"}],` +
			`"issuerHintsConfiguration":{"state":"enabled"},"state":"enabled"}`},
		{"x509 no CA scope", func() ([]byte, error) {
			return X509Body(X509Config{CertificateAuthorityScopes: []CertificateAuthorityScope{}})
		}, `{"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration","certificateAuthorityScopes":[],"certificateUserBindings":[],"excludeTargets":[],"includeTargets":[]}`},
	} {
		got, err := tc.body()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestWriteBodiesRefuse(t *testing.T) {
	rule := func(r Rule) X509Config {
		return X509Config{AuthenticationModeConfiguration: &AuthModeConfig{Rules: []Rule{r}}}
	}
	for _, tc := range []struct {
		name string
		x    X509Config
		want string
	}{
		{"state", X509Config{State: "on"}, `x509Certificate.state: "on" is not a value Graph documents`},
		{"target without id", X509Config{IncludeTargets: []IncludeTarget{{TargetType: "group"}}}, "includeTargets[0]: the target has no id"},
		{"target type", X509Config{ExcludeTargets: []Target{{ID: "g", TargetType: "device"}}}, `excludeTargets[0].targetType: "device"`},
		{"priority", X509Config{CertificateUserBindings: []UserBinding{{Priority: -1}}}, "certificateUserBindings[0].priority: -1 is out of range"},
		{"binding affinity", X509Config{CertificateUserBindings: []UserBinding{{TrustAffinityLevel: "medium"}}}, `trustAffinityLevel: "medium"`},
		{"rule without type", rule(Rule{Mode: ModeMultiFactor}), `rules[0].x509CertificateRuleType: ""`},
		{"rule mode", rule(Rule{Type: RulePolicyOID, Mode: "strong"}), `rules[0].x509CertificateAuthenticationMode: "strong"`},
		{"CRL state", X509Config{CRLValidationConfiguration: &CRLValidation{}}, `crlValidationConfiguration.state: ""`},
		{"scope without PKI", X509Config{CertificateAuthorityScopes: []CertificateAuthorityScope{{SubjectKeyIdentifier: "AB"}}}, "names no PKI container"},
		{"scope target", X509Config{CertificateAuthorityScopes: []CertificateAuthorityScope{{PublicKeyInfrastructureIdentifier: "p", IncludeTargets: []Target{{TargetType: "group"}}}}}, "the target has no id"},
	} {
		_, err := X509Body(tc.x)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := CABody(CA{CertificateAuthorityType: "leaf"}, true); err == nil || !strings.Contains(err.Error(), `certificateAuthorityType: "leaf"`) {
		t.Errorf("CA type leaf: error %v", err)
	}
}
