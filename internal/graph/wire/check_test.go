package wire

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// TestCheckCAs: each CA's unknown type and unparsable or missing
// certificate is reported, in order, at its JSON location; a CA without
// problems is not.
func TestCheckCAs(t *testing.T) {
	der := pkitest.NewRoot(pkitest.WithCN("Root")).DER
	d := Document{PKIs: []PKI{
		{CertificateAuthorities: []CA{
			{Certificate: der, CertificateAuthorityType: "root"},
			{Certificate: der},
			{Certificate: der, CertificateAuthorityType: "leaf"},
			{Certificate: []byte{0, 1, 2}, CertificateAuthorityType: "intermediate"},
		}},
		{CertificateAuthorities: []CA{
			{CertificateAuthorityType: "Root"},
			{Certificate: der[:len(der)-1], CertificateAuthorityType: "root"},
		}},
	}}
	want := []string{
		`certificateBasedAuthConfigurations[0].certificateAuthorities[2].certificateAuthorityType: "leaf" is not a value cbactl knows (intermediate, root)`,
		`certificateBasedAuthConfigurations[0].certificateAuthorities[3].certificate: not a DER X.509 certificate (base64): x509: malformed certificate`,
		`certificateBasedAuthConfigurations[1].certificateAuthorities[0].certificateAuthorityType: "Root" is not a value cbactl knows (intermediate, root)`,
		`certificateBasedAuthConfigurations[1].certificateAuthorities[0].certificate: the certificate is missing`,
		`certificateBasedAuthConfigurations[1].certificateAuthorities[1].certificate: not a DER X.509 certificate (base64): x509: malformed certificate`,
	}
	if diff := cmp.Diff(want, d.Check()); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
