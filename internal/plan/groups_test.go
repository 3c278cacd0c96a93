package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/plan/model"
)

func groupByName(name string) model.Target {
	return model.Target{Type: model.TargetGroup, GroupName: name}
}

func TestWithResolvedGroups(t *testing.T) {
	found := map[string][]model.Group{
		"CBA Users":   {{ID: "g-users", DisplayName: "CBA Users"}},
		"Contractors": {{ID: "g-c1", DisplayName: "Contractors"}, {ID: "g-c2", DisplayName: "Contractors"}},
	}
	for name, c := range map[string]struct {
		in        model.X509Config
		want      model.X509Config
		summaries []string
	}{
		"include resolved": {
			in:   model.X509Config{IncludeTargets: []model.IncludeTarget{{Target: groupByName("CBA Users")}}},
			want: model.X509Config{IncludeTargets: []model.IncludeTarget{{Target: model.Target{Type: model.TargetGroup, ID: "g-users", GroupName: "CBA Users"}}}},
		},
		"exclude resolved": {
			in:   model.X509Config{ExcludeTargets: []model.Target{groupByName("CBA Users")}},
			want: model.X509Config{ExcludeTargets: []model.Target{{Type: model.TargetGroup, ID: "g-users", GroupName: "CBA Users"}}},
		},
		"CA scope group resolved": {
			in:   model.X509Config{CAScopes: []model.CAScope{{SKI: "AB", Groups: []model.Target{groupByName("CBA Users")}}}},
			want: model.X509Config{CAScopes: []model.CAScope{{SKI: "AB", Groups: []model.Target{{Type: model.TargetGroup, ID: "g-users", GroupName: "CBA Users"}}}}},
		},
		"id given is kept": {
			in:   model.X509Config{ExcludeTargets: []model.Target{{Type: model.TargetGroup, ID: "g-x", GroupName: "CBA Users"}}},
			want: model.X509Config{ExcludeTargets: []model.Target{{Type: model.TargetGroup, ID: "g-x", GroupName: "CBA Users"}}},
		},
		"not found, reported once": {
			in:        model.X509Config{ExcludeTargets: []model.Target{groupByName("Nobody"), groupByName("Nobody")}},
			want:      model.X509Config{ExcludeTargets: []model.Target{groupByName("Nobody"), groupByName("Nobody")}},
			summaries: []string{"Group not found"},
		},
		"ambiguous": {
			in:        model.X509Config{ExcludeTargets: []model.Target{groupByName("Contractors")}},
			want:      model.X509Config{ExcludeTargets: []model.Target{groupByName("Contractors")}},
			summaries: []string{"Ambiguous group name"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := cloneForTest(c.in)
			got, diags := WithResolvedGroups(&c.in, found)
			if diff := cmp.Diff(&c.want, got); diff != "" {
				t.Errorf("configuration (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, c.in); diff != "" {
				t.Errorf("the input changed (-before +after):\n%s", diff)
			}
			var summaries []string
			for _, d := range diags {
				summaries = append(summaries, d.Summary)
				if d.Severity != "error" || d.Address != model.X509Address {
					t.Errorf("diagnostic %+v, want an error at %s", d, model.X509Address)
				}
			}
			if diff := cmp.Diff(c.summaries, summaries); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
	if x, diags := WithResolvedGroups(nil, found); x != nil || diags != nil {
		t.Errorf("nil configuration: %v, %v", x, diags)
	}
}

// cloneForTest deep-copies a configuration's targets independently of
// WithOwnTargets, so that the test does not trust what it tests.
func cloneForTest(x model.X509Config) model.X509Config {
	y := x
	y.IncludeTargets = append([]model.IncludeTarget(nil), x.IncludeTargets...)
	y.ExcludeTargets = append([]model.Target(nil), x.ExcludeTargets...)
	y.CAScopes = nil
	for _, s := range x.CAScopes {
		s.Groups = append([]model.Target(nil), s.Groups...)
		y.CAScopes = append(y.CAScopes, s)
	}
	return y
}
