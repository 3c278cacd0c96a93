package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// TestStrengthsThroughGraph: every strength write the client makes is one
// Graph accepts, with the documented bodies, and reads back as written.
func TestStrengthsThroughGraph(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c, _ := newClient(t, srv)

	s, err := c.CreateStrength(ctx, model.AuthStrength{Name: "secret", DisplayName: "Secret", Description: "d",
		AllowedCombinations: []string{model.CombinationX509MultiFactor}})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID == "" || s.Name != "secret" || s.PolicyType != "custom" {
		t.Errorf("created %+v", s)
	}
	// A combination mode order the SDK's flags enum would rewrite is sent
	// as written.
	combos := []string{model.CombinationX509MultiFactor, "password,sms", model.CombinationX509SingleFactor}
	if err := c.SetStrengthCombinations(ctx, s.ID, combos); err != nil {
		t.Fatal(err)
	}
	x, err := c.CreateStrengthX509(ctx, s.ID, model.StrengthX509{AppliesTo: []string{model.CombinationX509SingleFactor},
		AllowedIssuerSKIs: []string{"AB"}, AllowedPolicyOIDs: []string{"1.2.3"}})
	if err != nil {
		t.Fatal(err)
	}
	// An update sends every list, so that an empty one clears it.
	x.AllowedIssuerSKIs = nil
	if err := c.UpdateStrengthX509(ctx, s.ID, x); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateStrength(ctx, s.ID, "Secret", ""); err != nil {
		t.Fatal(err)
	}

	var update map[string]any
	if err := json.Unmarshal(requests(srv, http.MethodPost, "/updateAllowedCombinations")[0].Body, &update); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"allowedCombinations": []any{combos[0], combos[1], combos[2]}}, update); diff != "" {
		t.Errorf("updateAllowedCombinations body (-want +got):\n%s", diff)
	}
	var patch map[string]any
	if err := json.Unmarshal(requests(srv, http.MethodPatch, "/"+s.ID)[0].Body, &patch); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"displayName": "Secret", "description": nil}, patch); diff != "" {
		t.Errorf("PATCH body (-want +got):\n%s", diff)
	}

	got, warnings, err := c.ObserveStrengths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %v", warnings)
	}
	var mine *model.AuthStrength
	builtIns := 0
	for i := range got {
		switch {
		case got[i].ID == s.ID:
			mine = &got[i]
		case got[i].IsBuiltIn():
			builtIns++
		}
	}
	if builtIns != 3 || mine == nil {
		t.Fatalf("strengths %+v", got)
	}
	want := model.AuthStrength{ID: s.ID, DisplayName: "Secret", PolicyType: "custom", AllowedCombinations: combos,
		X509:  &model.StrengthX509{ID: x.ID, AppliesTo: []string{model.CombinationX509SingleFactor}, AllowedPolicyOIDs: []string{"1.2.3"}},
		Usage: &model.StrengthUsage{}}
	if diff := cmp.Diff(want, *mine); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	// Usage is read for custom strengths only, through the usage() function.
	if n := len(requests(srv, http.MethodGet, "/usage()")); n != 1 {
		t.Errorf("%d usage reads, want 1", n)
	}

	if err := c.DeleteStrengthX509(ctx, s.ID, x.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteStrength(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
}

// TestStrengthRefusalNamesRequest: a write Graph refuses is an error naming
// the request and Graph's message.
func TestStrengthRefusalNamesRequest(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c, _ := newClient(t, srv)
	err := c.UpdateStrength(ctx, "00000000-0000-0000-0000-000000000004", "Mine now", "")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Method != http.MethodPatch {
		t.Fatalf("error %v", err)
	}
}
