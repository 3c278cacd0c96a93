package config

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Trust-chain completeness (cba-semantics.md §4, "Chain building"): Entra
// builds a user certificate's chain by matching each authority key
// identifier (AKI) to a subject key identifier (SKI) in the trust store, up
// to a CA flagged as root, and fails CBA when a CA is missing
// (AADSTS500176). The checks run over every declared CA of every PKI,
// upload bundles included.

// chainKind is the kind of a chain finding.
type chainKind int

const (
	chainMissingIssuer chainKind = iota // error: the chain ends at a CA whose issuer is not declared
	chainCycle                          // error: the chain loops without reaching a root
	chainRootAKI                        // error: a root's AKI differs from its SKI
	chainAKIIsSKI                       // warning: a non-root with AKI == SKI
	chainNoAKI                          // warning: a non-self-signed CA without AKI
	chainNoSKI                          // warning: a CA without SKI
	chainParentCRL                      // warning: crl_url is probably the parent CA's CRL
)

// Summaries of the chain diagnostics.
var chainSummaries = map[chainKind]string{
	chainMissingIssuer: "Issuing CA not in the trust store",
	chainCycle:         "Trust chain does not reach a root CA",
	chainRootAKI:       "Root CA authority key identifier differs from its subject key identifier",
	chainAKIIsSKI:      "Intermediate CA with authority key identifier equal to its subject key identifier",
	chainNoAKI:         "CA without authority key identifier",
	chainNoSKI:         "CA without subject key identifier",
	chainParentCRL:     "CRL URL is probably the parent CA's CRL",
}

func (k chainKind) isError() bool {
	return k == chainMissingIssuer || k == chainCycle || k == chainRootAKI
}

// chainFinding is one finding about the CA ref.
type chainFinding struct {
	kind chainKind
	ref  caRef
	// detail explains the finding for a CA block; item names the CA and the
	// problem in a few words, for the combined diagnostic of an upload
	// bundle; missing names the missing issuer of a chainMissingIssuer.
	detail, item, missing string
}

// chainNode is a CA certificate taking part in chain building.
type chainNode struct {
	ref      caRef
	ski, aki string // upper-case hex; "" when absent
	// end is true when a chain stops here: a CA flagged as root, or a
	// self-signed certificate (a self-signed intermediate is a warning of
	// its own, not a broken chain).
	end        bool
	selfSigned bool
}

// analyzeChains returns the chain findings about refs, in the order of refs.
// Certificates that are not CAs are left out: they are an error of their own.
func analyzeChains(refs []caRef) []chainFinding {
	nodes := make([]*chainNode, 0, len(refs))
	bySKI := make(map[string][]int, len(refs))
	bySubject := make(map[string][]int, len(refs))
	for _, r := range refs {
		if !r.cert.BasicConstraintsValid || !r.cert.IsCA {
			continue
		}
		n := &chainNode{ref: r, ski: pki.SubjectKeyID(r.cert), aki: pki.AuthorityKeyID(r.cert), selfSigned: r.selfSigned}
		n.end = n.selfSigned || r.ca.Type == model.CATypeRoot
		if n.ski != "" {
			bySKI[n.ski] = append(bySKI[n.ski], len(nodes))
		}
		bySubject[string(r.cert.RawSubject)] = append(bySubject[string(r.cert.RawSubject)], len(nodes))
		nodes = append(nodes, n)
	}
	// issuers are the declared CAs that can have issued node i: by AKI →
	// SKI as Entra matches them, or by name when the CA has no AKI.
	issuers := func(i int) []int {
		n := nodes[i]
		cands := bySKI[n.aki]
		if n.aki == "" {
			cands = bySubject[string(n.ref.cert.RawIssuer)]
		}
		var out []int
		for _, c := range cands {
			if c != i {
				out = append(out, c)
			}
		}
		return out
	}

	// A chain is complete when it ends at a root, possibly through several
	// candidate issuers: iterate to a fixed point, which terminates on cycles.
	complete := make([]bool, len(nodes))
	for i, n := range nodes {
		complete[i] = n.end || (n.aki != "" && n.aki == n.ski)
	}
	for changed := true; changed; {
		changed = false
		for i := range nodes {
			if complete[i] {
				continue
			}
			for _, c := range issuers(i) {
				if complete[c] {
					complete[i], changed = true, true
					break
				}
			}
		}
	}

	var out []chainFinding
	add := func(k chainKind, n *chainNode, item, format string, args ...any) {
		out = append(out, chainFinding{kind: k, ref: n.ref, item: item, detail: fmt.Sprintf(format, args...)})
	}
	for i, n := range nodes {
		name := describeCert(n.ref)
		// The subject is formatted only for a finding: most CAs have none.
		dn := func() string { return pki.SubjectDN(n.ref.cert, pki.RuleOrder) }
		if n.ski == "" {
			add(chainNoSKI, n, dn(),
				"%s has no subject key identifier extension. Entra finds a CA by the SKI that the certificates it issued name as their authority key identifier, and matches its CRL by SKI too: reissue the CA certificate with an SKI.", name)
		}
		switch {
		case n.end && n.selfSigned && n.ref.ca.Type == model.CATypeRoot:
			if n.aki != "" && n.ski != "" && n.aki != n.ski {
				add(chainRootAKI, n, fmt.Sprintf("%s (AKI %s, SKI %s)", dn(), n.aki, n.ski),
					"%s is a self-signed root, but its authority key identifier %s differs from its subject key identifier %s. A root's AKI must be absent or equal to its SKI: Entra follows AKI → SKI and would look for another issuer.", name, n.aki, n.ski)
			}
		case n.aki != "" && n.aki == n.ski:
			why := ""
			if n.selfSigned {
				why = " It is self-signed: if it is a root, declare it with type = \"root\"."
			}
			add(chainAKIIsSKI, n, dn(),
				"%s is declared as an intermediate CA, but its authority key identifier equals its subject key identifier (%s), as only a root's does. Entra follows AKI → SKI up to a root, so this chain can only end here.%s", name, n.ski, why)
		case n.aki == "" && !n.selfSigned:
			add(chainNoAKI, n, dn(),
				"%s has no authority key identifier extension. Entra builds chains by matching AKI to SKI, not by name, and requires both when CRLs are in use; cbactl matched its issuer by name. Reissue the CA certificate with an AKI.", name)
		}
		if !complete[i] {
			out = append(out, chainBreak(nodes, i, issuers, name, dn()))
		}
		if f, ok := parentCRL(nodes, i, issuers, name, dn); ok {
			out = append(out, f)
		}
	}
	return out
}

// chainBreak explains why the chain of node i does not reach a root: it
// follows the first candidate issuer upwards until a CA whose issuer is not
// declared, or until it comes back to a CA it has seen.
func chainBreak(nodes []*chainNode, i int, issuers func(int) []int, name, dn string) chainFinding {
	const why = "Entra builds the chain of a user certificate by matching each authority key identifier to a declared CA's subject key identifier, up to a root CA, and fails certificate-based authentication when a CA is missing (AADSTS500176)."
	seen := map[int]bool{}
	path := []int{}
	cur := i
	for {
		seen[cur] = true
		path = append(path, cur)
		cands := issuers(cur)
		if len(cands) == 0 {
			break
		}
		next := -1
		for _, c := range cands {
			if !seen[c] {
				next = c
				break
			}
		}
		if next < 0 {
			var names []string
			for _, p := range path {
				names = append(names, fmt.Sprintf("%q", pki.SubjectDN(nodes[p].ref.cert, pki.RuleOrder)))
			}
			return chainFinding{kind: chainCycle, ref: nodes[i].ref, item: dn,
				detail: fmt.Sprintf("The chain of %s goes round in a loop (%s, and back) without reaching a CA declared as root. %s Declare the root CA, with type = \"root\" if it is not self-signed.", name, strings.Join(names, " → "), why)}
		}
		cur = next
	}

	top := nodes[cur]
	issuerDN := pki.IssuerDN(top.ref.cert, pki.RuleOrder)
	missing := fmt.Sprintf("%q (authority key identifier %s)", issuerDN, top.aki)
	if top.aki == "" {
		missing = fmt.Sprintf("%q (no authority key identifier, so matched by name)", issuerDN)
	}
	var detail string
	if cur == i {
		detail = fmt.Sprintf("%s is issued by %s, and no declared certificate authority has that subject key identifier. %s Declare the issuing CA, and every CA above it up to the root.", name, missing, why)
	} else {
		detail = fmt.Sprintf("The chain of %s ends at %q, which is issued by %s, and no declared certificate authority has that subject key identifier. %s Declare the missing CA, and every CA above it up to the root.", name, pki.SubjectDN(top.ref.cert, pki.RuleOrder), missing, why)
	}
	// A declared CA with the issuer's name but another key identifier is a
	// likely cause: a renewed CA, or a CA without SKI.
	for _, n := range nodes {
		if n == top || !bytes.Equal(n.ref.cert.RawSubject, top.ref.cert.RawIssuer) {
			continue
		}
		if n.ski == "" {
			detail += fmt.Sprintf(" %s has that subject but no subject key identifier, and Entra matches key identifiers, not names.", describeCert(n.ref))
		} else {
			detail += fmt.Sprintf(" %s has that subject but the subject key identifier %s: Entra matches key identifiers, not names (was the CA renewed with a new key?).", describeCert(n.ref), n.ski)
		}
		break
	}
	return chainFinding{kind: chainMissingIssuer, ref: nodes[i].ref, item: dn, missing: missing, detail: detail}
}

// parentCRL finds a CRL URL that is probably the parent CA's CRL: a
// non-self-signed CA whose CRL URL is one of the CRL distribution points of
// its own certificate (those name where the CA certificate itself is
// revoked, which is its issuer's CRL), or the CRL URL of its declared
// issuer. Bulk .p7b uploads make exactly this mistake: Graph sets each CA's
// CRL URL from the first HTTP CDP of its certificate.
func parentCRL(nodes []*chainNode, i int, issuers func(int) []int, name string, dn func() string) (chainFinding, bool) {
	n := nodes[i]
	u := n.ref.ca.CRLURL
	if u == "" || n.selfSigned {
		return chainFinding{}, false
	}
	const why = "A CRL that its CA did not issue fails Entra's check that the CRL issuer is the CA's subject and the CRL's AKI is the CA's SKI (AADSTS2205015), and certificates the CA revokes would not be caught."
	f := chainFinding{kind: chainParentCRL, ref: n.ref}
	found := func() (chainFinding, bool) {
		f.item = fmt.Sprintf("%s (%s)", dn(), u)
		return f, true
	}
	for _, c := range issuers(i) {
		p := nodes[c]
		if p.ref.ca.CRLURL != "" && sameURL(p.ref.ca.CRLURL, u) {
			f.detail = fmt.Sprintf("The CRL URL of %s, %q, is also the CRL URL of its issuer %s: a CA publishes its own CRL. %s Set crl_url to the CRL this CA publishes, and check it with `cbactl crl check`.", name, u, describeCert(p.ref), why)
			return found()
		}
	}
	for _, cdp := range n.ref.cert.CRLDistributionPoints {
		if !sameURL(cdp, u) {
			continue
		}
		if n.ref.ca.Name == "" {
			f.detail = fmt.Sprintf("Graph sets the CRL URL of %s to %q, the first HTTP CRL distribution point of its certificate. The CDP of a CA certificate usually points at its parent's CRL — a common misconfiguration after .p7b uploads, which copy the first CDP. %s Declare the CA with a certificate_authority block and the crl_url of its own CRL, and check it with `cbactl crl check`.", name, u, why)
		} else {
			f.detail = fmt.Sprintf("The crl_url of %s, %q, is the CRL distribution point written in its own certificate. The CDP of a CA certificate usually points at its parent's CRL — a common misconfiguration after .p7b uploads, which copy the first CDP. %s Set crl_url to the CRL this CA publishes, and check it with `cbactl crl check`.", name, u, why)
		}
		return found()
	}
	return chainFinding{}, false
}

// sameURL compares URLs the way people write them: case-insensitively, and
// ignoring surrounding whitespace.
func sameURL(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// chains reports the chain findings (analyzeChains'): each CA block's at
// its certificate, and an upload bundle's combined into one diagnostic per
// kind at its file.
func (v *validator) chains(findings []chainFinding) {
	type key struct {
		addr model.Address
		kind chainKind
	}
	bundles := map[key][]string{}
	missing := map[key][]string{}
	var order []key
	for _, f := range findings {
		sev := v.warnAt
		if f.kind.isError() {
			sev = v.errorAt
		}
		if f.ref.ca.Name != "" {
			sev(f.ref.addr, f.ref.attr, chainSummaries[f.kind], "%s", f.detail)
			continue
		}
		k := key{f.ref.addr, f.kind}
		if _, ok := bundles[k]; !ok {
			order = append(order, k)
		}
		bundles[k] = append(bundles[k], f.item)
		if f.missing != "" && !slices.Contains(missing[k], f.missing) {
			missing[k] = append(missing[k], f.missing)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].kind < order[j].kind })
	for _, k := range order {
		list := bundles[k]
		sev := v.warnAt
		if k.kind.isError() {
			sev = v.errorAt
		}
		what := ""
		if m := missing[k]; len(m) > 0 {
			what = fmt.Sprintf(" Missing: %s.", summarize(m))
		}
		verb := bundleVerbs[k.kind]
		sev(k.addr, "file", chainSummaries[k.kind], "%d %s in the bundle of %s %s: %s.%s %s",
			len(list), plural(len(list), "CA", "CAs"), strings.TrimSuffix(string(k.addr), "."+blockUpload),
			plural(len(list), verb[0], verb[1]), summarize(list), what, bundleAdvice[k.kind])
	}
}

// bundleVerbs say what is wrong with the CAs of a bundle, for one CA and
// for several.
var bundleVerbs = map[chainKind][2]string{
	chainMissingIssuer: {"does not chain to a declared root", "do not chain to a declared root"},
	chainCycle:         {"chains in a loop without a root", "chain in a loop without a root"},
	chainRootAKI:       {"is a root whose AKI differs from its SKI", "are roots whose AKI differs from their SKI"},
	chainAKIIsSKI:      {"is an intermediate whose AKI equals its SKI", "are intermediates whose AKI equals their SKI"},
	chainNoAKI:         {"has no authority key identifier", "have no authority key identifier"},
	chainNoSKI:         {"has no subject key identifier", "have no subject key identifier"},
	chainParentCRL:     {"gets its own CRL distribution point as its CRL URL", "get their own CRL distribution points as their CRL URLs"},
}

// bundleAdvice follows the list of CAs in a bundle's combined diagnostic.
var bundleAdvice = map[chainKind]string{
	chainMissingIssuer: "Entra builds a user certificate's chain by matching each authority key identifier to a declared CA's subject key identifier, up to a root, and fails certificate-based authentication when a CA is missing (AADSTS500176). Add the missing CAs, up to the root, to the bundle or to another pki block.",
	chainCycle:         "Their chains go round in a loop without reaching a root CA, so Entra cannot complete them (AADSTS500176). Add the root CA.",
	chainRootAKI:       "A root's authority key identifier must be absent or equal to its subject key identifier: Entra follows AKI → SKI.",
	chainAKIIsSKI:      "Only a root's authority key identifier equals its subject key identifier; Entra follows AKI → SKI up to a root.",
	chainNoAKI:         "Entra builds chains by matching authority key identifiers to subject key identifiers, not by name; cbactl matched these by name. Reissue them with an AKI.",
	chainNoSKI:         "Entra finds a CA by its subject key identifier and matches its CRL by SKI too. Reissue them with an SKI.",
	chainParentCRL:     "Graph sets each uploaded CA's CRL URL from the first HTTP CRL distribution point of its certificate, and the CDP of a CA certificate usually points at its parent's CRL — a common misconfiguration after .p7b uploads, which copy the first CDP. Entra then rejects the CRL (AADSTS2205015: CRL issuer and AKI must be the CA's). Declare these CAs with certificate_authority blocks and the crl_url of their own CRLs, and check them with `cbactl crl check`.",
}
