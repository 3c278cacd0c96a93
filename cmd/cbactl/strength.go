package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/cbactl/cbactl/internal/graph"
	"github.com/cbactl/cbactl/internal/graph/wire"
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
	if err != nil && graph.IsForbidden(err) {
		return nil, fmt.Errorf("read the authentication strengths (this needs Policy.Read.All; writing them Policy.ReadWrite.ConditionalAccess): %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("read the authentication strengths: %w", err)
	}
	st.Strengths = ss
	return warnings, nil
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

// exportStrengths reads the tenant's strengths for export. Without the
// permission to read them (Policy.Read.All), export goes on without them
// and says so.
func exportStrengths(ctx context.Context, env *Env, t tenant, st *model.State) ([]string, error) {
	w, err := readStrengths(ctx, t, st)
	if err != nil && graph.IsForbidden(err) {
		fmt.Fprintf(env.Err, "Warning: the authentication strengths were not exported: %v (reading them needs Policy.Read.All)\n", err)
		return nil, nil
	}
	return w, err
}

// strengthDocReader reads strengths in Graph's shapes (the Graph client; a
// snapshot's document already holds them).
type strengthDocReader interface {
	ReadStrengths(ctx context.Context) ([]wire.StrengthPolicy, []string, error)
}

// exportStrengthDocuments adds the strengths to a document read from Graph.
func exportStrengthDocuments(ctx context.Context, env *Env, t tenant, doc *wire.Document) ([]string, error) {
	r, ok := t.(strengthDocReader)
	if !ok || doc.Strengths != nil {
		return nil, nil
	}
	items, unknown, err := r.ReadStrengths(ctx)
	switch {
	case err != nil && graph.IsForbidden(err):
		fmt.Fprintf(env.Err, "Warning: the authentication strengths were not exported: %v (reading them needs Policy.Read.All)\n", err)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read the authentication strengths: %w", err)
	}
	doc.Strengths = items
	return wire.UnknownWarnings(unknown), nil
}

func countCustomStrengths(d wire.Document) int {
	n := 0
	for _, s := range d.Strengths {
		if s.PolicyType != wire.StrengthTypeBuiltIn {
			n++
		}
	}
	return n
}

// appendNew appends the warnings of more that list does not hold yet (a
// snapshot's document reports the strengths' unknown properties too).
func appendNew(list, more []string) []string {
	out := append([]string(nil), list...)
	for _, w := range more {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
