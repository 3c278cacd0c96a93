package graphtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
)

// Authentication strengths (Conditional Access), v1.0:
//
//	GET|POST         /policies/authenticationStrengthPolicies
//	GET|PATCH|DELETE   .../authenticationStrengthPolicies/{id}
//	POST               .../{id}/updateAllowedCombinations
//	GET                .../{id}/usage (or usage(), a function call)
//	GET|POST           .../{id}/combinationConfigurations
//	GET|PATCH|DELETE   .../{id}/combinationConfigurations/{configId}
//
// The store enforces Graph's rules (wire/strength.go): built-in strengths
// are never written; a PATCH carries only displayName and description;
// allowedCombinations change only through updateAllowedCombinations, which
// refuses to remove a combination a configuration applies to; a strength a
// Conditional Access policy uses cannot be deleted; at most 15 custom
// strengths; a configuration applies only to allowed combinations, one per
// combination, with at most 5 issuer SKIs and 5 policy OIDs. A refusal is
// 400 BadRequest naming the reason.

const (
	strengthsPath    = "policies/authenticationStrengthPolicies"
	strengthTypeName = "authenticationStrengthPolicy"
	configTypeName   = "x509CertificateCombinationConfiguration"
)

func init() {
	routes = append(routes,
		route{split(strengthsPath), map[string]handler{
			http.MethodGet: (*call).listStrengths, http.MethodPost: (*call).createStrength,
		}},
		route{split(strengthsPath + "/{}"), map[string]handler{
			http.MethodGet: (*call).getStrength, http.MethodPatch: (*call).patchStrength, http.MethodDelete: (*call).deleteStrength,
		}},
		route{split(strengthsPath + "/{}/updateAllowedCombinations"), map[string]handler{
			http.MethodPost: (*call).updateAllowedCombinations,
		}},
		route{split(strengthsPath + "/{}/usage"), map[string]handler{
			http.MethodGet: (*call).strengthUsage,
		}},
		// usage is an OData function: the SDK calls it as usage().
		route{split(strengthsPath + "/{}/usage()"), map[string]handler{
			http.MethodGet: (*call).strengthUsage,
		}},
		route{split(strengthsPath + "/{}/combinationConfigurations"), map[string]handler{
			http.MethodGet: (*call).listStrengthConfigs, http.MethodPost: (*call).createStrengthConfig,
		}},
		route{split(strengthsPath + "/{}/combinationConfigurations/{}"), map[string]handler{
			http.MethodGet: (*call).getStrengthConfig, http.MethodPatch: (*call).patchStrengthConfig, http.MethodDelete: (*call).deleteStrengthConfig,
		}},
	)
}

// strengthError maps the store's errors: not found 404, a refusal 400.
func strengthError(err error) error {
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		return badRequest("%s", ve.Message)
	}
	return storeError(err)
}

func (c *call) strengthContext() string {
	return c.base() + "/$metadata#policies/authenticationStrengthPolicies"
}

func (c *call) configContext() string {
	return c.strengthContext() + "('" + c.params[0] + "')/combinationConfigurations"
}

// strengthBody checks a strength body: only the properties in allowed (and
// annotations), strings where strings belong.
func (c *call) strengthBody(allowed ...string) (wire.Object, error) {
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	var typed wire.StrengthPolicy
	if err := c.decodeTyped(&typed, strengthTypeName); err != nil {
		return nil, err
	}
	for k := range obj {
		if isAnnotation(k) {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return nil, badRequest("The property '%s' cannot be set in this request on type 'microsoft.graph.%s'.", k, strengthTypeName)
		}
	}
	g, err := c.generic()
	if err != nil {
		return nil, err
	}
	if err := checkString(g, "", "displayName", 30); err != nil {
		return nil, err
	}
	if err := checkString(g, "", "description", 256); err != nil {
		return nil, err
	}
	return withoutAnnotations(obj), nil
}

// GET /policies/authenticationStrengthPolicies
func (c *call) listStrengths() (response, error) {
	q, err := c.query(listQuery...)
	if err != nil {
		return response{}, err
	}
	return c.page(c.s.Store.Strengths(), c.strengthContext(), q)
}

// POST /policies/authenticationStrengthPolicies: 201.
func (c *call) createStrength() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	body, err := c.strengthBody("displayName", "description", "allowedCombinations")
	if err != nil {
		return response{}, err
	}
	obj, err := c.s.Store.CreateStrength(body)
	if err != nil {
		return response{}, strengthError(err)
	}
	return c.created(obj, c.strengthContext()+"/$entity")
}

// GET .../{id}
func (c *call) getStrength() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	obj, err := c.s.Store.Strength(c.params[0])
	if err != nil {
		return response{}, strengthError(err)
	}
	return entity(obj, c.strengthContext()+"/$entity", q)
}

// PATCH .../{id}: displayName and description only; 200 with the object.
func (c *call) patchStrength() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.Strength(c.params[0]); err != nil {
		return response{}, strengthError(err)
	}
	body, err := c.strengthBody("displayName", "description")
	if err != nil {
		return response{}, err
	}
	obj, err := c.s.Store.PatchStrength(c.params[0], body)
	if err != nil {
		return response{}, strengthError(err)
	}
	return entity(obj, c.strengthContext()+"/$entity", nil)
}

// DELETE .../{id}: 204; refused while a Conditional Access policy uses it.
func (c *call) deleteStrength() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if err := c.s.Store.DeleteStrength(c.params[0]); err != nil {
		return response{}, strengthError(err)
	}
	return noContent()
}

// POST .../{id}/updateAllowedCombinations {"allowedCombinations":[…]}: 200
// with an updateAllowedCombinationsResult.
func (c *call) updateAllowedCombinations() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	obj, err := c.object()
	if err != nil {
		return response{}, err
	}
	for k := range obj {
		if !isAnnotation(k) && k != "allowedCombinations" {
			return response{}, badRequest("The parameter '%s' in the request payload is not a valid parameter for the operation 'updateAllowedCombinations'.", k)
		}
	}
	var combos []string
	if err := json.Unmarshal(obj["allowedCombinations"], &combos); err != nil || combos == nil {
		return response{}, badRequest("The parameter 'allowedCombinations' is required and must be a collection of strings.")
	}
	if _, err := c.s.Store.Strength(c.params[0]); err != nil {
		return response{}, strengthError(err)
	}
	res, err := c.s.Store.SetStrengthCombinations(c.params[0], combos)
	if err != nil {
		return response{}, strengthError(err)
	}
	return response{status: http.StatusOK, body: res}, nil
}

// GET .../{id}/usage: an authenticationStrengthUsage.
func (c *call) strengthUsage() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	u, err := c.s.Store.StrengthUsage(c.params[0])
	if err != nil {
		return response{}, strengthError(err)
	}
	return entity(u, c.base()+"/$metadata#microsoft.graph.authenticationStrengthUsage", nil)
}

// GET .../{id}/combinationConfigurations
func (c *call) listStrengthConfigs() (response, error) {
	q, err := c.query(listQuery...)
	if err != nil {
		return response{}, err
	}
	items, err := c.s.Store.StrengthConfigs(c.params[0])
	if err != nil {
		return response{}, strengthError(err)
	}
	return c.page(items, c.configContext(), q)
}

// configBody checks a combination configuration body: a known @odata.type
// (required on create), the properties of that type, collections of
// strings.
func (c *call) configBody(create bool) (wire.Object, error) {
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	var typed wire.CombinationConfig
	if err := c.decodeTyped(&typed, configTypeName); err != nil {
		return nil, err
	}
	switch {
	case typed.ODataType == "" && create:
		return nil, badRequest("The property '@odata.type' is required: a combination configuration is abstract (x509CertificateCombinationConfiguration, fido2CombinationConfiguration).")
	case typed.ODataType == "", strings.EqualFold(typed.ODataType, wire.X509CombinationODataType):
		if _, ok := obj["allowedAAGUIDs"]; ok {
			return nil, unknownProperty("allowedAAGUIDs", configTypeName)
		}
	case strings.EqualFold(typed.ODataType, wire.FIDO2CombinationODataType):
		for _, k := range []string{"allowedIssuerSkis", "allowedPolicyOIDs"} {
			if _, ok := obj[k]; ok {
				return nil, unknownProperty(k, "fido2CombinationConfiguration")
			}
		}
	default:
		return nil, badRequest("The type '%s' is not a known combination configuration type.", typed.ODataType)
	}
	if _, ok := obj["id"]; ok {
		return nil, badRequest("The property 'id' is read-only.")
	}
	return withoutAnnotations(obj, "@odata.type"), nil
}

// POST .../{id}/combinationConfigurations: 201.
func (c *call) createStrengthConfig() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.Strength(c.params[0]); err != nil {
		return response{}, strengthError(err)
	}
	body, err := c.configBody(true)
	if err != nil {
		return response{}, err
	}
	obj, err := c.s.Store.CreateStrengthConfig(c.params[0], body)
	if err != nil {
		return response{}, strengthError(err)
	}
	return c.created(obj, c.configContext()+"/$entity")
}

// GET .../{id}/combinationConfigurations/{configId}
func (c *call) getStrengthConfig() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	obj, err := c.s.Store.StrengthConfig(c.params[0], c.params[1])
	if err != nil {
		return response{}, strengthError(err)
	}
	return entity(obj, c.configContext()+"/$entity", q)
}

// PATCH .../{id}/combinationConfigurations/{configId}: 200 with the object.
func (c *call) patchStrengthConfig() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.StrengthConfig(c.params[0], c.params[1]); err != nil {
		return response{}, strengthError(err)
	}
	body, err := c.configBody(false)
	if err != nil {
		return response{}, err
	}
	obj, err := c.s.Store.PatchStrengthConfig(c.params[0], c.params[1], body)
	if err != nil {
		return response{}, strengthError(err)
	}
	return entity(obj, c.configContext()+"/$entity", nil)
}

// DELETE .../{id}/combinationConfigurations/{configId}: 204.
func (c *call) deleteStrengthConfig() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if err := c.s.Store.DeleteStrengthConfig(c.params[0], c.params[1]); err != nil {
		return response{}, strengthError(err)
	}
	return noContent()
}
