package config

import (
	"crypto/x509"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

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
		if v, ok := ea.boolean("success"); ok {
			e.Success = &v
		}
	}
	if v, ok := a.str("user"); ok {
		t.User = v
	}
	return t
}
