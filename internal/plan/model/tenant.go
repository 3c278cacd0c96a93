package model

import (
	"context"
	"errors"
)

// ErrNotFound is what a Tenant's errors match (errors.Is) when the object a
// request names does not exist (Graph's 404).
var ErrNotFound = errors.New("not found")

// Tenant reads and writes a tenant's certificate-based authentication
// configuration in the domain's terms. Package graph implements it over
// Microsoft Graph, package graph/snapshot over a snapshot file; apply uses
// nothing else.
type Tenant interface {
	// Observe reads the whole observed state. Warnings report what Graph
	// returned that cbactl does not model (unknown properties, unknown
	// enum values), so that nothing is silently dropped.
	Observe(ctx context.Context) (*Observation, error)

	// CreatePKI creates an empty PKI container and returns it with its id.
	CreatePKI(ctx context.Context, displayName string) (PKI, error)
	UpdatePKI(ctx context.Context, id, displayName string) error
	// DeletePKI deletes a PKI container and all of its CAs.
	DeletePKI(ctx context.Context, id string) error

	// CreateCA adds a CA to a PKI container and returns it with its id.
	CreateCA(ctx context.Context, pkiID string, ca CA) (CA, error)
	// UpdateCA writes the mutable attributes of ca (type, CRL URLs, issuer
	// hint, display name); ca.ID names it.
	UpdateCA(ctx context.Context, pkiID string, ca CA) error
	DeleteCA(ctx context.Context, pkiID, caID string) error

	// StartUpload asks Graph to fetch a PKCS#7 bundle into a PKI container;
	// PKI then reports the job's status and the CAs seen so far (an error
	// matching ErrNotFound once a deleted container is gone).
	StartUpload(ctx context.Context, pkiID string, u Upload) error
	PKI(ctx context.Context, pkiID string) (PKI, error)

	// UpdateX509 replaces the x509Certificate method configuration. Group
	// targets must carry ids.
	UpdateX509(ctx context.Context, x X509Config) error

	// ResolveGroups looks up groups by display name: every group with that
	// exact name, for each name.
	ResolveGroups(ctx context.Context, names []string) (map[string][]Group, error)
}

// Observation is an observed state and what reading it revealed.
type Observation struct {
	State    State
	Warnings []string
}
