package config

import (
	"crypto/sha1"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

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
	// pkiOf maps a CA certificate's SHA-1 digest (model.CA.ThumbprintSum)
	// to its PKI's display name.
	pkiOf map[[sha1.Size]byte]string
}

func (d *decoder) errorf(rng *hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng,
	})
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
	d.pkiOf = map[[sha1.Size]byte]string{}
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

	// Each pki block's syntax tree is let go once decoded: a trust store
	// of thousands of CAs weighs less as decoding goes on, and so does
	// every garbage collection on the way (load keeps only the files'
	// bytes). From here on, rest holds the other blocks, and nothing
	// holds blocks, which holds the pki blocks too.
	pkis, rest := blocks.OfType(blockPKI), others(blocks, blockPKI)
	blocks = nil
	seen := map[string]hcl.Range{}
	for i, b := range pkis {
		pkis[i] = nil
		st.ManagesTrustStore = true
		if !d.labelled(b, "pki", seen) {
			continue
		}
		st.PKIs = append(st.PKIs, d.decodePKI(b))
	}

	if b := d.singleton(rest, blockX509); b != nil {
		x := d.decodeX509(b)
		st.X509 = &x
	}

	st.Strengths = d.decodeStrengths(rest)
	st.CertUserIDs = d.decodeCertUserIDs(rest, st.X509)

	var tests []model.Test
	seenTests := map[string]hcl.Range{}
	for _, b := range rest.OfType(blockTest) {
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

// others returns the blocks that are not of type typ.
func others(blocks hcl.Blocks, typ string) hcl.Blocks {
	var out hcl.Blocks
	for _, b := range blocks {
		if b.Type != typ {
			out = append(out, b)
		}
	}
	return out
}
