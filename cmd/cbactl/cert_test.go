package main

import (
	"bytes"
	"crypto"
	"crypto/sha1" // #nosec G505 -- thumbprints are identifiers
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/config"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// entraPowerShellCert is the certificate the Microsoft Entra PowerShell
// module's own Pester test feeds to Get-EntraUserCertificateUserIdsFromCertificate
// (see /work/shared/vectors/entra-powershell-userids.md), as base64 DER.
const entraPowerShellCert = `MIIC3jCCAcagAwIBAgIQHoyXQUS/hpZEI/pkZAgtijANBgkqhkiG9w0BAQUFADASMRAwDgYDVQQDDAdDb250b3NvMB4XDTI1MDMyNTE1NDU1OFoXDTI2MDMyNTE2MDQzNlowcjETMBEGCgmSJomT8ixkARkWA2NvbTEXMBUGCgmSJomT8ixkARkWB2NvbnRvc28xFDASBgoJkiaJk/IsZAEZFgRjb3JwMRUwEwYDVQQLDAxVc2VyQWNjb3VudHMxFTATBgNVBAMMDENvbnRvc28gVXNlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDbRNBDrUoZ9JjsBkroyjzTe+Zag7TMU4WZFyvqtgctn6dQ/+zuk/hOg2xwU0JmooRDhwG+SS3dGGE1a1Uh9I4OjgZowgZcwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMDAGA1UdEQQpMCegJQYKKwYBBAGCNxQCA6AXDBVjb250b3NvQG1pY3Jvc29mdC5jb20wHwYDVR0jBBgwFoAUrY5aFcJq36PMV50MNR4KIFfTSscwHQYDVR0OBBYEFMb06Wyq2EZANh+ftfdPYwgkfLi0MA0GCSqGSIb3DQEBBQUAA4IBAQBQ5ULQEJT0xvGt7b27dQGmYzMzW3V9JCS7qYeAxYefYV1cGuwP3ZHh++sGyah0fIQQCtM+9Fu+VmHdinJ0478cR/oD4luK67FNFJLk0Q3H3RDvesZa/JYQEbdEgRoaMJWCYqrpQNdCwIlBL+8CrHMyXfYxnYuFGJfdl8NmmLXok44Dqo7d9Zw6MFyxMDWx8C6QWJjZcls6UQggoawWKTll2V+tK+l7UwRRcpGmnVmnlyD6Vpo9exi+Axddi3a6WOQ5asn6il0sJVGicyZS658toQw0fj+UvZuD7rtegxuL/s/v3m3Sx1iEcIyB1HsdwZCJ5ZlxvbQvB/Sz5yU7Yo/Y`

func entraVectorDER(t *testing.T) []byte {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(entraPowerShellCert)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// runAt runs cbactl in-process with a fixed clock and stdin.
func runAt(t *testing.T, now time.Time, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &Env{
		In:  bytes.NewReader(stdin),
		Out: &out, Err: &errOut,
		Environ: []string{},
		Now:     func() time.Time { return now },
	})
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidDC = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
)

func rdns(pairs ...any) pkix.RDNSequence {
	var s pkix.RDNSequence
	for i := 0; i < len(pairs); i += 2 {
		s = append(s, pkix.RelativeDistinguishedNameSET{{Type: pairs[i].(asn1.ObjectIdentifier), Value: pairs[i+1]}})
	}
	return s
}

const vectorUserIDsText = `PrincipalName          X509:<PN>contoso@microsoft.com
RFC822Name             (absent: the certificate has no e-mail address (rfc822Name) in its subject alternative names)
SubjectKeyIdentifier   X509:<SKI>C6F4E96CAAD84640361F9FB5F74F6308247CB8B4
SHA1PublicKey          X509:<SHA1-PUKEY>34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA
IssuerAndSubject       X509:<I>CN=Contoso<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User
Subject                X509:<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User
IssuerAndSerialNumber  X509:<I>CN=Contoso<SR>8a2d086464fa23449686bf4441978c1e

Alternative IssuerAndSerialNumber, serial big-endian (as Microsoft's Entra PowerShell module
writes it; the value above follows Entra's documentation, which reverses the serial's bytes):
X509:<I>CN=Contoso<SR>1e8c974144bf86964423fa6464082d8a
`

const vectorUserIDsJSON = `{
  "PrincipalName": "X509:<PN>contoso@microsoft.com",
  "SubjectKeyIdentifier": "X509:<SKI>C6F4E96CAAD84640361F9FB5F74F6308247CB8B4",
  "SHA1PublicKey": "X509:<SHA1-PUKEY>34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA",
  "IssuerAndSubject": "X509:<I>CN=Contoso<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User",
  "Subject": "X509:<S>DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User",
  "IssuerAndSerialNumber": "X509:<I>CN=Contoso<SR>8a2d086464fa23449686bf4441978c1e"
}
`

func TestCertUserIDsVector(t *testing.T) {
	der := entraVectorDER(t)
	dir := t.TempDir()
	derFile := writeFile(t, dir, "vector.cer", der)
	pemFile := writeFile(t, dir, "vector.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	tests := map[string]struct {
		stdin []byte
		args  []string
		want  string
	}{
		"text, DER":   {nil, []string{"cert", "userids", derFile}, vectorUserIDsText},
		"text, PEM":   {nil, []string{"cert", "userids", pemFile}, vectorUserIDsText},
		"text, stdin": {der, []string{"cert", "userids", "-"}, vectorUserIDsText},
		"JSON":        {nil, []string{"cert", "userids", "--json", pemFile}, vectorUserIDsJSON},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runAt(t, testNow, tc.stdin, tc.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, errOut)
			}
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCertUserIDsAcceptance is issue 5's acceptance vector, through the CLI.
func TestCertUserIDsAcceptance(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithSubject(rdns(oidC, "US", oidO, "Contoso", oidOU, "PKI", oidCN, "Contoso Issuing")))
	ann := root.NewLeaf(
		pkitest.WithSubject(rdns(oidDC, "com", oidDC, "contoso", oidOU, "Users", oidCN, "Ann Lee")),
		pkitest.WithSerial(big.NewInt(0x0a1b2c)),
		pkitest.WithUPN("ann@contoso.com"),
		pkitest.WithEmail("ann.lee@contoso.com"),
	)
	file := writeFile(t, t.TempDir(), "ann.pem", ann.PEM())
	code, out, errOut := runAt(t, testNow, nil, "cert", "userids", "--json", file)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not a JSON object of strings: %v\n%s", err, out)
	}
	want := map[string]string{
		"PrincipalName":         "X509:<PN>ann@contoso.com",
		"RFC822Name":            "X509:<RFC822>ann.lee@contoso.com",
		"SubjectKeyIdentifier":  "X509:<SKI>" + strings.ToUpper(hexOf(pkitest.KeyID(ann.Key.Public()))),
		"SHA1PublicKey":         "X509:<SHA1-PUKEY>" + thumbprint(ann.DER),
		"IssuerAndSubject":      "X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<S>DC=com,DC=contoso,OU=Users,CN=Ann Lee",
		"Subject":               "X509:<S>DC=com,DC=contoso,OU=Users,CN=Ann Lee",
		"IssuerAndSerialNumber": "X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<SR>2c1b0a",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Keys come in the contract's order, and '<' is not escaped.
	order := []string{"PrincipalName", "RFC822Name", "SubjectKeyIdentifier", "SHA1PublicKey", "IssuerAndSubject", "Subject", "IssuerAndSerialNumber"}
	last := -1
	for _, k := range order {
		i := strings.Index(out, `"`+k+`"`)
		if i <= last {
			t.Errorf("key %s out of order in:\n%s", k, out)
		}
		last = i
	}
	if strings.Contains(out, `\u003c`) {
		t.Errorf("JSON escapes '<':\n%s", out)
	}

	code, out, _ = runAt(t, testNow, nil, "cert", "userids", file)
	if code != 0 {
		t.Fatalf("text: exit %d", code)
	}
	for _, line := range []string{
		"RFC822Name             X509:<RFC822>ann.lee@contoso.com\n",
		"IssuerAndSerialNumber  X509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<SR>2c1b0a\n",
		"\nX509:<I>C=US,O=Contoso,OU=PKI,CN=Contoso Issuing<SR>0a1b2c\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("text output lacks %q:\n%s", line, out)
		}
	}
}

func hexOf(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// thumbprint computes the SHA-1 of der independently of package pki.
func thumbprint(der []byte) string {
	sum := sha1.Sum(der) // #nosec G401 -- identifier only
	return hexOf(sum[:])
}

func TestCertUserIDsErrors(t *testing.T) {
	root := pkitest.NewRoot()
	dir := t.TempDir()
	leaf := root.NewLeaf(pkitest.WithCN("No SAN"), pkitest.WithoutSKI(), pkitest.WithSerial(big.NewInt(0x8001)))
	files := map[string]string{
		"bundle":  writeFile(t, dir, "bundle.pem", pkitest.PEMBundle(root.Cert, leaf.Cert)),
		"p7b":     writeFile(t, dir, "bundle.p7b", pkitest.Bundle(root.Cert, leaf.Cert)),
		"key":     writeFile(t, dir, "with-key.pem", append(leaf.PEM(), pkitest.KeyPEM(leaf.Key)...)),
		"root":    writeFile(t, dir, "root.pem", root.PEM()),
		"no SAN":  writeFile(t, dir, "nosan.pem", leaf.PEM()),
		"garbage": writeFile(t, dir, "garbage.txt", []byte("hello\n")),
	}
	tests := map[string]struct {
		args             []string
		code             int
		stdout, stderr   []string
		noStdout, noKeys bool
	}{
		"PEM bundle": {args: []string{files["bundle"]}, code: 1, noStdout: true,
			stderr: []string{"bundle.pem holds 2 certificates; userids needs exactly one user certificate", "cbactl cert inspect"}},
		"PKCS #7": {args: []string{files["p7b"]}, code: 1, noStdout: true,
			stderr: []string{"bundle.p7b holds 2 certificates"}},
		"private key": {args: []string{files["key"]}, code: 1, noStdout: true, noKeys: true,
			stderr: []string{"with-key.pem: input contains a private key"}},
		"private key, JSON": {args: []string{"--json", files["key"]}, code: 1, noStdout: true, noKeys: true,
			stderr: []string{"input contains a private key"}},
		"not a certificate": {args: []string{files["garbage"]}, code: 1, noStdout: true,
			stderr: []string{"garbage.txt: no certificate found"}},
		"missing file": {args: []string{filepath.Join(dir, "missing.pem")}, code: 1, noStdout: true,
			stderr: []string{"missing.pem"}},
		"CA certificate": {args: []string{files["root"]}, code: 0,
			stderr: []string{"is a CA certificate"}, stdout: []string{"X509:<S>CN=pkitest Root CA"}},
		"absent fields": {args: []string{files["no SAN"]}, code: 0, stdout: []string{
			"PrincipalName          (absent: the certificate has no UPN (otherName 1.3.6.1.4.1.311.20.2.3) in its subject alternative names)\n",
			"RFC822Name             (absent: the certificate has no e-mail address (rfc822Name) in its subject alternative names)\n",
			"SubjectKeyIdentifier   (absent: the certificate has no subject key identifier extension)\n",
			"<SR>018000\n",
			"<SR>008001\n",
		}},
		"absent fields, JSON": {args: []string{"--json", files["no SAN"]}, code: 0, stdout: []string{
			`"SHA1PublicKey"`, `<SR>018000"`,
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runAt(t, testNow, nil, append([]string{"cert", "userids"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			if tc.noStdout && out != "" {
				t.Errorf("unexpected stdout:\n%s", out)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if tc.noKeys {
				assertNoKey(t, leaf.Key, out+errOut)
			}
		})
	}
	// JSON leaves absent fields out.
	_, out, _ := runAt(t, testNow, nil, "cert", "userids", "--json", files["no SAN"])
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"PrincipalName", "RFC822Name", "SubjectKeyIdentifier"} {
		if _, ok := got[k]; ok {
			t.Errorf("JSON has absent field %s", k)
		}
	}
	if len(got) != 4 {
		t.Errorf("JSON has %d keys, want 4: %v", len(got), got)
	}
}

// assertNoKey fails if any 16-character piece of k's PEM body is in s.
func assertNoKey(t *testing.T, k crypto.Signer, s string) {
	t.Helper()
	body := string(pkitest.KeyPEM(k))
	for _, line := range strings.Split(body, "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(s, line[:16]) {
			t.Fatalf("output contains private key material")
		}
	}
}

// --- cert inspect ---

func TestCertInspectVectorText(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	code, out, errOut := runAt(t, now, entraVectorDER(t), "cert", "inspect", "-")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	want := `<stdin> (#1)
  subject:                  CN=Contoso User,OU=UserAccounts,DC=corp,DC=contoso,DC=com
  issuer:                   CN=Contoso
  serial_number:            1E8C974144BF86964423FA6464082D8A
  not_before:               2025-03-25T15:45:58Z
  not_after:                2026-03-25T16:04:36Z
  thumbprint:               34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA
  sha256:                   41AC1F182D7BBC153737C2D6798C9595869CCBA67E24C9B18094C173390DC8EE
  subject_key_identifier:   C6F4E96CAAD84640361F9FB5F74F6308247CB8B4
  authority_key_identifier: AD8E5A15C26ADFA3CC579D0C351E0A2057D34AC7
  is_ca:                    false
  self_signed:              false
  key:                      ECDSA P-256
  signature_algorithm:      SHA1-RSA
  key_usage:                digitalSignature
  extended_key_usage:       clientAuth
  policies:                 (none)
  crl_distribution_points:  (none)
  sans.upn:                 contoso@microsoft.com
  Warning: signed with SHA-1 (SHA1-RSA), which is no longer collision-resistant
`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// certificateFunction calls the configuration function certificate(path).
func certificateFunction(t *testing.T, path string) map[string]any {
	t.Helper()
	v, err := config.Functions(filepath.Dir(path))["certificate"].Call([]cty.Value{cty.StringVal(filepath.Base(path))})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for k, a := range v.AsValueMap() {
		switch a.Type() {
		case cty.Bool:
			out[k] = a.True()
		default:
			out[k] = a.AsString()
		}
	}
	return out
}

func TestCertInspectJSON(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	root := pkitest.NewRoot(pkitest.WithValidity(now.Add(-day), now.AddDate(10, 0, 0)))
	expiring := root.NewIntermediate(pkitest.WithCN("Expiring"), pkitest.WithValidity(now.Add(-day), now.Add(10*day)))
	user := expiring.NewLeaf(pkitest.WithCN("Ann"), pkitest.WithUPN("ann@contoso.com"), pkitest.WithEmail("ann@contoso.com"),
		pkitest.WithPolicies("1.2.3.4"), pkitest.WithCRLDistributionPoints("http://crl.contoso.com/x.crl"),
		pkitest.WithValidity(now.Add(-day), now.Add(5*day)))
	dir := t.TempDir()
	p7bDER := pkitest.Bundle(root.Cert, expiring.Cert)
	files := []string{
		writeFile(t, dir, "user.pem", user.PEM()),
		writeFile(t, dir, "bundle.p7b", p7bDER),
		writeFile(t, dir, "bundle-pem.p7b", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7bDER})),
		writeFile(t, dir, "root.cer", root.DER),
		writeFile(t, dir, "chain.pem", pkitest.PEMBundle(expiring.Cert, root.Cert)),
	}
	code, out, errOut := runAt(t, now, nil, append([]string{"cert", "inspect", "--json"}, files...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	type row struct {
		File  string
		Index float64
		Thumb string
	}
	var rows []row
	for _, o := range got {
		rows = append(rows, row{filepath.Base(o["file"].(string)), o["index"].(float64), o["thumbprint"].(string)})
	}
	tp := thumbprint
	wantRows := []row{
		{"user.pem", 1, tp(user.DER)},
		{"bundle.p7b", 1, tp(root.DER)}, {"bundle.p7b", 2, tp(expiring.DER)},
		{"bundle-pem.p7b", 1, tp(root.DER)}, {"bundle-pem.p7b", 2, tp(expiring.DER)},
		{"root.cer", 1, tp(root.DER)},
		{"chain.pem", 1, tp(expiring.DER)}, {"chain.pem", 2, tp(root.DER)},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Fatalf("certificates (-want +got):\n%s", diff)
	}

	// Every object has the keys and values of certificate().
	for i, f := range []string{files[0], files[3]} {
		want := certificateFunction(t, f)
		obj := got[0]
		if i == 1 {
			obj = got[5]
		}
		for k, v := range want {
			if diff := cmp.Diff(v, obj[k]); diff != "" {
				t.Errorf("%s: key %s differs from certificate() (-certificate() +inspect):\n%s", filepath.Base(f), k, diff)
			}
		}
	}

	// The user certificate's details.
	u := got[0]
	wantUser := map[string]any{
		"key_type":                "ECDSA",
		"key_bits":                float64(256),
		"key_curve":               "P-256",
		"path_length":             nil,
		"signature_algorithm":     "ECDSA-SHA256",
		"key_usage":               []any{"digitalSignature"},
		"extended_key_usage":      []any{"clientAuth"},
		"policies":                []any{"1.2.3.4"},
		"crl_distribution_points": []any{"http://crl.contoso.com/x.crl"},
		"sans": map[string]any{
			"upn": []any{"ann@contoso.com"}, "email": []any{"ann@contoso.com"},
			"dns": []any{}, "uri": []any{}, "ip": []any{},
		},
		"findings": []any{},
	}
	for k, v := range wantUser {
		if diff := cmp.Diff(v, u[k]); diff != "" {
			t.Errorf("user %s (-want +got):\n%s", k, diff)
		}
	}
	// The CA that expires in 10 days has an urgent warning.
	findings := got[2]["findings"].([]any)
	if len(findings) != 1 {
		t.Fatalf("expiring CA: findings %v", findings)
	}
	f := findings[0].(map[string]any)
	if f["severity"] != "warning" || !strings.Contains(f["message"].(string), "the CA expires in 10 days") {
		t.Errorf("expiring CA finding: %v", f)
	}
}

func TestCertInspectErrorsContinue(t *testing.T) {
	root := pkitest.NewRoot()
	dir := t.TempDir()
	good := writeFile(t, dir, "root.pem", root.PEM())
	withKey := writeFile(t, dir, "with-key.pem", append(root.PEM(), pkitest.KeyPEM(root.Key)...))
	crl := writeFile(t, dir, "x.crl", root.NewCRL())
	missing := filepath.Join(dir, "missing.pem")

	for _, jsonOut := range []bool{false, true} {
		args := []string{"cert", "inspect", withKey, missing, crl, good}
		if jsonOut {
			args = []string{"cert", "inspect", "--json", withKey, missing, crl, good}
		}
		code, out, errOut := runAt(t, testNow, nil, args...)
		if code != 1 {
			t.Errorf("json=%v: exit %d, want 1", jsonOut, code)
		}
		for _, s := range []string{
			"Error: " + withKey + ": input contains a private key",
			"Error: open " + missing + ":",
			"Error: " + crl + ": no certificate found: input is a certificate revocation list",
		} {
			if !strings.Contains(errOut, s) {
				t.Errorf("json=%v: stderr lacks %q:\n%s", jsonOut, s, errOut)
			}
		}
		assertNoKey(t, root.Key, out+errOut)
		if jsonOut {
			var got []map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0]["file"] != good {
				t.Errorf("JSON: %v, %v", err, out)
			}
		} else if !strings.HasPrefix(out, good+" (#1)\n") || strings.Contains(out, "with-key") {
			t.Errorf("text output:\n%s", out)
		}
	}

	code, out, _ := runAt(t, testNow, nil, "cert", "inspect", "--json", withKey)
	if code != 1 || out != "[]\n" {
		t.Errorf("only a key file: exit %d, stdout %q", code, out)
	}
}

// TestCertInspectSystemRoots inspects every root of the system's CA store
// (Debian's ca-certificates) and compares thumbprints with OpenSSL.
func TestCertInspectSystemRoots(t *testing.T) {
	if testing.Short() {
		t.Skip("host-dependent and slow (the system's CA store, OpenSSL): skipped with -short")
	}
	files, _ := filepath.Glob("/etc/ssl/certs/*.pem")
	if len(files) == 0 {
		t.Skip("no /etc/ssl/certs/*.pem")
	}
	code, out, errOut := runAt(t, time.Now(), nil, append([]string{"cert", "inspect", "--json"}, files...)...)
	if errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var got []inspectJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	// An error finding (an expired root, say) makes the exit status 1.
	wantCode := 0
	for _, c := range got {
		for _, f := range c.Findings {
			if f.Severity == "error" {
				wantCode = 1
			}
		}
	}
	if code != wantCode {
		t.Errorf("exit %d, want %d", code, wantCode)
	}
	ours := map[string]string{} // file → thumbprint of its first certificate
	for _, c := range got {
		if c.Index == 1 {
			ours[c.File] = c.Thumbprint
		}
		if len(c.Thumbprint) != 40 || c.Subject == "" || c.KeyType == "" || c.SignatureAlgorithm == "" {
			t.Errorf("%s #%d: incomplete: %+v", c.File, c.Index, c)
		}
	}
	if len(ours) != len(files) {
		t.Errorf("%d files, %d with certificates", len(files), len(ours))
	}
	if code, _, errOut := runAt(t, time.Now(), nil, append([]string{"cert", "inspect"}, files...)...); code != wantCode || errOut != "" {
		t.Errorf("text: exit %d, stderr:\n%s", code, errOut)
	}

	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not on PATH")
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(4, runtime.GOMAXPROCS(0)))
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := exec.Command(bin, "x509", "-in", f, "-noout", "-fingerprint", "-sha1").Output()
			if err != nil {
				t.Errorf("openssl %s: %v", f, err)
				return
			}
			_, fp, _ := strings.Cut(strings.TrimSpace(string(res)), "=")
			if want := strings.ReplaceAll(fp, ":", ""); ours[f] != want {
				t.Errorf("%s: thumbprint %s, openssl %s", f, ours[f], want)
			}
		}()
	}
	wg.Wait()
}
