package health

import (
	"fmt"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// A place is somewhere in the configuration that names a CA: an
// authentication binding rule by the CA's subject, a CRL validation
// exemption, a CA scope or an authentication strength's allowed issuer by
// its subject key identifier. When the CA is renewed, the place must name
// the renewed CA too.
type place struct {
	// address is the place's configuration address; empty for a place only
	// in the tenant (the configuration does not manage it).
	address model.Address
	// names reports whether the place names ca.
	names func(ca CA) bool
	// detail explains how the place names ca, and todo what to do about it
	// when ca is renewed.
	detail func(ca CA) string
	todo   string
}

// placeLister lists the places of one kind. observed is nil when no tenant
// was read.
type placeLister func(desired model.State, observed *model.State) []place

// placeListers are every kind of place that names a CA.
var placeListers = []placeLister{rulePlaces, exemptionPlaces, scopePlaces, strengthPlaces}

func allPlaces(desired model.State, observed *model.State) []place {
	var out []place
	for _, l := range placeListers {
		out = append(out, l(desired, observed)...)
	}
	return out
}

// x509Places is the x509Certificate configuration whose places count: the
// configuration's when it manages it (what apply makes true), else the
// tenant's when one was read (managed is false then: its places have no
// address).
func x509Places(desired model.State, observed *model.State) (x *model.X509Config, managed bool) {
	switch {
	case desired.X509 != nil:
		return desired.X509, true
	case observed != nil && observed.X509 != nil:
		return observed.X509, false
	}
	return nil, false
}

// rulePlaces are the authentication binding rules that name an issuer.
// Entra's documentation does not say how it compares the issuer with a
// certificate's issuer; a rule names a CA here when the two differ at most
// in case and whitespace, so that no rule at risk goes unreported.
func rulePlaces(desired model.State, observed *model.State) []place {
	x, managed := x509Places(desired, observed)
	if x == nil {
		return nil
	}
	var out []place
	for _, r := range x.Rules {
		if r.Issuer == "" {
			continue
		}
		issuer := r.Issuer
		var addr model.Address
		name := fmt.Sprintf("The tenant's authentication binding rule for the issuer %q (the configuration does not manage x509_certificate)", issuer)
		if managed {
			addr = model.RuleAddress(r.Name)
			name = string(addr)
		}
		out = append(out, place{
			address: addr,
			names:   func(ca CA) bool { return sameDN(ca.Subject, issuer) },
			detail: func(ca CA) string {
				return fmt.Sprintf("%s applies to certificates issued by %q, the subject of this CA, which expires on %s. A renewed CA with another subject makes the rule apply to no certificate: its users fall back to the default authentication mode.", name, issuer, day(ca.Cert.NotAfter))
			},
			todo: "After renewing the CA, make the rule's issuer the renewed CA's subject (certificate(\"….pem\").subject) if it changed.",
		})
	}
	return out
}

// exemptionPlaces are the CRL validation exemptions, by SKI.
func exemptionPlaces(desired model.State, observed *model.State) []place {
	x, managed := x509Places(desired, observed)
	if x == nil {
		return nil
	}
	var out []place
	var addr model.Address
	name := "The tenant's CRL validation configuration (the configuration does not manage x509_certificate)"
	if managed {
		addr = model.X509Address.Nested("crl_validation")
		name = string(addr)
	}
	for _, ski := range x.CRLValidation.ExemptSKIs {
		ski := pki.NormalizeHex(ski)
		out = append(out, skiPlace(addr, name, ski,
			"%s exempts the subject key identifier %s of this CA, which expires on %s, from CRL validation. A CA renewed with a new key has a new subject key identifier: certificates it issues are not exempt, and fail sign-in while CRL validation is required and the CA publishes no CRL.",
			"After renewing the CA, add the renewed CA's subject_key_identifier to exempt_skis (and remove the old one once it has expired)."))
	}
	return out
}

// scopePlaces are the CA scopes, by SKI.
func scopePlaces(desired model.State, observed *model.State) []place {
	x, managed := x509Places(desired, observed)
	if x == nil {
		return nil
	}
	var out []place
	for i, s := range x.CAScopes {
		ski := pki.NormalizeHex(s.SKI)
		var addr model.Address
		name := "The tenant's CA scope (the configuration does not manage x509_certificate)"
		if managed {
			addr = model.X509Address.Child("certificate_authority_scope", i)
			name = string(addr)
		}
		out = append(out, skiPlace(addr, name, ski,
			"%s restricts the CA with subject key identifier %s, this CA, which expires on %s, to its groups. A CA renewed with a new key has a new subject key identifier: the scope does not apply to it, and every user the method targets can sign in with its certificates.",
			"After renewing the CA, point the scope at the renewed CA (certificate_authority = its address, or its subject_key_identifier)."))
	}
	return out
}

// strengthPlaces are the allowed issuers of the declared authentication
// strengths, by SKI: one place per SKI of a strength's x509_certificate
// block, so that a CA renewed with the same key (same SKI, valid beyond the
// horizon) exempts only the issuer it renews. A strength to be deleted
// (ensure = "absent") names nothing. The tenant's strengths do not count:
// cbactl reads them only when the configuration declares strengths, and
// then manages only those (the configuration's are what apply makes true).
func strengthPlaces(desired model.State, _ *model.State) []place {
	var out []place
	for _, s := range desired.Strengths {
		if s.Absent || s.X509 == nil {
			continue
		}
		addr := model.StrengthAddress(s.Name).Nested("x509_certificate")
		for _, ski := range s.X509.AllowedIssuerSKIs {
			ski := model.NormalizeSKI(ski)
			out = append(out, skiPlace(addr, string(addr), ski,
				"%s allows certificates issued by the CA with subject key identifier %s, this CA, which expires on %s. A CA renewed with a new key has a new subject key identifier: certificates it issues do not satisfy the strength, and Conditional Access policies that require it block their sign-ins.",
				"Before the renewed CA issues user certificates, add its subject_key_identifier to allowed_issuer_skis (at most 5), and remove the old one once it has expired."))
		}
	}
	return out
}

// skiPlace is a place that names the CA whose subject key identifier is
// ski. detail is a format of the place's name, the SKI and the CA's expiry
// date.
func skiPlace(addr model.Address, name, ski, detail, todo string) place {
	return place{
		address: addr,
		names:   func(ca CA) bool { return ca.SKI != "" && ca.SKI == ski },
		detail:  func(ca CA) string { return fmt.Sprintf(detail, name, ski, day(ca.Cert.NotAfter)) },
		todo:    todo,
	}
}

// sameDN compares distinguished names ignoring case and whitespace.
func sameDN(a, b string) bool {
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strings.EqualFold(squash(a), squash(b))
}
