// Package export turns an observed tenant into a cbactl configuration
// directory: HCL files that declare exactly what the tenant holds, and the CA
// certificates as PEM files, so that `cbactl plan` against the same tenant
// shows no changes. It is pure: the caller reads the tenant and writes the
// files.
//
// The classic (legacy) trust store, which cbactl never writes, is exported as
// a pki block of its own, so that a tenant can migrate to the PKI trust store
// by applying it.
package export

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Input is an observed tenant, as model.Tenant.Observe reads it, and the
// group names export may use.
type Input struct {
	State model.State
	// Warnings are the observation's warnings: what Graph returned that
	// cbactl does not model. They are written as comments.
	Warnings []string
	// GroupNames maps group ids (any case) to display names, for the groups
	// whose display name is unique in the tenant (UniqueGroupNames). Other
	// groups are written by id.
	GroupNames map[string]string
}

// File is one file of the configuration directory.
type File struct {
	Path string // slash-separated, relative to the configuration directory
	Data []byte
}

// Result is an exported configuration.
type Result struct {
	// Files in path order: the HCL files first (main.hcl, pki.hcl,
	// legacy.hcl), then the certificates (certs/NAME.pem).
	Files []File
	// Notes are what the configuration cannot express exactly, or what the
	// user must know (also written as comments in the files).
	Notes   []string
	Summary Summary
}

// Summary counts what was exported.
type Summary struct {
	PKIs           int // PKI containers (without the legacy block)
	CAs            int // their certificate authorities
	LegacyCAs      int // legacy-store CAs declared in the legacy pki block
	LegacyInPKI    int // legacy-store CAs left out because a PKI container holds them
	Certificates   int // certificate files
	X509           bool
	Rules          int
	Bindings       int
	IncludeTargets int
	ExcludeTargets int
	Scopes         int
	Strengths      int // custom authentication strengths
	Users          int // users with certificateUserIds (users.hcl)
}

// Default file names.
const (
	MainFile   = "main.hcl"
	PKIFile    = "pki.hcl"
	LegacyFile = "legacy.hcl"
	CertDir    = "certs"

	// LegacyLabel and LegacyDisplayName name the pki block of the classic
	// trust store (a suffix is added when a PKI container already uses
	// them).
	LegacyLabel       = "legacy"
	LegacyDisplayName = "Legacy trust store"
)

// caOut is one exported certificate authority.
type caOut struct {
	ca      model.CA
	cert    *x509.Certificate // nil when the certificate does not parse
	thumb   string
	subject string // pki.SubjectDN in rule order; "" when unparseable
	ski     string // upper-case hex; "" when none
	label   string
	file    string // "certs/NAME.pem"
}

type pkiOut struct {
	p     model.PKI
	label string
	cas   []caOut
}

// legacyDup is a legacy-store CA that a PKI container holds too.
type legacyDup struct {
	legacy model.LegacyCA
	in     *pkiOut
	ca     *caOut
}

type exporter struct {
	in     Input
	groups map[string]string // lower-case id → unique display name
	notes  []string

	pkis       []*pkiOut
	legacy     *pkiOut // nil when no legacy CA needs a block of its own
	legacyDups []legacyDup
	legacyDupN int // duplicates inside the legacy store, left out

	// Indexes over every declared CA (PKI containers, then legacy).
	bySubject map[string]*caOut
	bySKI     map[string][]scopeRef
}

// scopeRef is a declared CA a CA scope may name.
type scopeRef struct {
	address string
	pki     string // display name of its PKI container
	ca      *caOut
}

// Export writes the configuration of an observed tenant. The same input
// always gives byte-identical files.
func Export(in Input) Result {
	e := &exporter{in: in, groups: map[string]string{}}
	for id, name := range in.GroupNames {
		e.groups[strings.ToLower(id)] = name
	}
	e.collect()

	var res Result
	var hcl []File
	if len(e.pkis) > 0 {
		hcl = append(hcl, File{Path: PKIFile, Data: e.pkiFile()})
	}
	if e.legacy != nil {
		hcl = append(hcl, File{Path: LegacyFile, Data: e.legacyFile()})
	}
	if data := e.strengthFile(); data != nil {
		hcl = append(hcl, File{Path: StrengthFile, Data: data})
	}
	if h, c := e.usersFiles(); h != nil {
		hcl = append(hcl, File{Path: UsersFile, Data: h}, File{Path: UsersCSVFile, Data: c})
	}
	// main.hcl last: the other files add notes it lists.
	main := File{Path: MainFile, Data: e.mainFile()}
	res.Files = append([]File{main}, hcl...)
	if n := len(e.legacyDups); n > 0 && e.legacy == nil {
		e.note("The classic trust store's %d certificate %s also in a PKI container, so %s not repeated (see %s). Check the sign-in logs' \"Is Legacy Store Used\" before removing the classic entries; cbactl never writes the classic store.", n, plural(n, "authority is", "authorities are"), plural(n, "it is", "they are"), MainFile)
	}

	written := map[string]bool{}
	var certs []File
	for _, p := range e.all() {
		for _, ca := range p.cas {
			if written[ca.file] {
				continue
			}
			written[ca.file] = true
			certs = append(certs, File{Path: ca.file, Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.ca.Certificate})})
		}
	}
	sort.Slice(certs, func(i, j int) bool { return certs[i].Path < certs[j].Path })
	res.Files = append(res.Files, certs...)
	res.Notes = e.notes

	s := &res.Summary
	s.PKIs = len(e.pkis)
	for _, p := range e.pkis {
		s.CAs += len(p.cas)
	}
	if e.legacy != nil {
		s.LegacyCAs = len(e.legacy.cas)
	}
	s.LegacyInPKI = len(e.legacyDups)
	s.Certificates = len(certs)
	s.Strengths = len(customStrengths(in.State))
	users, _ := exportedUsers(in.State)
	s.Users = len(users)
	if x := in.State.X509; x != nil {
		s.X509 = true
		s.Rules, s.Bindings = len(x.Rules), len(x.UsernameBindings)
		s.IncludeTargets, s.ExcludeTargets, s.Scopes = len(x.IncludeTargets), len(x.ExcludeTargets), len(x.CAScopes)
	}
	return res
}

func (e *exporter) note(format string, args ...any) {
	e.notes = append(e.notes, fmt.Sprintf(format, args...))
}

// all is every exported pki block, the legacy one last.
func (e *exporter) all() []*pkiOut {
	if e.legacy == nil {
		return e.pkis
	}
	return append(append([]*pkiOut(nil), e.pkis...), e.legacy)
}

// newCA parses an observed CA's certificate.
func newCA(ca model.CA) caOut {
	o := caOut{ca: ca, thumb: pki.SHA1Thumbprint(ca.Certificate)}
	if c, err := x509.ParseCertificate(ca.Certificate); err == nil {
		o.cert = c
		o.subject = pki.SubjectDN(c, pki.RuleOrder)
		o.ski = pki.SubjectKeyID(c)
	}
	return o
}

// sortCAs orders CAs canonically: roots first, then by subject, then by
// thumbprint.
func sortCAs(cas []caOut) {
	rank := func(c caOut) int {
		if c.ca.Type == model.CATypeRoot {
			return 0
		}
		return 1
	}
	sort.SliceStable(cas, func(i, j int) bool {
		a, b := cas[i], cas[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if a.subject != b.subject {
			return a.subject < b.subject
		}
		return a.thumb < b.thumb
	})
}

// collect orders the trust store canonically and names everything.
func (e *exporter) collect() {
	st := e.in.State
	inPKI := map[string]*caOut{}
	pkiOf := map[string]*pkiOut{}
	for _, p := range st.PKIs {
		po := &pkiOut{p: p}
		for _, ca := range p.CAs {
			po.cas = append(po.cas, newCA(ca))
		}
		sortCAs(po.cas)
		e.pkis = append(e.pkis, po)
	}
	sort.SliceStable(e.pkis, func(i, j int) bool {
		a, b := e.pkis[i].p, e.pkis[j].p
		if la, lb := strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName); la != lb {
			return la < lb
		}
		if a.DisplayName != b.DisplayName {
			return a.DisplayName < b.DisplayName
		}
		return a.ID < b.ID
	})
	for _, p := range e.pkis {
		for i := range p.cas {
			if _, ok := inPKI[p.cas[i].thumb]; !ok {
				inPKI[p.cas[i].thumb] = &p.cas[i]
				pkiOf[p.cas[i].thumb] = p
			}
		}
	}

	// The legacy store: each certificate once, and none a PKI container
	// already holds (validate rejects a certificate declared twice).
	var legacy []caOut
	seen := map[string]bool{}
	for _, l := range st.LegacyCAs {
		t := pki.SHA1Thumbprint(l.Certificate)
		if ca, ok := inPKI[t]; ok {
			e.legacyDups = append(e.legacyDups, legacyDup{legacy: l, in: pkiOf[t], ca: ca})
			continue
		}
		if seen[t] {
			e.legacyDupN++
			continue
		}
		seen[t] = true
		o := newCA(model.CA{Certificate: l.Certificate, Type: model.CATypeIntermediate, CRLURL: l.CRLURL, DeltaCRLURL: l.DeltaCRLURL})
		if l.IsRootAuthority {
			if o.cert != nil && !pki.IsSelfSigned(o.cert) {
				e.note("The legacy store marks %s as a root authority, but its certificate is not self-signed: it is declared with type = \"intermediate\", as a PKI container requires.", describe(o))
			} else {
				o.ca.Type = model.CATypeRoot
			}
		}
		legacy = append(legacy, o)
	}
	sort.SliceStable(e.legacyDups, func(i, j int) bool {
		a, b := e.legacyDups[i], e.legacyDups[j]
		if a.ca.thumb != b.ca.thumb {
			return a.ca.thumb < b.ca.thumb
		}
		if a.legacy.CRLURL != b.legacy.CRLURL {
			return a.legacy.CRLURL < b.legacy.CRLURL
		}
		return a.legacy.DeltaCRLURL < b.legacy.DeltaCRLURL
	})
	if e.legacyDupN > 0 {
		e.note("The legacy store holds %d certificate %s more than once; each is declared once.", e.legacyDupN, plural(e.legacyDupN, "authority", "authorities"))
	}
	if len(legacy) > 0 {
		sortCAs(legacy)
		e.legacy = &pkiOut{p: model.PKI{DisplayName: e.legacyDisplayName()}, cas: legacy}
	}

	e.nameFiles()
	e.nameLabels()

	e.bySubject = map[string]*caOut{}
	e.bySKI = map[string][]scopeRef{}
	for _, p := range e.all() {
		for i := range p.cas {
			ca := &p.cas[i]
			if ca.subject != "" && e.bySubject[ca.subject] == nil {
				e.bySubject[ca.subject] = ca
			}
			if ca.ski != "" {
				e.bySKI[ca.ski] = append(e.bySKI[ca.ski], scopeRef{
					address: string(model.CAAddress(p.label, ca.label)), pki: p.p.DisplayName, ca: ca,
				})
			}
		}
	}
}

// legacyDisplayName is LegacyDisplayName, with a number when a PKI container
// already has that name (display names are unique without regard to case).
func (e *exporter) legacyDisplayName() string {
	taken := map[string]bool{}
	for _, p := range e.pkis {
		taken[strings.ToLower(p.p.DisplayName)] = true
	}
	name := LegacyDisplayName
	for k := 2; taken[strings.ToLower(name)]; k++ {
		name = fmt.Sprintf("%s %d", LegacyDisplayName, k)
	}
	return name
}

// nameFiles gives every distinct certificate a file name from its subject
// CN; certificates with the same name are numbered in thumbprint order.
func (e *exporter) nameFiles() {
	type item struct {
		base, thumb string
	}
	var items []item
	byThumb := map[string]bool{}
	for _, p := range e.all() {
		for _, ca := range p.cas {
			if !byThumb[ca.thumb] {
				byThumb[ca.thumb] = true
				items = append(items, item{certFileBase(ca.cert, ca.thumb), ca.thumb})
			}
		}
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].base != items[j].base {
			return items[i].base < items[j].base
		}
		return items[i].thumb < items[j].thumb
	})
	bases := make([]string, len(items))
	for i, it := range items {
		bases[i] = it.base
	}
	file := map[string]string{}
	for i, name := range unique(bases, "-") {
		file[items[i].thumb] = CertDir + "/" + name + ".pem"
	}
	for _, p := range e.all() {
		for i := range p.cas {
			p.cas[i].file = file[p.cas[i].thumb]
		}
	}
}

// nameLabels gives PKI containers labels from their display names (the
// legacy block "legacy") and CAs labels from their subject CNs, unique
// within their container.
func (e *exporter) nameLabels() {
	var bases []string
	for _, p := range e.pkis {
		bases = append(bases, label(p.p.DisplayName, "pki"))
	}
	if e.legacy != nil {
		bases = append(bases, LegacyLabel)
	}
	for i, l := range unique(bases, "_") {
		e.all()[i].label = l
	}
	for _, p := range e.all() {
		bases := make([]string, len(p.cas))
		for i, ca := range p.cas {
			bases[i] = caLabelBase(ca.cert, ca.thumb)
		}
		for i, l := range unique(bases, "_") {
			p.cas[i].label = l
		}
	}
}

// describe names a CA for comments and notes.
func describe(ca caOut) string {
	if ca.subject == "" {
		return fmt.Sprintf("the certificate with thumbprint %s", ca.thumb)
	}
	return fmt.Sprintf("%s (thumbprint %s)", ca.subject, ca.thumb)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pkiFile is pki.hcl: the PKI containers.
func (e *exporter) pkiFile() []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	comment(body,
		"The PKI trust store. Because this configuration declares pki blocks, they are the complete trust store: a PKI container or certificate authority added to the tenant by hand shows up in `cbactl plan` for deletion.",
		"",
		"Every certificate authority is declared by its own certificate_authority block, also in containers that were filled by a PKCS#7 upload: Graph does not return the bundle's URL, so an upload block cannot be reconstructed.")
	for _, p := range e.pkis {
		body.AppendNewline()
		e.pkiBlock(body, p)
	}
	return render(f)
}

func (e *exporter) pkiBlock(body *hclwrite.Body, p *pkiOut) {
	// status is a free string for upload and delete jobs alike: compared
	// without case, and a value cbactl does not know counts as running
	// (as plan treats it).
	details := ""
	if p.p.StatusDetails != "" {
		details = fmt.Sprintf(" (%s)", p.p.StatusDetails)
	}
	switch strings.ToLower(strings.TrimSpace(p.p.Status)) {
	case "", "succeeded":
	case "failed":
		comment(body, fmt.Sprintf("The last job (upload or delete) on %q ended with status %q%s.", p.p.DisplayName, p.p.Status, details))
	default:
		comment(body, fmt.Sprintf("A job (upload or delete) on %q was still running (status %q%s) when cbactl read the tenant: the certificate authorities below are those Graph had then. Export again when the job has finished; until then `cbactl plan` leaves this container alone.", p.p.DisplayName, p.p.Status, details))
		e.note("A job (upload or delete) on the PKI container %q was still running: its certificate authorities were exported as Graph had them. Export again when it has finished.", p.p.DisplayName)
	}
	block := body.AppendNewBlock("pki", []string{p.label})
	b := block.Body()
	setString(b, "display_name", p.p.DisplayName)
	for _, ca := range p.cas {
		b.AppendNewline()
		e.caBlock(b, ca)
	}
}

func (e *exporter) caBlock(body *hclwrite.Body, ca caOut) {
	if ca.cert == nil {
		comment(body, fmt.Sprintf("Thumbprint %s: the certificate does not parse.", ca.thumb))
		e.note("The certificate with thumbprint %s does not parse; it is written as it is to %s, and validate will reject it.", ca.thumb, ca.file)
	} else {
		comment(body, ca.subject,
			fmt.Sprintf("thumbprint %s, expires %s", ca.thumb, ca.cert.NotAfter.UTC().Format(time.RFC3339)))
	}
	b := body.AppendNewBlock("certificate_authority", []string{ca.label}).Body()
	set(b, "certificate", call("file", ca.file), "")
	setString(b, "type", string(ca.ca.Type))
	if ca.ca.CRLURL != "" {
		setString(b, "crl_url", ca.ca.CRLURL)
	}
	if ca.ca.DeltaCRLURL != "" {
		setString(b, "delta_crl_url", ca.ca.DeltaCRLURL)
	}
	setBool(b, "issuer_hint", ca.ca.IssuerHint)
	if ca.ca.DisplayName != "" {
		setString(b, "display_name", ca.ca.DisplayName)
	}
}

// legacyFile is legacy.hcl: the classic trust store's CAs, as a pki block.
func (e *exporter) legacyFile() []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	n := len(e.legacy.cas)
	comment(body,
		fmt.Sprintf("The classic trust store (organization certificateBasedAuthConfiguration) holds %d certificate %s that no PKI container holds. cbactl never writes the classic store; this pki block declares the same certificates, CRL URLs and delta CRL URLs as a PKI container, so that `cbactl apply` migrates them:", n, plural(n, "authority", "authorities")),
		"",
		fmt.Sprintf("1. `cbactl plan` shows the creation of pki.%s (%q) and its certificate authorities, and nothing else; apply it.", e.legacy.label, e.legacy.p.DisplayName),
		"2. When a CA is in both stores, Entra uses the PKI trust store, except when the PKI copy has no CRL URL but the classic one does, or their CRLs differ: keep the CRL URLs below as they are.",
		"3. Check the sign-in logs' \"Is Legacy Store Used\" attribute: when no sign-in uses the classic store any more, remove its entries (in the Entra admin center, or with Graph: cbactl never does). Then move these certificate authorities into your own pki blocks, or rename this one, as you see fit.")
	if len(e.legacyDups) > 0 {
		body.AppendNewline()
		e.legacyDupComment(body)
	}
	body.AppendNewline()
	e.pkiBlock(body, e.legacy)
	e.note("The classic trust store holds %d certificate %s that no PKI container holds: %s declares %s as pki.%s (%q), and `cbactl plan` shows %s creation. cbactl never writes the classic store.", n, plural(n, "authority", "authorities"), LegacyFile, plural(n, "it", "them"), e.legacy.label, e.legacy.p.DisplayName, plural(n, "its", "their"))
	return render(f)
}

// legacyDupComment lists the legacy-store CAs that a PKI container holds too.
func (e *exporter) legacyDupComment(body *hclwrite.Body) {
	n := len(e.legacyDups)
	lines := []string{fmt.Sprintf("The classic trust store also holds %d certificate %s that a PKI container holds; %s not repeated here (a certificate may be declared once):", n, plural(n, "authority", "authorities"), plural(n, "it is", "they are"))}
	differ := false
	for _, d := range e.legacyDups {
		addr := model.CAAddress(d.in.label, d.ca.label)
		line := fmt.Sprintf("  - %s, declared as %s", describe(*d.ca), addr)
		if d.ca.ca.CRLURL != d.legacy.CRLURL || d.ca.ca.DeltaCRLURL != d.legacy.DeltaCRLURL {
			differ = true
			line += fmt.Sprintf("; their CRL URLs differ (PKI: %s; classic: %s)", crls(d.ca.ca.CRLURL, d.ca.ca.DeltaCRLURL), crls(d.legacy.CRLURL, d.legacy.DeltaCRLURL))
		}
		lines = append(lines, line)
	}
	if differ {
		lines = append(lines, "When the CRLs of the two copies differ, or only the classic copy has one, Entra may still use the classic copy: check the sign-in logs' \"Is Legacy Store Used\" attribute before removing the classic entries (cbactl never writes the classic store).")
	} else {
		lines = append(lines, "Entra uses the PKI copies. Check the sign-in logs' \"Is Legacy Store Used\" attribute, then remove the classic entries (cbactl never writes the classic store).")
	}
	comment(body, lines...)
}

func crls(base, delta string) string {
	if base == "" && delta == "" {
		return "none"
	}
	s := base
	if s == "" {
		s = "no base CRL"
	}
	if delta != "" {
		s += ", delta " + delta
	}
	return s
}

// guid matches a group id as the configuration accepts it.
var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// mainFile is main.hcl: notes, the tenant block and the x509Certificate
// configuration.
func (e *exporter) mainFile() []byte {
	st := e.in.State
	// The x509 block is written first, to a separate file, so that its notes
	// are known for the header.
	x := hclwrite.NewEmptyFile()
	if st.X509 != nil {
		e.x509Block(x.Body(), *st.X509)
	}

	f := hclwrite.NewEmptyFile()
	body := f.Body()
	title := "Certificate-based authentication"
	if st.TenantID != "" {
		title += " of tenant " + st.TenantID
	}
	comment(body, title+".", "")
	files := "The certificates are in " + CertDir + "/"
	if len(e.pkis) > 0 {
		files += ", the PKI trust store in " + PKIFile
	}
	if e.legacy != nil {
		files += ", the classic trust store in " + LegacyFile
	}
	if len(customStrengths(st)) > 0 {
		files += ", the authentication strengths in " + StrengthFile
	}
	if us, _ := exportedUsers(st); len(us) > 0 {
		files += ", the users' certificateUserIds in " + UsersFile + " and " + UsersCSVFile
	}
	plan := "`cbactl plan` against the same tenant shows no changes."
	if e.legacy != nil {
		plan = fmt.Sprintf("`cbactl plan` against the same tenant shows only the creation of pki.%s (see %s).", e.legacy.label, LegacyFile)
	}
	comment(body, "Exported by `cbactl export`: every attribute is written out, including those equal to Graph's defaults. "+files+". "+plan)
	if len(e.in.Warnings) > 0 {
		comment(body, "", "Graph returned properties cbactl does not model; they are not part of this configuration:")
		for _, w := range e.in.Warnings {
			comment(body, "  - "+w)
		}
	}
	if len(e.notes) > 0 {
		comment(body, "", "Export notes:")
		for _, n := range e.notes {
			comment(body, "  - "+n)
		}
	}
	if len(e.legacyDups) > 0 && e.legacy == nil {
		body.AppendNewline()
		e.legacyDupComment(body)
	}

	if guid.MatchString(st.TenantID) || st.Cloud != "" {
		body.AppendNewline()
		t := body.AppendNewBlock("tenant", nil).Body()
		if guid.MatchString(st.TenantID) {
			setString(t, "id", st.TenantID)
		}
		if st.Cloud != "" {
			setString(t, "cloud", string(st.Cloud))
		}
	}
	if st.X509 != nil {
		body.AppendNewline()
		body.AppendUnstructuredTokens(x.Body().BuildTokens(nil))
	}
	return render(f)
}
