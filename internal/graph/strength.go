package graph

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Authentication strengths (Conditional Access). Reading needs
// Policy.Read.All, writing Policy.ReadWrite.ConditionalAccess. cbactl reads
// them only when the configuration declares a strength, and to export.
//
// Bodies are wire JSON (wire.MarshalBody): the allowed combinations are
// sent as the configuration spells them (Graph's SDK models them as a flags
// enum, which would reorder the modes of a combination and drop the members
// it does not know).

var _ model.StrengthTenant = (*Client)(nil)

// ReadStrengths reads every authentication strength with its combination
// configurations, and the usage of each custom strength: one list, then
// two requests per custom strength, concurrently.
func (c *Client) ReadStrengths(ctx context.Context) ([]wire.StrengthPolicy, []string, error) {
	// No $top: Graph documents only $filter for this collection, which
	// holds at most 15 custom strengths and the built-in ones; paging is
	// still followed.
	items, unknown, err := getAll[wire.StrengthPolicy](ctx, c, listStrengths.request(nil, query{}, nil), "authenticationStrengthPolicies")
	if err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	add := func(u []string) {
		mu.Lock()
		unknown = append(unknown, u...)
		mu.Unlock()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency)
	for i := range items {
		if items[i].PolicyType == wire.StrengthTypeBuiltIn {
			continue // built-in strengths have no configurations cbactl could write, nor may be deleted
		}
		id := items[i].ID
		path := fmt.Sprintf("authenticationStrengthPolicies[%d]", i)
		g.Go(func() error {
			ri := listStrengthConfigs.request(params{"strengthId": id}, query{}, nil)
			configs, unk, err := getAll[wire.CombinationConfig](gctx, c, ri, path+".combinationConfigurations")
			if err != nil {
				return err
			}
			items[i].CombinationConfigurations = configs
			add(unk)
			return nil
		})
		g.Go(func() error {
			body, err := c.send(gctx, getStrengthUsage.request(params{"strengthId": id}, query{}, nil))
			if err != nil {
				return err
			}
			u := &wire.StrengthUsage{}
			if len(body) > 0 {
				unk, err := wire.Decode(body, u, path+".usage")
				if err != nil {
					return fmt.Errorf("GET /policies/authenticationStrengthPolicies/%s/usage: decoding the response: %w", id, err)
				}
				add(unk)
			}
			items[i].Usage = u
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	sort.Strings(unknown)
	return items, unknown, nil
}

// ObserveStrengths reads the strengths in the domain's terms.
func (c *Client) ObserveStrengths(ctx context.Context) ([]model.AuthStrength, []string, error) {
	items, unknown, err := c.ReadStrengths(ctx)
	if err != nil {
		return nil, nil, err
	}
	d := wire.Document{Strengths: items}
	return d.StrengthsToModel(), wire.UnknownWarnings(unknown), nil
}

// CreateStrength creates a custom strength (POST, 201).
func (c *Client) CreateStrength(ctx context.Context, s model.AuthStrength) (model.AuthStrength, error) {
	body, err := wire.MarshalBody(wire.StrengthFromModel(s))
	if err != nil {
		return model.AuthStrength{}, err
	}
	res, err := c.send(ctx, createStrength.request(nil, query{}, body))
	if err != nil {
		return model.AuthStrength{}, err
	}
	var p wire.StrengthPolicy
	if len(res) > 0 {
		if _, err := wire.Decode(res, &p, strengthPath); err != nil {
			return model.AuthStrength{}, fmt.Errorf("POST /%s: decoding the response: %w", strengthPath, err)
		}
	}
	if p.ID == "" {
		return model.AuthStrength{}, fmt.Errorf("POST /%s: Graph returned no id for the new strength %q", strengthPath, s.DisplayName)
	}
	out := wire.StrengthToModel(p)
	out.Name = s.Name
	return out, nil
}

const strengthPath = "policies/authenticationStrengthPolicies"

// UpdateStrength changes display name and description (PATCH); an empty
// description is sent as an explicit null.
func (c *Client) UpdateStrength(ctx context.Context, id, displayName, description string) error {
	if id == "" {
		return fmt.Errorf("UpdateStrength: empty id")
	}
	body := map[string]any{"displayName": displayName, "description": nil}
	if description != "" {
		body["description"] = description
	}
	b, err := wire.MarshalBody(body)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, patchStrength.request(params{"strengthId": id}, query{}, b))
	return err
}

// SetStrengthCombinations replaces the allowed combinations
// (POST …/updateAllowedCombinations).
func (c *Client) SetStrengthCombinations(ctx context.Context, id string, combinations []string) error {
	if id == "" {
		return fmt.Errorf("SetStrengthCombinations: empty id")
	}
	body := map[string]any{"allowedCombinations": append([]string{}, combinations...)}
	b, err := wire.MarshalBody(body)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, updateAllowedCombos.request(params{"strengthId": id}, query{}, b))
	return err
}

// DeleteStrength deletes a custom strength.
func (c *Client) DeleteStrength(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("DeleteStrength: empty id")
	}
	_, err := c.send(ctx, deleteStrength.request(params{"strengthId": id}, query{}, nil))
	return err
}

// CreateStrengthX509 adds an x509CertificateCombinationConfiguration (POST,
// 201) and returns it with its id.
func (c *Client) CreateStrengthX509(ctx context.Context, strengthID string, x model.StrengthX509) (model.StrengthX509, error) {
	if strengthID == "" {
		return model.StrengthX509{}, fmt.Errorf("CreateStrengthX509: empty strength id")
	}
	body, err := wire.MarshalBody(wire.StrengthX509FromModel(x))
	if err != nil {
		return model.StrengthX509{}, err
	}
	res, err := c.send(ctx, createStrengthConfig.request(params{"strengthId": strengthID}, query{}, body))
	if err != nil {
		return model.StrengthX509{}, err
	}
	var cc wire.CombinationConfig
	if len(res) > 0 {
		if _, err := wire.Decode(res, &cc, "combinationConfiguration"); err != nil {
			return model.StrengthX509{}, fmt.Errorf("POST combinationConfigurations of strength %s: decoding the response: %w", strengthID, err)
		}
	}
	if cc.ID == "" {
		return model.StrengthX509{}, fmt.Errorf("POST combinationConfigurations of strength %s: Graph returned no id", strengthID)
	}
	x.ID = cc.ID
	return x, nil
}

// UpdateStrengthX509 replaces a configuration's combinations, issuers and
// policy OIDs (PATCH, every list whole).
func (c *Client) UpdateStrengthX509(ctx context.Context, strengthID string, x model.StrengthX509) error {
	if strengthID == "" || x.ID == "" {
		return fmt.Errorf("UpdateStrengthX509: empty strength or configuration id")
	}
	body, err := wire.MarshalBody(wire.StrengthX509FromModel(x))
	if err != nil {
		return err
	}
	_, err = c.send(ctx, patchStrengthConfig.request(params{"strengthId": strengthID, "configId": x.ID}, query{}, body))
	return err
}

// DeleteStrengthX509 deletes a combination configuration.
func (c *Client) DeleteStrengthX509(ctx context.Context, strengthID, configID string) error {
	if strengthID == "" || configID == "" {
		return fmt.Errorf("DeleteStrengthX509: empty strength or configuration id")
	}
	_, err := c.send(ctx, deleteStrengthConfig.request(params{"strengthId": strengthID, "configId": configID}, query{}, nil))
	return err
}
