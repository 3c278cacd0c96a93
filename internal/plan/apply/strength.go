package apply

import (
	"context"
	"fmt"
	"slices"

	"github.com/cbactl/cbactl/internal/plan"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Authentication strengths are written after the trust store, in the order
// Graph requires: create strengths and allow new combinations
// (updateAllowedCombinations with the union of old and new) → delete x509
// configurations → create and update them (a configuration may apply only
// to an allowed combination, one per combination) → remove the combinations
// no longer allowed (a combination cannot go while a configuration applies
// to it) → delete strengths. A PATCH of a strength carries only its display
// name and description.

// union is the old combinations with the new ones added, in the order of
// old then new.
func union(old, new []string) []string {
	out := append([]string(nil), old...)
	for _, c := range new {
		if !slices.Contains(canonical(out), model.CanonicalCombination(c)) {
			out = append(out, c)
		}
	}
	return out
}

func canonical(cs []string) []string { return model.CanonicalCombinations(cs) }

func sameSet(a, b []string) bool { return slices.Equal(canonical(a), canonical(b)) }

// descUpdateStrength describes the PATCH step of a strength update (the
// other write step of that phase widens its combinations).
const descUpdateStrength = "update display name and description"

func strengthSteps(c plan.Change, add func(Phase, string, plan.Change)) {
	switch {
	case c.Kind == plan.KindStrength && c.Action == plan.Create:
		add(PhaseStrengthWrite, "create authentication strength", c)
	case c.Kind == plan.KindStrength && c.Action == plan.Update:
		before, after := c.StrengthBefore, c.Strength
		if before.Description != after.Description || before.DisplayName != after.DisplayName {
			add(PhaseStrengthWrite, descUpdateStrength, c)
		}
		if wide := union(before.AllowedCombinations, after.AllowedCombinations); !sameSet(wide, before.AllowedCombinations) {
			add(PhaseStrengthWrite, "allow the new combinations (updateAllowedCombinations)", c)
		}
		if !sameSet(union(before.AllowedCombinations, after.AllowedCombinations), after.AllowedCombinations) {
			add(PhaseStrengthNarrow, "remove the combinations no longer allowed (updateAllowedCombinations)", c)
		}
	case c.Kind == plan.KindStrength && c.Action == plan.Delete:
		add(PhaseStrengthDelete, "delete authentication strength", c)
	case c.Kind == plan.KindStrengthX509 && c.Action == plan.Create:
		add(PhaseStrengthConfigWrite, "create x509 certificate combination configuration", c)
	case c.Kind == plan.KindStrengthX509 && c.Action == plan.Update:
		add(PhaseStrengthConfigWrite, "update x509 certificate combination configuration", c)
	case c.Kind == plan.KindStrengthX509 && c.Action == plan.Delete:
		add(PhaseStrengthConfigDelete, "delete x509 certificate combination configuration", c)
	}
}

// strengthID is the id of the strength a change is about: observed, or
// created by this apply.
func (r *runner) strengthID(c plan.Change) (string, error) {
	if c.StrengthBefore != nil && c.StrengthBefore.ID != "" {
		return c.StrengthBefore.ID, nil
	}
	if c.Strength != nil {
		if id, ok := r.strengthIDs[c.Strength.DisplayName]; ok {
			return id, nil
		}
		return "", fmt.Errorf("the authentication strength %q does not exist", c.Strength.DisplayName)
	}
	return "", fmt.Errorf("the change names no authentication strength")
}

func (r *runner) strength(ctx context.Context, s Step) error {
	t, ok := r.t.(model.StrengthTenant)
	if !ok {
		return fmt.Errorf("this tenant backend cannot write authentication strengths")
	}
	c := s.change
	switch s.Phase {
	case PhaseStrengthWrite:
		if c.Action == plan.Create {
			created, err := t.CreateStrength(ctx, *c.Strength)
			if err != nil {
				return err
			}
			r.strengthIDs[c.Strength.DisplayName] = created.ID
			return nil
		}
		before, after := c.StrengthBefore, c.Strength
		if s.Description == descUpdateStrength {
			return t.UpdateStrength(ctx, before.ID, after.DisplayName, after.Description)
		}
		return t.SetStrengthCombinations(ctx, before.ID, union(before.AllowedCombinations, after.AllowedCombinations))
	case PhaseStrengthNarrow:
		return t.SetStrengthCombinations(ctx, c.StrengthBefore.ID, c.Strength.AllowedCombinations)
	case PhaseStrengthDelete:
		return t.DeleteStrength(ctx, c.ObjectID)
	case PhaseStrengthConfigDelete:
		id, err := r.strengthID(c)
		if err != nil {
			return err
		}
		return t.DeleteStrengthX509(ctx, id, c.ObjectID)
	case PhaseStrengthConfigWrite:
		id, err := r.strengthID(c)
		if err != nil {
			return err
		}
		if c.Action == plan.Create {
			_, err = t.CreateStrengthX509(ctx, id, *c.StrengthX509)
			return err
		}
		x := *c.StrengthX509
		x.ID = c.ObjectID
		return t.UpdateStrengthX509(ctx, id, x)
	}
	return fmt.Errorf("unknown step %v", s.Phase)
}
