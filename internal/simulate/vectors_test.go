package simulate_test

// The worked examples of cba-semantics.md §6, TV1–TV13, reproduced with
// generated certificates. Unless a vector says otherwise: the user is in
// scope, the chain is valid, and no CRL is configured.

import (
	"encoding/base64"
	"math/big"
	"testing"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/simulate"
)

const (
	sf   = model.SingleFactor
	mf   = model.MultiFactor
	low  = model.AffinityLow
	high = model.AffinityHigh
)

// TV1. HOW, "Test custom authentication binding rules": with an issuer rule
// CN=WoodgroveCA → single factor and a policy OID rule 1.2.3.4 → MFA, a
// certificate with both satisfies MFA: "Because the policy OID rule takes
// precedence over the issuer rule, the certificate satisfies MFA." The
// sign-in log shows "binding PrincipalName→userPrincipalName Rank 1" (DD).
func TestTV1PolicyOIDBeatsIssuer(t *testing.T) {
	ca := pkitest.NewRoot(pkitest.WithCN("WoodgroveCA"))
	x := baseX509()
	x.Rules = []model.Rule{
		rule("woodgrove", "CN=WoodgroveCA", "", sf, ""),
		rule("oid", "", "1.2.3.4", mf, ""),
	}
	leaf := ca.NewLeaf(pkitest.WithPolicies("1.2.3.4"), pkitest.WithUPN("nestor@woodgrove.com"))
	r := eval(trust(ca).state(x), leaf.Cert, &simulate.User{UserPrincipalName: "nestor@woodgrove.com"})
	check(t, r, want{
		success: true, trusted: yes(), mode: mf, affinity: low, rule: "x509_certificate.rule.oid",
		bindings: []model.CertificateField{model.FieldPrincipalName},
	})
	if !r.Bindings[0].Matched || r.Bindings[0].Attribute != model.AttrUserPrincipalName {
		t.Errorf("binding = %+v, want PrincipalName → userPrincipalName matched", r.Bindings[0])
	}
	if _, ok := stepWith(r, simulate.StepAuthenticationBinding, "x509_certificate.rule.woodgrove also matches but is outranked"); !ok {
		t.Errorf("the authentication binding step does not say the issuer rule was outranked: %+v", r.Steps)
	}
}

// TV2. DD: a rule "with the value 1.2.3.4.5 with MFA" → "only certificate A
// satisfies MFA. Credential B [1.2.3.4.5.6] satisfies only single-factor";
// older DD: "Exact match is used for strong authentication via policy OID."
func TestTV2ExactPolicyOIDMatch(t *testing.T) {
	ca := pkitest.NewRoot()
	x := baseX509()
	x.Rules = []model.Rule{rule("derived", "", "1.2.3.4.5", mf, "")}
	st := trust(ca).state(x)
	user := &simulate.User{UserPrincipalName: "a@contoso.com"}

	a := ca.NewLeaf(pkitest.WithPolicies("1.2.3.4.5"), pkitest.WithUPN("a@contoso.com"))
	check(t, eval(st, a.Cert, user), want{success: true, mode: mf, rule: "x509_certificate.rule.derived"})

	b := ca.NewLeaf(pkitest.WithPolicies("1.2.3.4.5.6"), pkitest.WithUPN("a@contoso.com"))
	check(t, eval(st, b.Cert, user), want{success: true, mode: sf, affinity: low, rule: simulate.DefaultRule})
}

// TV3. DD: "If there's a conflict between multiple policy OIDs (… one binds
// to single-factor authentication and the other binds to MFA), then treat
// the certificate as single-factor authentication."
func TestTV3ConflictingPolicyOIDsGiveSingleFactor(t *testing.T) {
	ca := pkitest.NewRoot()
	x := baseX509()
	x.Rules = []model.Rule{
		rule("x", "", "1.2.3.10", sf, low),
		rule("y", "", "1.2.3.11", mf, low),
	}
	leaf := ca.NewLeaf(pkitest.WithPolicies("1.2.3.10", "1.2.3.11"), pkitest.WithUPN("u@contoso.com"))
	r := eval(trust(ca).state(x), leaf.Cert, nil)
	check(t, r, want{success: true, mode: sf, rule: "x509_certificate.rule.x"})
	// Documented for policy OIDs: not an assumption.
	doesNotAssume(t, r, "different modes")
}

// TV4. DD: "Issuer and policy OID rules are evaluated first … only
// certificate A that satisfies both the issuer value and the policy OID is
// given MFA." A certificate of CA1 without the OID, or with the OID from
// another CA, falls to the lower tiers or the default (inferred).
func TestTV4IssuerAndPolicyOIDRule(t *testing.T) {
	ca1 := pkitest.NewRoot(pkitest.WithCN("CA1"))
	ca2 := pkitest.NewRoot(pkitest.WithCN("CA2"))
	x := baseX509()
	x.Rules = []model.Rule{rule("ca1", "CN=CA1", "1.2.3.4.5", mf, low)}
	st := trust(ca1, ca2).state(x)

	tests := map[string]struct {
		leaf *pkitest.Leaf
		want want
	}{
		"CA1 with the OID":    {ca1.NewLeaf(pkitest.WithPolicies("1.2.3.4.5"), pkitest.WithUPN("u@c.com")), want{success: true, mode: mf, rule: "x509_certificate.rule.ca1"}},
		"CA1 without the OID": {ca1.NewLeaf(pkitest.WithUPN("u@c.com")), want{success: true, mode: sf, rule: simulate.DefaultRule}},
		"CA2 with the OID":    {ca2.NewLeaf(pkitest.WithPolicies("1.2.3.4.5"), pkitest.WithUPN("u@c.com")), want{success: true, mode: sf, rule: simulate.DefaultRule}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			check(t, eval(st, tc.leaf.Cert, nil), tc.want)
		})
	}
}

// TV5. HOW: tenant default MFA/low; a rule for issuer CN=CBATestRootProd and
// OID 3.4.5.6 → MFA with low affinity; a matching certificate
// "authentication passes for a multifactor claim". An OID's first arc is 0,
// 1 or 2 (X.660), so no certificate can carry 3.4.5.6 (cbactl validate warns
// that such a rule can never match); the test uses 1.3.4.5.6 instead.
func TestTV5IssuerAndPolicyOIDLowAffinity(t *testing.T) {
	ca := pkitest.NewRoot(pkitest.WithCN("CBATestRootProd"))
	x := baseX509()
	x.DefaultMode = mf
	x.Rules = []model.Rule{rule("prod", "CN=CBATestRootProd", "1.3.4.5.6", mf, low)}
	leaf := ca.NewLeaf(pkitest.WithPolicies("1.3.4.5.6"), pkitest.WithUPN("u@contoso.com"))
	r := eval(trust(ca).state(x), leaf.Cert, &simulate.User{UserPrincipalName: "u@contoso.com"})
	check(t, r, want{success: true, mode: mf, affinity: low, rule: "x509_certificate.rule.prod",
		bindings: []model.CertificateField{model.FieldPrincipalName}})
}

// TV6. HOW: a rule for issuer CN=CBATestRootProd and OID 1.2.3.4.6 "needs
// only high-affinity binding"; with the binding IssuerAndSerialNumber →
// certificateUserIds, the low-affinity bindings are removed (DD: "removes
// all the low-affinity bindings from the list"), and the user must hold
// X509:<I>…<SR>…, "otherwise the sign-in fails".
func TestTV6RuleForcesHighAffinity(t *testing.T) {
	ca := pkitest.NewRoot(pkitest.WithCN("CBATestRootProd"))
	x := baseX509()
	x.Rules = []model.Rule{rule("prod", "CN=CBATestRootProd", "1.2.3.4.6", mf, high)}
	x.UsernameBindings = []model.UsernameBinding{
		binding(model.FieldPrincipalName, model.AttrUserPrincipalName, 1),
		binding(model.FieldIssuerAndSerialNumber, model.AttrCertificateUserIDs, 2),
	}
	st := trust(ca).state(x)
	leaf := ca.NewLeaf(pkitest.WithPolicies("1.2.3.4.6"), pkitest.WithUPN("u@contoso.com"))
	isn := pki.CertificateUserIDs(leaf.Cert)[pki.FieldIssuerAndSerialNumber]

	t.Run("user without the value", func(t *testing.T) {
		r := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "u@contoso.com"})
		check(t, r, want{success: false, code: simulate.CodeNoUser, mode: mf, affinity: high, rule: "x509_certificate.rule.prod",
			bindings: []model.CertificateField{model.FieldIssuerAndSerialNumber}})
		if _, ok := stepWith(r, simulate.StepUsernameBinding, "PrincipalName → userPrincipalName is removed"); !ok {
			t.Errorf("no step says the low-affinity binding was removed: %+v", r.Steps)
		}
	})
	t.Run("user with the value", func(t *testing.T) {
		r := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "u@contoso.com", CertificateUserIDs: []string{isn}})
		check(t, r, want{success: true, mode: mf, affinity: high, bindings: []model.CertificateField{model.FieldIssuerAndSerialNumber}})
	})
}

// TV7. HOW, "Test the affinity binding": tenant affinity low, bindings
// including SKI → certificateUserIds, the user holding X509:<SKI>{cert SKI},
// and a custom rule for OID 9.8.7.5 (its details are only in a screenshot:
// MFA and high affinity inferred): "the user is authenticated with the SKI
// binding and … prompted to sign in with MFA and only the certificate".
// 9.8.7.5 cannot be encoded (an OID's first arc is 0, 1 or 2): the test uses
// 1.9.8.7.5.
func TestTV7SKIBindingUnderHighAffinityRule(t *testing.T) {
	ca := pkitest.NewRoot()
	x := baseX509()
	x.Rules = []model.Rule{rule("affinity", "", "1.9.8.7.5", mf, high)}
	x.UsernameBindings = []model.UsernameBinding{
		binding(model.FieldPrincipalName, model.AttrUserPrincipalName, 1),
		binding(model.FieldSubjectKeyIdentifier, model.AttrCertificateUserIDs, 2),
	}
	leaf := ca.NewLeaf(pkitest.WithPolicies("1.9.8.7.5"), pkitest.WithUPN("u@contoso.com"))
	user := &simulate.User{
		UserPrincipalName:  "someone.else@contoso.com",
		CertificateUserIDs: []string{"X509:<SKI>" + pki.SubjectKeyID(leaf.Cert)},
	}
	r := eval(trust(ca).state(x), leaf.Cert, user)
	check(t, r, want{success: true, mode: mf, affinity: high, rule: "x509_certificate.rule.affinity",
		bindings: []model.CertificateField{model.FieldSubjectKeyIdentifier}})
}

// TV8. HOW/CUID: for the issuer C=US,O=U.SGovernment,OU=DoD,OU=PKI,
// OU=CONTRACTOR,CN=CRL.BALA.SelfSignedCertificate and the serial certutil
// shows as 48efa06ba8127299499b069f133441b2, "The Serial number value to
// add in certificateUserId is: b24134139f069b49997212a86ba0ef48" (byte
// reversed). PSM writes the big-endian form; which one Entra matches is
// disputed (PR1511), so the engine follows the documentation and says so.
func TestTV8IssuerAndSerialNumberValue(t *testing.T) {
	ca := pkitest.NewRoot(pkitest.WithSubject(rdns(oidC, "US", oidO, "U.SGovernment", oidOU, "DoD", oidOU, "PKI",
		oidOU, "CONTRACTOR", oidCN, "CRL.BALA.SelfSignedCertificate")))
	serial, _ := new(big.Int).SetString("48efa06ba8127299499b069f133441b2", 16)
	leaf := ca.NewLeaf(pkitest.WithSerial(serial))
	x := baseX509()
	x.UsernameBindings = []model.UsernameBinding{binding(model.FieldIssuerAndSerialNumber, model.AttrCertificateUserIDs, 1)}
	st := trust(ca).state(x)
	const documented = "X509:<I>C=US,O=U.SGovernment,OU=DoD,OU=PKI,OU=CONTRACTOR,CN=CRL.BALA.SelfSignedCertificate<SR>b24134139f069b49997212a86ba0ef48"
	const bigEndian = "X509:<I>C=US,O=U.SGovernment,OU=DoD,OU=PKI,OU=CONTRACTOR,CN=CRL.BALA.SelfSignedCertificate<SR>48efa06ba8127299499b069f133441b2"

	t.Run("documented form", func(t *testing.T) {
		r := eval(st, leaf.Cert, &simulate.User{CertificateUserIDs: []string{documented}})
		check(t, r, want{success: true, bindings: []model.CertificateField{model.FieldIssuerAndSerialNumber}})
		if v := r.Bindings[0].Value; v == nil || *v != documented {
			t.Errorf("value = %v, want %q", v, documented)
		}
		assumes(t, r, "little-endian (b24134139f069b49997212a86ba0ef48)", "big-endian (48efa06ba8127299499b069f133441b2)", "PR1511")
	})
	t.Run("PowerShell module's big-endian form", func(t *testing.T) {
		r := eval(st, leaf.Cert, &simulate.User{CertificateUserIDs: []string{bigEndian}})
		check(t, r, want{success: false, code: simulate.CodeNoUser})
		assumes(t, r, "big-endian IssuerAndSerialNumber value", bigEndian)
	})
}

// moduleCertificate is the certificate of Microsoft's PowerShell module test
// (PSM; /work/shared/vectors/entra-powershell-userids.md).
const moduleCertificate = `MIIC3jCCAcagAwIBAgIQHoyXQUS/hpZEI/pkZAgtijANBgkqhkiG9w0BAQUFADASMRAwDgYDVQQDDAdDb250b3NvMB4XDTI1MDMyNTE1NDU1OFoXDTI2MDMyNTE2MDQzNlowcjETMBEGCgmSJomT8ixkARkWA2NvbTEXMBUGCgmSJomT8ixkARkWB2NvbnRvc28xFDASBgoJkiaJk/IsZAEZFgRjb3JwMRUwEwYDVQQLDAxVc2VyQWNjb3VudHMxFTATBgNVBAMMDENvbnRvc28gVXNlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDbRNBDrUoZ9JjsBkroyjzTe+Zag7TMU4WZFyvqtgctn6dQ/+zuk/hOg2xwU0JmooRDhwG+SS3dGGE1a1Uh9I4OjgZowgZcwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMDAGA1UdEQQpMCegJQYKKwYBBAGCNxQCA6AXDBVjb250b3NvQG1pY3Jvc29mdC5jb20wHwYDVR0jBBgwFoAUrY5aFcJq36PMV50MNR4KIFfTSscwHQYDVR0OBBYEFMb06Wyq2EZANh+ftfdPYwgkfLi0MA0GCSqGSIb3DQEBBQUAA4IBAQBQ5ULQEJT0xvGt7b27dQGmYzMzW3V9JCS7qYeAxYefYV1cGuwP3ZHh++sGyah0fIQQCtM+9Fu+VmHdinJ0478cR/oD4luK67FNFJLk0Q3H3RDvesZa/JYQEbdEgRoaMJWCYqrpQNdCwIlBL+8CrHMyXfYxnYuFGJfdl8NmmLXok44Dqo7d9Zw6MFyxMDWx8C6QWJjZcls6UQggoawWKTll2V+tK+l7UwRRcpGmnVmnlyD6Vpo9exi+Axddi3a6WOQ5asn6il0sJVGicyZS658toQw0fj+UvZuD7rtegxuL/s/v3m3Sx1iEcIyB1HsdwZCJ5ZlxvbQvB/Sz5yU7Yo/Y`

// TV9. PSM test: the certificate with subject CN=Contoso User,
// OU=UserAccounts,DC=corp,DC=contoso,DC=com, issuer CN=Contoso, serial
// 1E8C974144BF86964423FA6464082D8A and SAN UPN contoso@microsoft.com maps to
// X509:<PN>contoso@microsoft.com, X509:<S>DC=com,DC=contoso,DC=corp,
// OU=UserAccounts,CN=Contoso User, X509:<I>CN=Contoso<S>…,
// X509:<SKI>C6F4E96C…B8B4, X509:<SHA1-PUKEY>34BE02DC…5FEA, and (per the
// docs' byte order) X509:<I>CN=Contoso<SR>8a2d086464fa23449686bf4441978c1e.
// Each binding finds a user holding its value. The issuer is not in the
// trust store, so the sign-in itself fails with AADSTS500176.
func TestTV9CertificateUserIdsOfTheModuleCertificate(t *testing.T) {
	der, err := base64.StdEncoding.DecodeString(moduleCertificate)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	values := map[model.CertificateField]string{
		model.FieldPrincipalName:         "X509:<PN>contoso@microsoft.com",
		model.FieldSubject:               "X509:<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User",
		model.FieldIssuerAndSubject:      "X509:<I>CN=Contoso<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User",
		model.FieldSubjectKeyIdentifier:  "X509:<SKI>C6F4E96CAAD84640361F9FB5F74F6308247CB8B4",
		model.FieldSHA1PublicKey:         "X509:<SHA1-PUKEY>34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA",
		model.FieldIssuerAndSerialNumber: "X509:<I>CN=Contoso<SR>8a2d086464fa23449686bf4441978c1e",
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) // within the certificate's validity
	for field, value := range values {
		t.Run(string(field), func(t *testing.T) {
			x := baseX509()
			x.UsernameBindings = []model.UsernameBinding{binding(field, model.AttrCertificateUserIDs, 1)}
			r := simulate.Evaluate(simulate.Input{
				State: trust().state(x), Certificate: leaf, Now: now,
				User: &simulate.User{CertificateUserIDs: []string{value}},
			})
			check(t, r, want{success: false, code: simulate.CodeUntrusted, trusted: no(), bindings: []model.CertificateField{field}})
			if got := r.Bindings[0].Value; got == nil || *got != value || !r.Bindings[0].Matched {
				t.Errorf("binding = %+v (value %v), want %q matched", r.Bindings[0], got, value)
			}
		})
	}
	t.Run("RFC822Name is absent", func(t *testing.T) {
		x := baseX509()
		x.UsernameBindings = []model.UsernameBinding{binding(model.FieldRFC822Name, model.AttrCertificateUserIDs, 1)}
		r := simulate.Evaluate(simulate.Input{State: trust().state(x), Certificate: leaf, Now: now, User: &simulate.User{}})
		if len(r.Bindings) != 1 || r.Bindings[0].Value != nil {
			t.Errorf("bindings = %+v, want RFC822Name with no value", r.Bindings)
		}
	})
}

// TV10. DD (1:M): with the bindings IssuerAndSerialNumber → certificateUserIds
// and SKI → certificateUserIds, account A holding X509:<I>…<SR>… and account
// B holding X509:<SKI>…, "The same certificate signs in to whichever account
// was named at HRD: A through the issuer+serial binding, B through the SKI
// binding."
func TestTV10OneCertificateTwoAccounts(t *testing.T) {
	ca := pkitest.NewRoot()
	x := baseX509()
	x.UsernameBindings = []model.UsernameBinding{
		binding(model.FieldIssuerAndSerialNumber, model.AttrCertificateUserIDs, 1),
		binding(model.FieldSubjectKeyIdentifier, model.AttrCertificateUserIDs, 2),
	}
	st := trust(ca).state(x)
	leaf := ca.NewLeaf()
	ids := pki.CertificateUserIDs(leaf.Cert)

	a := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "a@contoso.com", CertificateUserIDs: []string{ids[pki.FieldIssuerAndSerialNumber]}})
	check(t, a, want{success: true, bindings: []model.CertificateField{model.FieldIssuerAndSerialNumber}})

	b := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "b@contoso.com", CertificateUserIDs: []string{ids[pki.FieldSubjectKeyIdentifier]}})
	check(t, b, want{success: true, bindings: []model.CertificateField{model.FieldIssuerAndSerialNumber, model.FieldSubjectKeyIdentifier}})
	if b.Bindings[0].Matched || !b.Bindings[1].Matched {
		t.Errorf("account B: bindings %+v, want the SKI binding to match", b.Bindings)
	}
}

// TV11. DD: with the bindings PrincipalName → userPrincipalName and SKI →
// certificateUserIds, "make sure that the account has the UPN that is
// present in the certificate" and the SKI value; otherwise the PN binding
// alone could authenticate a different account whose UPN equals the
// certificate's SAN UPN.
func TestTV11TwoBindingsOneAccount(t *testing.T) {
	ca := pkitest.NewRoot()
	x := baseX509()
	x.UsernameBindings = []model.UsernameBinding{
		binding(model.FieldPrincipalName, model.AttrUserPrincipalName, 1),
		binding(model.FieldSubjectKeyIdentifier, model.AttrCertificateUserIDs, 2),
	}
	st := trust(ca).state(x)
	leaf := ca.NewLeaf(pkitest.WithUPN("alice@contoso.com"))
	ski := "X509:<SKI>" + pki.SubjectKeyID(leaf.Cert)

	owner := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "alice@contoso.com", CertificateUserIDs: []string{ski}})
	check(t, owner, want{success: true, bindings: []model.CertificateField{model.FieldPrincipalName}})

	// The risk DD warns about: an account with only the certificate's UPN
	// signs in too, through the low-affinity binding.
	other := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "alice@contoso.com"})
	check(t, other, want{success: true, bindings: []model.CertificateField{model.FieldPrincipalName}})

	// An account with another UPN needs the SKI value.
	skiOnly := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "bob@contoso.com", CertificateUserIDs: []string{ski}})
	check(t, skiOnly, want{success: true, bindings: []model.CertificateField{model.FieldPrincipalName, model.FieldSubjectKeyIdentifier}})
	neither := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "bob@contoso.com"})
	check(t, neither, want{success: false, code: simulate.CodeNoUser})
}

// TV12. DD: with a scope rule binding the issuing CA's SKI to group G, "If
// the user isn't in the scoped group, authentication fails" with 500189,
// "even if the certificate is otherwise valid".
func TestTV12CAScoping(t *testing.T) {
	root := pkitest.NewRoot()
	issuing := root.NewIntermediate()
	const g = "0b7e3a52-1111-4c2d-8e6a-0f1b2c3d4e05"
	x := baseX509()
	x.CAScopes = []model.CAScope{{SKI: pki.SubjectKeyID(issuing.Cert), Groups: []model.Target{{Type: model.TargetGroup, ID: g}}}}
	st := trust(root, issuing).state(x)
	st.Groups = []model.Group{{ID: g, DisplayName: "Contractors"}}
	leaf := issuing.NewLeaf(pkitest.WithUPN("c@contoso.com"))

	outside := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "c@contoso.com", Groups: []string{"Employees"}})
	check(t, outside, want{success: false, code: simulate.CodeCAScope, trusted: yes()})

	byID := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "c@contoso.com", Groups: []string{g}})
	check(t, byID, want{success: true})
	byName := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "c@contoso.com", Groups: []string{"Contractors"}})
	check(t, byName, want{success: true})

	unknown := eval(st, leaf.Cert, &simulate.User{UserPrincipalName: "c@contoso.com"})
	check(t, unknown, want{success: true})
	assumes(t, unknown, "assumed to be a member of \"Contractors\"")
}

// TV13. CRL: "The user certificate-based authentication fails if a CRL is
// configured for the trusted issuer and Microsoft Entra ID can't download
// the CRL"; a base CRL past NextUpdate that cannot be refreshed fails; "a
// delta without a base → AADSTS500177"; no CRL and crlValidationConfiguration
// disabled → no check ("Microsoft Entra ID doesn't perform any CRL checks");
// no CRL, validation enabled, CA not exempt → fail; a revoked certificate →
// AADSTS500171.
func TestTV13CRLStates(t *testing.T) {
	root := pkitest.NewRoot()
	issuing := root.NewIntermediate()
	leaf := issuing.NewLeaf(pkitest.WithUPN("u@contoso.com"))
	const url = "http://crl.contoso.com/issuing.crl"
	now := time.Now()

	tests := map[string]struct {
		store  *store
		x      func(*model.X509Config)
		crls   []simulate.CRL
		want   want
		assume string
	}{
		"configured, none supplied: assumed reachable": {
			store: trust(root, issuing).withCRL(issuing, url, ""), want: want{success: true},
			assume: "the CRL is assumed reachable and not to list the certificate",
		},
		"configured, current, not listing": {
			store: trust(root, issuing).withCRL(issuing, url, ""), want: want{success: true},
			crls: []simulate.CRL{crl(t, "issuing.crl", issuing.NewCRL())},
		},
		"revoked": {
			store: trust(root, issuing).withCRL(issuing, url, ""), want: want{success: false, code: simulate.CodeRevoked, revoked: true},
			crls: []simulate.CRL{crl(t, "issuing.crl", issuing.NewCRL(pkitest.WithRevoked(leaf.Cert.SerialNumber)))},
		},
		"base CRL past NextUpdate": {
			store: trust(root, issuing).withCRL(issuing, url, ""), want: want{success: false, code: simulate.CodeNotValidInTime},
			crls:   []simulate.CRL{crl(t, "issuing.crl", issuing.NewCRL(pkitest.WithUpdate(now.Add(-10*24*time.Hour), now.Add(-time.Hour))))},
			assume: "Entra would first try to download a newer one",
		},
		"revoked in an expired CRL: the revocation is reported first": {
			store: trust(root, issuing).withCRL(issuing, url, ""), want: want{success: false, code: simulate.CodeRevoked, revoked: true},
			crls: []simulate.CRL{crl(t, "issuing.crl", issuing.NewCRL(pkitest.WithRevoked(leaf.Cert.SerialNumber),
				pkitest.WithUpdate(now.Add(-10*24*time.Hour), now.Add(-time.Hour))))},
			assume: "Entra would first try to download a newer one",
		},
		"delta without base": {
			store: trust(root, issuing).withCRL(issuing, "", url), want: want{success: false, code: simulate.CodeDeltaWithoutBase},
		},
		"no CRL, validation disabled": {
			store: trust(root, issuing), want: want{success: true},
		},
		"no CRL, validation enabled, not exempt": {
			store: trust(root, issuing), x: func(x *model.X509Config) { x.CRLValidation.Required = true },
			want: want{success: false, code: simulate.CodeCRLMissing}, assume: "Entra documents no error code",
		},
		"no CRL, validation enabled, exempt": {
			store: trust(root, issuing),
			x: func(x *model.X509Config) {
				x.CRLValidation = model.CRLValidation{Required: true, ExemptSKIs: []string{pki.SubjectKeyID(issuing.Cert)}}
			},
			want: want{success: true}, assume: "apply to the issuing CA only",
		},
		"CRL with another CA's AKI": {
			store: trust(root, issuing).withCRL(issuing, url, ""), want: want{success: false, code: simulate.CodeCRLMismatch},
			crls: []simulate.CRL{crl(t, "issuing.crl", issuing.NewCRL(pkitest.WithCRLAKI(root.Cert.SubjectKeyId)))},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			x := baseX509()
			if tc.x != nil {
				tc.x(x)
			}
			r := eval(tc.store.state(x), leaf.Cert, &simulate.User{UserPrincipalName: "u@contoso.com"}, tc.crls...)
			check(t, r, tc.want)
			if tc.assume != "" {
				assumes(t, r, tc.assume)
			}
		})
	}
}
