package export

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Users' certificateUserIds: users.hcl holds a certificate_user_ids block
// that reads certificate-user-ids.csv (user,value), one row per value of
// every user that has any. Every value of those users is declared, so that
// planning against the same tenant shows no changes; users without values
// are not named, and so never written.
const (
	UsersFile    = "users.hcl"
	UsersCSVFile = "certificate-user-ids.csv"
)

// exportedUsers are the users with values, by UPN, and their values of a
// known kind; skipped counts values of no kind (not declarable; they are
// kept by any plan, since no kind owns them).
func exportedUsers(st model.State) (users []model.User, skipped int) {
	for _, u := range st.Users {
		var vals []string
		for _, v := range u.Values {
			if _, ok := model.KindOf(v); ok {
				vals = append(vals, v)
			} else {
				skipped++
			}
		}
		if len(vals) == 0 {
			continue
		}
		u.Values = vals
		users = append(users, u)
	}
	sort.SliceStable(users, func(i, j int) bool {
		return strings.ToLower(users[i].UserName()) < strings.ToLower(users[j].UserName())
	})
	return users, skipped
}

// usersFiles are users.hcl and the CSV it reads; nil when no user has a
// value.
func (e *exporter) usersFiles() (hclData, csvData []byte) {
	users, skipped := exportedUsers(e.in.State)
	if skipped > 0 {
		e.note("%d certificateUserIds %s of no known kind (no X509:<…> prefix cbactl knows) %s not exported; no plan removes %s, since no certificate field owns %s.", skipped, plural(skipped, "value", "values"), plural(skipped, "was", "were"), plural(skipped, "it", "them"), plural(skipped, "it", "them"))
	}
	if len(users) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"user", "value"})
	synced := 0
	for _, u := range users {
		if u.Synced {
			synced++
		}
		for _, v := range u.Values {
			_ = w.Write([]string{u.UserName(), v})
		}
	}
	w.Flush()

	f := hclwrite.NewEmptyFile()
	body := f.Body()
	comment(body, "The certificateUserIds of every user that has any, in "+UsersCSVFile+" (user,value).",
		"cbactl manages only the users named here, and of each only the kinds of values declared for it (and those of fields). "+
			"Users synchronised from Active Directory are listed, but plan skips them: change their altSecurityIdentities in AD instead.")
	body.AppendNewline()
	b := body.AppendNewBlock("certificate_user_ids", nil).Body()
	b.SetAttributeValue("exclusive", cty.True)
	b.SetAttributeValue("csv", cty.StringVal(UsersCSVFile))
	if synced > 0 {
		e.note("%d exported %s synchronised from Active Directory; plan skips %s with a warning (their certificateUserIds come from altSecurityIdentities).", synced, plural(synced, "user is", "users are"), plural(synced, "it", "them"))
	}
	return f.Bytes(), buf.Bytes()
}
