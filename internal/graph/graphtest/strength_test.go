package graphtest

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

const (
	strengthsURL = "/policies/authenticationStrengthPolicies"
	mfa          = "x509CertificateMultiFactor"
	sfa          = "x509CertificateSingleFactor"
	builtInID    = "00000000-0000-0000-0000-000000000004"
)

func (h *harness) createStrength(name string, combos ...string) string {
	h.t.Helper()
	r := h.must(h.do("POST", strengthsURL, map[string]any{"displayName": name, "allowedCombinations": combos}), http.StatusCreated)
	o := r.object(h.t)
	if o["policyType"] != "custom" {
		h.t.Errorf("policyType %v, want custom", o["policyType"])
	}
	return o["id"].(string)
}

func x509Config(applies []string, skis, oids []string) map[string]any {
	return map[string]any{
		"@odata.type":           wire.X509CombinationODataType,
		"appliesToCombinations": applies,
		"allowedIssuerSkis":     skis,
		"allowedPolicyOIDs":     oids,
	}
}

func ski(i int) string { return fmt.Sprintf("%040X", i) }

func TestStrengthBuiltInsListedNeverWritten(t *testing.T) {
	h := setup(t, Options{})
	list := h.must(h.do("GET", strengthsURL, nil), 200).object(t)["value"].([]any)
	if len(list) != 3 {
		t.Fatalf("%d strengths, want the 3 built-in ones", len(list))
	}
	u := strengthsURL + "/" + builtInID
	wantError(t, h.do("PATCH", u, map[string]any{"description": "x"}), 400, "BadRequest", "built in")
	wantError(t, h.do("DELETE", u, nil), 400, "BadRequest", "built in")
	wantError(t, h.do("POST", u+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{"fido2"}}), 400, "BadRequest", "built in")
	wantError(t, h.do("POST", u+"/combinationConfigurations", x509Config([]string{mfa}, nil, nil)), 400, "BadRequest", "built in")
}

func TestStrengthPatchOnlyNameAndDescription(t *testing.T) {
	h := setup(t, Options{})
	id := h.createStrength("Secret", mfa)
	u := strengthsURL + "/" + id
	wantError(t, h.do("PATCH", u, map[string]any{"allowedCombinations": []string{mfa, sfa}}), 400, "BadRequest", "allowedCombinations")
	h.must(h.do("PATCH", u, map[string]any{"displayName": "Secret 2", "description": "d"}), 200)
	o := h.must(h.do("GET", u, nil), 200).object(t)
	if o["displayName"] != "Secret 2" || o["description"] != "d" {
		t.Errorf("after PATCH: %v", o)
	}
	r := h.must(h.do("POST", u+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{mfa, sfa}}), 200).object(t)
	if fmt.Sprint(r["currentCombinations"]) != fmt.Sprint([]any{mfa, sfa}) || fmt.Sprint(r["previousCombinations"]) != fmt.Sprint([]any{mfa}) {
		t.Errorf("updateAllowedCombinations result %v", r)
	}
	wantError(t, h.do("POST", u+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{"smartcard"}}), 400, "BadRequest", "not a valid combination")
	wantError(t, h.do("POST", u+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{mfa}, "x": 1}), 400, "BadRequest", "not a valid parameter")
}

func TestStrengthCombinationConfigurationRules(t *testing.T) {
	h := setup(t, Options{})
	id := h.createStrength("Secret", mfa)
	cu := strengthsURL + "/" + id + "/combinationConfigurations"
	// The combination must be allowed first.
	wantError(t, h.do("POST", cu, x509Config([]string{sfa}, nil, nil)), 400, "BadRequest", "not one of the policy's allowedCombinations")
	// At most 5 SKIs and 5 OIDs.
	six := []string{ski(1), ski(2), ski(3), ski(4), ski(5), ski(6)}
	wantError(t, h.do("POST", cu, x509Config([]string{mfa}, six, nil)), 400, "BadRequest", "at most 5")
	wantError(t, h.do("POST", cu, x509Config([]string{mfa}, nil, []string{"1.1", "1.2", "1.3", "1.4", "1.5", "1.6"})), 400, "BadRequest", "at most 5")
	// @odata.type is required; unknown properties are refused.
	wantError(t, h.do("POST", cu, map[string]any{"appliesToCombinations": []string{mfa}}), 400, "BadRequest", "@odata.type")
	wantError(t, h.do("POST", cu, map[string]any{"@odata.type": wire.X509CombinationODataType, "appliesToCombinations": []string{mfa}, "allowedIssuers": []string{}}), 400, "BadRequest", "allowedIssuers")

	c := h.must(h.do("POST", cu, x509Config([]string{mfa}, six[:5], []string{"1.2.3"})), http.StatusCreated).object(t)
	cid := c["id"].(string)
	// One configuration per combination.
	wantError(t, h.do("POST", cu, x509Config([]string{mfa}, nil, nil)), 400, "BadRequest", "one configuration per combination")
	// A combination a configuration applies to cannot be removed.
	h.must(h.do("POST", strengthsURL+"/"+id+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{mfa, sfa}}), 200)
	h.must(h.do("PATCH", cu+"/"+cid, map[string]any{"appliesToCombinations": []string{mfa, sfa}}), 200)
	wantError(t, h.do("POST", strengthsURL+"/"+id+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{mfa}}), 400, "BadRequest", "cannot be removed")
	h.must(h.do("PATCH", cu+"/"+cid, map[string]any{"appliesToCombinations": []string{mfa}}), 200)
	h.must(h.do("POST", strengthsURL+"/"+id+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []string{mfa}}), 200)
	// A PATCH merges; the lists are checked again.
	wantError(t, h.do("PATCH", cu+"/"+cid, map[string]any{"allowedIssuerSkis": six}), 400, "BadRequest", "at most 5")
	got := h.must(h.do("GET", cu+"/"+cid, nil), 200).object(t)
	if len(got["allowedIssuerSkis"].([]any)) != 5 || fmt.Sprint(got["allowedPolicyOIDs"]) != "[1.2.3]" {
		t.Errorf("configuration after a refused PATCH: %v", got)
	}
	h.must(h.do("DELETE", cu+"/"+cid, nil), http.StatusNoContent)
	if n := len(h.must(h.do("GET", cu, nil), 200).object(t)["value"].([]any)); n != 0 {
		t.Errorf("%d configurations after DELETE", n)
	}
}

func TestStrengthDeleteRefusedWhileInUse(t *testing.T) {
	h := setup(t, Options{})
	id := h.createStrength("Secret", mfa)
	if err := h.srv.Store.AddStrengthUsage(id, model.PolicyRef{ID: "p-1", DisplayName: "Require smart cards"}, true); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/usage", "/usage()"} {
		u := h.must(h.do("GET", strengthsURL+"/"+id+path, nil), 200).object(t)
		if len(u["mfa"].([]any)) != 1 || len(u["none"].([]any)) != 0 {
			t.Errorf("GET %s: %v", path, u)
		}
	}
	wantError(t, h.do("DELETE", strengthsURL+"/"+id, nil), 400, "BadRequest", "'Require smart cards' (p-1)")
	if err := h.srv.Store.ClearStrengthUsage(id); err != nil {
		t.Fatal(err)
	}
	h.must(h.do("DELETE", strengthsURL+"/"+id, nil), http.StatusNoContent)
	wantError(t, h.do("GET", strengthsURL+"/"+id, nil), 404, "itemNotFound", id)
}

func TestStrengthLimit(t *testing.T) {
	h := setup(t, Options{})
	for i := range model.MaxCustomStrengths {
		h.createStrength(fmt.Sprintf("S%d", i), mfa)
	}
	wantError(t, h.do("POST", strengthsURL, map[string]any{"displayName": "One too many", "allowedCombinations": []string{mfa}}), 400, "BadRequest", "15 custom")
	wantError(t, h.do("POST", strengthsURL, map[string]any{"displayName": "S1", "allowedCombinations": []string{mfa}}), 400, "BadRequest", "")
	// Properties other than name, description and combinations are refused
	// on create.
	h2 := setup(t, Options{})
	wantError(t, h2.do("POST", strengthsURL, map[string]any{"displayName": "X", "allowedCombinations": []string{mfa}, "policyType": "builtIn"}), 400, "BadRequest", "policyType")
}
