package config

import (
	"crypto/x509"
	"encoding/base64"
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/pki"
)

// prefetch reads and parses, on every core, the certificate files that
// certificate_authority blocks name with a literal path
// (certificate = file("certs/ca.pem") or filebase64("certs/ca.cer")), so that
// a trust store of thousands of CAs loads in parallel. Decoding then finds
// the files in files and the parsed certificates, by their text, in the
// result; anything prefetch does not recognise is read and parsed as usual.
func prefetch(blocks hcl.Blocks, files *fileReader) map[string]*x509.Certificate {
	type job struct {
		path   string
		base64 bool
	}
	var jobs []job
	for _, b := range blocks.OfType(blockPKI) {
		body, ok := b.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, ca := range body.Blocks {
			if ca.Type != blockCA {
				continue
			}
			attr, ok := ca.Body.Attributes["certificate"]
			if !ok {
				continue
			}
			call, ok := attr.Expr.(*hclsyntax.FunctionCallExpr)
			if !ok || len(call.Args) != 1 || (call.Name != "file" && call.Name != "filebase64") {
				continue
			}
			if path, ok := literalString(call.Args[0]); ok {
				jobs = append(jobs, job{path: path, base64: call.Name == "filebase64"})
			}
		}
	}

	parsed := make(map[string]*x509.Certificate, len(jobs))
	var mu sync.Mutex
	work := make(chan job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				data, err := files.read(j.path)
				if err != nil {
					continue // decoding reports it
				}
				c, err := pki.ParseCertificate(data)
				if err != nil {
					continue
				}
				text := string(data)
				if j.base64 {
					text = base64.StdEncoding.EncodeToString(data)
				}
				mu.Lock()
				parsed[text] = c
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	return parsed
}

// literalString is the value of a quoted string with no interpolation.
func literalString(e hclsyntax.Expression) (string, bool) {
	t, ok := e.(*hclsyntax.TemplateExpr)
	if !ok || len(t.Parts) != 1 {
		return "", false
	}
	lit, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr)
	if !ok || !lit.Val.Type().Equals(cty.String) {
		return "", false
	}
	return lit.Val.AsString(), true
}
