package render

import (
	"bytes"
	"testing"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// userStates name three users: one gains a derived value next to Entra
// Connect's X509:<PN> (kept: not an owned kind), one loses a stale owned
// value, one is synchronised from AD (skipped with a warning); an unnamed
// user never shows.
func userStates() (desired, observed model.State) {
	desired.CertUserIDs = &model.CertUserIDs{
		Fields: []model.CertificateField{model.FieldIssuerAndSerialNumber}, Exclusive: true,
		Users: []model.DeclaredUser{
			{Key: "alice@contoso.com", Values: []string{"X509:<I>DC=org,DC=Contoso,CN=Contoso Issuing CA<SR>2c1b0a"}},
			{Key: "bob@contoso.com", Values: []string{"X509:<SKI>9F1C2B3A4D5E6F708192A3B4C5D6E7F801234567"}, Kinds: []model.CertificateField{model.FieldSubjectKeyIdentifier}},
			{Key: "sync@contoso.com", Values: []string{"X509:<PN>sync@contoso"}, Kinds: []model.CertificateField{model.FieldPrincipalName}},
		},
	}
	observed.Users = []model.User{
		{ID: "a1", UserPrincipalName: "alice@contoso.com", Values: []string{"X509:<PN>alice@contoso.com"}},
		{ID: "b1", UserPrincipalName: "bob@contoso.com", Values: []string{"X509:<SKI>0011223344556677889900112233445566778899", "X509:<SKI>9F1C2B3A4D5E6F708192A3B4C5D6E7F801234567"}},
		{ID: "s1", UserPrincipalName: "sync@contoso.com", Synced: true},
		{ID: "c1", UserPrincipalName: "carol@contoso.com", Values: []string{"X509:<SKI>AABB"}},
	}
	return desired, observed
}

func TestUserIDsGolden(t *testing.T) {
	desired, observed := userStates()
	p := plan.Diff(desired, observed)
	text, js := goldens(t, "userids", p)
	for _, s := range []string{"carol", "AABB"} {
		if bytes.Contains(text, []byte(s)) || bytes.Contains(js, []byte(s)) {
			t.Errorf("the plan shows %q, of a user the configuration does not name", s)
		}
	}
}
