package wire

import (
	"crypto/x509"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Check lists, as "JSON location: problem", the values of a document that
// cbactl does not know: enumeration values outside those Graph documents
// and certificates that do not parse. Reading Graph, such values are kept
// and reported as warnings (Graph may add members); a snapshot is a file
// cbactl or a person wrote, so there they are errors, never passed over.
// Empty values are not reported: Graph leaves optional ones out.
func (d *Document) Check() []string {
	var out []string
	bad := func(path, v string, allowed []string) {
		out = append(out, fmt.Sprintf("%s: %q is not a value cbactl knows (%s)", path, v, strings.Join(allowed, ", ")))
	}
	enumAt := func(e map[string]string, path, v string) {
		if v == "" {
			return
		}
		if _, ok := e[v]; !ok {
			keys := make([]string, 0, len(e))
			for k := range e {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			bad(path, v, keys)
		}
	}
	caseless := func(allowed []string, path, v string) {
		if !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, v) }) {
			bad(path, v, allowed)
		}
	}
	cert := func(path string, der []byte) {
		if len(der) == 0 {
			out = append(out, path+": the certificate is missing")
			return
		}
		if _, err := x509.ParseCertificate(der); err != nil {
			out = append(out, fmt.Sprintf("%s: not a DER X.509 certificate (base64): %v", path, err))
		}
	}
	st, md, af, ct, tt, rt := names(states), names(modes), names(affinities), names(caTypes), names(targets), names(ruleTypes)

	if x := d.X509; x != nil {
		const p = "x509Certificate"
		enumAt(st, p+".state", x.State)
		for i, t := range x.IncludeTargets {
			enumAt(tt, fmt.Sprintf("%s.includeTargets[%d].targetType", p, i), t.TargetType)
		}
		for i, t := range x.ExcludeTargets {
			enumAt(tt, fmt.Sprintf("%s.excludeTargets[%d].targetType", p, i), t.TargetType)
		}
		if m := x.AuthenticationModeConfiguration; m != nil {
			mp := p + ".authenticationModeConfiguration"
			enumAt(md, mp+".x509CertificateAuthenticationDefaultMode", m.DefaultMode)
			enumAt(af, mp+".x509CertificateDefaultRequiredAffinityLevel", m.DefaultAffinity)
			for i, r := range m.Rules {
				rp := fmt.Sprintf("%s.rules[%d]", mp, i)
				enumAt(rt, rp+".x509CertificateRuleType", r.Type)
				enumAt(md, rp+".x509CertificateAuthenticationMode", r.Mode)
				enumAt(af, rp+".x509CertificateRequiredAffinityLevel", r.Affinity)
			}
		}
		fields := make([]string, 0, len(model.CertificateFields))
		for _, f := range model.CertificateFields {
			fields = append(fields, string(f))
		}
		attrs := make([]string, 0, len(model.UserAttributes))
		for _, a := range model.UserAttributes {
			attrs = append(attrs, string(a))
		}
		for i, b := range x.CertificateUserBindings {
			bp := fmt.Sprintf("%s.certificateUserBindings[%d]", p, i)
			caseless(fields, bp+".x509CertificateField", b.X509CertificateField)
			caseless(attrs, bp+".userProperty", b.UserProperty)
			enumAt(af, bp+".trustAffinityLevel", b.TrustAffinityLevel)
		}
		if v := x.CRLValidationConfiguration; v != nil {
			enumAt(st, p+".crlValidationConfiguration.state", v.State)
		}
		if h := x.IssuerHintsConfiguration; h != nil {
			enumAt(st, p+".issuerHintsConfiguration.state", h.State)
		}
		for i, s := range x.CertificateAuthorityScopes {
			for j, t := range s.IncludeTargets {
				enumAt(tt, fmt.Sprintf("%s.certificateAuthorityScopes[%d].includeTargets[%d].targetType", p, i, j), t.TargetType)
			}
		}
	}
	for i, pk := range d.PKIs {
		for j, ca := range pk.CertificateAuthorities {
			// The location is formatted only for a CA with a problem
			// (its certificate then parsed again, for the error).
			if _, known := ct[ca.CertificateAuthorityType]; known || ca.CertificateAuthorityType == "" {
				if len(ca.Certificate) > 0 {
					if _, err := x509.ParseCertificate(ca.Certificate); err == nil {
						continue
					}
				}
			}
			path := fmt.Sprintf("certificateBasedAuthConfigurations[%d].certificateAuthorities[%d]", i, j)
			enumAt(ct, path+".certificateAuthorityType", ca.CertificateAuthorityType)
			cert(path+".certificate", ca.Certificate)
		}
	}
	for i, l := range d.Legacy {
		for j, ca := range l.CertificateAuthorities {
			cert(fmt.Sprintf("legacyCertificateBasedAuthConfiguration[%d].certificateAuthorities[%d].certificate", i, j), ca.Certificate)
		}
	}
	return out
}

// names is an enumeration's Graph spellings as a set.
func names[M ~string](e enum[M]) map[string]string {
	out := make(map[string]string, len(e))
	for k := range e {
		out[k] = k
	}
	return out
}
