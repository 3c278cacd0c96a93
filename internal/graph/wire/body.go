package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Request bodies. A write body is its wire shape serialised once, holding
// exactly the properties the write carries, with the members of every
// object in alphabetical order (as Graph's generated SDKs write them), so
// that the bytes sent do not depend on the layout of a Go struct. Enum
// values are checked before anything is sent: a body never goes out with a
// value Graph does not document.

// OData types of the write bodies that carry one.
const (
	PKIODataType = "#microsoft.graph.certificateBasedAuthPki"
	CAODataType  = "#microsoft.graph.certificateAuthorityDetail"
)

// MarshalBody encodes v as a request body: Graph JSON (Marshal) with the
// members of every object sorted by name. Values are kept byte for byte.
func MarshalBody(v any) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	return sortMembers(b)
}

// sortMembers orders the members of every object of a JSON value by name.
func sortMembers(b []byte) ([]byte, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return b, nil
	}
	switch b[0] {
	case '{':
		var o map[string]json.RawMessage
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out bytes.Buffer
		out.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				out.WriteByte(',')
			}
			name, err := Marshal(k)
			if err != nil {
				return nil, err
			}
			v, err := sortMembers(o[k])
			if err != nil {
				return nil, err
			}
			out.Write(name)
			out.WriteByte(':')
			out.Write(v)
		}
		out.WriteByte('}')
		return out.Bytes(), nil
	case '[':
		var a []json.RawMessage
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		out.WriteByte('[')
		for i, e := range a {
			if i > 0 {
				out.WriteByte(',')
			}
			v, err := sortMembers(e)
			if err != nil {
				return nil, err
			}
			out.Write(v)
		}
		out.WriteByte(']')
		return out.Bytes(), nil
	}
	return b, nil
}

// PKIBody is the body of a PKI container POST (create: the display name
// when there is one) or PATCH (update: the display name, always).
func PKIBody(displayName string, update bool) ([]byte, error) {
	o := map[string]any{"@odata.type": PKIODataType}
	if update || displayName != "" {
		o["displayName"] = displayName
	}
	return MarshalBody(o)
}

// UploadBody is the body of POST …/upload: the bundle's URL and its
// SHA-256 (hex, as Graph expects it).
func UploadBody(uploadURL, sha256Hex string) ([]byte, error) {
	return MarshalBody(map[string]string{"uploadUrl": uploadURL, "sha256FileHash": sha256Hex})
}

// CABody is the body of a CA POST (create) or PATCH (update) built from
// its wire shape (CAFromModel, CAUpdateFromModel). An update always carries
// the CRL URLs and the display name, a nil one as an explicit null, which
// clears it; a create leaves them out when nil. The properties Graph sets
// (id, createdDateTime, deletedDateTime) are never sent.
func CABody(c CA, update bool) ([]byte, error) {
	const p = "certificateAuthorityDetail"
	if c.CertificateAuthorityType != "" && !Known("caType", c.CertificateAuthorityType) {
		return nil, fmt.Errorf("%s.certificateAuthorityType: %q is not a value Graph documents", p, c.CertificateAuthorityType)
	}
	c.ID, c.CreatedDateTime, c.DeletedDateTime = "", "", nil
	b, err := Marshal(c)
	if err != nil {
		return nil, err
	}
	var o Object
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	o["@odata.type"] = Raw(CAODataType)
	if !update {
		for k, v := range o {
			if string(v) == "null" {
				delete(o, k)
			}
		}
	}
	return MarshalBody(o)
}

// X509Body is the PATCH body of the x509Certificate method configuration
// built from its wire shape (X509FromModel): @odata.type and every
// collection whole (empty, never null), so that each replaces Graph's;
// certificateAuthorityScopes only when the shape has them (nil: not
// managed, left out). Targets must have ids (groups resolved), enums
// documented values, and CA scopes their PKI container.
func X509Body(w X509Config) ([]byte, error) {
	if err := checkX509Body(&w); err != nil {
		return nil, err
	}
	w.ODataType = X509ODataType
	b, err := Marshal(w)
	if err != nil {
		return nil, err
	}
	var o Object
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	if w.CertificateAuthorityScopes == nil {
		delete(o, "certificateAuthorityScopes")
	}
	return MarshalBody(o)
}

// checkX509Body checks the values of an x509 PATCH body and makes its
// collections non-nil.
func checkX509Body(w *X509Config) error {
	const p = "x509Certificate"
	enum := func(field, kind, v string, required bool) error {
		if (v == "" && !required) || Known(kind, v) {
			return nil
		}
		return fmt.Errorf("%s: %q is not a value Graph documents", field, v)
	}
	if err := enum(p+".state", "state", w.State, false); err != nil {
		return err
	}
	w.IncludeTargets = nonNil(w.IncludeTargets)
	for i, t := range w.IncludeTargets {
		field := fmt.Sprintf("%s.includeTargets[%d]", p, i)
		if t.ID == "" {
			return fmt.Errorf("%s: the target has no id (an unresolved group?)", field)
		}
		if err := enum(field+".targetType", "targetType", t.TargetType, true); err != nil {
			return err
		}
	}
	w.ExcludeTargets = nonNil(w.ExcludeTargets)
	for i, t := range w.ExcludeTargets {
		field := fmt.Sprintf("%s.excludeTargets[%d]", p, i)
		if t.ID == "" {
			return fmt.Errorf("%s: the target has no id (an unresolved group?)", field)
		}
		if err := enum(field+".targetType", "targetType", t.TargetType, true); err != nil {
			return err
		}
	}
	w.CertificateUserBindings = nonNil(w.CertificateUserBindings)
	for i, ub := range w.CertificateUserBindings {
		field := fmt.Sprintf("%s.certificateUserBindings[%d]", p, i)
		if ub.Priority < 0 || ub.Priority > math.MaxInt32 {
			return fmt.Errorf("%s.priority: %d is out of range", field, ub.Priority)
		}
		if err := enum(field+".trustAffinityLevel", "affinity", ub.TrustAffinityLevel, false); err != nil {
			return err
		}
	}
	if am := w.AuthenticationModeConfiguration; am != nil {
		c := *am
		mp := p + ".authenticationModeConfiguration"
		if err := enum(mp+".x509CertificateAuthenticationDefaultMode", "mode", c.DefaultMode, false); err != nil {
			return err
		}
		if err := enum(mp+".x509CertificateDefaultRequiredAffinityLevel", "affinity", c.DefaultAffinity, false); err != nil {
			return err
		}
		c.Rules = nonNil(c.Rules)
		for i, r := range c.Rules {
			field := fmt.Sprintf("%s.rules[%d]", mp, i)
			if err := enum(field+".x509CertificateRuleType", "ruleType", r.Type, true); err != nil {
				return err
			}
			if err := enum(field+".x509CertificateAuthenticationMode", "mode", r.Mode, true); err != nil {
				return err
			}
			if err := enum(field+".x509CertificateRequiredAffinityLevel", "affinity", r.Affinity, false); err != nil {
				return err
			}
		}
		w.AuthenticationModeConfiguration = &c
	}
	if cv := w.CRLValidationConfiguration; cv != nil {
		c := *cv
		if err := enum(p+".crlValidationConfiguration.state", "state", c.State, true); err != nil {
			return err
		}
		c.ExemptSKIs = nonNil(c.ExemptSKIs)
		w.CRLValidationConfiguration = &c
	}
	if w.CertificateAuthorityScopes == nil {
		return nil
	}
	scopes := make([]CertificateAuthorityScope, len(w.CertificateAuthorityScopes))
	for i, s := range w.CertificateAuthorityScopes {
		field := fmt.Sprintf("%s.certificateAuthorityScopes[%d]", p, i)
		for j, t := range s.IncludeTargets {
			if t.ID == "" {
				return fmt.Errorf("%s.includeTargets[%d]: the target has no id (an unresolved group?)", field, j)
			}
			if err := enum(fmt.Sprintf("%s.includeTargets[%d].targetType", field, j), "targetType", t.TargetType, true); err != nil {
				return err
			}
		}
		// publicKeyInfrastructureIdentifier is never left out: which
		// container Graph assumes without it is undocumented.
		if s.PublicKeyInfrastructureIdentifier == "" {
			return fmt.Errorf("%s.publicKeyInfrastructureIdentifier: the CA scope on subject key identifier %s names no PKI container", field, s.SubjectKeyIdentifier)
		}
		s.IncludeTargets = nonNil(s.IncludeTargets)
		scopes[i] = s
	}
	w.CertificateAuthorityScopes = scopes
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
