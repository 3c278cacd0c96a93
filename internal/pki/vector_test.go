package pki

import (
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entraPowerShellCert is the certificate the Microsoft Entra PowerShell module's
// own Pester test feeds to Get-EntraUserCertificateUserIdsFromCertificate
// (microsoftgraph/entra-powershell; see /work/shared/vectors/entra-powershell-userids.md).
const entraPowerShellCert = `MIIC3jCCAcagAwIBAgIQHoyXQUS/hpZEI/pkZAgtijANBgkqhkiG9w0BAQUFADASMRAwDgYDVQQDDAdDb250b3NvMB4XDTI1MDMyNTE1NDU1OFoXDTI2MDMyNTE2MDQzNlowcjETMBEGCgmSJomT8ixkARkWA2NvbTEXMBUGCgmSJomT8ixkARkWB2NvbnRvc28xFDASBgoJkiaJk/IsZAEZFgRjb3JwMRUwEwYDVQQLDAxVc2VyQWNjb3VudHMxFTATBgNVBAMMDENvbnRvc28gVXNlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDbRNBDrUoZ9JjsBkroyjzTe+Zag7TMU4WZFyvqtgctn6dQ/+zuk/hOg2xwU0JmooRDhwG+SS3dGGE1a1Uh9I4OjgZowgZcwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMDAGA1UdEQQpMCegJQYKKwYBBAGCNxQCA6AXDBVjb250b3NvQG1pY3Jvc29mdC5jb20wHwYDVR0jBBgwFoAUrY5aFcJq36PMV50MNR4KIFfTSscwHQYDVR0OBBYEFMb06Wyq2EZANh+ftfdPYwgkfLi0MA0GCSqGSIb3DQEBBQUAA4IBAQBQ5ULQEJT0xvGt7b27dQGmYzMzW3V9JCS7qYeAxYefYV1cGuwP3ZHh++sGyah0fIQQCtM+9Fu+VmHdinJ0478cR/oD4luK67FNFJLk0Q3H3RDvesZa/JYQEbdEgRoaMJWCYqrpQNdCwIlBL+8CrHMyXfYxnYuFGJfdl8NmmLXok44Dqo7d9Zw6MFyxMDWx8C6QWJjZcls6UQggoawWKTll2V+tK+l7UwRRcpGmnVmnlyD6Vpo9exi+Axddi3a6WOQ5asn6il0sJVGicyZS658toQw0fj+UvZuD7rtegxuL/s/v3m3Sx1iEcIyB1HsdwZCJ5ZlxvbQvB/Sz5yU7Yo/Y`

func entraVectorDER(t testing.TB) []byte {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(entraPowerShellCert)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestEntraPowerShellVector(t *testing.T) {
	der := entraVectorDER(t)
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	tests := map[string]struct {
		got, want string
	}{
		"subject encoded order": {SubjectDN(c, EncodedOrder), "DC=com,DC=contoso,DC=corp,OU=UserAccounts,CN=Contoso User"},
		"subject rule order":    {SubjectDN(c, RuleOrder), "CN=Contoso User,OU=UserAccounts,DC=corp,DC=contoso,DC=com"},
		"issuer encoded order":  {IssuerDN(c, EncodedOrder), "CN=Contoso"},
		"issuer rule order":     {IssuerDN(c, RuleOrder), "CN=Contoso"},
		"subject key id":        {SubjectKeyID(c), "C6F4E96CAAD84640361F9FB5F74F6308247CB8B4"},
		"authority key id":      {AuthorityKeyID(c), "AD8E5A15C26ADFA3CC579D0C351E0A2057D34AC7"},
		"sha1 thumbprint":       {SHA1Thumbprint(der), "34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA"},
		"serial":                {SerialHex(c), "1E8C974144BF86964423FA6464082D8A"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff([]string{"contoso@microsoft.com"}, UPNs(c)); diff != "" {
		t.Errorf("UPNs mismatch (-want +got):\n%s", diff)
	}
	// The same bytes as PEM give the same certificate.
	pemText := "-----BEGIN CERTIFICATE-----\n" + entraPowerShellCert + "\n-----END CERTIFICATE-----\n"
	c2, err := ParseCertificate([]byte(pemText))
	if err != nil {
		t.Fatalf("ParseCertificate(PEM): %v", err)
	}
	if !c2.Equal(c) {
		t.Error("PEM and DER parse to different certificates")
	}
	s := Summarize(c)
	if s.SelfSigned || s.IsCA {
		t.Errorf("Summarize: SelfSigned=%v IsCA=%v, want false, false", s.SelfSigned, s.IsCA)
	}
}
