package graph

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/directory"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Every write body is a fresh SDK model (never a GET result: the backing
// store of a deserialized model does not track later changes, so a PATCH
// of it would send almost nothing), filled mechanically from the wire shape
// that package wire builds from the domain model.

// CreatePKI creates an empty PKI container (POST, 201) and returns it.
func (c *Client) CreatePKI(ctx context.Context, displayName string) (model.PKI, error) {
	body := models.NewCertificateBasedAuthPki()
	if displayName != "" {
		body.SetDisplayName(&displayName)
	}
	ri, err := c.pkisBuilder().ToPostRequestInformation(ctx, body, nil)
	res, err := c.send(ctx, ri, err)
	if err != nil {
		return model.PKI{}, err
	}
	var p wire.PKI
	if len(res) > 0 {
		if _, err := wire.Decode(res, &p, "certificateBasedAuthPki"); err != nil {
			return model.PKI{}, fmt.Errorf("POST /directory/publicKeyInfrastructure/certificateBasedAuthConfigurations: decoding the response: %w", err)
		}
	}
	if p.ID == "" {
		return model.PKI{}, fmt.Errorf("POST /directory/publicKeyInfrastructure/certificateBasedAuthConfigurations: Graph returned no id for the new PKI %q", displayName)
	}
	st, _ := (&wire.Document{PKIs: []wire.PKI{p}}).Observe()
	return st.PKIs[0], nil
}

// UpdatePKI renames a PKI container (PATCH; Graph answers 200 with the
// object or 204).
func (c *Client) UpdatePKI(ctx context.Context, id, displayName string) error {
	if id == "" {
		return fmt.Errorf("UpdatePKI: empty PKI id")
	}
	body := models.NewCertificateBasedAuthPki()
	body.SetDisplayName(&displayName)
	ri, err := c.pkiBuilder(id).ToPatchRequestInformation(ctx, body, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

// DeletePKI deletes a PKI container and its CAs.
func (c *Client) DeletePKI(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("DeletePKI: empty PKI id")
	}
	ri, err := c.pkiBuilder(id).ToDeleteRequestInformation(ctx, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

// CreateCA adds a CA to a PKI container (POST, 201) and returns it with its
// id. The body carries the certificate and what Graph requires on create
// (thumbprint, expirationDateTime), computed by wire.CAFromModel.
func (c *Client) CreateCA(ctx context.Context, pkiID string, ca model.CA) (model.CA, error) {
	if pkiID == "" {
		return model.CA{}, fmt.Errorf("CreateCA: empty PKI id")
	}
	if len(ca.Certificate) == 0 {
		return model.CA{}, fmt.Errorf("CreateCA: CA %q has no certificate", ca.Name)
	}
	w := wire.CAFromModel(ca)
	body, err := caBody(w, false)
	if err != nil {
		return model.CA{}, err
	}
	ri, err := c.pkiBuilder(pkiID).CertificateAuthorities().ToPostRequestInformation(ctx, body, nil)
	res, err := c.send(ctx, ri, err)
	if err != nil {
		return model.CA{}, err
	}
	var created wire.CA
	if len(res) > 0 {
		if _, err := wire.Decode(res, &created, "certificateAuthorityDetail"); err != nil {
			return model.CA{}, fmt.Errorf("POST certificateAuthorities of PKI %s: decoding the response: %w", pkiID, err)
		}
	}
	if created.ID == "" {
		return model.CA{}, fmt.Errorf("POST certificateAuthorities of PKI %s: Graph returned no id for the new CA %s", pkiID, w.Thumbprint)
	}
	st, _ := (&wire.Document{PKIs: []wire.PKI{{ID: pkiID, CertificateAuthorities: []wire.CA{created}}}}).Observe()
	out := st.PKIs[0].CAs[0]
	out.Name = ca.Name
	if len(out.Certificate) == 0 {
		out.Certificate = ca.Certificate
	}
	return out, nil
}

// UpdateCA writes a CA's mutable attributes (PATCH): type, CRL URLs (an
// empty URL is sent as an explicit null, which clears it), issuer hint and
// display name.
func (c *Client) UpdateCA(ctx context.Context, pkiID string, ca model.CA) error {
	if pkiID == "" || ca.ID == "" {
		return fmt.Errorf("UpdateCA: empty PKI or CA id")
	}
	body, err := caBody(wire.CAUpdateFromModel(ca), true)
	if err != nil {
		return err
	}
	ri, err := c.pkiBuilder(pkiID).CertificateAuthorities().ByCertificateAuthorityDetailId(ca.ID).ToPatchRequestInformation(ctx, body, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

// DeleteCA deletes a CA.
func (c *Client) DeleteCA(ctx context.Context, pkiID, caID string) error {
	if pkiID == "" || caID == "" {
		return fmt.Errorf("DeleteCA: empty PKI or CA id")
	}
	ri, err := c.pkiBuilder(pkiID).CertificateAuthorities().ByCertificateAuthorityDetailId(caID).ToDeleteRequestInformation(ctx, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

var sha256Hex = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)

// StartUpload asks Graph to fetch a PKCS#7 bundle into a PKI container
// (POST .../upload, 204). The job runs asynchronously: poll PKI.
func (c *Client) StartUpload(ctx context.Context, pkiID string, u model.Upload) error {
	if pkiID == "" {
		return fmt.Errorf("StartUpload: empty PKI id")
	}
	if u.URL == "" {
		return fmt.Errorf("StartUpload: no upload URL")
	}
	if !sha256Hex.MatchString(u.SHA256) {
		return fmt.Errorf("StartUpload: %q is not a hex SHA-256", u.SHA256)
	}
	hash := strings.ToUpper(u.SHA256)
	uploadURL := u.URL
	body := directory.NewPublicKeyInfrastructureCertificateBasedAuthConfigurationsItemUploadPostRequestBody()
	body.SetUploadUrl(&uploadURL)
	body.SetSha256FileHash(&hash)
	ri, err := c.pkiBuilder(pkiID).Upload().ToPostRequestInformation(ctx, body, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

// UpdateX509 replaces the x509Certificate method configuration with one
// PATCH carrying @odata.type and every collection whole.
func (c *Client) UpdateX509(ctx context.Context, x model.X509Config) error {
	body, err := x509Body(wire.X509FromModel(x))
	if err != nil {
		return err
	}
	ri, err := c.x509Builder().ToPatchRequestInformation(ctx, body, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

// enumValue maps a Graph enum string to the SDK's enum with the SDK's own
// parser. The SDK parses an unknown string to nil; that is an error here,
// so that a body is never sent with a value silently missing.
func enumValue[E any](parse func(string) (any, error), field, v string) (*E, error) {
	r, err := parse(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	p, ok := r.(*E)
	if !ok || p == nil {
		return nil, fmt.Errorf("%s: %q is not a value this version of the Graph SDK can send", field, v)
	}
	return p, nil
}

// optEnum is enumValue for an optional property: "" leaves it out.
func optEnum[E any](parse func(string) (any, error), field, v string, set func(*E)) error {
	if v == "" {
		return nil
	}
	e, err := enumValue[E](parse, field, v)
	if err != nil {
		return err
	}
	set(e)
	return nil
}

func str(s string) *string { return &s }

// x509Body builds the PATCH body of the x509Certificate configuration from
// its wire shape. Collections are always set (empty, never nil), so that
// each is sent and replaces Graph's whole collection. The two properties SDK
// v1.89.0 does not have (issuerHintsConfiguration, certificateAuthorityScopes)
// go in AdditionalData as plain JSON values.
func x509Body(w wire.X509Config) (models.X509CertificateAuthenticationMethodConfigurationable, error) {
	const p = "x509Certificate"
	b := models.NewX509CertificateAuthenticationMethodConfiguration() // sets @odata.type
	if w.ID != "" {
		b.SetId(str(w.ID))
	}
	if err := optEnum(models.ParseAuthenticationMethodState, p+".state", w.State, b.SetState); err != nil {
		return nil, err
	}

	include := make([]models.AuthenticationMethodTargetable, 0, len(w.IncludeTargets))
	for i, t := range w.IncludeTargets {
		field := fmt.Sprintf("%s.includeTargets[%d]", p, i)
		if t.ID == "" {
			return nil, fmt.Errorf("%s: the target has no id (an unresolved group?)", field)
		}
		tt, err := enumValue[models.AuthenticationMethodTargetType](models.ParseAuthenticationMethodTargetType, field+".targetType", t.TargetType)
		if err != nil {
			return nil, err
		}
		m := models.NewAuthenticationMethodTarget()
		m.SetId(str(t.ID))
		m.SetTargetType(tt)
		reg := t.IsRegistrationRequired
		m.SetIsRegistrationRequired(&reg)
		include = append(include, m)
	}
	b.SetIncludeTargets(include)

	exclude := make([]models.ExcludeTargetable, 0, len(w.ExcludeTargets))
	for i, t := range w.ExcludeTargets {
		field := fmt.Sprintf("%s.excludeTargets[%d]", p, i)
		if t.ID == "" {
			return nil, fmt.Errorf("%s: the target has no id (an unresolved group?)", field)
		}
		tt, err := enumValue[models.AuthenticationMethodTargetType](models.ParseAuthenticationMethodTargetType, field+".targetType", t.TargetType)
		if err != nil {
			return nil, err
		}
		m := models.NewExcludeTarget()
		m.SetId(str(t.ID))
		m.SetTargetType(tt)
		exclude = append(exclude, m)
	}
	b.SetExcludeTargets(exclude)

	bindings := make([]models.X509CertificateUserBindingable, 0, len(w.CertificateUserBindings))
	for i, ub := range w.CertificateUserBindings {
		field := fmt.Sprintf("%s.certificateUserBindings[%d]", p, i)
		if ub.Priority < 0 || ub.Priority > math.MaxInt32 {
			return nil, fmt.Errorf("%s.priority: %d is out of range", field, ub.Priority)
		}
		m := models.NewX509CertificateUserBinding()
		m.SetX509CertificateField(str(ub.X509CertificateField))
		m.SetUserProperty(str(ub.UserProperty))
		prio := int32(ub.Priority)
		m.SetPriority(&prio)
		if err := optEnum(models.ParseX509CertificateAffinityLevel, field+".trustAffinityLevel", ub.TrustAffinityLevel, m.SetTrustAffinityLevel); err != nil {
			return nil, err
		}
		bindings = append(bindings, m)
	}
	b.SetCertificateUserBindings(bindings)

	if am := w.AuthenticationModeConfiguration; am != nil {
		mp := p + ".authenticationModeConfiguration"
		m := models.NewX509CertificateAuthenticationModeConfiguration()
		if err := optEnum(models.ParseX509CertificateAuthenticationMode, mp+".x509CertificateAuthenticationDefaultMode", am.DefaultMode, m.SetX509CertificateAuthenticationDefaultMode); err != nil {
			return nil, err
		}
		if err := optEnum(models.ParseX509CertificateAffinityLevel, mp+".x509CertificateDefaultRequiredAffinityLevel", am.DefaultAffinity, m.SetX509CertificateDefaultRequiredAffinityLevel); err != nil {
			return nil, err
		}
		rules := make([]models.X509CertificateRuleable, 0, len(am.Rules))
		for i, r := range am.Rules {
			rule, err := ruleModel(r, fmt.Sprintf("%s.rules[%d]", mp, i))
			if err != nil {
				return nil, err
			}
			rules = append(rules, rule)
		}
		m.SetRules(rules)
		b.SetAuthenticationModeConfiguration(m)
	}

	if cv := w.CRLValidationConfiguration; cv != nil {
		m := models.NewX509CertificateCRLValidationConfiguration()
		if err := optEnum(models.ParseX509CertificateCRLValidationConfigurationState, p+".crlValidationConfiguration.state", cv.State, m.SetState); err != nil {
			return nil, err
		}
		skis := append(make([]string, 0, len(cv.ExemptSKIs)), cv.ExemptSKIs...)
		m.SetExemptedCertificateAuthoritiesSubjectKeyIdentifiers(skis)
		b.SetCrlValidationConfiguration(m)
	}

	extra := map[string]any{}
	if h := w.IssuerHintsConfiguration; h != nil {
		extra["issuerHintsConfiguration"] = map[string]any{"state": h.State}
	}
	if w.CertificateAuthorityScopes == nil {
		// Not managed and not reported by the tenant: left out.
		b.SetAdditionalData(extra)
		return b, nil
	}
	scopes := make([]any, 0, len(w.CertificateAuthorityScopes))
	for i, s := range w.CertificateAuthorityScopes {
		field := fmt.Sprintf("%s.certificateAuthorityScopes[%d]", p, i)
		targets := make([]any, 0, len(s.IncludeTargets))
		for j, t := range s.IncludeTargets {
			if t.ID == "" {
				return nil, fmt.Errorf("%s.includeTargets[%d]: the target has no id (an unresolved group?)", field, j)
			}
			if !wire.Known("targetType", t.TargetType) {
				return nil, fmt.Errorf("%s.includeTargets[%d].targetType: %q is not a known target type", field, j, t.TargetType)
			}
			targets = append(targets, map[string]any{"id": t.ID, "targetType": t.TargetType})
		}
		// publicKeyInfrastructureIdentifier is never left out: which
		// container Graph assumes without it is undocumented.
		if s.PublicKeyInfrastructureIdentifier == "" {
			return nil, fmt.Errorf("%s.publicKeyInfrastructureIdentifier: the CA scope on subject key identifier %s names no PKI container", field, s.SubjectKeyIdentifier)
		}
		scope := map[string]any{
			"subjectKeyIdentifier":              s.SubjectKeyIdentifier,
			"publicKeyInfrastructureIdentifier": s.PublicKeyInfrastructureIdentifier,
			"includeTargets":                    targets,
		}
		scopes = append(scopes, scope)
	}
	extra["certificateAuthorityScopes"] = scopes
	b.SetAdditionalData(extra)
	return b, nil
}

func ruleModel(r wire.Rule, field string) (models.X509CertificateRuleable, error) {
	m := models.NewX509CertificateRule()
	rt, err := enumValue[models.X509CertificateRuleType](models.ParseX509CertificateRuleType, field+".x509CertificateRuleType", r.Type)
	if err != nil {
		return nil, err
	}
	m.SetX509CertificateRuleType(rt)
	m.SetIdentifier(str(r.Identifier))
	if r.IssuerSubjectIdentifier != "" {
		m.SetIssuerSubjectIdentifier(str(r.IssuerSubjectIdentifier))
	}
	if r.PolicyOIDIdentifier != "" {
		m.SetPolicyOidIdentifier(str(r.PolicyOIDIdentifier))
	}
	mode, err := enumValue[models.X509CertificateAuthenticationMode](models.ParseX509CertificateAuthenticationMode, field+".x509CertificateAuthenticationMode", r.Mode)
	if err != nil {
		return nil, err
	}
	m.SetX509CertificateAuthenticationMode(mode)
	if err := optEnum(models.ParseX509CertificateAffinityLevel, field+".x509CertificateRequiredAffinityLevel", r.Affinity, m.SetX509CertificateRequiredAffinityLevel); err != nil {
		return nil, err
	}
	return m, nil
}

// caBody builds a CA body from its wire shape. For an update (patch) the
// CRL URLs are always set: nil on a fresh model is serialized as an
// explicit JSON null, which clears the URL; on create they are left out
// when empty.
func caBody(w wire.CA, patch bool) (models.CertificateAuthorityDetailable, error) {
	const p = "certificateAuthorityDetail"
	m := models.NewCertificateAuthorityDetail()
	if len(w.Certificate) > 0 {
		m.SetCertificate(w.Certificate)
	}
	if err := optEnum(models.ParseCertificateAuthorityType, p+".certificateAuthorityType", w.CertificateAuthorityType, m.SetCertificateAuthorityType); err != nil {
		return nil, err
	}
	if patch || w.CRLURL != nil {
		m.SetCertificateRevocationListUrl(w.CRLURL)
	}
	if patch || w.DeltaCRLURL != nil {
		m.SetDeltaCertificateRevocationListUrl(w.DeltaCRLURL)
	}
	hint := w.IsIssuerHintEnabled
	m.SetIsIssuerHintEnabled(&hint)
	if patch || w.DisplayName != nil {
		m.SetDisplayName(w.DisplayName)
	}
	if w.Thumbprint != "" {
		m.SetThumbprint(str(w.Thumbprint))
	}
	if w.Issuer != "" {
		m.SetIssuer(str(w.Issuer))
	}
	if w.IssuerSubjectKeyIdentifier != "" {
		m.SetIssuerSubjectKeyIdentifier(str(w.IssuerSubjectKeyIdentifier))
	}
	if w.ExpirationDateTime != "" {
		t, err := time.Parse(time.RFC3339, w.ExpirationDateTime)
		if err != nil {
			return nil, fmt.Errorf("%s.expirationDateTime: %w", p, err)
		}
		m.SetExpirationDateTime(&t)
	}
	return m, nil
}
