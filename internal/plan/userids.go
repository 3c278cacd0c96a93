package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// KindUser is one user's certificateUserIds.
const KindUser Kind = "certificate_user_ids.user"

// UserChange is what apply needs to write one user's certificateUserIds.
type UserChange struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"` // the user's UPN (or id), for messages
	Before []string `json:"before"`
	After  []string `json:"after"`
}

// certUserIDs plans the users the certificate_user_ids block names (contract
// §1): a user that does not exist is an error; a synchronised user is
// skipped with a warning; a user's owned values (kinds of fields and of its
// declared values) become the declared ones (exclusive) or gain them; more
// than 10 values after the change is an error; a value another user still
// holds after this plan is an error naming both (values compare without
// case for conflicts, exactly for changes).
func (p *Plan) certUserIDs(c *model.CertUserIDs, users []model.User) {
	byKey := make(map[string]int, 2*len(users))
	for i, u := range users {
		byKey[strings.ToLower(u.ID)] = i
		if u.UserPrincipalName != "" {
			byKey[strings.ToLower(u.UserPrincipalName)] = i
		}
	}
	after := map[int][]string{} // changed users' new lists
	named := map[int]string{}   // observed user -> declared key
	var changes []Change
	for _, du := range c.Users {
		addr := model.UserAddress(du.Key)
		i, ok := byKey[strings.ToLower(du.Key)]
		if !ok {
			p.errorf(addr, "User not found",
				"No user of the tenant has the user principal name or object id %q; cbactl writes only users that exist. Nothing will be written until this is fixed.", du.Key)
			continue
		}
		u := users[i]
		if prev, dup := named[i]; dup {
			p.errorf(addr, "User named twice", "%q and %q are the same user (%s, id %s); name each user once.", prev, du.Key, u.UserName(), u.ID)
			continue
		}
		named[i] = du.Key
		if u.Synced {
			p.warnf(addr, "Synchronised user skipped",
				"%s is synchronised from Active Directory (onPremisesSyncEnabled), and Graph refuses to write its certificateUserIds. cbactl skips it: set the values in the user's altSecurityIdentities attribute in Active Directory, which Entra Connect synchronises to certificateUserIds.", u.UserName())
			continue
		}
		for _, v := range u.Values {
			if pre := model.WrongCasePrefix(v); pre != "" {
				p.warnf(addr, "certificateUserIds value with a wrong-case prefix",
					"%s holds %q, whose prefix is not %q exactly; Entra compares prefixes case-sensitively, so this value matches no certificate. Declared correctly spelt (with exclusive = true), it is replaced; otherwise cbactl keeps it (no kind owns it): remove it by hand.", u.UserName(), v, pre)
			}
		}
		next, err := desiredValues(c, du, u.Values)
		if err != "" {
			p.errorf(addr, "Value differs only in case", "%s: %s", u.UserName(), err)
			continue
		}
		if len(next) > model.MaxCertUserIDs {
			p.errorf(addr, "Too many certificateUserIds values",
				"After this plan %s would hold %d values (%s); Entra stores at most %d per user, kept values of kinds cbactl does not own included.", u.UserName(), len(next), strings.Join(next, ", "), model.MaxCertUserIDs)
			continue
		}
		if sameSet(u.Values, next) {
			continue
		}
		after[i] = next
		before := u.Values
		if before == nil {
			before = []string{}
		}
		changes = append(changes, Change{
			Address: addr, Kind: KindUser, Action: Update, ObjectID: u.ID,
			Before: []Node{valuesAttr(before)}, After: []Node{valuesAttr(next)},
			User: &UserChange{ID: u.ID, Name: u.UserName(), Before: before, After: next},
		})
	}

	// Conflicts: who holds each value once the plan is applied.
	holders := map[string][]int{}
	for i, u := range users {
		vals := u.Values
		if a, ok := after[i]; ok {
			vals = a
		}
		for _, v := range vals {
			lv := strings.ToLower(v)
			holders[lv] = append(holders[lv], i)
		}
	}
	for _, ch := range changes {
		i := byKey[strings.ToLower(ch.User.ID)]
		for _, v := range ch.User.After {
			if containsFold(ch.User.Before, v) {
				continue
			}
			for _, j := range holders[strings.ToLower(v)] {
				if j == i {
					continue
				}
				other := users[j]
				how := "which this configuration does not name"
				if key, ok := named[j]; ok {
					how = fmt.Sprintf("which this configuration names (%s) and which keeps it", model.UserAddress(key))
				}
				p.errorf(ch.Address, "certificateUserIds value held by another user",
					"The value %q for %s is held by %s (id %s), %s; a value maps a certificate to one user only (compared without regard to case). Remove it from %s first, or declare it for that user only.",
					v, ch.User.Name, other.UserName(), other.ID, how, other.UserName())
			}
		}
	}
	sort.SliceStable(changes, func(a, b int) bool { return changes[a].Address < changes[b].Address })
	p.Changes = append(p.Changes, changes...)
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
}

// desiredValues is a user's list after the plan: exclusive, the values of
// kinds it does not own kept (in the tenant's order), the declared values
// kept or added (a tenant value that differs only in case from a declared
// one is replaced by it); not exclusive, the tenant's values and the
// declared ones.
// A declared value that differs only in case from a value the user keeps
// is reported (Entra would refuse the pair).
func desiredValues(c *model.CertUserIDs, du model.DeclaredUser, before []string) ([]string, string) {
	owned := func(v string) bool {
		k, ok := model.KindOf(v)
		return ok && (slices.Contains(c.Fields, k) || slices.Contains(du.Kinds, k))
	}
	var out []string
	for _, v := range before {
		switch {
		case !c.Exclusive || slices.Contains(du.Values, v):
			out = append(out, v)
		case containsFold(du.Values, v):
			// The declared value, spelt otherwise: replaced by it.
		case !owned(v):
			out = append(out, v)
		}
	}
	for _, v := range du.Values {
		if slices.Contains(out, v) {
			continue
		}
		if containsFold(out, v) {
			return nil, fmt.Sprintf("the declared value %q differs only in case from a value the user keeps; Entra holds a value once without regard to case, and cbactl does not remove values of kinds it does not own, nor any value with exclusive = false", v)
		}
		out = append(out, v)
	}
	if out == nil {
		out = []string{}
	}
	return out, ""
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// valuesAttr is the values attribute of a user's change, its JSON written
// without HTML escaping, so that "X509:<PN>…" reads as it is stored.
func valuesAttr(values []string) Node {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(values); err != nil {
		panic(err) // a string slice always encodes
	}
	return Node{Name: "values", Value: bytes.TrimSpace(b.Bytes())}
}
