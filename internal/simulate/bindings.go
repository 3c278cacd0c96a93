package simulate

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// usernameBinding finds the user with the username bindings, following DD's
// "Multiple username policy binding rules" (§2 "Evaluation algorithm"):
//
//  2. "Gets the list of all username bindings … ordered by the priority
//     attribute" (lowest number first).
//  3. "If the tenant has high-affinity binding configured or if the
//     certificate value matches a custom rule that requires high-affinity
//     binding, removes all the low-affinity bindings from the list."
//  4. "If the X.509 certificate field of the configured binding is on the
//     presented certificate, Microsoft Entra ID matches the value … If a
//     match isn't found, moves to the next priority binding."
//  5. "If the X.509 certificate field isn't on the presented certificate,
//     moves to the next priority binding."
//  6. "If a match isn't found on any of the configured username bindings,
//     user authentication fails" (AADSTS50034, TRB).
//
// Without a user (or without any of its attribute values), the first binding
// whose field the certificate has is assumed to match.
func (e *evaluation) usernameBinding() {
	if e.leaf == nil {
		return
	}
	bindings := append([]model.UsernameBinding(nil), e.x.UsernameBindings...)
	sort.SliceStable(bindings, func(i, j int) bool { return bindings[i].Priority < bindings[j].Priority })

	var candidates []model.UsernameBinding
	var dropped []string
	for _, b := range bindings {
		switch {
		case !b.Field.Allows(b.Attribute):
			e.step(StepUsernameBinding, OutcomeSkip, "%s → %s is not a combination Entra allows (DD table); it is ignored", b.Field, b.Attribute)
		case e.res.Affinity == model.AffinityHigh && b.Field.Affinity() != model.AffinityHigh:
			dropped = append(dropped, fmt.Sprintf("%s → %s", b.Field, b.Attribute))
		default:
			candidates = append(candidates, b)
		}
	}
	if len(dropped) > 0 {
		e.step(StepUsernameBinding, OutcomeSkip, "high affinity is required, so the low-affinity %s %s removed (DD: \"removes all the low-affinity bindings from the list\")",
			plural(len(dropped), "binding", "bindings"), strings.Join(dropped, ", ")+plural(len(dropped), " is", " are"))
	}
	if len(candidates) == 0 {
		e.fail(StepUsernameBinding, CodeNoUser, "no username binding is left to find the user with")
		return
	}

	ids := pki.CertificateUserIDs(e.leaf)
	absent := 0
	for _, b := range candidates {
		try := BindingTry{Field: b.Field, Attribute: b.Attribute}
		v, ok := e.bindingValue(b, ids)
		if !ok {
			absent++
			e.res.Bindings = append(e.res.Bindings, try)
			e.step(StepUsernameBinding, OutcomeSkip, "%s → %s: the certificate has no %s, so Entra moves to the next binding", b.Field, b.Attribute, b.Field)
			continue
		}
		try.Value = &v
		if b.Field == model.FieldIssuerAndSerialNumber {
			if be := pki.IssuerAndSerialNumberBigEndian(e.leaf); be != v {
				e.assume(aSerialOrder, pki.SerialLittleEndian(e.leaf), pki.SerialBigEndian(e.leaf))
			}
		}
		if !e.userAttributesKnown() {
			try.Matched = true
			e.res.Bindings = append(e.res.Bindings, try)
			e.assume(aNoUserAssumed, b.Attribute, v, b.Field)
			e.step(StepUsernameBinding, OutcomePass, "%s → %s: the certificate yields %q; the user's attributes were not given, so the user is assumed to hold it",
				b.Field, b.Attribute, v)
			return
		}
		matched, have := e.matchUser(b, v)
		try.Matched = matched
		e.res.Bindings = append(e.res.Bindings, try)
		if matched {
			e.step(StepUsernameBinding, OutcomePass, "%s → %s: the certificate yields %q, which the user holds", b.Field, b.Attribute, v)
			return
		}
		e.step(StepUsernameBinding, OutcomeSkip, "%s → %s: the certificate yields %q, but the user's %s %s; Entra moves to the next binding",
			b.Field, b.Attribute, v, b.Attribute, have)
	}
	if absent == len(candidates) {
		e.assume(aAllFieldsAbsent)
	}
	e.fail(StepUsernameBinding, CodeNoUser, "no username binding finds the user: \"If a match isn't found on any of the configured username bindings, user authentication fails\" (DD)")
}

// userAttributesKnown reports whether the input says which values the
// user's attributes hold: a user given by group memberships only is matched
// like no user at all.
func (e *evaluation) userAttributesKnown() bool {
	u := e.in.User
	return u != nil && (u.UserPrincipalName != "" || u.OnPremisesUserPrincipalName != "" || len(u.CertificateUserIDs) > 0)
}

// bindingValue is what the certificate yields for a binding, and whether it
// has the field at all.
func (e *evaluation) bindingValue(b model.UsernameBinding, ids map[string]string) (string, bool) {
	switch b.Field {
	case model.FieldPrincipalName:
		if upns := pki.UPNs(e.leaf); len(upns) > 1 {
			e.assume(aSeveralValues, len(upns), "user principal names", upns[0])
		}
	case model.FieldRFC822Name:
		if n := len(e.leaf.EmailAddresses); n > 1 {
			e.assume(aSeveralValues, n, "e-mail addresses (rfc822Name)", e.leaf.EmailAddresses[0])
		} else if n == 0 {
			if addr := subjectEmail(e.leaf); addr != "" {
				e.assume(aRFC822NoFallback, addr)
			}
		}
	}
	id, ok := ids[string(b.Field)]
	if !ok {
		return "", false
	}
	if b.Attribute == model.AttrCertificateUserIDs {
		return id, true
	}
	// userPrincipalName and onPremisesUserPrincipalName compare with the
	// bare SAN value.
	_, v, _ := strings.Cut(id, ">")
	return v, true
}

// matchUser compares a binding's value with the user's attribute. It
// returns a description of what the user holds when there is no match.
func (e *evaluation) matchUser(b model.UsernameBinding, v string) (bool, string) {
	u := e.in.User
	switch b.Attribute {
	case model.AttrUserPrincipalName, model.AttrOnPremisesUserPrincipalName:
		have := u.UserPrincipalName
		if b.Attribute == model.AttrOnPremisesUserPrincipalName {
			have = u.OnPremisesUserPrincipalName
		}
		switch {
		case have == v:
			return true, ""
		case have != "" && strings.EqualFold(have, v):
			e.assume(aCaseInsensitive, b.Attribute, have, v)
			return true, ""
		case have == "":
			return false, "is not set"
		}
		return false, fmt.Sprintf("is %q", have)
	}
	for _, h := range u.CertificateUserIDs {
		if h == v {
			return true, ""
		}
	}
	// "The X509:<Mapping> prefixes are case-sensitive" (CUID); whether the
	// value part is, is undocumented (§3, §7.2).
	prefix, rest, _ := strings.Cut(v, ">")
	for _, h := range u.CertificateUserIDs {
		if hp, hr, ok := strings.Cut(h, ">"); ok && hp == prefix && strings.EqualFold(hr, rest) {
			e.assume(aCaseInsensitive, b.Attribute, h, v)
			return true, ""
		}
	}
	if b.Field == model.FieldIssuerAndSerialNumber {
		be := pki.IssuerAndSerialNumberBigEndian(e.leaf)
		for _, h := range u.CertificateUserIDs {
			if be != v && strings.EqualFold(h, be) {
				e.assume(aBigEndianHeld, h)
				return false, fmt.Sprintf("hold the big-endian form %q instead", h)
			}
		}
	}
	if len(u.CertificateUserIDs) == 0 {
		return false, "are empty"
	}
	return false, fmt.Sprintf("do not include it (%d %s)", len(u.CertificateUserIDs), plural(len(u.CertificateUserIDs), "value", "values"))
}

// subjectEmail returns an E= (emailAddress) attribute of c's subject.
func subjectEmail(c *x509.Certificate) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oidEmailAddress) {
			if s, ok := n.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// certificateUsage notes what Entra might enforce about the certificate's
// purpose: HOW's prerequisite is a certificate "intended for client
// authentication", and whether the EKU or KeyUsage is enforced is
// undocumented (§4, §7.6).
func (e *evaluation) certificateUsage() {
	c := e.leaf
	if c == nil {
		return
	}
	if len(c.ExtKeyUsage) > 0 || len(c.UnknownExtKeyUsage) > 0 {
		client := false
		for _, u := range c.ExtKeyUsage {
			if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
				client = true
			}
		}
		if !client {
			e.assume(aEKUNotEnforced)
		}
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		e.assume(aKeyUsageNotEnforced)
	}
}

// issuerHints notes when issuer hints may keep the client from offering the
// certificate. Hints only filter the client's certificate picker; no source
// says they change the server's decision (§4 "Issuer hints").
func (e *evaluation) issuerHints() {
	if !e.x.IssuerHints || len(e.path) == 0 {
		return
	}
	for _, ca := range e.path {
		if ca.issuerHint {
			return
		}
	}
	e.assume(aIssuerHints)
}
