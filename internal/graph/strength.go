package graph

import (
	"context"
	"fmt"
	"sort"
	"sync"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"golang.org/x/sync/errgroup"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Authentication strengths (Conditional Access). Reading needs
// Policy.Read.All, writing Policy.ReadWrite.ConditionalAccess. cbactl reads
// them only when the configuration declares a strength, and to export.
//
// Bodies are sent as wire JSON rather than SDK models: the SDK models
// allowedCombinations as a flags enum, which reorders the modes of a
// combination and drops the members it does not know.

var _ model.StrengthTenant = (*Client)(nil)

func (c *Client) strengthsBuilder() *policies.AuthenticationStrengthPoliciesRequestBuilder {
	return c.sdk.Policies().AuthenticationStrengthPolicies()
}

func (c *Client) strengthBuilder(id string) *policies.AuthenticationStrengthPoliciesAuthenticationStrengthPolicyItemRequestBuilder {
	return c.strengthsBuilder().ByAuthenticationStrengthPolicyId(id)
}

// jsonRequest is a request to the URL of builder b with method m and a
// JSON body.
func jsonRequest(b abs.BaseRequestBuilder, m abs.HttpMethod, body any) (*abs.RequestInformation, error) {
	data, err := wire.Marshal(body)
	if err != nil {
		return nil, err
	}
	params := make(map[string]string, len(b.PathParameters))
	for k, v := range b.PathParameters {
		params[k] = v
	}
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(m, b.UrlTemplate, params)
	ri.SetStreamContentAndContentType(data, "application/json")
	return ri, nil
}

// ReadStrengths reads every authentication strength with its combination
// configurations, and the usage of each custom strength: one list, then
// two requests per custom strength, concurrently.
func (c *Client) ReadStrengths(ctx context.Context) ([]wire.StrengthPolicy, []string, error) {
	// No $top: Graph documents only $filter for this collection, which
	// holds at most 15 custom strengths and the built-in ones; paging is
	// still followed.
	ri, err := c.strengthsBuilder().ToGetRequestInformation(ctx, nil)
	items, unknown, err := getAll[wire.StrengthPolicy](ctx, c, ri, err, "authenticationStrengthPolicies")
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
			ri, err := c.strengthBuilder(id).CombinationConfigurations().ToGetRequestInformation(gctx, nil)
			configs, unk, err := getAll[wire.CombinationConfig](gctx, c, ri, err, path+".combinationConfigurations")
			if err != nil {
				return err
			}
			items[i].CombinationConfigurations = configs
			add(unk)
			return nil
		})
		g.Go(func() error {
			ri, err := c.strengthBuilder(id).Usage().ToGetRequestInformation(gctx, nil)
			body, err := c.send(gctx, ri, err)
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
	ri, err := jsonRequest(c.strengthsBuilder().BaseRequestBuilder, abs.POST, wire.StrengthFromModel(s))
	res, err := c.send(ctx, ri, err)
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
	ri, err := jsonRequest(c.strengthBuilder(id).BaseRequestBuilder, abs.PATCH, body)
	_, err = c.send(ctx, ri, err)
	return err
}

// SetStrengthCombinations replaces the allowed combinations
// (POST …/updateAllowedCombinations).
func (c *Client) SetStrengthCombinations(ctx context.Context, id string, combinations []string) error {
	if id == "" {
		return fmt.Errorf("SetStrengthCombinations: empty id")
	}
	body := map[string]any{"allowedCombinations": append([]string{}, combinations...)}
	ri, err := jsonRequest(c.strengthBuilder(id).UpdateAllowedCombinations().BaseRequestBuilder, abs.POST, body)
	_, err = c.send(ctx, ri, err)
	return err
}

// DeleteStrength deletes a custom strength.
func (c *Client) DeleteStrength(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("DeleteStrength: empty id")
	}
	ri, err := c.strengthBuilder(id).ToDeleteRequestInformation(ctx, nil)
	_, err = c.send(ctx, ri, err)
	return err
}

// CreateStrengthX509 adds an x509CertificateCombinationConfiguration (POST,
// 201) and returns it with its id.
func (c *Client) CreateStrengthX509(ctx context.Context, strengthID string, x model.StrengthX509) (model.StrengthX509, error) {
	if strengthID == "" {
		return model.StrengthX509{}, fmt.Errorf("CreateStrengthX509: empty strength id")
	}
	ri, err := jsonRequest(c.strengthBuilder(strengthID).CombinationConfigurations().BaseRequestBuilder, abs.POST, wire.StrengthX509FromModel(x))
	res, err := c.send(ctx, ri, err)
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
	ri, err := jsonRequest(c.strengthBuilder(strengthID).CombinationConfigurations().ByAuthenticationCombinationConfigurationId(x.ID).BaseRequestBuilder, abs.PATCH, wire.StrengthX509FromModel(x))
	_, err = c.send(ctx, ri, err)
	return err
}

// DeleteStrengthX509 deletes a combination configuration.
func (c *Client) DeleteStrengthX509(ctx context.Context, strengthID, configID string) error {
	if strengthID == "" || configID == "" {
		return fmt.Errorf("DeleteStrengthX509: empty strength or configuration id")
	}
	ri, err := c.strengthBuilder(strengthID).CombinationConfigurations().ByAuthenticationCombinationConfigurationId(configID).ToDeleteRequestInformation(ctx, nil)
	_, err = c.send(ctx, ri, err)
	return err
}
