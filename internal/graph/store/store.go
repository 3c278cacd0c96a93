// Package store is a tenant held in memory in Graph's JSON shapes (package
// wire), with Graph's write semantics, and the tenant snapshot file: the
// snapshot backend and the fake Graph server share it. It does not import
// the Graph SDK.
package store

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// NotFoundError is returned for an id the store does not hold.
type NotFoundError struct {
	Kind string // "certificateBasedAuthPki" or "certificateAuthorityDetail"
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s does not exist", e.Kind, e.ID) }

// Is makes a NotFoundError match model.ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == model.ErrNotFound }

// IsNotFound reports whether err is a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// Store is a tenant held in Graph's JSON shapes, with Graph's write
// semantics: POST assigns ids and timestamps and derives a wire.CA's thumbprint,
// issuer (its own subject), SKI and expiry from its certificate; PATCH replaces the properties
// it carries and keeps the others; DELETE of a wire.PKI deletes its CAs. The
// snapshot backend and the fake Graph server both use it. It is safe for
// concurrent use.
type Store struct {
	// Now and NewID may be replaced before first use (deterministic tests).
	Now   func() time.Time
	NewID func() string

	mu       sync.Mutex
	tenantID string
	x509     wire.Object // nil: Graph's default configuration
	pkis     []*storedPKI
	legacy   []json.RawMessage
	groups   []json.RawMessage
	// strengths are authentication strengths (strength.go).
	strengths []*storedStrength
	// users are directory users (users.go), with an index.
	users []wire.Object
	uidx  userIndex
}

type storedPKI struct {
	obj wire.Object
	cas []wire.Object
}

// NewStore returns an empty tenant.
func NewStore() *Store {
	return &Store{Now: time.Now, NewID: NewGUID}
}

// NewGUID returns a random version-4 GUID.
func NewGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Store) timestamp() json.RawMessage {
	return wire.Raw(s.Now().UTC().Format("2006-01-02T15:04:05Z"))
}

func marshalObject(o wire.Object) []byte { return wire.Raw(o) }

func clone(o wire.Object) wire.Object {
	c := make(wire.Object, len(o))
	for k, v := range o {
		c[k] = append(json.RawMessage(nil), v...)
	}
	return c
}

func str(o wire.Object, key string) string {
	var s string
	_ = json.Unmarshal(o[key], &s)
	return s
}

// TenantID is the tenant's id ("" when unknown).
func (s *Store) TenantID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenantID
}

// SetTenantID sets the tenant's id.
func (s *Store) SetTenantID(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenantID = id
}

// DefaultX509 is the configuration Graph returns for an untouched tenant.
func DefaultX509() wire.Object {
	return wire.ToObject(wire.X509FromModel(model.DefaultX509()))
}

// X509 returns the method configuration.
func (s *Store) X509() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.x509 == nil {
		return marshalObject(DefaultX509())
	}
	return marshalObject(s.x509)
}

// PatchX509 replaces the properties the body carries.
func (s *Store) PatchX509(body wire.Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.x509 == nil {
		s.x509 = DefaultX509()
	}
	for k, v := range body {
		s.x509[k] = v
	}
}

// ResetX509 restores the default configuration (DELETE).
func (s *Store) ResetX509() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.x509 = nil
}

func (s *Store) findPKI(id string) (int, error) {
	for i, p := range s.pkis {
		if strings.EqualFold(str(p.obj, "id"), id) {
			return i, nil
		}
	}
	return -1, &NotFoundError{Kind: "certificateBasedAuthPki", ID: id}
}

// PKIs returns every wire.PKI container, without its CAs.
func (s *Store) PKIs() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, 0, len(s.pkis))
	for _, p := range s.pkis {
		out = append(out, marshalObject(p.obj))
	}
	return out
}

// wire.PKI returns one wire.PKI container, without its CAs.
func (s *Store) PKI(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findPKI(id)
	if err != nil {
		return nil, err
	}
	return marshalObject(s.pkis[i].obj), nil
}

// CreatePKI adds a wire.PKI container and returns it.
func (s *Store) CreatePKI(body wire.Object) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := clone(body)
	o["id"] = wire.Raw(s.NewID())
	o["status"] = wire.Raw(wire.PKIStatusSucceeded)
	o["statusDetails"] = json.RawMessage("null")
	o["lastModifiedDateTime"] = s.timestamp()
	o["deletedDateTime"] = json.RawMessage("null")
	s.pkis = append(s.pkis, &storedPKI{obj: o})
	return marshalObject(o)
}

// PatchPKI replaces the properties the body carries and returns the wire.PKI.
func (s *Store) PatchPKI(id string, body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findPKI(id)
	if err != nil {
		return nil, err
	}
	for k, v := range body {
		s.pkis[i].obj[k] = v
	}
	s.pkis[i].obj["lastModifiedDateTime"] = s.timestamp()
	return marshalObject(s.pkis[i].obj), nil
}

// SetPKIStatus records the state of an asynchronous job on a wire.PKI.
func (s *Store) SetPKIStatus(id, status, details string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findPKI(id)
	if err != nil {
		return err
	}
	s.pkis[i].obj["status"] = wire.Raw(status)
	if details == "" {
		s.pkis[i].obj["statusDetails"] = json.RawMessage("null")
	} else {
		s.pkis[i].obj["statusDetails"] = wire.Raw(details)
	}
	s.pkis[i].obj["lastModifiedDateTime"] = s.timestamp()
	return nil
}

// DeletePKI deletes a wire.PKI container and its CAs.
func (s *Store) DeletePKI(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findPKI(id)
	if err != nil {
		return err
	}
	s.pkis = append(s.pkis[:i], s.pkis[i+1:]...)
	return nil
}

func (s *Store) findCA(pkiID, caID string) (*storedPKI, int, error) {
	i, err := s.findPKI(pkiID)
	if err != nil {
		return nil, -1, err
	}
	p := s.pkis[i]
	for j, ca := range p.cas {
		if strings.EqualFold(str(ca, "id"), caID) {
			return p, j, nil
		}
	}
	return p, -1, &NotFoundError{Kind: "certificateAuthorityDetail", ID: caID}
}

// CAs returns the CAs of a wire.PKI container.
func (s *Store) CAs(pkiID string) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findPKI(pkiID)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(s.pkis[i].cas))
	for _, ca := range s.pkis[i].cas {
		out = append(out, marshalObject(ca))
	}
	return out, nil
}

// wire.CA returns one wire.CA.
func (s *Store) CA(pkiID, caID string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, j, err := s.findCA(pkiID, caID)
	if err != nil {
		return nil, err
	}
	return marshalObject(p.cas[j]), nil
}

// CreateCA adds a wire.CA to a wire.PKI container and returns it, with the properties
// Graph derives from the certificate.
func (s *Store) CreateCA(pkiID string, body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findPKI(pkiID)
	if err != nil {
		return nil, err
	}
	o := clone(body)
	o["id"] = wire.Raw(s.NewID())
	o["createdDateTime"] = s.timestamp()
	o["deletedDateTime"] = json.RawMessage("null")
	for _, k := range []string{"certificateRevocationListUrl", "deltaCertificateRevocationListUrl"} {
		if _, ok := o[k]; !ok {
			o[k] = json.RawMessage("null")
		}
	}
	if _, ok := o["isIssuerHintEnabled"]; !ok {
		o["isIssuerHintEnabled"] = wire.Raw(false)
	}
	var der []byte
	if json.Unmarshal(o["certificate"], &der) == nil {
		if c, err := x509.ParseCertificate(der); err == nil {
			o["thumbprint"] = wire.Raw(pki.SHA1Thumbprint(der))
			o["issuer"] = wire.Raw(pki.SubjectDN(c, pki.RuleOrder)) // the wire.CA as an issuer (graph-api.md §9.13)
			o["issuerSubjectKeyIdentifier"] = wire.Raw(pki.SubjectKeyID(c))
			o["expirationDateTime"] = wire.Raw(c.NotAfter.UTC().Format("2006-01-02T15:04:05Z"))
		}
	}
	s.pkis[i].cas = append(s.pkis[i].cas, o)
	return marshalObject(o), nil
}

// PatchCA replaces the properties the body carries and returns the wire.CA.
func (s *Store) PatchCA(pkiID, caID string, body wire.Object) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, j, err := s.findCA(pkiID, caID)
	if err != nil {
		return nil, err
	}
	for k, v := range body {
		if k == "deltacertificateRevocationListUrl" {
			k = "deltaCertificateRevocationListUrl"
		}
		p.cas[j][k] = v
	}
	return marshalObject(p.cas[j]), nil
}

// DeleteCA deletes a wire.CA.
func (s *Store) DeleteCA(pkiID, caID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, j, err := s.findCA(pkiID, caID)
	if err != nil {
		return err
	}
	p.cas = append(p.cas[:j], p.cas[j+1:]...)
	return nil
}

// Legacy returns the members of the classic store.
func (s *Store) Legacy() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, 0, len(s.legacy))
	for _, l := range s.legacy {
		out = append(out, append([]byte(nil), l...))
	}
	return out
}

// SetLegacy replaces the classic store.
func (s *Store) SetLegacy(cfg wire.LegacyConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cfg.ID == "" {
		cfg.ID = wire.LegacyConfigID
	}
	s.legacy = []json.RawMessage{wire.Raw(cfg)}
}

// Groups returns the groups whose display name is name (exactly).
func (s *Store) Groups(name string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]byte
	for _, g := range s.groups {
		var gr wire.Group
		if json.Unmarshal(g, &gr) == nil && gr.DisplayName == name {
			out = append(out, append([]byte(nil), g...))
		}
	}
	return out
}

// AddGroup adds a directory group.
func (s *Store) AddGroup(g wire.Group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = append(s.groups, wire.Raw(g))
}

// SnapshotVersion is the version of the snapshot format this package writes.
const SnapshotVersion = 1

// snapshotFile is the tenant snapshot format (contract §2).
type snapshotFile struct {
	SnapshotVersion                         int               `json:"snapshotVersion"`
	TenantID                                string            `json:"tenantId,omitempty"`
	X509Certificate                         json.RawMessage   `json:"x509Certificate,omitempty"`
	CertificateBasedAuthConfigurations      []wire.Object     `json:"certificateBasedAuthConfigurations,omitempty"`
	LegacyCertificateBasedAuthConfiguration []json.RawMessage `json:"legacyCertificateBasedAuthConfiguration,omitempty"`
	Groups                                  []json.RawMessage `json:"groups,omitempty"`
	AuthenticationStrengthPolicies          []wire.Object     `json:"authenticationStrengthPolicies,omitempty"`
	Users                                   []wire.Object     `json:"users,omitempty"`
}

// skipped is a JSON value only looked past: decoding one copies nothing.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// Load replaces the store's contents with a snapshot. Unknown top-level keys
// are an error, so that a typo cannot pass silently; everything below the top
// level is accepted as Graph returns it.
func (s *Store) Load(data []byte) error {
	var f snapshotFile
	pkis, plain := loadPlain(data, &f)
	if !plain {
		f = snapshotFile{}
		if err := loadJSON(data, &f); err != nil {
			return err
		}
	}
	if f.SnapshotVersion != SnapshotVersion {
		return fmt.Errorf("invalid snapshot: snapshotVersion is %d; this cbactl reads version %d", f.SnapshotVersion, SnapshotVersion)
	}
	var x509 wire.Object
	if len(f.X509Certificate) > 0 && string(f.X509Certificate) != "null" {
		if err := json.Unmarshal(f.X509Certificate, &x509); err != nil {
			return fmt.Errorf("invalid snapshot: x509Certificate: %w", err)
		}
	}
	if !plain {
		pkis = make([]*storedPKI, 0, len(f.CertificateBasedAuthConfigurations))
		for i, o := range f.CertificateBasedAuthConfigurations {
			p := &storedPKI{obj: o}
			if cas, ok := o["certificateAuthorities"]; ok {
				if err := json.Unmarshal(cas, &p.cas); err != nil {
					return fmt.Errorf("invalid snapshot: certificateBasedAuthConfigurations[%d].certificateAuthorities: %w", i, err)
				}
				delete(o, "certificateAuthorities")
			}
			if str(o, "id") == "" {
				return fmt.Errorf("invalid snapshot: certificateBasedAuthConfigurations[%d] has no id", i)
			}
			pkis = append(pkis, p)
		}
	} else {
		for i, p := range pkis { // loadPlain decoded them all: only the ids are left to check
			if str(p.obj, "id") == "" {
				return fmt.Errorf("invalid snapshot: certificateBasedAuthConfigurations[%d] has no id", i)
			}
		}
	}
	strengths, err := loadStrengths(f.AuthenticationStrengthPolicies)
	if err != nil {
		return err
	}
	for i, u := range f.Users {
		if str(u, "id") == "" {
			return fmt.Errorf("invalid snapshot: users[%d] has no id", i)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenantID, s.x509, s.pkis = f.TenantID, x509, pkis
	s.legacy, s.groups = f.LegacyCertificateBasedAuthConfiguration, f.Groups
	s.strengths = strengths
	s.users = f.Users
	s.indexUsers()
	return nil
}

// loadJSON decodes a snapshot's top level into f, with the errors of a
// snapshot that is not what Load reads.
func loadJSON(data []byte, f *snapshotFile) error {
	// Keys are compared exactly: encoding/json would match "x509certificate"
	// to x509Certificate.
	var keys map[string]skipped
	if json.Unmarshal(data, &keys) != nil {
		// The error as it always read, naming a map of raw messages.
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return fmt.Errorf("invalid snapshot: %w", err)
		}
		keys = make(map[string]skipped, len(raw))
		for k := range raw {
			keys[k] = skipped{}
		}
	}
	known := map[string]bool{}
	ft := reflect.TypeOf(snapshotFile{})
	for i := range ft.NumField() {
		name, _, _ := strings.Cut(ft.Field(i).Tag.Get("json"), ",")
		known[name] = true
	}
	for k := range keys {
		if !known[k] {
			return fmt.Errorf("invalid snapshot: unknown top-level key %q (known: snapshotVersion, tenantId, x509Certificate, certificateBasedAuthConfigurations, legacyCertificateBasedAuthConfiguration, groups, users, authenticationStrengthPolicies)", k)
		}
	}
	if err := json.Unmarshal(data, f); err != nil {
		return fmt.Errorf("invalid snapshot: %w", err)
	}
	return nil
}

// loadPlain is the common case of Load's decoding, in fewer passes over
// the text and without copying the containers' CAs twice: valid JSON whose
// top level and containers name each member once, exactly as this package
// spells it, and whose values decode. It decodes the top level into f and
// returns the containers with their CAs (their ids not yet checked); ok is
// false for anything else, which loadJSON decodes (and words its errors)
// as it always did.
func loadPlain(data []byte, f *snapshotFile) (pkis []*storedPKI, ok bool) {
	if !json.Valid(data) {
		return nil, false
	}
	top, ok := wire.AppendMembers(nil, data)
	if !ok {
		return nil, false
	}
	fv := reflect.ValueOf(f).Elem()
	field := map[string]reflect.Value{}
	for i := range fv.NumField() {
		name, _, _ := strings.Cut(fv.Type().Field(i).Tag.Get("json"), ",")
		field[name] = fv.Field(i)
	}
	for _, m := range top {
		v, known := field[m.Name]
		if !known {
			return nil, false
		}
		if m.Name == "certificateBasedAuthConfigurations" {
			if pkis, ok = loadPKIs(m.Value); !ok {
				return nil, false
			}
			continue
		}
		if json.Unmarshal(m.Value, v.Addr().Interface()) != nil {
			return nil, false
		}
	}
	if pkis == nil {
		pkis = []*storedPKI{}
	}
	return pkis, true
}

// loadPKIs decodes the containers of loadPlain, each a JSON object.
func loadPKIs(data []byte) ([]*storedPKI, bool) {
	if string(data) == "null" {
		return []*storedPKI{}, true
	}
	elems, ok := wire.Elements(data)
	if !ok {
		return nil, false
	}
	pkis := make([]*storedPKI, 0, len(elems))
	for _, e := range elems {
		members, ok := wire.AppendMembers(nil, e)
		if !ok {
			return nil, false
		}
		p := &storedPKI{}
		for i, m := range members {
			if m.Name == "certificateAuthorities" {
				if p.cas, ok = loadCAs(m.Value); !ok {
					return nil, false
				}
				members = append(members[:i:i], members[i+1:]...)
				break
			}
		}
		p.obj = objectOf(members)
		pkis = append(pkis, p)
	}
	return pkis, true
}

// loadCAs decodes a container's certificateAuthorities as
// json.Unmarshal into []wire.Object does, without encoding/json's passes
// over the text when each CA is an object that names each member once,
// exactly.
func loadCAs(data []byte) (cas []wire.Object, ok bool) {
	if elems, ok := wire.Elements(data); ok {
		cas = make([]wire.Object, 0, len(elems))
		var members []wire.Member // one CA's, the slice reused
		for _, e := range elems {
			if members, ok = wire.AppendMembers(members[:0], e); !ok {
				break
			}
			cas = append(cas, objectOf(members))
		}
		if len(cas) == len(elems) {
			return cas, true
		}
	}
	cas = nil
	return cas, json.Unmarshal(data, &cas) == nil
}

// objectOf is an object of the members, their values copied into one
// buffer (each value's capacity its length: a value appended to is
// copied, never writes over the next).
func objectOf(members []wire.Member) wire.Object {
	n := 0
	for _, m := range members {
		n += len(m.Value)
	}
	buf := make([]byte, 0, n)
	o := make(wire.Object, len(members))
	for _, m := range members {
		start := len(buf)
		buf = append(buf, m.Value...)
		o[m.Name] = buf[start:len(buf):len(buf)]
	}
	return o
}

// Snapshot returns the store as a snapshot file (indented JSON).
func (s *Store) Snapshot() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := snapshotFile{
		SnapshotVersion:                         SnapshotVersion,
		TenantID:                                s.tenantID,
		LegacyCertificateBasedAuthConfiguration: s.legacy,
		Groups:                                  s.groups,
	}
	if s.x509 != nil {
		f.X509Certificate = marshalObject(s.x509)
	}
	for _, p := range s.pkis {
		o := clone(p.obj)
		cas := p.cas
		if cas == nil {
			cas = []wire.Object{}
		}
		o["certificateAuthorities"] = wire.Raw(cas)
		f.CertificateBasedAuthConfigurations = append(f.CertificateBasedAuthConfigurations, o)
	}
	f.AuthenticationStrengthPolicies = s.snapshotStrengths()
	f.Users = s.users
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// wire.Document decodes the store into Graph's typed shapes and reports the
// properties cbactl does not model.
func (s *Store) Document() (wire.Document, []string, error) {
	d := wire.Document{TenantID: s.TenantID()}
	var unknown []string
	add := func(u []string, err error) error {
		unknown = append(unknown, u...)
		return err
	}
	// The method configuration, the containers and their CAs decode
	// straight from the objects held (wire.DecodeObject), under the lock:
	// the writes change the objects in place.
	s.mu.Lock()
	err := func() error {
		if s.x509 != nil {
			d.X509 = &wire.X509Config{}
			if err := add(wire.DecodeObject(s.x509, d.X509, "x509Certificate")); err != nil {
				return err
			}
		}
		if len(s.pkis) > 0 {
			d.PKIs = make([]wire.PKI, 0, len(s.pkis))
		}
		for i, p := range s.pkis {
			var wp wire.PKI
			path := fmt.Sprintf("certificateBasedAuthConfigurations[%d]", i)
			if err := add(wire.DecodeObject(p.obj, &wp, path)); err != nil {
				return err
			}
			// The CAs of the first container with the id, as a read of
			// its CAs by id gets them.
			k, err := s.findPKI(wp.ID)
			if err != nil {
				return err
			}
			held := s.pkis[k].cas
			cas := make([]wire.CA, len(held))
			for j, c := range held {
				if err := add(wire.DecodeObject(c, &cas[j], fmt.Sprintf("%s.certificateAuthorities[%d]", path, j))); err != nil {
					return err
				}
			}
			if wp.CertificateAuthorities == nil {
				if len(cas) > 0 {
					wp.CertificateAuthorities = cas
				}
			} else {
				wp.CertificateAuthorities = append(wp.CertificateAuthorities, cas...)
			}
			d.PKIs = append(d.PKIs, wp)
		}
		return nil
	}()
	s.mu.Unlock()
	if err != nil {
		return d, nil, err
	}
	for i, l := range s.Legacy() {
		var lc wire.LegacyConfig
		if err := add(wire.Decode(l, &lc, fmt.Sprintf("legacyCertificateBasedAuthConfiguration[%d]", i))); err != nil {
			return d, nil, err
		}
		d.Legacy = append(d.Legacy, lc)
	}
	s.mu.Lock()
	groups := append([]json.RawMessage(nil), s.groups...)
	s.mu.Unlock()
	for i, g := range groups {
		var gr wire.Group
		if err := add(wire.Decode(g, &gr, fmt.Sprintf("groups[%d]", i))); err != nil {
			return d, nil, err
		}
		d.Groups = append(d.Groups, gr)
	}
	strengths, u, err := s.strengthDocument()
	if err != nil {
		return d, nil, err
	}
	d.Strengths = strengths
	unknown = append(unknown, u...)
	users, err := s.ReadUsers()
	if err != nil {
		return d, nil, err
	}
	if len(users) > 0 {
		d.Users = users
	}
	return d, unknown, nil
}

// SnapshotFromDocument is the snapshot file of a document read from Graph.
func SnapshotFromDocument(d wire.Document) []byte {
	s := NewStore()
	s.tenantID = d.TenantID
	if d.X509 != nil {
		s.x509 = wire.ToObject(d.X509)
	}
	for _, p := range d.PKIs {
		cas := p.CertificateAuthorities
		p.CertificateAuthorities = nil
		sp := &storedPKI{obj: wire.ToObject(p)}
		for _, ca := range cas {
			sp.cas = append(sp.cas, wire.ToObject(ca))
		}
		s.pkis = append(s.pkis, sp)
	}
	for _, l := range d.Legacy {
		s.legacy = append(s.legacy, wire.Raw(l))
	}
	for _, g := range d.Groups {
		s.groups = append(s.groups, wire.Raw(g))
	}
	for _, u := range d.Users {
		s.users = append(s.users, wire.ToObject(u))
	}
	for _, p := range d.Strengths {
		configs, usage := p.CombinationConfigurations, p.Usage
		p.CombinationConfigurations, p.Usage = nil, nil
		st := &storedStrength{obj: wire.ToObject(p), usage: usage}
		for _, c := range configs {
			st.configs = append(st.configs, wire.ToObject(c))
		}
		s.strengths = append(s.strengths, st)
	}
	return s.Snapshot()
}
