package main

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// strengthcerts DIR...: writes the same small PKI into each DIR for the authentication strength
// scripts: certs/root.pem, certs/secret-ca.pem and certs/other-ca.pem (two
// issuing CAs of the root), and user certificates in certs/tests/:
// secret-piv.pem (Secret CA, PIV policy OID), secret-plain.pem (Secret CA,
// no policy), secret-noaki.pem (Secret CA, PIV policy, no Authority Key
// Identifier) and other-piv.pem (Other CA, PIV policy).
func cmdStrengthCerts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: strengthcerts DIR...")
	}
	name := func(cn string) pkitest.Option {
		return pkitest.WithSubject(pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "US"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "Contoso"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: cn}},
		})
	}
	const piv = "2.16.840.1.101.3.2.1.3.13"
	root := pkitest.NewRoot(name("Strength Root CA"))
	secret := root.NewIntermediate(name("Secret CA"))
	other := root.NewIntermediate(name("Other CA"))
	files := map[string][]byte{
		"certs/root.pem":               root.PEM(),
		"certs/secret-ca.pem":          secret.PEM(),
		"certs/other-ca.pem":           other.PEM(),
		"certs/tests/secret-piv.pem":   secret.NewLeaf(name("Alice Secret"), pkitest.WithUPN("alice@contoso.com"), pkitest.WithPolicies("1.2.3.4", piv)).PEM(),
		"certs/tests/secret-plain.pem": secret.NewLeaf(name("Bob Plain"), pkitest.WithUPN("bob@contoso.com")).PEM(),
		"certs/tests/secret-noaki.pem": secret.NewLeaf(name("Carol NoAKI"), pkitest.WithUPN("carol@contoso.com"), pkitest.WithPolicies(piv), pkitest.WithoutAKI()).PEM(),
		"certs/tests/other-piv.pem":    other.NewLeaf(name("Dave Other"), pkitest.WithUPN("dave@contoso.com"), pkitest.WithPolicies(piv)).PEM(),
	}
	for _, dir := range args {
		for p, data := range files {
			path := ts.MkAbs(filepath.Join(dir, p))
			ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
			ts.Check(os.WriteFile(path, data, 0o644))
		}
	}
}

// graphStrength handles the strength subcommands of graph:
//
//	graph writebodies             every write with its body
//	graph usage NAME POLICY       a Conditional Access policy POLICY now uses the strength NAME
//	graph nousage NAME            no policy uses the strength NAME any more
//	graph forbidstrengths         every strength request is answered 403 (no Policy.Read.All)
//	graph strength NAME CERT...   a custom strength NAME (x509CertificateMultiFactor) is created
//	                              behind cbactl's back, allowing the issuers CERT... (by SKI)
func graphStrength(ts *testscript.TestScript, srv *graphtest.Server, args []string) bool {
	switch args[0] {
	case "writebodies":
		var b strings.Builder
		for _, r := range srv.Requests() {
			if r.Method == http.MethodGet {
				continue
			}
			fmt.Fprintf(&b, "%s %s %s\n", r.Method, strings.TrimPrefix(r.Path, "/v1.0"), strings.ReplaceAll(string(r.Body), "\n", ""))
		}
		ts.Stdout().Write([]byte(b.String()))
	case "usage":
		id := srv.Store.StrengthID(args[1])
		if id == "" {
			ts.Fatalf("no authentication strength named %q", args[1])
		}
		ts.Check(srv.Store.AddStrengthUsage(id, model.PolicyRef{ID: "7c1d2e3f-0000-4000-8000-00000000000a", DisplayName: args[2]}, true))
	case "forbidstrengths":
		srv.FailWhen(func(r *http.Request) bool {
			return strings.Contains(strings.ToLower(r.URL.Path), "/policies/authenticationstrengthpolicies")
		}, -1, graphtest.Fault{Status: http.StatusForbidden, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	case "strength":
		if len(args) < 3 {
			ts.Fatalf("usage: graph strength NAME CERT...")
		}
		var skis []string
		for _, f := range args[2:] {
			c, err := pki.ParseCertificate([]byte(ts.ReadFile(f)))
			ts.Check(err)
			skis = append(skis, pki.SubjectKeyID(c))
		}
		combos := []string{model.CombinationX509MultiFactor}
		obj, err := srv.Store.CreateStrength(wire.ToObject(wire.StrengthPolicy{DisplayName: args[1], AllowedCombinations: combos}))
		ts.Check(err)
		_, err = srv.Store.CreateStrengthConfig(objectID(obj), wire.ToObject(wire.CombinationConfig{
			ODataType: wire.X509CombinationODataType, AppliesToCombinations: combos, AllowedIssuerSkis: skis,
		}))
		ts.Check(err)
	case "nousage":
		id := srv.Store.StrengthID(args[1])
		if id == "" {
			ts.Fatalf("no authentication strength named %q", args[1])
		}
		ts.Check(srv.Store.ClearStrengthUsage(id))
	default:
		return false
	}
	return true
}
