package graph

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// Every write body is the wire shape that package wire builds from the
// domain model, serialised once by wire's *Body functions.

// CreatePKI creates an empty PKI container (POST, 201) and returns it.
func (c *Client) CreatePKI(ctx context.Context, displayName string) (model.PKI, error) {
	body, err := wire.PKIBody(displayName, false)
	if err != nil {
		return model.PKI{}, err
	}
	res, err := c.send(ctx, createPKI.request(nil, query{}, body))
	if err != nil {
		return model.PKI{}, err
	}
	var p wire.PKI
	if len(res) > 0 {
		if _, err := wire.Decode(res, &p, "certificateBasedAuthPki"); err != nil {
			return model.PKI{}, fmt.Errorf("POST /directory/publicKeyInfrastructure/certificateBasedAuthConfigurations: decoding the response: %w", err)
		}
	}
	if p.ID == "" {
		return model.PKI{}, fmt.Errorf("POST /directory/publicKeyInfrastructure/certificateBasedAuthConfigurations: Graph returned no id for the new PKI %q", displayName)
	}
	st, _ := (&wire.Document{PKIs: []wire.PKI{p}}).Observe()
	return st.PKIs[0], nil
}

// UpdatePKI renames a PKI container (PATCH; Graph answers 200 with the
// object or 204).
func (c *Client) UpdatePKI(ctx context.Context, id, displayName string) error {
	if id == "" {
		return fmt.Errorf("UpdatePKI: empty PKI id")
	}
	body, err := wire.PKIBody(displayName, true)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, patchPKI.request(params{"pkiId": id}, query{}, body))
	return err
}

// DeletePKI deletes a PKI container and its CAs.
func (c *Client) DeletePKI(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("DeletePKI: empty PKI id")
	}
	_, err := c.send(ctx, deletePKI.request(params{"pkiId": id}, query{}, nil))
	return err
}

// CreateCA adds a CA to a PKI container (POST, 201) and returns it with its
// id. The body carries the certificate and what Graph requires on create
// (thumbprint, expirationDateTime), computed by wire.CAFromModel.
func (c *Client) CreateCA(ctx context.Context, pkiID string, ca model.CA) (model.CA, error) {
	if pkiID == "" {
		return model.CA{}, fmt.Errorf("CreateCA: empty PKI id")
	}
	if len(ca.Certificate) == 0 {
		return model.CA{}, fmt.Errorf("CreateCA: CA %q has no certificate", ca.Name)
	}
	w := wire.CAFromModel(ca)
	body, err := wire.CABody(w, false)
	if err != nil {
		return model.CA{}, err
	}
	res, err := c.send(ctx, createCA.request(params{"pkiId": pkiID}, query{}, body))
	if err != nil {
		return model.CA{}, err
	}
	var created wire.CA
	if len(res) > 0 {
		if _, err := wire.Decode(res, &created, "certificateAuthorityDetail"); err != nil {
			return model.CA{}, fmt.Errorf("POST certificateAuthorities of PKI %s: decoding the response: %w", pkiID, err)
		}
	}
	if created.ID == "" {
		return model.CA{}, fmt.Errorf("POST certificateAuthorities of PKI %s: Graph returned no id for the new CA %s", pkiID, w.Thumbprint)
	}
	st, _ := (&wire.Document{PKIs: []wire.PKI{{ID: pkiID, CertificateAuthorities: []wire.CA{created}}}}).Observe()
	out := st.PKIs[0].CAs[0]
	out.Name = ca.Name
	if len(out.Certificate) == 0 {
		out.Certificate = ca.Certificate
	}
	return out, nil
}

// UpdateCA writes a CA's mutable attributes (PATCH): type, CRL URLs (an
// empty URL is sent as an explicit null, which clears it), issuer hint and
// display name.
func (c *Client) UpdateCA(ctx context.Context, pkiID string, ca model.CA) error {
	if pkiID == "" || ca.ID == "" {
		return fmt.Errorf("UpdateCA: empty PKI or CA id")
	}
	body, err := wire.CABody(wire.CAUpdateFromModel(ca), true)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, patchCA.request(params{"pkiId": pkiID, "caId": ca.ID}, query{}, body))
	return err
}

// DeleteCA deletes a CA.
func (c *Client) DeleteCA(ctx context.Context, pkiID, caID string) error {
	if pkiID == "" || caID == "" {
		return fmt.Errorf("DeleteCA: empty PKI or CA id")
	}
	_, err := c.send(ctx, deleteCA.request(params{"pkiId": pkiID, "caId": caID}, query{}, nil))
	return err
}

var sha256Hex = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)

// StartUpload asks Graph to fetch a PKCS#7 bundle into a PKI container
// (POST .../upload, 204). The job runs asynchronously: poll PKI.
func (c *Client) StartUpload(ctx context.Context, pkiID string, u model.Upload) error {
	if pkiID == "" {
		return fmt.Errorf("StartUpload: empty PKI id")
	}
	if u.URL == "" {
		return fmt.Errorf("StartUpload: no upload URL")
	}
	if !sha256Hex.MatchString(u.SHA256) {
		return fmt.Errorf("StartUpload: %q is not a hex SHA-256", u.SHA256)
	}
	body, err := wire.UploadBody(u.URL, strings.ToUpper(u.SHA256))
	if err != nil {
		return err
	}
	_, err = c.send(ctx, uploadPKI.request(params{"pkiId": pkiID}, query{}, body))
	return err
}

// UpdateX509 replaces the x509Certificate method configuration with one
// PATCH carrying @odata.type and every collection whole.
func (c *Client) UpdateX509(ctx context.Context, x model.X509Config) error {
	body, err := wire.X509Body(wire.X509FromModel(x))
	if err != nil {
		return err
	}
	_, err = c.send(ctx, patchX509.request(nil, query{}, body))
	return err
}
