package plan

import "github.com/cbactl/cbactl/internal/plan/model"

// WithResolvedGroups returns a new configuration in which every group
// target given by display name has the id of the one tenant group of that
// name (ResolveGroups), with a diagnostic for each name that matches none or
// several. x is not changed; nil gives nil.
func WithResolvedGroups(x *model.X509Config, found map[string][]model.Group) (*model.X509Config, []Diagnostic) {
	if x == nil {
		return nil, nil
	}
	y := x.WithOwnTargets()
	return y, ResolveGroups(y, found)
}
