package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/plan/model"
	"github.com/cbactl/cbactl/internal/simulate"
)

// observeStrengths reads the tenant's authentication strengths into st when
// the configuration declares one: cbactl does not read (nor need the
// permission for) what it does not manage.
func observeStrengths(ctx context.Context, t tenant, desired model.State, st *model.State) ([]string, error) {
	if len(desired.Strengths) == 0 {
		return nil, nil
	}
	return readStrengths(ctx, t, st)
}

// readStrengths reads every strength of the tenant into st.
func readStrengths(ctx context.Context, t tenant, st *model.State) ([]string, error) {
	r, ok := t.(model.StrengthTenant)
	if !ok {
		return nil, fmt.Errorf("this tenant backend cannot read authentication strengths")
	}
	ss, warnings, err := r.ObserveStrengths(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the authentication strengths: %w", err)
	}
	st.Strengths = ss
	return warnings, nil
}

// satisfiesFailure checks a test's satisfies: exactly the declared
// strengths the sign-in satisfies, in any order.
func satisfiesFailure(want *[]string, r simulate.Result) *testFailure {
	if want == nil {
		return nil
	}
	w := model.SortedSet(*want)
	var got []string
	for name, ok := range r.Strengths {
		if ok {
			got = append(got, name)
		}
	}
	g := model.SortedSet(got)
	if slices.Equal(w, g) {
		return nil
	}
	return &testFailure{Field: "satisfies", Expected: w, Got: g}
}

// writeStrengths prints the strengths line of a trace.
func writeStrengths(w io.Writer, r simulate.Result) {
	if len(r.Strengths) == 0 {
		return
	}
	names := make([]string, 0, len(r.Strengths))
	for n := range r.Strengths {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		mark := "not satisfied"
		if r.Strengths[n] {
			mark = "satisfied"
		}
		parts[i] = fmt.Sprintf("%s %s", n, mark)
	}
	fmt.Fprintf(w, "  Strengths:   %s\n", strings.Join(parts, ", "))
}
