package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// userIndex finds users by lower-case id or UPN, and the owner of each
// value (lower-case: Entra's uniqueness ignores case).
type userIndex struct {
	byKey   map[string]int
	byValue map[string]int
}

func (s *Store) indexUsers() {
	s.uidx = userIndex{byKey: make(map[string]int, 2*len(s.users)), byValue: map[string]int{}}
	for i, o := range s.users {
		s.indexUser(i, o)
	}
}

func (s *Store) indexUser(i int, o wire.Object) {
	s.uidx.byKey[strings.ToLower(str(o, "id"))] = i
	if upn := str(o, "userPrincipalName"); upn != "" {
		s.uidx.byKey[strings.ToLower(upn)] = i
	}
	for _, v := range userValues(o) {
		s.uidx.byValue[strings.ToLower(v)] = i
	}
}

func userValues(o wire.Object) []string {
	var ai wire.AuthorizationInfo
	if raw, ok := o["authorizationInfo"]; ok {
		_ = json.Unmarshal(raw, &ai)
	}
	return ai.CertificateUserIDs
}

// AddUser adds a user (tests and seeding; no checks).
func (s *Store) AddUser(u wire.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.NewID()
	}
	if s.uidx.byKey == nil {
		s.indexUsers()
	}
	o := wire.ToObject(u)
	s.users = append(s.users, o)
	s.indexUser(len(s.users)-1, o)
}

// Users returns every user, raw, in the store's order.
func (s *Store) Users() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.users))
	for i, o := range s.users {
		out[i] = marshalObject(o)
	}
	return out
}

// UserCount is the number of users.
func (s *Store) UserCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users)
}

// UserAt returns user i, raw.
func (s *Store) UserAt(i int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return marshalObject(s.users[i])
}

// UserIndexOf is the position of the user with id or UPN key, or -1.
func (s *Store) UserIndexOf(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uidx.byKey == nil {
		s.indexUsers()
	}
	if i, ok := s.uidx.byKey[strings.ToLower(key)]; ok {
		return i
	}
	return -1
}

// wire.User returns the user with id or UPN key.
func (s *Store) User(key string) ([]byte, error) {
	i := s.UserIndexOf(key)
	if i < 0 {
		return nil, &NotFoundError{Kind: "user", ID: key}
	}
	return s.UserAt(i), nil
}

// ReadUsers decodes every user.
func (s *Store) ReadUsers() ([]wire.User, error) {
	raw := s.Users()
	out := make([]wire.User, len(raw))
	for i, b := range raw {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, fmt.Errorf("users[%d]: %w", i, err)
		}
		if out[i].ID == "" {
			return nil, fmt.Errorf("users[%d] has no id", i)
		}
	}
	return out, nil
}

// SetUserIDs replaces the certificateUserIds of the user with id or UPN
// key, with Graph's rules: a synchronised user is refused; at most 10
// values of at most 1024 characters; a value held by another user
// (compared without case) is refused.
func (s *Store) SetUserIDs(key string, values []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uidx.byKey == nil {
		s.indexUsers()
	}
	i, ok := s.uidx.byKey[strings.ToLower(key)]
	if !ok {
		return &NotFoundError{Kind: "user", ID: key}
	}
	o := s.users[i]
	var synced bool
	_ = json.Unmarshal(o["onPremisesSyncEnabled"], &synced)
	if synced {
		return &wire.UserRefusedError{Code: "Request_BadRequest", Message: "Unable to update the specified properties for objects that have originated within an external service."}
	}
	if len(values) > model.MaxCertUserIDs {
		return &wire.UserRefusedError{Code: "Request_BadRequest", Message: fmt.Sprintf("Invalid value specified for property 'certificateUserIds' of resource 'User': at most %d values are allowed.", model.MaxCertUserIDs)}
	}
	seen := map[string]bool{}
	for _, v := range values {
		if len(v) > model.MaxCertUserIDLength {
			return &wire.UserRefusedError{Code: "Request_BadRequest", Message: fmt.Sprintf("Invalid value specified for property 'certificateUserIds' of resource 'User': a value is longer than %d characters.", model.MaxCertUserIDLength)}
		}
		lv := strings.ToLower(v)
		if j, held := s.uidx.byValue[lv]; (held && j != i) || seen[lv] {
			return &wire.UserRefusedError{Code: "Request_BadRequest", Message: fmt.Sprintf("Another object with the same value for property certificateUserIds already exists: %q.", v)}
		}
		seen[lv] = true
	}
	for _, v := range userValues(o) {
		delete(s.uidx.byValue, strings.ToLower(v))
	}
	if values == nil {
		values = []string{}
	}
	o["authorizationInfo"] = wire.Raw(wire.AuthorizationInfo{CertificateUserIDs: values})
	for _, v := range values {
		s.uidx.byValue[strings.ToLower(v)] = i
	}
	return nil
}
