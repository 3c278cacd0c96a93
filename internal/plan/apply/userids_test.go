package apply

import (
	"slices"
	"testing"

	"github.com/cbactl/cbactl/internal/plan"
)

func TestUserWavesRemoveBeforeAdd(t *testing.T) {
	ch := func(id string, before, after []string) plan.Change {
		return plan.Change{Kind: plan.KindUser, Action: plan.Update, User: &plan.UserChange{ID: id, Name: id, Before: before, After: after}}
	}
	first, second := userWaves([]plan.Change{
		ch("giver", []string{"X509:<PN>moved", "X509:<PN>kept"}, []string{"X509:<PN>kept", "X509:<PN>new"}),
		ch("taker", []string{}, []string{"X509:<PN>MOVED"}),
		ch("other", []string{}, []string{"X509:<PN>other"}),
		// a cycle: each gives the other its value
		ch("x", []string{"X509:<PN>x"}, []string{"X509:<PN>y"}),
		ch("y", []string{"X509:<PN>y"}, []string{"X509:<PN>x"}),
	})
	var f, s []string
	for _, w := range first {
		f = append(f, w.ID)
	}
	for _, w := range second {
		s = append(s, w.ID)
	}
	if !slices.Equal(f, []string{"giver", "other", "x", "y"}) || !slices.Equal(s, []string{"taker", "x", "y"}) {
		t.Fatalf("first %v, second %v", f, s)
	}
	if !slices.Equal(first[0].Values, []string{"X509:<PN>kept", "X509:<PN>new"}) {
		t.Errorf("giver's only write %q", first[0].Values)
	}
	if len(first[2].Values) != 0 || !slices.Equal(second[1].Values, []string{"X509:<PN>y"}) {
		t.Errorf("x: first %q, then %q", first[2].Values, second[1].Values)
	}
}
