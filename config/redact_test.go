package config

import "testing"

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		// Kept: what diagnostics legitimately quote.
		`The group id "0b8e2d7c-1111-4f00-9000-00000000000g" is not a GUID.`:      `The group id "0b8e2d7c-1111-4f00-9000-00000000000g" is not a GUID.`,
		"thumbprint D8F901F321B6486114297CE84E6AE2108F2A13AF":                     "thumbprint D8F901F321B6486114297CE84E6AE2108F2A13AF",
		"no file exists at /home/Runner2/Work/cba/certs/Contoso-Issuing-2024.pem": "no file exists at /home/Runner2/Work/cba/certs/Contoso-Issuing-2024.pem",
		`issuer "CN=Contoso Issuing CA 2,OU=PKI,O=Contoso,C=US"`:                  `issuer "CN=Contoso Issuing CA 2,OU=PKI,O=Contoso,C=US"`,
		"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08": "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"short Ab1": "short Ab1",
		// Hidden: tokens and client secrets.
		`"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiIxIn0.c2lnbmF0dXJl" is not a GUID`: `"[hidden: 65 characters]" is not a GUID`,
		"AZURE_CLIENT_SECRET=Xy8Q~abcdefGHIJKLmnopqrSTUVwxyz0123456789\x00PATH=/usr/bin":    "[hidden: 61 characters]\x00PATH=/usr/bin",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}
