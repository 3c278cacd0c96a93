package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/plan/model"
)

func TestCertUserIDsDiff(t *testing.T) {
	pn, ski := model.FieldPrincipalName, model.FieldSubjectKeyIdentifier
	users := func() []model.User {
		return []model.User{
			{ID: "a", UserPrincipalName: "alice@contoso.com", Values: []string{"X509:<PN>alice", "X509:<SKI>OLD"}},
			{ID: "b", UserPrincipalName: "bob@contoso.com"},
			{ID: "c", UserPrincipalName: "carol@contoso.com", Values: []string{"X509:<SKI>CAROL"}},
		}
	}
	for _, tc := range []struct {
		name      string
		block     model.CertUserIDs
		want      map[string][]string // user id -> after
		wantError string
	}{
		{"exclusive replaces owned kinds only",
			model.CertUserIDs{Fields: []model.CertificateField{ski}, Exclusive: true, Users: []model.DeclaredUser{{Key: "alice@contoso.com", Values: []string{"X509:<SKI>NEW"}}}},
			map[string][]string{"a": {"X509:<PN>alice", "X509:<SKI>NEW"}}, ""},
		{"not exclusive only adds",
			model.CertUserIDs{Fields: []model.CertificateField{ski}, Users: []model.DeclaredUser{{Key: "ALICE@contoso.com", Values: []string{"X509:<SKI>NEW"}}}},
			map[string][]string{"a": {"X509:<PN>alice", "X509:<SKI>OLD", "X509:<SKI>NEW"}}, ""},
		{"declared kind is owned",
			model.CertUserIDs{Exclusive: true, Users: []model.DeclaredUser{{Key: "a", Values: []string{"X509:<PN>al"}, Kinds: []model.CertificateField{pn}}}},
			map[string][]string{"a": {"X509:<SKI>OLD", "X509:<PN>al"}}, ""},
		{"no change",
			model.CertUserIDs{Fields: []model.CertificateField{ski}, Exclusive: true, Users: []model.DeclaredUser{{Key: "alice@contoso.com", Values: []string{"X509:<SKI>OLD"}}}},
			map[string][]string{}, ""},
		{"value moved between named users",
			model.CertUserIDs{Fields: []model.CertificateField{ski}, Exclusive: true, Users: []model.DeclaredUser{
				{Key: "carol@contoso.com", Values: []string{}}, {Key: "bob@contoso.com", Values: []string{"X509:<SKI>carol"}}}},
			map[string][]string{"c": {}, "b": {"X509:<SKI>carol"}}, ""},
		{"conflict without regard to case names both users",
			model.CertUserIDs{Fields: []model.CertificateField{ski}, Exclusive: true, Users: []model.DeclaredUser{{Key: "bob@contoso.com", Values: []string{"X509:<SKI>carol"}}}},
			nil, "for bob@contoso.com is held by carol@contoso.com"},
		{"unknown user",
			model.CertUserIDs{Users: []model.DeclaredUser{{Key: "dave@contoso.com", Values: []string{"X509:<PN>d"}}}},
			nil, `"dave@contoso.com"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Diff(model.State{CertUserIDs: &tc.block}, model.State{Users: users()})
			var errs []string
			for _, d := range p.Diagnostics {
				if d.Severity == "error" {
					errs = append(errs, d.Detail)
				}
			}
			if tc.wantError != "" {
				if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), tc.wantError) {
					t.Fatalf("errors %q, want one with %q", errs, tc.wantError)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("errors %q", errs)
			}
			got := map[string][]string{}
			for _, c := range p.Changes {
				got[c.User.ID] = c.User.After
			}
			if len(got) != len(tc.want) {
				t.Fatalf("changes %v, want %v", got, tc.want)
			}
			for id, want := range tc.want {
				if !slices.Equal(got[id], want) {
					t.Errorf("%s after = %q, want %q", id, got[id], want)
				}
			}
		})
	}
}
