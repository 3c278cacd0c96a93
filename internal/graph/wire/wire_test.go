package wire

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// docExample is the v1.0 PATCH example of graph-api.md §1.4 (Graph's and
// Entra PowerShell's documentation), as Graph would return it.
const docExample = `{ "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
  "id": "X509Certificate", "state": "enabled",
  "certificateUserBindings": [
    {"x509CertificateField":"PrincipalName","userProperty":"onPremisesUserPrincipalName","priority":1},
    {"x509CertificateField":"SubjectKeyIdentifier","userProperty":"certificateUserIds","priority":2,"trustAffinityLevel":"high"}],
  "authenticationModeConfiguration": {
    "x509CertificateAuthenticationDefaultMode":"x509CertificateMultiFactor",
    "x509CertificateDefaultRequiredAffinityLevel":"low",
    "rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"CN=ContosoCA,DC=Contoso,DC=org","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"},
             {"x509CertificateRuleType":"policyOID","identifier":"1.2.3.4","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]},
  "crlValidationConfiguration": {"state":"disabled","exemptedCertificateAuthoritiesSubjectKeyIdentifiers":[]},
  "issuerHintsConfiguration": {"state":"enabled"},
  "certificateAuthorityScopes": [{"subjectKeyIdentifier":"aaaaaaaabbbbcccc111122222222222222333333",
     "publicKeyInfrastructureIdentifier":"Contoso PKI","includeTargets":[{"id":"11111111-2222-3333-4444-555555555555","targetType":"group"}]}],
  "includeTargets@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('X509Certificate')/microsoft.graph.x509CertificateAuthenticationMethodConfiguration/includeTargets",
  "includeTargets": [{"targetType":"group","id":"11111111-2222-3333-4444-555555555555","isRegistrationRequired":false}] }`

func TestDocumentedExampleParses(t *testing.T) {
	var c X509Config
	unknown, err := Decode([]byte(docExample), &c, "x509Certificate")
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown properties: %v", unknown)
	}
	st, warnings := (&Document{X509: &c}).Observe()
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	group := model.Target{Type: model.TargetGroup, ID: "11111111-2222-3333-4444-555555555555"}
	want := model.X509Config{
		State:           model.StateEnabled,
		IncludeTargets:  []model.IncludeTarget{{Target: group}},
		DefaultMode:     model.MultiFactor,
		DefaultAffinity: model.AffinityLow,
		Rules: []model.Rule{
			{Issuer: "CN=ContosoCA,DC=Contoso,DC=org", Mode: model.MultiFactor},
			{PolicyOID: "1.2.3.4", Mode: model.MultiFactor},
		},
		UsernameBindings: []model.UsernameBinding{
			{Field: model.FieldPrincipalName, Attribute: model.AttrOnPremisesUserPrincipalName, Priority: 1},
			{Field: model.FieldSubjectKeyIdentifier, Attribute: model.AttrCertificateUserIDs, Priority: 2},
		},
		IssuerHints: true,
		CAScopes:    []model.CAScope{{SKI: "aaaaaaaabbbbcccc111122222222222222333333", PKI: "Contoso PKI", Groups: []model.Target{group}}},
	}
	if diff := cmp.Diff(&want, st.X509, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
}

// TestUnknownsAreReported: a property or enum value cbactl does not model is
// reported with its path, never dropped silently.
func TestUnknownsAreReported(t *testing.T) {
	src := `{"state":"enabled","brandNew":{"x":1},
	  "authenticationModeConfiguration":{"x509CertificateAuthenticationDefaultMode":"x509CertificateTripleFactor","rules":[
	    {"x509CertificateRuleType":"issuerSubjectAndPolicyOID","identifier":"CN=A","issuerSubjectIdentifier":"CN=A","policyOidIdentifier":"1.2","x509CertificateAuthenticationMode":"x509CertificateMultiFactor","extra":true},
	    {"x509CertificateRuleType":"unknownFutureValue","identifier":"CN=B","x509CertificateAuthenticationMode":"x509CertificateSingleFactor"}]},
	  "certificateUserBindings":[{"x509CertificateField":"principalname","userProperty":"UserPrincipalName","priority":1}]}`
	var c X509Config
	unknown, err := Decode([]byte(src), &c, "x509Certificate")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x509Certificate.authenticationModeConfiguration.rules[0].extra", "x509Certificate.brandNew"}
	if diff := cmp.Diff(want, unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	st, warnings := (&Document{X509: &c}).Observe()
	joined := strings.Join(warnings, "\n")
	for _, s := range []string{"x509CertificateTripleFactor", "unknownFutureValue"} {
		if !strings.Contains(joined, s) {
			t.Errorf("no warning names %s: %v", s, warnings)
		}
	}
	if st.X509.DefaultMode != "x509CertificateTripleFactor" {
		t.Errorf("an unknown value must be kept as is, got %q", st.X509.DefaultMode)
	}
	if r := st.X509.Rules[0]; r.Issuer != "CN=A" || r.PolicyOID != "1.2" {
		t.Errorf("issuer+OID rule read as %+v", r)
	}
	if b := st.X509.UsernameBindings[0]; b.Field != model.FieldPrincipalName || b.Attribute != model.AttrUserPrincipalName {
		t.Errorf("binding strings are matched without case: %+v", b)
	}
}

// TestX509RoundTrip: every domain configuration survives domain → Graph →
// domain.
func TestX509RoundTrip(t *testing.T) {
	x := model.X509Config{
		State: model.StateEnabled,
		IncludeTargets: []model.IncludeTarget{
			{Target: model.Target{Type: model.TargetGroup, ID: "g1"}, RegistrationRequired: true},
			{Target: model.Target{Type: model.TargetGroup, ID: model.AllUsersTargetID}},
		},
		ExcludeTargets:  []model.Target{{Type: model.TargetUser, ID: "u1"}},
		DefaultMode:     model.MultiFactor,
		DefaultAffinity: model.AffinityHigh,
		Rules: []model.Rule{
			{Issuer: "CN=Issuing,O=Contoso", Mode: model.MultiFactor, Affinity: model.AffinityHigh},
			{PolicyOID: "1.2.3", Mode: model.SingleFactor},
			{Issuer: "CN=Issuing,O=Contoso", PolicyOID: "1.2.4", Mode: model.MultiFactor, Affinity: model.AffinityLow},
		},
		UsernameBindings: []model.UsernameBinding{{Field: model.FieldIssuerAndSerialNumber, Attribute: model.AttrCertificateUserIDs, Priority: 1}},
		CRLValidation:    model.CRLValidation{Required: true, ExemptSKIs: []string{"AB"}},
		IssuerHints:      true,
		CAScopes:         []model.CAScope{{SKI: "CD", PKI: "P", Groups: []model.Target{{Type: model.TargetGroup, ID: "g2"}}}},
	}
	body, err := Marshal(X509FromModel(x))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"@odata.type":"` + X509ODataType + `"`, `"excludeTargets":[`, `"trustAffinityLevel":"high"`, `"issuerSubjectIdentifier":"CN=Issuing,O=Contoso"`} {
		if !strings.Contains(string(body), s) {
			t.Errorf("PATCH body lacks %s:\n%s", s, body)
		}
	}
	var back X509Config
	if unknown, err := Decode(body, &back, "x"); err != nil || len(unknown) > 0 {
		t.Fatalf("decode: %v %v", unknown, err)
	}
	st, warnings := (&Document{X509: &back}).Observe()
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if diff := cmp.Diff(&x, st.X509); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// An empty configuration still sends every collection, so that Graph
	// replaces them.
	empty, _ := Marshal(X509FromModel(model.X509Config{State: model.StateDisabled}))
	for _, k := range []string{"includeTargets", "excludeTargets", "certificateUserBindings", "rules", "certificateAuthorityScopes", "exemptedCertificateAuthoritiesSubjectKeyIdentifiers"} {
		if !strings.Contains(string(empty), `"`+k+`":[]`) {
			t.Errorf("empty body lacks %s: %s", k, empty)
		}
	}
}

func TestTrustAffinityLevelThatDiffersIsReported(t *testing.T) {
	src := `{"state":"enabled","certificateUserBindings":[
	  {"x509CertificateField":"SubjectKeyIdentifier","userProperty":"certificateUserIds","priority":1,"trustAffinityLevel":"low"},
	  {"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":2,"trustAffinityLevel":"low"}]}`
	var c X509Config
	if _, err := Decode([]byte(src), &c, "x509Certificate"); err != nil {
		t.Fatal(err)
	}
	_, warnings := (&Document{X509: &c}).Observe()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "certificateUserBindings[0].trustAffinityLevel") {
		t.Errorf("warnings: %v", warnings)
	}
}

// TestCAFromModelDescribesTheCAAsIssuer: issuer and
// issuerSubjectKeyIdentifier both describe the CA itself (graph-api.md
// §9.13): its own subject and SKI, not its parent's name.
func TestCAFromModelDescribesTheCAAsIssuer(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Issuing"))
	w := CAFromModel(model.CA{Certificate: issuing.DER, Type: model.CATypeIntermediate})
	if w.Issuer != "CN=Issuing" || w.IssuerSubjectKeyIdentifier != pki.SubjectKeyID(issuing.Cert) {
		t.Errorf("issuer %q, SKI %q; want the CA's own subject and SKI", w.Issuer, w.IssuerSubjectKeyIdentifier)
	}
}

// TestUnreportedPartsAreNotWritten: a part the tenant's GET leaves out is
// recorded as unreported; left out of the configuration too, it stays
// unmanaged and is left out of the PATCH body: nothing guessed is written.
func TestUnreportedPartsAreNotWritten(t *testing.T) {
	var c X509Config
	if _, err := Decode([]byte(`{"@odata.type":"#microsoft.graph.x509CertificateAuthenticationMethodConfiguration","id":"X509Certificate","state":"enabled",
		"includeTargets":[],"excludeTargets":[],"certificateUserBindings":[],
		"authenticationModeConfiguration":{"x509CertificateAuthenticationDefaultMode":"x509CertificateSingleFactor","rules":[]}}`), &c, "x509"); err != nil {
		t.Fatal(err)
	}
	var w warnings
	x := x509ToModel(&c, &w)
	want := model.X509DefaultAffinity | model.X509CRLRequired | model.X509CRLExemptSKIs | model.X509IssuerHints | model.X509CAScopes
	if x.Unreported != want {
		t.Fatalf("unreported %b, want %b", x.Unreported, want)
	}
	x.Unmanaged = want // what plan.Effective leaves for parts neither declared nor reported
	body := X509FromModel(x)
	if body.CRLValidationConfiguration != nil || body.IssuerHintsConfiguration != nil || body.CertificateAuthorityScopes != nil ||
		body.AuthenticationModeConfiguration.DefaultAffinity != "" || body.AuthenticationModeConfiguration.DefaultMode != ModeSingleFactor {
		t.Errorf("body %+v writes parts nobody declared or reported", body)
	}
	x.Unmanaged = 0
	if body := X509FromModel(x); body.CRLValidationConfiguration == nil || body.IssuerHintsConfiguration == nil || body.CertificateAuthorityScopes == nil {
		t.Errorf("managed parts left out: %+v", body)
	}
}
