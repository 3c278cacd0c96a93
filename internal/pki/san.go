package pki

import (
	"crypto/x509"
	"encoding/asn1"
)

var (
	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
	// oidUPN is the SAN otherName type of a Microsoft UPN
	// (szOID_NT_PRINCIPAL_NAME), which certificateUserIds PrincipalName uses.
	oidUPN = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
)

// UPNs returns the user principal names in c's subject alternative names
// (otherName 1.3.6.1.4.1.311.20.2.3), in certificate order. crypto/x509 does
// not decode otherName entries, so they are read from the raw extension. A
// malformed extension yields no names.
func UPNs(c *x509.Certificate) []string {
	if c == nil {
		return nil
	}
	var upns []string
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidSubjectAltName) {
			continue
		}
		var names []asn1.RawValue
		if rest, err := asn1.Unmarshal(ext.Value, &names); err != nil || len(rest) != 0 {
			return nil
		}
		for _, n := range names {
			if s, ok := otherNameUPN(n); ok {
				upns = append(upns, s)
			}
		}
	}
	return upns
}

// otherNameUPN decodes a GeneralName otherName
// ([0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }) holding a UPN.
func otherNameUPN(n asn1.RawValue) (string, bool) {
	if n.Class != asn1.ClassContextSpecific || n.Tag != 0 || !n.IsCompound {
		return "", false
	}
	var oid asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(n.Bytes, &oid)
	if err != nil || !oid.Equal(oidUPN) {
		return "", false
	}
	var explicit asn1.RawValue
	if _, err := asn1.Unmarshal(rest, &explicit); err != nil ||
		explicit.Class != asn1.ClassContextSpecific || explicit.Tag != 0 || !explicit.IsCompound {
		return "", false
	}
	var inner asn1.RawValue
	if _, err := asn1.Unmarshal(explicit.Bytes, &inner); err != nil {
		return "", false
	}
	return decodeDirectoryString(inner)
}
