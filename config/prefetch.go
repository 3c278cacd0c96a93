package config

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// prefetch reads and parses, on every core, the certificate files that
// certificate_authority blocks name with a literal path
// (certificate = file("certs/ca.pem") or filebase64("certs/ca.cer")), so that
// a trust store of thousands of CAs loads in parallel, and works out the
// facts the checks ask about each certificate. It returns at once: the work
// goes on beside the rest of loading (and the tenant read that the tenant
// block starts). Decoding then finds the files in files and the parsed
// certificates, by their text, in the result; anything prefetch does not
// recognise is read and parsed as usual.
func prefetch(blocks hcl.Blocks, files *fileReader, facts *certFacts) *prefetched {
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

	p := &prefetched{
		results: make([]prefetchResult, len(jobs)),
		done:    make(chan struct{}),
	}
	for i := range p.results {
		p.results[i].done = make(chan struct{})
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(jobs); i = int(next.Add(1)) - 1 {
				j, r := jobs[i], &p.results[i]
				if p.stopped.Load() {
					close(r.done)
					continue
				}
				data, err := files.read(j.path)
				if err == nil {
					if j.base64 {
						r.text = base64.StdEncoding.EncodeToString(data)
					} else {
						r.text, _ = files.readText(j.path) // the string file() gives
					}
					if r.cert, err = files.scanned(data).ParseCertificate(); err == nil {
						facts.isSelfSigned(r.cert)
					}
				}
				close(r.done) // errors are decoding's to report
			}
		}()
	}
	go func() {
		wg.Wait()
		close(p.done)
	}()
	return p
}

// prefetched is what prefetch parses: certificates by their text.
type prefetched struct {
	// results are by job, in declaration order, each ready when its done
	// is closed; next is the first result decoding has not looked at.
	results []prefetchResult
	next    int
	done    chan struct{}                // closed when every result is ready
	parsed  map[string]*x509.Certificate // by text, made when first needed
	stopped atomic.Bool                  // see stop
}

// stop makes prefetch read no more files, and returns once it reads none:
// loading calls it when done, so that nothing is read once it has
// returned (decoding may not have asked for every certificate, when it
// found errors).
func (p *prefetched) stop() {
	p.stopped.Store(true)
	<-p.done
}

type prefetchResult struct {
	done chan struct{}
	text string            // "" when the file could not be read
	cert *x509.Certificate // nil when text holds no certificate
}

// cert returns the certificate prefetch parsed from text. Decoding asks for
// the certificates in declaration order, the order prefetch works in, so it
// waits only for the next one, not for prefetch to finish; a text out of
// that order (a certificate not given by a literal path) waits for all.
// cert is called from one goroutine.
func (p *prefetched) cert(text string) (*x509.Certificate, bool) {
	for p.next < len(p.results) {
		r := &p.results[p.next]
		<-r.done
		p.next++
		if r.text == text && r.cert != nil {
			return r.cert, true
		}
	}
	<-p.done
	if p.parsed == nil {
		p.parsed = make(map[string]*x509.Certificate, len(p.results))
		for _, r := range p.results {
			if _, dup := p.parsed[r.text]; r.cert != nil && !dup {
				p.parsed[r.text] = r.cert
			}
		}
	}
	c, ok := p.parsed[text]
	return c, ok
}

// scan scans data, a file's contents as read, for private keys and
// certificates, and keeps the result of a file the size of a certificate
// for scanned: reading a certificate file and parsing it then scans it
// once. Scans are kept by the first byte of data, which identifies the
// contents of one read.
func (r *fileReader) scan(data []byte) *pki.Scanned {
	s := pki.Scan(data)
	if len(data) > 0 && len(data) <= maxKeptScan {
		r.mu.Lock()
		if r.scans == nil {
			r.scans = map[*byte]*pki.Scanned{}
		}
		r.scans[&data[0]] = s
		r.mu.Unlock()
	}
	return s
}

// maxKeptScan bounds the files whose scan is kept: CA certificates are at
// most 8 KB of DER (Entra's limit), 11 KB of PEM.
const maxKeptScan = 64 << 10

// scanned returns, once, what scan found in data (read by r), or scans it.
func (r *fileReader) scanned(data []byte) *pki.Scanned {
	if len(data) > 0 {
		r.mu.Lock()
		s, ok := r.scans[&data[0]]
		delete(r.scans, &data[0])
		r.mu.Unlock()
		if ok {
			return s
		}
	}
	return pki.Scan(data)
}

// tenantKnownEarly calls tenantKnown (when set) at once with the defaults, and
// returns nil, when no source can declare a tenant block: the block's type
// name is an identifier, spelled out in the source. The tenant read then
// runs beside all of loading, parsing included; otherwise it returns
// tenantKnown, for load to call as soon as the tenant block is known.
func tenantKnownEarly(sources []source, tenantKnown func(model.Cloud, string)) func(model.Cloud, string) {
	if tenantKnown == nil {
		return nil
	}
	for _, s := range sources {
		if bytes.Contains(s.src, []byte(blockTenant)) {
			return tenantKnown
		}
	}
	tenantKnown(model.CloudGlobal, "")
	return nil
}

// literalString is the value of a quoted string with no interpolation.
func literalString(e hclsyntax.Expression) (string, bool) {
	v, ok := literalValue(e)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

// literalValue is the value of a quoted string with no interpolation: what
// evaluating it gives (a template of one literal part is that part's
// string, known and not null).
func literalValue(e hclsyntax.Expression) (cty.Value, bool) {
	t, ok := e.(*hclsyntax.TemplateExpr)
	if !ok || len(t.Parts) != 1 {
		return cty.NilVal, false
	}
	lit, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr)
	if !ok || !lit.Val.Type().Equals(cty.String) || !lit.Val.IsKnown() || lit.Val.IsNull() || lit.Val.IsMarked() {
		return cty.NilVal, false
	}
	return lit.Val, true
}
