// Package model is cbactl's domain vocabulary: the certificate-based
// authentication state of a tenant, shared by the desired side (decoded from
// HCL by package config) and the observed side (read from Microsoft Graph or a
// snapshot by package graph). It holds data and pure helpers only: no I/O.
package model

import "fmt"

// The enumerations below use cbactl's HCL spellings as their values. Graph's
// spellings (x509CertificateMultiFactor, ...) are mapped in package graph.

// MethodState is the state of the x509Certificate authentication method.
type MethodState string

const (
	StateEnabled  MethodState = "enabled"
	StateDisabled MethodState = "disabled"
)

// Mode is the authentication strength a certificate satisfies.
type Mode string

const (
	SingleFactor Mode = "single_factor"
	MultiFactor  Mode = "multi_factor"
)

// Affinity is the required affinity binding level.
type Affinity string

const (
	AffinityLow  Affinity = "low"
	AffinityHigh Affinity = "high"
)

// CAType says whether a certificate authority is a root or an intermediate.
type CAType string

const (
	CATypeRoot         CAType = "root"
	CATypeIntermediate CAType = "intermediate"
)

// CertificateField is the certificate field a username binding reads.
type CertificateField string

const (
	FieldPrincipalName         CertificateField = "PrincipalName"
	FieldRFC822Name            CertificateField = "RFC822Name"
	FieldSubjectKeyIdentifier  CertificateField = "SubjectKeyIdentifier"
	FieldSHA1PublicKey         CertificateField = "SHA1PublicKey"
	FieldIssuerAndSubject      CertificateField = "IssuerAndSubject"
	FieldSubject               CertificateField = "Subject"
	FieldIssuerAndSerialNumber CertificateField = "IssuerAndSerialNumber"
)

// UserAttribute is the user object attribute a username binding compares with.
type UserAttribute string

const (
	AttrUserPrincipalName           UserAttribute = "userPrincipalName"
	AttrOnPremisesUserPrincipalName UserAttribute = "onPremisesUserPrincipalName"
	AttrCertificateUserIDs          UserAttribute = "certificateUserIds"
)

// Cloud is the Microsoft cloud a tenant lives in.
type Cloud string

const (
	CloudGlobal   Cloud = "global"
	CloudUSGov    Cloud = "usgov"
	CloudUSGovDoD Cloud = "usgovdod"
	CloudChina    Cloud = "china"
)

// TargetType is the kind of directory object a policy target names.
type TargetType string

const (
	TargetGroup TargetType = "group"
	TargetUser  TargetType = "user"
)

// AllUsersTargetID is the special include target id that stands for every user.
const AllUsersTargetID = "all_users"

// The allowed values of each enumeration, in the order the documentation
// lists them. Validation and help texts use these lists.
var (
	MethodStates      = []MethodState{StateEnabled, StateDisabled}
	Modes             = []Mode{SingleFactor, MultiFactor}
	Affinities        = []Affinity{AffinityLow, AffinityHigh}
	CATypes           = []CAType{CATypeRoot, CATypeIntermediate}
	Clouds            = []Cloud{CloudGlobal, CloudUSGov, CloudUSGovDoD, CloudChina}
	CertificateFields = []CertificateField{
		FieldPrincipalName, FieldRFC822Name, FieldSubjectKeyIdentifier, FieldSHA1PublicKey,
		FieldIssuerAndSubject, FieldSubject, FieldIssuerAndSerialNumber,
	}
	UserAttributes = []UserAttribute{AttrUserPrincipalName, AttrOnPremisesUserPrincipalName, AttrCertificateUserIDs}
)

// fieldRules is Entra's table of allowed user attributes and the affinity of
// each certificate field (cba-semantics.md §2, "Allowed combinations and
// affinity", from the CBA technical deep dive).
var fieldRules = map[CertificateField]struct {
	affinity Affinity
	attrs    []UserAttribute
}{
	FieldPrincipalName:         {AffinityLow, UserAttributes},
	FieldRFC822Name:            {AffinityLow, UserAttributes},
	FieldIssuerAndSubject:      {AffinityLow, []UserAttribute{AttrCertificateUserIDs}},
	FieldSubject:               {AffinityLow, []UserAttribute{AttrCertificateUserIDs}},
	FieldSubjectKeyIdentifier:  {AffinityHigh, []UserAttribute{AttrCertificateUserIDs}},
	FieldSHA1PublicKey:         {AffinityHigh, []UserAttribute{AttrCertificateUserIDs}},
	FieldIssuerAndSerialNumber: {AffinityHigh, []UserAttribute{AttrCertificateUserIDs}},
}

// Affinity returns the affinity level Entra assigns to a binding that reads
// field f: low for the name-based fields, high for key, hash and serial.
func (f CertificateField) Affinity() Affinity {
	if r, ok := fieldRules[f]; ok {
		return r.affinity
	}
	return ""
}

// AllowedAttributes returns the user attributes Entra lets field f bind to.
func (f CertificateField) AllowedAttributes() []UserAttribute {
	return fieldRules[f].attrs
}

// Allows reports whether Entra accepts a binding of field f to attribute a.
func (f CertificateField) Allows(a UserAttribute) bool {
	for _, x := range fieldRules[f].attrs {
		if x == a {
			return true
		}
	}
	return false
}

// Valid reports whether v is one of the allowed values.
func Valid[T ~string](v T, allowed []T) bool {
	for _, a := range allowed {
		if a == v {
			return true
		}
	}
	return false
}

// Quoted lists allowed values for a message: "a", "b" or "c".
func Quoted[T ~string](allowed []T) string {
	s := ""
	for i, a := range allowed {
		switch {
		case i == 0:
		case i == len(allowed)-1:
			s += " or "
		default:
			s += ", "
		}
		s += fmt.Sprintf("%q", string(a))
	}
	return s
}
