package wire

import (
	"github.com/cbactl/cbactl/internal/plan/model"
)

// User is a directory user as cbactl reads it:
// GET /users?$select=id,userPrincipalName,onPremisesSyncEnabled,authorizationInfo.
type User struct {
	ID                    string             `json:"id"`
	UserPrincipalName     string             `json:"userPrincipalName,omitempty"`
	OnPremisesSyncEnabled *bool              `json:"onPremisesSyncEnabled"`
	AuthorizationInfo     *AuthorizationInfo `json:"authorizationInfo,omitempty"`
}

// AuthorizationInfo is a user's authorizationInfo.
type AuthorizationInfo struct {
	CertificateUserIDs []string `json:"certificateUserIds"`
}

// UserSelect is the $select of every user read.
const UserSelect = "id,userPrincipalName,onPremisesSyncEnabled,authorizationInfo"

// UserToModel maps a user to the domain.
func UserToModel(u User) model.User {
	m := model.User{ID: u.ID, UserPrincipalName: u.UserPrincipalName, Synced: u.OnPremisesSyncEnabled != nil && *u.OnPremisesSyncEnabled}
	if u.AuthorizationInfo != nil {
		m.Values = append([]string{}, u.AuthorizationInfo.CertificateUserIDs...)
	}
	return m
}

// UserWriteBody is the PATCH body that replaces a user's certificateUserIds.
func UserWriteBody(values []string) map[string]any {
	if values == nil {
		values = []string{}
	}
	return map[string]any{"authorizationInfo": map[string]any{"certificateUserIds": values}}
}

// UserRefusedError is Graph refusing a write of certificateUserIds (400):
// a limit, a value another user holds, a synchronised user.
type UserRefusedError struct{ Code, Message string }

func (e *UserRefusedError) Error() string { return e.Code + ": " + e.Message }
