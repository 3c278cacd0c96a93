package graphtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

const x509TypeName = "x509CertificateAuthenticationMethodConfiguration"

// preferUnknownEnums reports whether the request opted in to evolvable-enum
// members with "Prefer: include-unknown-enum-members".
func preferUnknownEnums(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "include-unknown-enum-members") {
				return true
			}
		}
	}
	return false
}

// GET .../authenticationMethodConfigurations/x509Certificate
func (c *call) getX509() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	var o wire.Object
	if err := json.Unmarshal(c.s.Store.X509(), &o); err != nil {
		return response{}, err
	}
	// Graph always names the entity's type and id.
	if _, ok := o["@odata.type"]; !ok {
		o["@odata.type"] = rawJSON(wire.X509ODataType)
	}
	if _, ok := o["id"]; !ok {
		o["id"] = rawJSON(wire.X509ID)
	}
	var h http.Header
	if preferUnknownEnums(c.r) {
		h = http.Header{"Preference-Applied": {"include-unknown-enum-members"}}
	} else {
		hideEvolvableMembers(o)
	}
	o["includeTargets@odata.context"] = rawJSON(c.base() + "/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('" + wire.X509ID + "')/microsoft.graph." + x509TypeName + "/includeTargets")
	b, err := wire.Marshal(o)
	if err != nil {
		return response{}, err
	}
	resp, err := entity(b, c.base()+"/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity", q)
	resp.header = h
	return resp, err
}

// hideEvolvableMembers does what Graph does for a client that did not opt in
// to evolvable-enum members: the rule type issuerSubjectAndPolicyOID is sent
// as unknownFutureValue.
func hideEvolvableMembers(o wire.Object) {
	var mode wire.Object
	if json.Unmarshal(o["authenticationModeConfiguration"], &mode) != nil || mode == nil {
		return
	}
	var rules []wire.Object
	if json.Unmarshal(mode["rules"], &rules) != nil {
		return
	}
	changed := false
	for _, r := range rules {
		var typ string
		if json.Unmarshal(r["x509CertificateRuleType"], &typ) == nil && typ == wire.RuleIssuerSubjectAndPolicyOID {
			r["x509CertificateRuleType"] = rawJSON(wire.UnknownFutureValue)
			changed = true
		}
	}
	if changed {
		mode["rules"] = rawJSON(rules)
		o["authenticationModeConfiguration"] = rawJSON(mode)
	}
}

// PATCH .../authenticationMethodConfigurations/x509Certificate: 204. The
// body must carry @odata.type, only properties wire.X509Config models, valid
// enum values and the required properties of nested objects.
func (c *call) patchX509() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	obj, err := c.object()
	if err != nil {
		return response{}, err
	}
	var typ string
	if t, ok := obj["@odata.type"]; !ok || json.Unmarshal(t, &typ) != nil || typ != wire.X509ODataType {
		return response{}, badRequest("The @odata.type property with a value of '%s' must be included in the request body.", wire.X509ODataType)
	}
	if err := c.decodeTyped(&wire.X509Config{}, x509TypeName); err != nil {
		return response{}, err
	}
	g, err := c.generic()
	if err != nil {
		return response{}, err
	}
	if err := validateX509(g); err != nil {
		return response{}, err
	}
	body := withoutAnnotations(obj, "@odata.type")
	delete(body, "id") // read-only: always X509Certificate
	c.s.Store.PatchX509(body)
	return noContent()
}

// DELETE .../authenticationMethodConfigurations/x509Certificate: back to
// Graph's default configuration.
func (c *call) deleteX509() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	c.s.Store.ResetX509()
	return noContent()
}

// validateX509 checks enum values and required properties of a PATCH body
// whose shape wire.Decode already accepted.
func validateX509(o map[string]any) error {
	if err := checkEnum(o, "", "state", "state"); err != nil {
		return err
	}
	if err := validateTargets(o, "", "includeTargets"); err != nil {
		return err
	}
	if err := validateTargets(o, "", "excludeTargets"); err != nil {
		return err
	}

	bindings, err := objectsAt(o, "", "certificateUserBindings")
	if err != nil {
		return err
	}
	priorities := map[string]int{}
	for i, b := range bindings {
		p := fmt.Sprintf("certificateUserBindings[%d]", i)
		if err := requireProps(b, p, "x509CertificateField", "userProperty", "priority"); err != nil {
			return err
		}
		if err := checkEnum(b, p, "trustAffinityLevel", "affinity"); err != nil {
			return err
		}
		prio := fmt.Sprint(b["priority"])
		if strings.HasPrefix(prio, "-") {
			return badRequest("The property '%s.priority' must not be negative.", p)
		}
		if j, dup := priorities[prio]; dup {
			return badRequest("The priority %s of certificateUserBindings[%d] is already used by certificateUserBindings[%d]; priorities must be unique.", prio, i, j)
		}
		priorities[prio] = i
	}

	mode, err := objectAt(o, "", "authenticationModeConfiguration")
	if err != nil {
		return err
	}
	if mode != nil {
		const mp = "authenticationModeConfiguration"
		if err := checkEnum(mode, mp, "x509CertificateAuthenticationDefaultMode", "mode"); err != nil {
			return err
		}
		if err := checkEnum(mode, mp, "x509CertificateDefaultRequiredAffinityLevel", "affinity"); err != nil {
			return err
		}
		rules, err := objectsAt(mode, mp, "rules")
		if err != nil {
			return err
		}
		for i, r := range rules {
			p := fmt.Sprintf("%s.rules[%d]", mp, i)
			if err := requireProps(r, p, "x509CertificateRuleType", "identifier", "x509CertificateAuthenticationMode"); err != nil {
				return err
			}
			for _, e := range [][2]string{
				{"x509CertificateRuleType", "ruleType"},
				{"x509CertificateAuthenticationMode", "mode"},
				{"x509CertificateRequiredAffinityLevel", "affinity"},
			} {
				if err := checkEnum(r, p, e[0], e[1]); err != nil {
					return err
				}
			}
		}
	}

	for _, key := range []string{"crlValidationConfiguration", "issuerHintsConfiguration"} {
		sub, err := objectAt(o, "", key)
		if err != nil {
			return err
		}
		if sub != nil {
			if err := checkEnum(sub, key, "state", "state"); err != nil {
				return err
			}
		}
	}

	scopes, err := objectsAt(o, "", "certificateAuthorityScopes")
	if err != nil {
		return err
	}
	for i, sc := range scopes {
		path := fmt.Sprintf("certificateAuthorityScopes[%d]", i)
		// Both identify the scoped CA; cbactl never omits either (the
		// docs' example carries both), and the fake holds it to that.
		if err := requireProps(sc, path, "subjectKeyIdentifier", "publicKeyInfrastructureIdentifier"); err != nil {
			return err
		}
		if err := validateTargets(sc, path, "includeTargets"); err != nil {
			return err
		}
	}
	return nil
}

// validateTargets checks a collection of targets: id and targetType are
// required, targetType is user or group.
func validateTargets(o map[string]any, path, key string) error {
	targets, err := objectsAt(o, path, key)
	if err != nil {
		return err
	}
	for i, t := range targets {
		p := fmt.Sprintf("%s[%d]", join(path, key), i)
		if err := requireProps(t, p, "id", "targetType"); err != nil {
			return err
		}
		if err := checkEnum(t, p, "targetType", "targetType"); err != nil {
			return err
		}
	}
	return nil
}
