package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// The certificate_user_ids block (contract §1 "Users' certificateUserIds"):
// the users it names (user blocks and CSV rows) and, for each, the values
// declared or derived from user certificates, exactly as `cert userids`
// prints them.

const (
	blockCertUserIDs = "certificate_user_ids"
	blockUser        = "user"
)

var (
	certUserIDsSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "fields"}, {Name: "exclusive"}, {Name: "csv"}, {Name: "csv_files"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: blockUser, LabelNames: []string{"user"}}},
	}
	userSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "certificates"}, {Name: "values"}}}
)

func init() {
	rootSchema.Blocks = append(rootSchema.Blocks, hcl.BlockHeaderSchema{Type: blockCertUserIDs})
	testSchema.Attributes = append(testSchema.Attributes, hcl.AttributeSchema{Name: "user"})
	expectSchema.Attributes = append(expectSchema.Attributes, hcl.AttributeSchema{Name: "success"})
}

// DeclaredUser finds a user of the certificate_user_ids block by its key
// (UPN or object id, without regard to case).
func DeclaredUser(st model.State, key string) (model.DeclaredUser, bool) {
	return st.CertUserIDs.User(key)
}

// testUsers checks that every user a test names is declared.
func (v *validator) testUsers() {
	for _, t := range v.cfg.Tests {
		if t.User == "" {
			continue
		}
		if _, ok := DeclaredUser(v.cfg.Desired, t.User); !ok {
			v.errorAt(model.TestAddress(t.Name), "user", "Unknown user",
				"%q is not a user of the certificate_user_ids block (a user block label or a CSV user); a test names a declared user, whose declared certificateUserIds the sign-in is checked against.", t.User)
		}
	}
}

// declaredUser collects one user's values while decoding.
type declaredUser struct {
	key    string
	values []string
	// where each value was declared, for diagnostics (same index)
	ranges []*hcl.Range
	// explicit marks values written as values (not derived)
	explicit []bool
	first    *hcl.Range
}

// userIDsDecoder decodes the block.
type userIDsDecoder struct {
	d      *decoder
	fields []model.CertificateField
	users  map[string]*declaredUser // by lower-case key
	order  []string
}

func (u *userIDsDecoder) user(key string, rng *hcl.Range) *declaredUser {
	k := strings.ToLower(key)
	du, ok := u.users[k]
	if !ok {
		du = &declaredUser{key: key, first: rng}
		u.users[k] = du
		u.order = append(u.order, k)
	}
	return du
}

func (du *declaredUser) add(v string, rng *hcl.Range, explicit bool) {
	if slices.Contains(du.values, v) {
		return
	}
	du.values = append(du.values, v)
	du.ranges = append(du.ranges, rng)
	du.explicit = append(du.explicit, explicit)
}

// decodeCertUserIDs decodes the certificate_user_ids block; x is the
// decoded method configuration (its username bindings give the default
// fields).
func (d *decoder) decodeCertUserIDs(blocks hcl.Blocks, x *model.X509Config) *model.CertUserIDs {
	b := d.singleton(blocks, blockCertUserIDs)
	if b == nil {
		return nil
	}
	content, a := d.content(b.Body, certUserIDsSchema, model.CertUserIDsAddress, b.DefRange)
	out := &model.CertUserIDs{Exclusive: true}
	u := &userIDsDecoder{d: d, users: map[string]*declaredUser{}}
	if v, set := a.boolean("exclusive"); set {
		out.Exclusive = v
	}
	if fields, set := a.strings("fields"); set {
		for _, f := range fields {
			if !model.Valid(model.CertificateField(f), model.CertificateFields) {
				d.errorf(a.src.rangePtr("fields"), "Invalid certificate field", "%q is not a certificate field: use %s.", f, model.Quoted(model.CertificateFields))
				continue
			}
			if !slices.Contains(out.Fields, model.CertificateField(f)) {
				out.Fields = append(out.Fields, model.CertificateField(f))
			}
		}
	} else if x != nil {
		for _, ub := range x.UsernameBindings {
			if ub.Attribute == model.AttrCertificateUserIDs && !slices.Contains(out.Fields, ub.Field) {
				out.Fields = append(out.Fields, ub.Field)
			}
		}
	}
	u.fields = out.Fields

	seen := map[string]hcl.Range{}
	for _, ub := range content.Blocks.OfType(blockUser) {
		key := ub.Labels[0]
		lk := strings.ToLower(key)
		if prev, dup := seen[lk]; dup {
			d.diags = append(d.diags, duplicate("user", key, ub.LabelRanges[0], prev))
			continue
		}
		seen[lk] = ub.LabelRanges[0]
		if strings.TrimSpace(key) == "" {
			d.errorf(ub.LabelRanges[0].Ptr(), "Empty user", "A user block needs a user: a user principal name or an object id.")
			continue
		}
		_, ua := d.content(ub.Body, userSchema, model.UserAddress(key), ub.DefRange)
		du := u.user(key, ub.DefRange.Ptr())
		if vals, set := ua.strings("values"); set {
			for _, v := range vals {
				du.add(v, ua.src.rangePtr("values"), true)
			}
		}
		if certs, set := ua.strings("certificates"); set {
			for _, c := range certs {
				u.derive(du, c, ua.src.rangePtr("certificates"))
			}
		}
	}

	var files []string
	var fileRanges []*hcl.Range
	if v, set := a.str("csv"); set {
		files, fileRanges = append(files, v), append(fileRanges, a.src.rangePtr("csv"))
	}
	if vs, set := a.strings("csv_files"); set {
		for _, v := range vs {
			files, fileRanges = append(files, v), append(fileRanges, a.src.rangePtr("csv_files"))
		}
	}
	for i, f := range files {
		u.readCSV(f, fileRanges[i])
	}

	owner := map[string]string{} // lower-case value -> user key
	for _, k := range u.order {
		du := u.users[k]
		addr := model.UserAddress(du.key)
		if d.sources.Range(addr, "") == nil {
			d.sources.add(addr, *du.first)
		}
		dec := model.DeclaredUser{Key: du.key}
		for i, v := range du.values {
			if !u.checkValue(du, v, du.ranges[i], owner) {
				continue
			}
			dec.Values = append(dec.Values, v)
			if kind, _ := model.KindOf(v); du.explicit[i] && !slices.Contains(out.Fields, kind) && !slices.Contains(dec.Kinds, kind) {
				dec.Kinds = append(dec.Kinds, kind)
			}
		}
		if len(du.values) > model.MaxCertUserIDs {
			d.errorf(du.first, "Too many certificateUserIds values",
				"User %s is declared with %d values (declared and derived together); Entra stores at most %d per user.", du.key, len(du.values), model.MaxCertUserIDs)
		}
		out.Users = append(out.Users, dec)
	}
	return out
}

// checkValue runs the offline checks of one value: an exact prefix, the
// length limit, one user per value.
func (u *userIDsDecoder) checkValue(du *declaredUser, v string, rng *hcl.Range, owner map[string]string) bool {
	d := u.d
	if _, ok := model.KindOf(v); !ok {
		if p := model.WrongCasePrefix(v); p != "" {
			d.errorf(rng, "Wrong case in certificateUserIds prefix",
				"The value %q for user %s starts with %q in another case; Entra compares prefixes case-sensitively, so write %q exactly.", v, du.key, v[:len(p)], p)
		} else {
			d.errorf(rng, "Invalid certificateUserIds value",
				"The value %q for user %s does not start with a certificateUserIds prefix: use one of %s, followed by the value (cbactl cert userids prints them).", v, du.key, prefixList())
		}
		return false
	}
	if n := len(v); n > model.MaxCertUserIDLength {
		d.errorf(rng, "certificateUserIds value too long",
			"A value for user %s is %d characters long; Entra stores values of at most %d characters.", du.key, n, model.MaxCertUserIDLength)
		return false
	}
	lv := strings.ToLower(v)
	if prev, ok := owner[lv]; ok && !strings.EqualFold(prev, du.key) {
		d.errorf(rng, "certificateUserIds value declared for two users",
			"The value %q is declared for both %s and %s; a value maps a certificate to one user only (values compare without regard to case).", v, prev, du.key)
		return false
	}
	owner[lv] = du.key
	return true
}

func prefixList() string {
	var ps []string
	for _, k := range model.CertUserIDKinds {
		ps = append(ps, k.Prefix)
	}
	return strings.Join(ps, ", ")
}

// derive adds the values of every field of u.fields that certificate file
// p has, exactly as `cert userids` prints them.
func (u *userIDsDecoder) derive(du *declaredUser, p string, rng *hcl.Range) {
	d := u.d
	data, err := d.files.read(p)
	if err != nil {
		d.errorf(rng, "Unreadable user certificate", "%s", err)
		return
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		d.errorf(rng, "Invalid user certificate", "%s: %s", p, err)
		return
	}
	if len(u.fields) == 0 {
		d.errorf(rng, "No certificate fields to derive from",
			"User %s names a certificate, but certificate_user_ids has no fields and no username_binding of x509_certificate uses certificateUserIds: set fields = [...] to say which values to derive.", du.key)
		return
	}
	if !d.now.IsZero() && d.now.After(c.NotAfter) {
		d.diags = append(d.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Expired user certificate",
			Detail:  fmt.Sprintf("The certificate %s of user %s expired on %s; its values are still declared, but Entra refuses expired certificates at sign-in.", p, du.key, c.NotAfter.UTC().Format("2006-01-02")),
			Subject: rng})
	}
	ids := pki.CertificateUserIDs(c)
	for _, f := range u.fields {
		if v, ok := ids[string(f)]; ok {
			du.add(v, rng, false)
		}
	}
}

// readCSV reads one CSV file of users: a header row `user,certificate`,
// `user,value` or `user,certificate,value`, then one row per value or
// certificate (empty cells allowed). Certificate paths are relative to the
// CSV file.
func (u *userIDsDecoder) readCSV(file string, attrRange *hcl.Range) {
	d := u.d
	data, err := d.files.read(file)
	if err != nil {
		d.errorf(attrRange, "Unreadable CSV file", "%s", err)
		return
	}
	shown := filepath.Join(d.dir, filepath.FromSlash(file))
	at := func(line, col int) *hcl.Range {
		return &hcl.Range{Filename: shown, Start: hcl.Pos{Line: line, Column: col, Byte: 0}, End: hcl.Pos{Line: line, Column: col, Byte: 0}}
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf(at(1, 1), "Empty CSV file", "%s has no header row: write `user,certificate`, `user,value` or `user,certificate,value`.", shown)
		} else {
			d.errorf(at(1, 1), "Invalid CSV file", "%s: %s", shown, err)
		}
		return
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup || (h != "user" && h != "certificate" && h != "value") {
			col = nil
			break
		}
		col[h] = i
	}
	if _, ok := col["user"]; !ok || len(col) < 2 {
		d.errorf(at(1, 1), "Invalid CSV header", "%s: the header row is %q; it must be `user,certificate`, `user,value` or `user,certificate,value`.", shown, strings.Join(header, ","))
		return
	}
	dir := path.Dir(file)
	cell := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			d.errorf(at(line, 1), "Invalid CSV file", "%s: %s", shown, err)
			return
		}
		line, _ := r.FieldPos(0)
		if len(rec) > len(header) {
			d.errorf(at(line, 1), "Invalid CSV row", "%s: line %d has %d cells; the header has %d.", shown, line, len(rec), len(header))
			continue
		}
		user, cert, value := cell(rec, "user"), cell(rec, "certificate"), cell(rec, "value")
		if user == "" && cert == "" && value == "" {
			continue
		}
		if user == "" {
			d.errorf(at(line, 1), "CSV row without user", "%s: line %d names no user.", shown, line)
			continue
		}
		du := u.user(user, at(line, 1))
		if value != "" {
			du.add(value, at(line, col["value"]+1), true)
		}
		if cert != "" {
			p := cert
			if !path.IsAbs(p) {
				p = path.Join(dir, cert)
			}
			u.derive(du, p, at(line, col["certificate"]+1))
		}
	}
}
