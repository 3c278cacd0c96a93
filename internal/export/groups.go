package export

import (
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// targetedGroups returns the ids (lower case) of the groups the method
// configuration targets: include and exclude targets and CA scopes.
func targetedGroups(x *model.X509Config) map[string]bool {
	ids := map[string]bool{}
	if x == nil {
		return ids
	}
	x.EachTarget(func(t *model.Target) {
		if t.Type == model.TargetGroup && !t.IsAllUsers() && t.ID != "" {
			ids[strings.ToLower(t.ID)] = true
		}
	})
	return ids
}

// GroupNamesToCheck lists the display names of the groups st's method
// configuration targets (st.Groups supplies them), sorted and without
// repeats: the names to look up with model.Tenant.ResolveGroups before
// calling UniqueGroupNames.
func GroupNamesToCheck(st model.State) []string {
	targeted := targetedGroups(st.X509)
	set := map[string]bool{}
	for _, g := range st.Groups {
		if targeted[strings.ToLower(g.ID)] && g.DisplayName != "" {
			set[g.DisplayName] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// UniqueGroupNames returns Input.GroupNames: for every targeted group of st,
// its display name when looking the name up (found, as ResolveGroups
// returns it) finds exactly that group, the test `cbactl plan` applies to a
// group = "name" target. Other groups are exported by id.
func UniqueGroupNames(st model.State, found map[string][]model.Group) map[string]string {
	targeted := targetedGroups(st.X509)
	out := map[string]string{}
	for _, g := range st.Groups {
		if !targeted[strings.ToLower(g.ID)] || g.DisplayName == "" {
			continue
		}
		if gs := found[g.DisplayName]; len(gs) == 1 && strings.EqualFold(gs[0].ID, g.ID) {
			out[strings.ToLower(g.ID)] = g.DisplayName
		}
	}
	return out
}
