package main

import (
	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// addStrengths gives the snapshot every tenant's built-in authentication
// strengths and the custom strength of strengths.hcl, exactly as declared
// (so that it adds nothing to the example's plan), used by a Conditional
// Access policy.
func addStrengths(s *store.Store, contosoSmartcard *pkitest.CA) error {
	s.EnsureBuiltInStrengths()
	obj, err := s.CreateStrength(wire.ToObject(wire.StrengthFromModel(model.AuthStrength{
		DisplayName:         "Contoso PIV smart card",
		Description:         "Contoso smart cards with the PIV issuance policy",
		AllowedCombinations: []string{model.CombinationX509MultiFactor},
	})))
	if err != nil {
		return err
	}
	strength := id(obj)
	if _, err := s.CreateStrengthConfig(strength, wire.ToObject(wire.StrengthX509FromModel(model.StrengthX509{
		AppliesTo:         []string{model.CombinationX509MultiFactor},
		AllowedIssuerSKIs: []string{pki.SubjectKeyID(contosoSmartcard.Cert)},
		AllowedPolicyOIDs: []string{pivPolicy},
	}))); err != nil {
		return err
	}
	return s.AddStrengthUsage(strength, model.PolicyRef{ID: "2b7c4d1e-6f3a-4e8b-9c0d-1a2b3c4d5e6f", DisplayName: "HR apps require a PIV smart card"}, true)
}
