package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

func TestAnalyzeChains(t *testing.T) {
	root := pkitest.NewRoot(pkitest.WithCN("Root"))
	issuing := root.NewIntermediate(pkitest.WithCN("Issuing"), pkitest.WithCRLDistributionPoints("http://crl.example.com/root.crl"))
	sub := issuing.NewIntermediate(pkitest.WithCN("Sub"))
	noAKI := root.NewIntermediate(pkitest.WithCN("No AKI"), pkitest.WithoutAKI())
	strangerRoot := pkitest.NewRoot(pkitest.WithCN("Stranger Root"))
	strangerNoAKI := strangerRoot.NewIntermediate(pkitest.WithCN("Stranger No AKI"), pkitest.WithoutAKI())
	noSKIRoot := pkitest.NewRoot(pkitest.WithCN("No SKI Root"), pkitest.WithoutSKI())
	underNoSKI := noSKIRoot.NewIntermediate(pkitest.WithCN("Under No SKI"))
	leaf := issuing.NewLeaf()
	cdpRoot := pkitest.NewRoot(pkitest.WithCN("CDP Root"), pkitest.WithCRLDistributionPoints("http://crl.example.com/cdp-root.crl"))

	// ref declares c as CA name in PKI p; an empty name means "from p's
	// upload bundle".
	ref := func(p, name string, c *pkitest.CA, typ model.CAType, crl string) caRef {
		if typ == "" {
			typ = model.CATypeIntermediate
			if pki.IsSelfSigned(c.Cert) {
				typ = model.CATypeRoot
			}
		}
		r := caRef{addr: model.CAAddress(p, name), attr: "certificate", cert: c.Cert, selfSigned: pki.IsSelfSigned(c.Cert),
			ca: &model.CA{Name: name, Certificate: c.DER, Type: typ, CRLURL: crl}}
		if name == "" {
			r.addr, r.attr = model.PKIAddress(p).Nested(blockUpload), "file"
		}
		return r
	}
	leafRef := caRef{addr: model.CAAddress("p", "leaf"), attr: "certificate", cert: leaf.Cert, ca: &model.CA{Name: "leaf", Certificate: leaf.DER}}

	cases := map[string]struct {
		refs   []caRef
		want   []string
		detail map[string]string // address → text its detail must contain
	}{
		"complete chain over two PKIs": {
			refs: []caRef{ref("a", "root", root, "", ""), ref("b", "issuing", issuing, "", "http://crl.example.com/issuing.crl"), ref("b", "sub", sub, "", "")},
		},
		"missing root": {
			refs:   []caRef{ref("p", "issuing", issuing, "", "")},
			want:   []string{"pki.p.certificate_authority.issuing: Issuing CA not in the trust store"},
			detail: map[string]string{"pki.p.certificate_authority.issuing": `is issued by "CN=Root" (authority key identifier ` + pki.SubjectKeyID(root.Cert) + ")"},
		},
		"missing root above an intermediate": {
			refs: []caRef{ref("p", "sub", sub, "", ""), ref("p", "issuing", issuing, "", "")},
			want: []string{
				"pki.p.certificate_authority.issuing: Issuing CA not in the trust store",
				"pki.p.certificate_authority.sub: Issuing CA not in the trust store",
			},
			detail: map[string]string{"pki.p.certificate_authority.sub": `ends at "CN=Issuing", which is issued by "CN=Root"`},
		},
		"missing intermediate": {
			refs: []caRef{ref("p", "root", root, "", ""), ref("p", "sub", sub, "", "")},
			want: []string{"pki.p.certificate_authority.sub: Issuing CA not in the trust store"},
		},
		"upload bundle without its root": {
			refs: []caRef{ref("u", "", issuing, "", "http://crl.example.com/root.crl"), ref("u", "", sub, "", "")},
			want: []string{
				"pki.u.upload: CRL URL is probably the parent CA's CRL",
				"pki.u.upload: Issuing CA not in the trust store",
				"pki.u.upload: Issuing CA not in the trust store",
			},
		},
		"a self-signed certificate declared as intermediate ends the chain": {
			refs:   []caRef{ref("p", "root", root, model.CATypeIntermediate, ""), ref("p", "issuing", issuing, "", "")},
			want:   []string{"pki.p.certificate_authority.root: Intermediate CA with authority key identifier equal to its subject key identifier"},
			detail: map[string]string{"pki.p.certificate_authority.root": `declare it with type = "root"`},
		},
		"an intermediate declared as root ends the chain": {
			refs: []caRef{ref("p", "fake_root", issuing, model.CATypeRoot, ""), ref("p", "sub", sub, "", "")},
		},
		"certificates that are not CAs are left out": {
			refs: []caRef{leafRef},
		},
		"no AKI: the issuer is found by name": {
			refs: []caRef{ref("p", "root", root, "", ""), ref("p", "no_aki", noAKI, "", "")},
			want: []string{"pki.p.certificate_authority.no_aki: CA without authority key identifier"},
		},
		"no AKI and no issuer by that name": {
			refs: []caRef{ref("p", "no_aki", strangerNoAKI, "", "")},
			want: []string{
				"pki.p.certificate_authority.no_aki: CA without authority key identifier",
				"pki.p.certificate_authority.no_aki: Issuing CA not in the trust store",
			},
			detail: map[string]string{"pki.p.certificate_authority.no_aki": "no authority key identifier, so matched by name"},
		},
		"issuer without SKI": {
			refs: []caRef{ref("p", "root", noSKIRoot, "", ""), ref("p", "sub", underNoSKI, "", "")},
			want: []string{
				"pki.p.certificate_authority.root: CA without subject key identifier",
				"pki.p.certificate_authority.sub: Issuing CA not in the trust store",
			},
			detail: map[string]string{"pki.p.certificate_authority.sub": "pki.p.certificate_authority.root has that subject but no subject key identifier"},
		},
		"crl_url is the certificate's own CDP": {
			refs:   []caRef{ref("p", "root", root, "", "http://crl.example.com/r.crl"), ref("p", "issuing", issuing, "", "HTTP://crl.example.com/root.crl ")},
			want:   []string{"pki.p.certificate_authority.issuing: CRL URL is probably the parent CA's CRL"},
			detail: map[string]string{"pki.p.certificate_authority.issuing": "the CRL distribution point written in its own certificate"},
		},
		"crl_url is the issuer's": {
			refs: []caRef{ref("p", "root", root, "", "http://crl.example.com/r.crl"), ref("p", "sub", sub, "", ""), ref("p", "issuing", issuing, "", "http://crl.example.com/i.crl"),
				ref("q", "sub2", issuing.NewIntermediate(), "", "http://crl.example.com/i.crl")},
			want:   []string{"pki.q.certificate_authority.sub2: CRL URL is probably the parent CA's CRL"},
			detail: map[string]string{"pki.q.certificate_authority.sub2": "is also the CRL URL of its issuer pki.p.certificate_authority.issuing"},
		},
		"a root may name its own CDP": {
			refs: []caRef{ref("p", "root", cdpRoot, "", "http://crl.example.com/cdp-root.crl")},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := []string{}
			details := map[string]string{}
			for _, f := range analyzeChains(c.refs) {
				got = append(got, f.ref.addr.String()+": "+chainSummaries[f.kind])
				details[f.ref.addr.String()] += f.detail + "\n"
				if f.detail == "" || f.item == "" {
					t.Errorf("finding %v without detail or item", f.kind)
				}
				if f.kind.isError() != (f.kind == chainMissingIssuer || f.kind == chainCycle || f.kind == chainRootAKI) {
					t.Errorf("severity of %v", f.kind)
				}
			}
			want := c.want
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, details)
			}
			for addr, text := range c.detail {
				if !strings.Contains(details[addr], text) {
					t.Errorf("detail of %s does not contain %q:\n%s", addr, text, details[addr])
				}
			}
		})
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestAnalyzeChainsLargeStore checks that a long chain and a wide store stay
// fast and complete: 250 CAs in one line, each issued by the previous.
func TestAnalyzeChainsLargeStore(t *testing.T) {
	ca := pkitest.NewRoot()
	refs := []caRef{{addr: model.CAAddress("p", "c0"), cert: ca.Cert, selfSigned: true, ca: &model.CA{Name: "c0", Type: model.CATypeRoot}}}
	for i := 1; i < 250; i++ {
		ca = ca.NewIntermediate()
		refs = append(refs, caRef{addr: model.CAAddress("p", "c"), cert: ca.Cert, ca: &model.CA{Name: "c", Type: model.CATypeIntermediate}})
	}
	if f := analyzeChains(refs); len(f) != 0 {
		t.Fatalf("%d findings, first: %s", len(f), f[0].detail)
	}
	// Without the root, every CA reports the missing root.
	if f := analyzeChains(refs[1:]); len(f) != 249 {
		t.Fatalf("%d findings without the root", len(f))
	}
}
