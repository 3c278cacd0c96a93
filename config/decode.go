package config

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// decoder turns evaluated blocks into the desired state. It collects
// diagnostics rather than stopping at the first one.
type decoder struct {
	ctx     *hcl.EvalContext
	diags   hcl.Diagnostics
	sources SourceMap
	dir     string
	now     time.Time
	files   *fileReader
	// parsed holds certificates parsed ahead of decoding, by their text.
	parsed *prefetched
	// facts are what the checks ask about the certificates, shared.
	facts *certFacts

	// certs holds the parsed certificate of every declared CA, by address;
	// for upload PKIs, the bundle's certificates under the upload address.
	certs map[model.Address][]*x509.Certificate
	// caOrder holds the same certificates in declaration order.
	caOrder []*x509.Certificate
	// pkiOf maps a CA certificate's thumbprint to its PKI's display name.
	pkiOf map[string]string
}

func (d *decoder) errorf(rng *hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng,
	})
}

// attrs is the attributes of one decoded block, with the block's address so
// that every attribute read is recorded in the source map.
type attrs struct {
	d      *decoder
	src    *Source
	m      hcl.Attributes
	schema *hcl.BodySchema
	failed map[string]bool // attributes whose value was in error (already reported)
}

func (d *decoder) content(body hcl.Body, schema *hcl.BodySchema, addr model.Address, def hcl.Range) (*hcl.BodyContent, attrs) {
	content, diags := body.Content(schema)
	d.diags = append(d.diags, diags...)
	src := d.sources.add(addr, def)
	for name, a := range content.Attributes {
		src.Attrs[name] = a.Expr.Range()
	}
	return content, attrs{d: d, src: src, m: content.Attributes, schema: schema, failed: map[string]bool{}}
}

// required reports whether the schema requires attribute name.
func (a attrs) required(name string) bool {
	for _, as := range a.schema.Attributes {
		if as.Name == name {
			return as.Required
		}
	}
	return false
}

// value evaluates attribute name and converts it to ty. ok is false when the
// attribute is absent, null, or in error (the error is recorded).
func (a attrs) value(name string, ty cty.Type) (cty.Value, *hcl.Range, bool) {
	attr, ok := a.m[name]
	if !ok {
		return cty.NilVal, nil, false
	}
	rng := attr.Expr.Range().Ptr()
	v, diags := attr.Expr.Value(a.d.ctx)
	a.d.diags = append(a.d.diags, diags...)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		a.failed[name] = true
		return cty.NilVal, rng, false
	}
	if v.IsNull() {
		if a.required(name) {
			a.failed[name] = true
			a.d.errorf(rng, "Required attribute is null", "%q must have a value: it is required, and null would leave it unset.", name)
		}
		return cty.NilVal, rng, false
	}
	conv, err := convert.Convert(v, ty)
	if err != nil {
		a.failed[name] = true
		a.d.errorf(rng, "Incorrect attribute value type", "Inappropriate value for attribute %q: %s.", name, err)
		return cty.NilVal, rng, false
	}
	return conv, rng, true
}

func (a attrs) str(name string) (string, bool) {
	v, _, ok := a.value(name, cty.String)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (a attrs) boolean(name string) (bool, bool) {
	v, _, ok := a.value(name, cty.Bool)
	if !ok {
		return false, false
	}
	return v.True(), true
}

func (a attrs) integer(name string) (int, bool) {
	v, rng, ok := a.value(name, cty.Number)
	if !ok {
		return 0, false
	}
	var n int
	if err := gocty.FromCtyValue(v, &n); err != nil {
		a.d.errorf(rng, "Incorrect attribute value type", "Inappropriate value for attribute %q: a whole number is required.", name)
		return 0, false
	}
	return n, true
}

func (a attrs) strings(name string) ([]string, bool) {
	v, rng, ok := a.value(name, cty.List(cty.String))
	if !ok {
		return nil, false
	}
	var out []string
	for _, e := range v.AsValueSlice() {
		if e.IsNull() {
			a.d.errorf(rng, "Invalid list element", "The list %q must not contain null.", name)
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// enum reads a string attribute that must be one of allowed.
func enum[T ~string](a attrs, name string, allowed []T) (T, bool) {
	s, ok := a.str(name)
	if !ok {
		return "", false
	}
	if !model.Valid(T(s), allowed) {
		a.d.errorf(a.src.rangePtr(name), fmt.Sprintf("Invalid %s", name),
			"The value %q is not valid here: %s must be %s.", s, name, model.Quoted(allowed))
		return "", false
	}
	return T(s), true
}

func (s *Source) rangePtr(attr string) *hcl.Range {
	if r, ok := s.Attrs[attr]; ok {
		return &r
	}
	r := s.DefRange
	return &r
}

// singleton returns the only block of type typ, reporting duplicates.
func (d *decoder) singleton(blocks hcl.Blocks, typ string) *hcl.Block {
	var first *hcl.Block
	for _, b := range blocks.OfType(typ) {
		if first != nil {
			d.errorf(b.DefRange.Ptr(), fmt.Sprintf("Duplicate %s block", typ),
				"Only one %s block is allowed; another was declared at %s.", typ, Pos(first.DefRange))
			continue
		}
		first = b
	}
	return first
}

// labelled checks the label of a block and reports duplicates among blocks
// of the same kind.
func (d *decoder) labelled(b *hcl.Block, kind string, seen map[string]hcl.Range) bool {
	name := b.Labels[0]
	if prev, ok := seen[name]; ok {
		d.diags = append(d.diags, duplicate(kind, name, b.LabelRanges[0], prev))
		return false
	}
	seen[name] = b.LabelRanges[0]
	if !validLabel(name) {
		d.errorf(b.LabelRanges[0].Ptr(), "Invalid name",
			"The %s name %q must start with a letter or underscore and contain only letters, digits, underscores and dashes, because it is part of addresses such as pki.NAME.", kind, name)
		return false
	}
	return true
}

func validLabel(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

var (
	tenantSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "id"}, {Name: "cloud"}}}
	pkiSchema    = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "display_name"}},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: blockCA, LabelNames: []string{"name"}},
			{Type: blockUpload},
		},
	}
	caSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "certificate", Required: true}, {Name: "type"}, {Name: "crl_url"}, {Name: "delta_crl_url"},
		{Name: "issuer_hint"}, {Name: "thumbprint"}, {Name: "display_name"},
	}}
	uploadSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true}, {Name: "file", Required: true},
	}}
	x509Schema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "state", Required: true}, {Name: "issuer_hints"}},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: blockInclude}, {Type: blockExclude}, {Type: blockAuthMode}, {Type: blockBinding},
			{Type: blockCRL}, {Type: blockScope},
		},
	}
	includeSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "group"}, {Name: "group_id"}, {Name: "all_users"}, {Name: "registration_required"},
	}}
	excludeSchema  = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "group"}, {Name: "group_id"}}}
	authModeSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "default_mode"}, {Name: "default_affinity"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: blockRule, LabelNames: []string{"name"}}},
	}
	ruleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "issuer"}, {Name: "policy_oid"}, {Name: "mode", Required: true}, {Name: "affinity"},
	}}
	bindingSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "certificate_field", Required: true}, {Name: "user_attribute", Required: true}, {Name: "priority", Required: true},
	}}
	crlSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "required", Required: true}, {Name: "exempt_skis"},
	}}
	scopeSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "certificate_authority"}, {Name: "subject_key_identifier"}, {Name: "groups"}, {Name: "group_ids"},
	}}
	testSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "certificate", Required: true}, {Name: "crl"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: blockExpect}},
	}
	expectSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "trusted"}, {Name: "revoked"}, {Name: "mode"}, {Name: "affinity"}, {Name: "rule"}, {Name: "bindings"},
	}}
)

func (d *decoder) decodeRoot(blocks hcl.Blocks, tenantKnown func(model.Cloud, string)) (model.State, []model.Test) {
	d.certs = map[model.Address][]*x509.Certificate{}
	d.pkiOf = map[string]string{}
	var st model.State
	st.Cloud = model.CloudGlobal
	if b := d.singleton(blocks, blockTenant); b != nil {
		_, a := d.content(b.Body, tenantSchema, model.TenantAddress, b.DefRange)
		if id, ok := a.str("id"); ok {
			if !isGUID(id) {
				d.errorf(a.src.rangePtr("id"), "Invalid tenant id", "The tenant id %q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).", id)
			}
			st.TenantID = id
		}
		if c, ok := enum(a, "cloud", model.Clouds); ok {
			st.Cloud = c
		}
	}
	if tenantKnown != nil && !d.diags.HasErrors() {
		tenantKnown(st.Cloud, st.TenantID)
	}

	seen := map[string]hcl.Range{}
	for _, b := range blocks.OfType(blockPKI) {
		st.ManagesTrustStore = true
		if !d.labelled(b, "pki", seen) {
			continue
		}
		st.PKIs = append(st.PKIs, d.decodePKI(b))
	}

	if b := d.singleton(blocks, blockX509); b != nil {
		x := d.decodeX509(b)
		st.X509 = &x
	}

	st.Strengths = d.decodeStrengths(blocks)

	var tests []model.Test
	seenTests := map[string]hcl.Range{}
	for _, b := range blocks.OfType(blockTest) {
		name := b.Labels[0]
		if prev, ok := seenTests[name]; ok {
			d.diags = append(d.diags, duplicate("test", name, b.LabelRanges[0], prev))
			continue
		}
		seenTests[name] = b.LabelRanges[0]
		tests = append(tests, d.decodeTest(b))
	}
	return st, tests
}

func (d *decoder) decodePKI(b *hcl.Block) model.PKI {
	name := b.Labels[0]
	addr := model.PKIAddress(name)
	content, a := d.content(b.Body, pkiSchema, addr, b.DefRange)
	p := model.PKI{Name: name, DisplayName: name}
	nameRange := b.LabelRanges[0].Ptr()
	if s, ok := a.str("display_name"); ok {
		p.DisplayName = s
		nameRange = a.src.rangePtr("display_name")
	}
	if problem := displayNameProblem(p.DisplayName); problem != "" {
		d.errorf(nameRange, "Invalid display name", "The display name of %s %s.", addr, problem)
	}
	seen := map[string]hcl.Range{}
	for _, cb := range content.Blocks.OfType(blockCA) {
		if !d.labelled(cb, "certificate_authority", seen) {
			continue
		}
		if ca, ok := d.decodeCA(name, cb); ok {
			p.CAs = append(p.CAs, ca)
		}
	}
	if ub := d.singleton(content.Blocks, blockUpload); ub != nil {
		p.Upload, p.CAs = d.decodeUpload(name, ub, p.CAs)
	}
	for _, ca := range p.CAs {
		d.pkiOf[ca.Thumbprint()] = p.DisplayName
	}
	return p
}

func (d *decoder) decodeCA(pkiName string, b *hcl.Block) (model.CA, bool) {
	addr := model.CAAddress(pkiName, b.Labels[0])
	_, a := d.content(b.Body, caSchema, addr, b.DefRange)
	ca := model.CA{Name: b.Labels[0]}
	text, ok := a.str("certificate")
	if !ok {
		return ca, false
	}
	cert, ok := d.parsed.cert(text)
	var err error
	if !ok {
		cert, err = parseCertificateText(text)
	}
	if err != nil {
		d.errorf(a.src.rangePtr("certificate"), "Invalid certificate", "The certificate of %s cannot be used: %s.", addr, err)
		return ca, false
	}
	ca.Certificate = cert.Raw
	d.certs[addr] = []*x509.Certificate{cert}
	d.caOrder = append(d.caOrder, cert)

	ca.Type = model.CATypeIntermediate
	if d.facts.isSelfSigned(cert) {
		ca.Type = model.CATypeRoot
	}
	if t, ok := enum(a, "type", model.CATypes); ok {
		ca.Type = t
	}
	// An optional attribute left out is not managed: the tenant's value
	// is kept (a new CA is created without it: Graph's default). The type
	// is derived from the certificate when left out.
	var ok1, ok2, ok3, ok4 bool
	ca.CRLURL, ok1 = a.str("crl_url")
	ca.DeltaCRLURL, ok2 = a.str("delta_crl_url")
	ca.IssuerHint, ok3 = a.boolean("issuer_hint")
	ca.DisplayName, ok4 = a.str("display_name")
	if ok4 {
		if problem := displayNameProblem(ca.DisplayName); problem != "" {
			d.errorf(a.src.rangePtr("display_name"), "Invalid display name", "The display name of %s %s.", addr, problem)
		}
	}
	for _, u := range []struct {
		set  bool
		part model.CAPart
	}{{ok1, model.CAPartCRLURL}, {ok2, model.CAPartDeltaCRLURL}, {ok3, model.CAPartIssuerHint}, {ok4, model.CAPartDisplayName}} {
		if !u.set {
			ca.Unmanaged |= u.part
		}
	}
	if pin, ok := a.str("thumbprint"); ok {
		got := pki.SHA1Thumbprint(cert.Raw)
		if normalizeHex(pin) != got {
			d.errorf(a.src.rangePtr("thumbprint"), "Certificate thumbprint mismatch",
				"The certificate of %s has the SHA-1 thumbprint %s, but the pin says %s. The file holds a different certificate than the one pinned.", addr, got, pin)
		}
	}
	return ca, true
}

// parseCertificateText accepts PEM text or base64-encoded DER.
func parseCertificateText(text string) (*x509.Certificate, error) {
	data := []byte(text)
	if !strings.Contains(text, "-----BEGIN") {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			return nil, fmt.Errorf("it is neither PEM text nor base64-encoded DER (use file() for PEM, filebase64() for DER)")
		}
		data = der
	}
	return pki.ParseCertificate(data)
}

func (d *decoder) decodeUpload(pkiName string, b *hcl.Block, declared []model.CA) (*model.Upload, []model.CA) {
	addr := model.PKIAddress(pkiName).Nested(blockUpload)
	_, a := d.content(b.Body, uploadSchema, addr, b.DefRange)
	if len(declared) > 0 {
		d.errorf(b.DefRange.Ptr(), "Upload and certificate_authority blocks in one PKI",
			"pki.%s has both an upload block and certificate_authority blocks. A PKI is populated either by a PKCS#7 bundle upload or by individual certificate_authority blocks: pick one per PKI.", pkiName)
	}
	u := &model.Upload{}
	u.URL, _ = a.str("url")
	file, ok := a.str("file")
	if !ok {
		return u, declared
	}
	u.File = file
	data, err := d.files.read(file)
	if err != nil {
		d.errorf(a.src.rangePtr("file"), "Cannot read upload file", "%s.", err)
		return u, declared
	}
	sum := sha256.Sum256(data)
	u.SHA256 = strings.ToUpper(hex.EncodeToString(sum[:]))
	certs, err := pki.ParsePKCS7(data)
	if err != nil {
		d.errorf(a.src.rangePtr("file"), "Upload file is not a PKCS#7 bundle",
			"The upload file %s must be a PKCS#7 (.p7b) bundle of CA certificates, DER or PEM: %s.", file, err)
		return u, declared
	}
	d.certs[addr] = certs
	d.caOrder = append(d.caOrder, certs...)
	u.Bundle = data
	cas := make([]model.CA, 0, len(certs))
	for _, c := range certs {
		cas = append(cas, model.CAFromUpload(c))
	}
	return u, append(declared, cas...)
}

func (d *decoder) decodeX509(b *hcl.Block) model.X509Config {
	addr := model.X509Address
	content, a := d.content(b.Body, x509Schema, addr, b.DefRange)
	// What the block leaves out is not managed: the plan keeps the tenant's
	// value (plan.Effective), never a guessed default.
	x := model.X509Config{Unmanaged: model.X509AllParts}
	declared := func(p model.X509Part) { x.Unmanaged &^= p }
	if s, ok := enum(a, "state", model.MethodStates); ok {
		x.State = s
	}
	if v, ok := a.boolean("issuer_hints"); ok {
		x.IssuerHints = v
		declared(model.X509IssuerHints)
	}

	if inc := content.Blocks.OfType(blockInclude); len(inc) > 0 {
		declared(model.X509IncludeTargets)
		for i, ib := range inc {
			if t, ok := d.decodeTarget(ib, addr.Child(blockInclude, i), true); ok {
				x.IncludeTargets = append(x.IncludeTargets, t)
			}
		}
	}
	if exc := content.Blocks.OfType(blockExclude); len(exc) > 0 {
		declared(model.X509ExcludeTargets)
		for i, eb := range exc {
			if t, ok := d.decodeTarget(eb, addr.Child(blockExclude, i), false); ok {
				x.ExcludeTargets = append(x.ExcludeTargets, t.Target)
			}
		}
	}

	if mb := d.singleton(content.Blocks, blockAuthMode); mb != nil {
		// A declared authentication_mode block manages its rules as a
		// whole (no rule block: no rules); its two defaults only when set.
		declared(model.X509Rules)
		mc, ma := d.content(mb.Body, authModeSchema, addr.Nested(blockAuthMode), mb.DefRange)
		if m, ok := enum(ma, "default_mode", model.Modes); ok {
			x.DefaultMode = m
			declared(model.X509DefaultMode)
		}
		if af, ok := enum(ma, "default_affinity", model.Affinities); ok {
			x.DefaultAffinity = af
			declared(model.X509DefaultAffinity)
		}
		seen := map[string]hcl.Range{}
		for _, rb := range mc.Blocks.OfType(blockRule) {
			if !d.labelled(rb, "rule", seen) {
				continue
			}
			x.Rules = append(x.Rules, d.decodeRule(rb))
		}
	}

	if bindings := content.Blocks.OfType(blockBinding); len(bindings) > 0 {
		declared(model.X509UsernameBindings)
		for i, bb := range bindings {
			_, ba := d.content(bb.Body, bindingSchema, addr.Child(blockBinding, i), bb.DefRange)
			var ub model.UsernameBinding
			f, ok1 := enum(ba, "certificate_field", model.CertificateFields)
			u, ok2 := enum(ba, "user_attribute", model.UserAttributes)
			p, ok3 := ba.integer("priority")
			if ok1 && ok2 && ok3 {
				ub = model.UsernameBinding{Field: f, Attribute: u, Priority: p}
				x.UsernameBindings = append(x.UsernameBindings, ub)
			}
		}
	}

	if cb := d.singleton(content.Blocks, blockCRL); cb != nil {
		_, ca := d.content(cb.Body, crlSchema, addr.Nested(blockCRL), cb.DefRange)
		x.CRLValidation.Required, _ = ca.boolean("required")
		declared(model.X509CRLRequired)
		if skis, ok := ca.strings("exempt_skis"); ok {
			declared(model.X509CRLExemptSKIs)
			for _, s := range skis {
				if n := normalizeHex(s); n == "" || !isHex(n) {
					d.errorf(ca.src.rangePtr("exempt_skis"), "Invalid subject key identifier",
						"%q in exempt_skis is not a hexadecimal subject key identifier.", s)
					continue
				}
				// Plain upper-case hex, as Graph documents SKIs: a pasted
				// "a4:ad:…" would otherwise reach Graph as written.
				x.CRLValidation.ExemptSKIs = append(x.CRLValidation.ExemptSKIs, normalizeHex(s))
			}
		}
	}

	for i, sb := range content.Blocks.OfType(blockScope) {
		declared(model.X509CAScopes)
		if s, ok := d.decodeScope(sb, addr.Child(blockScope, i)); ok {
			x.CAScopes = append(x.CAScopes, s)
		}
	}
	return x
}

func (d *decoder) decodeTarget(b *hcl.Block, addr model.Address, include bool) (model.IncludeTarget, bool) {
	schema := excludeSchema
	if include {
		schema = includeSchema
	}
	_, a := d.content(b.Body, schema, addr, b.DefRange)
	var t model.IncludeTarget
	t.Type = model.TargetGroup
	// An attribute whose value was in error counts as set: its error is
	// already reported.
	set := 0
	if g, ok := a.str("group"); ok || a.failed["group"] {
		t.GroupName = g
		set++
	}
	if id, ok := a.str("group_id"); ok {
		if !isGUID(id) {
			d.errorf(a.src.rangePtr("group_id"), "Invalid group id", "The group id %q is not a GUID. To name a group by its display name, use group = %q.", id, id)
		}
		t.ID = id
		set++
	} else if a.failed["group_id"] {
		set++
	}
	if all, ok := a.boolean("all_users"); (ok && all) || a.failed["all_users"] {
		t.ID = model.AllUsersTargetID
		set++
	}
	var regSet bool
	t.RegistrationRequired, regSet = a.boolean("registration_required")
	t.RegistrationUnmanaged = include && !regSet
	if set != 1 {
		what := "group, group_id or all_users = true"
		if !include {
			what = "group or group_id"
		}
		d.errorf(b.DefRange.Ptr(), "Invalid target", "A %s block names exactly one target: set exactly one of %s.", b.Type, what)
		return t, false
	}
	return t, true
}

func (d *decoder) decodeRule(b *hcl.Block) model.Rule {
	addr := model.RuleAddress(b.Labels[0])
	_, a := d.content(b.Body, ruleSchema, addr, b.DefRange)
	r := model.Rule{Name: b.Labels[0]}
	r.Issuer, _ = a.str("issuer")
	r.PolicyOID, _ = a.str("policy_oid")
	r.Mode, _ = enum(a, "mode", model.Modes)
	r.Affinity, _ = enum(a, "affinity", model.Affinities)
	return r
}

func (d *decoder) decodeScope(b *hcl.Block, addr model.Address) (model.CAScope, bool) {
	_, a := d.content(b.Body, scopeSchema, addr, b.DefRange)
	var s model.CAScope
	caAddr, byAddr := a.str("certificate_authority")
	ski, bySKI := a.str("subject_key_identifier")
	switch {
	case byAddr == bySKI:
		d.errorf(b.DefRange.Ptr(), "Invalid certificate_authority_scope",
			"A certificate_authority_scope names its CA with exactly one of certificate_authority (a declared CA's address) or subject_key_identifier.")
		return s, false
	case byAddr:
		certs, ok := d.certs[model.Address(caAddr)]
		if !ok {
			d.errorf(a.src.rangePtr("certificate_authority"), "Unknown certificate authority",
				"%q is not the address of a declared certificate authority (pki.NAME.certificate_authority.NAME).", caAddr)
			return s, false
		}
		s.SKI = pki.SubjectKeyID(certs[0])
		s.PKI = d.pkiOf[pki.SHA1Thumbprint(certs[0].Raw)]
		if s.SKI == "" {
			d.errorf(a.src.rangePtr("certificate_authority"), "Certificate authority has no subject key identifier",
				"CA scopes identify a CA by its subject key identifier, and the certificate of %s has none.", caAddr)
			return s, false
		}
	default:
		if n := normalizeHex(ski); n == "" || !isHex(n) {
			d.errorf(a.src.rangePtr("subject_key_identifier"), "Invalid subject key identifier", "%q is not hexadecimal.", ski)
			return s, false
		}
		s.SKI = normalizeHex(ski)
		// The PKI of a CA named by SKI is found among the declared CAs,
		// in declaration order, if it is one of them; CAs sharing a key
		// in different containers make the SKI ambiguous.
		var found []string
		for _, c := range d.caOrder {
			if pki.SubjectKeyID(c) != s.SKI {
				continue
			}
			if p := d.pkiOf[pki.SHA1Thumbprint(c.Raw)]; !slices.Contains(found, p) {
				found = append(found, p)
			}
		}
		if len(found) > 1 {
			d.errorf(a.src.rangePtr("subject_key_identifier"), "Ambiguous subject key identifier",
				"CAs in the PKI containers %q share the subject key identifier %s, so the scope's container is ambiguous: name the CA with certificate_authority = \"pki.NAME.certificate_authority.NAME\".", found, s.SKI)
			return s, false
		}
		if len(found) == 1 {
			s.PKI = found[0]
		}
	}
	names, _ := a.strings("groups")
	ids, _ := a.strings("group_ids")
	for _, n := range names {
		s.Groups = append(s.Groups, model.Target{Type: model.TargetGroup, GroupName: n})
	}
	for _, id := range ids {
		if !isGUID(id) {
			d.errorf(a.src.rangePtr("group_ids"), "Invalid group id", "The group id %q is not a GUID.", id)
			continue
		}
		s.Groups = append(s.Groups, model.Target{Type: model.TargetGroup, ID: id})
	}
	if len(s.Groups) == 0 {
		d.errorf(b.DefRange.Ptr(), "CA scope without a group", "A certificate_authority_scope needs a group: set groups (display names) or group_ids.")
		return s, false
	}
	return s, true
}

func (d *decoder) decodeTest(b *hcl.Block) model.Test {
	name := b.Labels[0]
	addr := model.TestAddress(name)
	content, a := d.content(b.Body, testSchema, addr, b.DefRange)
	t := model.Test{Name: name}
	files := d.files
	if path, ok := a.str("certificate"); ok {
		t.CertificatePath = path
		data, err := files.read(path)
		if err == nil {
			var c *x509.Certificate
			if c, err = pki.ParseCertificate(data); err == nil {
				t.Certificate = c.Raw
			}
		}
		if err != nil {
			d.errorf(a.src.rangePtr("certificate"), "Invalid test certificate", "%s.", err)
		}
	}
	if paths, ok := a.strings("crl"); ok {
		for _, p := range paths {
			t.CRLPaths = append(t.CRLPaths, p)
			data, err := files.read(p)
			if err == nil {
				var der []byte
				if der, err = parseCRL(data); err == nil {
					t.CRLs = append(t.CRLs, der)
				}
			}
			if err != nil {
				d.errorf(a.src.rangePtr("crl"), "Invalid test CRL", "%s.", err)
			}
		}
	}
	if eb := d.singleton(content.Blocks, blockExpect); eb != nil {
		_, ea := d.content(eb.Body, expectSchema, addr.Nested(blockExpect), eb.DefRange)
		e := &t.Expect
		if v, ok := ea.boolean("trusted"); ok {
			e.Trusted = &v
		}
		if v, ok := ea.boolean("revoked"); ok {
			e.Revoked = &v
		}
		if v, ok := enum(ea, "mode", model.Modes); ok {
			e.Mode = &v
		}
		if v, ok := enum(ea, "affinity", model.Affinities); ok {
			e.Affinity = &v
		}
		if v, ok := ea.str("rule"); ok {
			e.Rule = &v
		}
		if v, ok := ea.strings("bindings"); ok {
			fields := make([]model.CertificateField, 0, len(v))
			for _, f := range v {
				if !model.Valid(model.CertificateField(f), model.CertificateFields) {
					d.errorf(ea.src.rangePtr("bindings"), "Invalid bindings",
						"%q is not a certificate field: bindings lists fields among %s.", f, model.Quoted(model.CertificateFields))
					continue
				}
				fields = append(fields, model.CertificateField(f))
			}
			e.Bindings = &fields
		}
		if v, ok := ea.strings("satisfies"); ok {
			names := append([]string{}, v...)
			e.Satisfies = &names
		}
	}
	return t
}

// normalizeHex upper-cases a hex string and drops colons and spaces, so a
// thumbprint can be pasted from OpenSSL or Windows.
func normalizeHex(s string) string {
	s = hexSeparators.Replace(strings.TrimSpace(s))
	return strings.ToUpper(s)
}

var hexSeparators = strings.NewReplacer(":", "", " ", "")

func isHex(s string) bool {
	_, ok := new(big.Int).SetString(s, 16)
	return ok && !strings.ContainsAny(s, "+-_")
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// parseCRL accepts a DER or PEM ("X509 CRL") certificate revocation list and
// returns its DER.
func parseCRL(data []byte) ([]byte, error) {
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "X509 CRL" {
			return nil, fmt.Errorf("the PEM block is %q, not \"X509 CRL\"", b.Type)
		}
		data = b.Bytes
	}
	if _, err := x509.ParseRevocationList(data); err != nil {
		return nil, fmt.Errorf("not a certificate revocation list: %w", err)
	}
	return data, nil
}
