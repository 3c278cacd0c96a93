package config

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

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
	caBlocks := content.Blocks.OfType(blockCA)
	seen := make(map[string]hcl.Range, len(caBlocks))
	if len(caBlocks) > 0 {
		p.CAs = make([]model.CA, 0, len(caBlocks))
	}
	for _, cb := range caBlocks {
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
		d.pkiOf[ca.ThumbprintSum()] = p.DisplayName
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
