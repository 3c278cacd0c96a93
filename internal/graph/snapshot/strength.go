package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

var _ model.StrengthTenant = (*Tenant)(nil)

// ObserveStrengths reads the snapshot's authentication strengths.
func (t *Tenant) ObserveStrengths(context.Context) ([]model.AuthStrength, []string, error) {
	items, unknown, err := t.store.ReadStrengths()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", t.path, err)
	}
	d := wire.Document{Strengths: items}
	return d.StrengthsToModel(), wire.UnknownWarnings(unknown), nil
}

// strengthResult words a refusal as Graph's, so that a snapshot apply fails
// exactly where Graph would.
func (t *Tenant) strengthResult(err error) error {
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("snapshot %s: Graph would refuse this write: %w", t.path, err)
	}
	return t.result(err)
}

// CreateStrength adds a custom strength.
func (t *Tenant) CreateStrength(_ context.Context, s model.AuthStrength) (model.AuthStrength, error) {
	obj, err := t.store.CreateStrength(wire.ToObject(wire.StrengthFromModel(s)))
	if err != nil {
		return model.AuthStrength{}, t.strengthResult(err)
	}
	t.changed()
	var p wire.StrengthPolicy
	if err := json.Unmarshal(obj, &p); err != nil {
		return model.AuthStrength{}, err
	}
	out := wire.StrengthToModel(p)
	out.Name = s.Name
	return out, nil
}

// UpdateStrength changes display name and description.
func (t *Tenant) UpdateStrength(_ context.Context, id, displayName, description string) error {
	body := wire.Object{"displayName": mustJSON(displayName), "description": json.RawMessage("null")}
	if description != "" {
		body["description"] = mustJSON(description)
	}
	_, err := t.store.PatchStrength(id, body)
	return t.strengthResult(err)
}

// SetStrengthCombinations is updateAllowedCombinations.
func (t *Tenant) SetStrengthCombinations(_ context.Context, id string, combinations []string) error {
	_, err := t.store.SetStrengthCombinations(id, append([]string{}, combinations...))
	return t.strengthResult(err)
}

// DeleteStrength deletes a custom strength; refused while in use.
func (t *Tenant) DeleteStrength(_ context.Context, id string) error {
	return t.strengthResult(t.store.DeleteStrength(id))
}

// CreateStrengthX509 adds an x509 combination configuration.
func (t *Tenant) CreateStrengthX509(_ context.Context, strengthID string, x model.StrengthX509) (model.StrengthX509, error) {
	obj, err := t.store.CreateStrengthConfig(strengthID, wire.ToObject(wire.StrengthX509FromModel(x)))
	if err != nil {
		return model.StrengthX509{}, t.strengthResult(err)
	}
	t.changed()
	x.ID = idOf(obj)
	return x, nil
}

// UpdateStrengthX509 replaces an x509 combination configuration's lists.
func (t *Tenant) UpdateStrengthX509(_ context.Context, strengthID string, x model.StrengthX509) error {
	_, err := t.store.PatchStrengthConfig(strengthID, x.ID, wire.ToObject(wire.StrengthX509FromModel(x)))
	return t.strengthResult(err)
}

// DeleteStrengthX509 deletes a combination configuration.
func (t *Tenant) DeleteStrengthX509(_ context.Context, strengthID, configID string) error {
	return t.strengthResult(t.store.DeleteStrengthConfig(strengthID, configID))
}

func mustJSON(v any) json.RawMessage {
	b, err := wire.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
