package model

import "fmt"

// Address names a resource or a nested object of the configuration, as users
// see it in plans and diagnostics: "x509_certificate", "pki.contoso",
// "pki.contoso.certificate_authority.root", "x509_certificate.rule.contractors".
type Address string

// X509Address is the address of the x509Certificate method configuration.
const X509Address Address = "x509_certificate"

// TenantAddress is the address of the tenant block.
const TenantAddress Address = "tenant"

// PKIAddress is the address of the PKI with configuration label name.
func PKIAddress(name string) Address { return Address("pki." + name) }

// CAAddress is the address of CA ca in PKI pki.
func CAAddress(pki, ca string) Address {
	return Address("pki." + pki + ".certificate_authority." + ca)
}

// RuleAddress is the address of an authentication binding rule.
func RuleAddress(name string) Address { return Address("x509_certificate.rule." + name) }

// TestAddress is the address of a test block.
func TestAddress(name string) Address { return Address(fmt.Sprintf("test.%q", name)) }

// Child returns the address of the i-th repeated block kind below a.
func (a Address) Child(kind string, i int) Address {
	return Address(fmt.Sprintf("%s.%s[%d]", a, kind, i))
}

// Nested returns the address of a singleton block kind below a.
func (a Address) Nested(kind string) Address { return Address(string(a) + "." + kind) }

func (a Address) String() string { return string(a) }
