package model

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Users' certificateUserIds (contract §1 "Users' certificateUserIds"). The
// desired side is the certificate_user_ids block: the users it names and,
// for each, the values it declares or derives from certificates; the
// observed side is the tenant's users with their values.

// CertUserIDs is the certificate_user_ids block (desired side only; nil: no
// user is managed).
type CertUserIDs struct {
	// Fields are the certificate fields values are derived from, in
	// configuration spelling (FieldPrincipalName, ...).
	Fields []CertificateField
	// Exclusive: a named user's owned values become exactly the declared
	// ones; false: only add.
	Exclusive bool
	// Users are the named users, in the order of first declaration.
	Users []DeclaredUser
}

// DeclaredUser is one user the block names, with its declared values
// (explicit ones, then derived ones, without repeats).
type DeclaredUser struct {
	// Key is the user as the configuration names it: a UPN or an object id.
	Key    string
	Values []string
	// Kinds are the owned kinds (value prefixes such as "X509:<PN>") beyond
	// those of Fields: the kinds of the values declared for this user.
	Kinds []CertificateField `json:",omitempty"`
}

// User is a directory user as cbactl reads it (observed side).
type User struct {
	ID                string
	UserPrincipalName string
	// Synced is onPremisesSyncEnabled: a user synchronised from Active
	// Directory, whose certificateUserIds Graph refuses to write.
	Synced bool
	Values []string // authorizationInfo.certificateUserIds, as stored
}

// Limits Entra documents for certificateUserIds.
const (
	MaxCertUserIDs      = 10
	MaxCertUserIDLength = 1024
)

// CertUserIDKinds maps each certificate field to the prefix of its values,
// exactly as `cert userids` prints them. IssuerAndSubject and
// IssuerAndSerialNumber share "X509:<I>" and are told apart by "<S>" or
// "<SR>" after the issuer.
var CertUserIDKinds = []struct {
	Field  CertificateField
	Prefix string
}{
	{FieldPrincipalName, "X509:<PN>"},
	{FieldRFC822Name, "X509:<RFC822>"},
	{FieldSubjectKeyIdentifier, "X509:<SKI>"},
	{FieldSHA1PublicKey, "X509:<SHA1-PUKEY>"},
	{FieldIssuerAndSubject, "X509:<I>…<S>"},
	{FieldSubject, "X509:<S>"},
	{FieldIssuerAndSerialNumber, "X509:<I>…<SR>"},
}

// KindOf is the kind of a certificateUserIds value: the certificate field
// its prefix names (case-sensitive, as Entra compares). ok is false for a
// value of no kind, or a prefix with nothing after it.
func KindOf(v string) (CertificateField, bool) {
	if tail, ok := strings.CutPrefix(v, "X509:<I>"); ok {
		sr, s := strings.LastIndex(tail, "<SR>"), strings.LastIndex(tail, "<S>")
		switch {
		case sr > 0 && sr >= s && len(tail) > sr+4:
			return FieldIssuerAndSerialNumber, true
		case s > 0 && s > sr && len(tail) > s+3:
			return FieldIssuerAndSubject, true
		}
		return "", false
	}
	for _, k := range CertUserIDKinds {
		if strings.Contains(k.Prefix, "…") {
			continue
		}
		if strings.HasPrefix(v, k.Prefix) && len(v) > len(k.Prefix) {
			return k.Field, true
		}
	}
	return "", false
}

// KindPrefix is the prefix that identifies a field's values for ownership:
// "X509:<PN>", "X509:<I>…<SR>".
func KindPrefix(f CertificateField) string {
	for _, k := range CertUserIDKinds {
		if k.Field == f {
			return k.Prefix
		}
	}
	return ""
}

// WrongCasePrefix returns the exact prefix a value seems to mean when it
// starts with one in another case ("x509:<pn>"), or "".
func WrongCasePrefix(v string) string {
	if _, ok := KindOf(v); ok {
		return ""
	}
	for _, k := range CertUserIDKinds {
		p, _, _ := strings.Cut(k.Prefix, "…")
		if len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) && v[:len(p)] != p {
			return p
		}
	}
	return ""
}

// UserAddress is the plan address of a named user:
// certificate_user_ids.user["alice@contoso.com"].
func UserAddress(key string) Address {
	return Address("certificate_user_ids.user[" + strconv.Quote(key) + "]")
}

// CertUserIDsAddress is the address of the block.
const CertUserIDsAddress Address = "certificate_user_ids"

// UserName names a user for messages: its UPN, or its id.
func (u User) UserName() string {
	if u.UserPrincipalName != "" {
		return u.UserPrincipalName
	}
	return u.ID
}

// UserWrite replaces one user's certificateUserIds.
type UserWrite struct {
	ID     string   // object id
	Name   string   // for messages: the UPN
	Values []string // the whole new list
}

// UserProgress reports a batched write of users' values.
type UserProgress struct {
	Written   int // users written so far
	Throttled int // items Graph answered 429 so far (each retried after its Retry-After)
	Left      int // users not written yet
}

// UserWriteError is the failure of one user's write.
type UserWriteError struct {
	User string
	Err  error
}

func (e *UserWriteError) Error() string { return fmt.Sprintf("user %s: %v", e.User, e.Err) }
func (e *UserWriteError) Unwrap() error { return e.Err }

// UserTenant reads and writes users' certificateUserIds. The Graph client and
// the snapshot backend implement it besides Tenant; cbactl reads users only
// when the configuration has a certificate_user_ids block (or to export).
type UserTenant interface {
	// ObserveUsers reads every user: id, UPN, onPremisesSyncEnabled and
	// certificateUserIds.
	ObserveUsers(ctx context.Context) ([]User, error)
	// WriteUserIDs replaces each user's certificateUserIds, in $batch
	// requests where the backend has them; report (may be nil) receives
	// progress. Writes that succeeded stay written when another fails.
	WriteUserIDs(ctx context.Context, writes []UserWrite, report func(UserProgress)) error
}

// User is the declared user whose key (a UPN or an object id) is key,
// without regard to case.
func (c *CertUserIDs) User(key string) (DeclaredUser, bool) {
	if c == nil {
		return DeclaredUser{}, false
	}
	for _, u := range c.Users {
		if strings.EqualFold(u.Key, key) {
			return u, true
		}
	}
	return DeclaredUser{}, false
}
