package graphtest

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/graph/store"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
)

const (
	pkiTypeName = "certificateBasedAuthPki"
	caTypeName  = "certificateAuthorityDetail"

	// maxCAsPerPKI is Entra's limit of CAs in one PKI container
	// (graph-api.md §2.6).
	maxCAsPerPKI = 250

	deltaCRLKey      = "deltaCertificateRevocationListUrl"
	deltaCRLKeyAlias = "deltacertificateRevocationListUrl" // the docs' spelling
)

var listQuery = []string{"$top", "$skiptoken", "$select", "$count"}

// requireMethodEnabled refuses a trust store write while the x509Certificate
// method is not enabled: "The certificate-based authentication method must be
// enabled in the tenant for you to manage these PKI instances" (v1.0
// certificateBasedAuthPki resource page; graph-api.md §2, §9.14). The answer
// Graph gives is not documented: the fake answers 400 BadRequest in Graph's
// error shape, the code the service uses for a request it will not carry out
// in the tenant's current state.
func (c *call) requireMethodEnabled() error {
	var x struct {
		State string `json:"state"`
	}
	if err := json.Unmarshal(c.s.Store.X509(), &x); err != nil || x.State != wire.StateEnabled {
		return badRequest("Certificate-based authentication must be enabled in the tenant to manage PKI instances: the x509Certificate authentication method is %q.", x.State)
	}
	return nil
}

// storeError maps the store's not-found error to Graph's 404.
func storeError(err error) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) {
		return notFound(nf.ID)
	}
	return err
}

func (c *call) pkiContext() string {
	return c.base() + "/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations"
}

func (c *call) caContext() string {
	return c.pkiContext() + "('" + c.params[0] + "')/certificateAuthorities"
}

func (c *call) location(id string) http.Header {
	return http.Header{"Location": {c.s.srv.URL + strings.TrimSuffix(c.r.URL.EscapedPath(), "/") + "/" + url.PathEscape(id)}}
}

// created answers 201 with the new object and its Location.
func (c *call) created(obj []byte, context string) (response, error) {
	resp, err := entity(obj, context, nil)
	resp.status = http.StatusCreated
	resp.header = c.location(idOf(obj))
	return resp, err
}

// checkPKIBody answers 400 for a PKI body with anything but displayName
// (a string of at most 256 characters) and returns it without annotations.
func (c *call) checkPKIBody() (wire.Object, error) {
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	g, err := c.generic()
	if err != nil {
		return nil, err
	}
	for k := range obj {
		if !isAnnotation(k) && k != "displayName" {
			return nil, unknownProperty(k, pkiTypeName)
		}
	}
	if err := checkString(g, "", "displayName", 256); err != nil {
		return nil, err
	}
	return withoutAnnotations(obj), nil
}

// GET .../certificateBasedAuthConfigurations
func (c *call) listPKIs() (response, error) {
	q, err := c.query(listQuery...)
	if err != nil {
		return response{}, err
	}
	return c.page(c.s.Store.PKIs(), c.pkiContext(), q)
}

// POST .../certificateBasedAuthConfigurations: 201.
func (c *call) createPKI() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if err := c.requireMethodEnabled(); err != nil {
		return response{}, err
	}
	body, err := c.checkPKIBody()
	if err != nil {
		return response{}, err
	}
	return c.created(c.s.Store.CreatePKI(body), c.pkiContext()+"/$entity")
}

// GET .../certificateBasedAuthConfigurations/{id}; advances a running upload.
func (c *call) getPKI() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.PKI(c.params[0]); err != nil {
		return response{}, storeError(err)
	}
	c.s.advanceUpload(c.params[0])
	c.s.advanceDelete(c.params[0])
	p, err := c.s.Store.PKI(c.params[0])
	if err != nil {
		return response{}, storeError(err)
	}
	return entity(p, c.pkiContext()+"/$entity", q)
}

// PATCH .../certificateBasedAuthConfigurations/{id}: only displayName; 200
// with the object.
func (c *call) patchPKI() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.PKI(c.params[0]); err != nil {
		return response{}, storeError(err)
	}
	if err := c.requireMethodEnabled(); err != nil {
		return response{}, err
	}
	if err := c.s.checkNotDeleting(c.params[0]); err != nil {
		return response{}, err
	}
	body, err := c.checkPKIBody()
	if err != nil {
		return response{}, err
	}
	p, err := c.s.Store.PatchPKI(c.params[0], body)
	if err != nil {
		return response{}, storeError(err)
	}
	return entity(p, c.pkiContext()+"/$entity", nil)
}

// DELETE .../certificateBasedAuthConfigurations/{id}: 204, and the PKI, its
// CAs and any running upload go asynchronously, as Graph's do ("status ...
// of any asynchronous jobs ... which can be upload or delete"): the PKI
// stays, with status running, for Options.DeletePolls GETs of it, then it is gone
// (soft-deleted: Graph keeps it restorable for 30 days, which the fake
// does not model).
func (c *call) deletePKI() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	id := c.params[0]
	if _, err := c.s.Store.PKI(id); err != nil {
		return response{}, storeError(err)
	}
	if err := c.requireMethodEnabled(); err != nil {
		return response{}, err
	}
	if err := c.s.checkNotDeleting(id); err != nil {
		return response{}, err
	}
	delete(c.s.uploads, strings.ToLower(id))
	if c.s.deletePolls == 0 {
		if err := c.s.Store.DeletePKI(id); err != nil {
			return response{}, storeError(err)
		}
		return noContent()
	}
	c.s.deletes[strings.ToLower(id)] = 0
	if err := c.s.setPKIStatus(id, wire.PKIStatusRunning, ""); err != nil {
		return response{}, storeError(err)
	}
	return noContent()
}

// checkNotDeleting answers 400 for a write to a PKI whose deletion is
// running. The caller holds s.mu.
func (s *Server) checkNotDeleting(pkiID string) error {
	if _, ok := s.deletes[strings.ToLower(pkiID)]; ok {
		return badRequest("The PKI is being deleted. Only one operation can run at a time.")
	}
	return nil
}

// advanceDelete counts one GET of a PKI being deleted (of the PKI itself,
// not of its CA list); after DeletePolls
// GETs the next one finds it gone. The caller holds s.mu.
func (s *Server) advanceDelete(pkiID string) {
	key := strings.ToLower(pkiID)
	polls, ok := s.deletes[key]
	if !ok {
		return
	}
	if polls < s.deletePolls {
		s.deletes[key] = polls + 1
		return
	}
	delete(s.deletes, key)
	_ = s.Store.DeletePKI(pkiID)
}

// GET .../{id}/certificateAuthorities; advances a running upload.
func (c *call) listCAs() (response, error) {
	q, err := c.query(listQuery...)
	if err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.PKI(c.params[0]); err != nil {
		return response{}, storeError(err)
	}
	c.s.advanceUpload(c.params[0])
	cas, err := c.s.Store.CAs(c.params[0])
	if err != nil {
		return response{}, storeError(err)
	}
	return c.page(cas, c.caContext(), q)
}

// POST .../{id}/certificateAuthorities: 201. certificate (base64 DER),
// thumbprint and expirationDateTime are required; the store derives
// thumbprint, issuer, SKI and expiry from the certificate.
func (c *call) createCA() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.PKI(c.params[0]); err != nil {
		return response{}, storeError(err)
	}
	if err := c.requireMethodEnabled(); err != nil {
		return response{}, err
	}
	if err := c.s.checkNotDeleting(c.params[0]); err != nil {
		return response{}, err
	}
	obj, err := c.object()
	if err != nil {
		return response{}, err
	}
	var ca wire.CA
	if err := c.decodeTyped(&ca, caTypeName); err != nil {
		return response{}, err
	}
	g, err := c.generic()
	if err != nil {
		return response{}, err
	}
	if err := requireProps(g, "", "certificate", "thumbprint", "expirationDateTime"); err != nil {
		return response{}, err
	}
	cert, err := x509.ParseCertificate(ca.Certificate)
	if err != nil {
		return response{}, badRequest("The property 'certificate' is not a base64-encoded DER X.509 certificate: %s", err)
	}
	// issuer and issuerSubjectKeyIdentifier describe the CA as an issuer:
	// its own subject and its own SKI (graph-api.md §9.13, like the classic
	// store's issuer/issuerSki). Both are optional. What Graph does with a
	// value that contradicts the certificate is undocumented; the fake
	// refuses it, so that a client sending another certificate's name (the
	// CA's parent) is caught.
	if ca.Issuer != "" && ca.Issuer != pki.SubjectDN(cert, pki.RuleOrder) {
		return response{}, badRequest("The property 'issuer' ('%s') does not match the certificate's subject '%s'.", ca.Issuer, pki.SubjectDN(cert, pki.RuleOrder))
	}
	if ca.IssuerSubjectKeyIdentifier != "" && !strings.EqualFold(ca.IssuerSubjectKeyIdentifier, pki.SubjectKeyID(cert)) {
		return response{}, badRequest("The property 'issuerSubjectKeyIdentifier' ('%s') does not match the certificate's subject key identifier '%s'.", ca.IssuerSubjectKeyIdentifier, pki.SubjectKeyID(cert))
	}
	if _, err := time.Parse(time.RFC3339Nano, ca.ExpirationDateTime); err != nil {
		return response{}, badRequest("The property 'expirationDateTime' is not a valid DateTimeOffset: '%s'.", ca.ExpirationDateTime)
	}
	if err := c.checkCAValues(g); err != nil {
		return response{}, err
	}
	existing, err := c.s.caCertificates(c.params[0])
	if err != nil {
		return response{}, storeError(err)
	}
	if holds(existing, ca.Certificate) {
		return response{}, badRequest("Duplicate Certificate exists")
	}
	if len(existing) >= maxCAsPerPKI {
		return response{}, badRequest("A PKI can hold at most %d certificate authorities.", maxCAsPerPKI)
	}
	body := normalizeCABody(withoutAnnotations(obj))
	created, err := c.s.Store.CreateCA(c.params[0], body)
	if err != nil {
		return response{}, storeError(err)
	}
	return c.created(created, c.caContext()+"/$entity")
}

// checkCAValues checks the writable values of a CA body: the type enum and
// string URLs.
func (c *call) checkCAValues(g map[string]any) error {
	if err := checkEnum(g, "", "certificateAuthorityType", "caType"); err != nil {
		return err
	}
	for _, k := range []string{"certificateRevocationListUrl", deltaCRLKey, deltaCRLKeyAlias} {
		if err := checkString(g, "", k, 0); err != nil {
			return err
		}
	}
	if present(g, deltaCRLKey) && present(g, deltaCRLKeyAlias) {
		return badRequest("The properties '%s' and '%s' are the same property; send one.", deltaCRLKey, deltaCRLKeyAlias)
	}
	return nil
}

// normalizeCABody stores the delta CRL URL under the metadata's spelling.
func normalizeCABody(o wire.Object) wire.Object {
	if v, ok := o[deltaCRLKeyAlias]; ok {
		delete(o, deltaCRLKeyAlias)
		o[deltaCRLKey] = v
	}
	return o
}

// caCertificates returns the DER certificates of a PKI's CAs.
func (s *Server) caCertificates(pkiID string) ([][]byte, error) {
	cas, err := s.Store.CAs(pkiID)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(cas))
	for _, b := range cas {
		var ca struct {
			Certificate []byte `json:"certificate"`
		}
		_ = json.Unmarshal(b, &ca)
		out = append(out, ca.Certificate)
	}
	return out, nil
}

// GET .../{id}/certificateAuthorities/{caId}
func (c *call) getCA() (response, error) {
	q, err := c.query("$select")
	if err != nil {
		return response{}, err
	}
	ca, err := c.s.Store.CA(c.params[0], c.params[1])
	if err != nil {
		return response{}, storeError(err)
	}
	return entity(ca, c.caContext()+"/$entity", q)
}

// caWritable are the properties a CA PATCH may carry (the Entra portal's
// "Edit a CA"; graph-api.md §2.3).
var caWritable = []string{
	"certificateAuthorityType", "certificateRevocationListUrl", deltaCRLKey, deltaCRLKeyAlias,
	"isIssuerHintEnabled", "displayName",
}

// PATCH .../{id}/certificateAuthorities/{caId}: 200 with the object.
func (c *call) patchCA() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.CA(c.params[0], c.params[1]); err != nil {
		return response{}, storeError(err)
	}
	if err := c.requireMethodEnabled(); err != nil {
		return response{}, err
	}
	if err := c.s.checkNotDeleting(c.params[0]); err != nil {
		return response{}, err
	}
	obj, err := c.object()
	if err != nil {
		return response{}, err
	}
	if err := c.decodeTyped(&wire.CA{}, caTypeName); err != nil {
		return response{}, err
	}
	for k := range obj {
		if !isAnnotation(k) && !slices.Contains(caWritable, k) {
			return response{}, badRequest("The property '%s' of type 'microsoft.graph.%s' cannot be updated; only %s can.", k, caTypeName, strings.Join(caWritable, ", "))
		}
	}
	g, err := c.generic()
	if err != nil {
		return response{}, err
	}
	if err := c.checkCAValues(g); err != nil {
		return response{}, err
	}
	ca, err := c.s.Store.PatchCA(c.params[0], c.params[1], normalizeCABody(withoutAnnotations(obj)))
	if err != nil {
		return response{}, storeError(err)
	}
	return entity(ca, c.caContext()+"/$entity", nil)
}

// DELETE .../{id}/certificateAuthorities/{caId}
func (c *call) deleteCA() (response, error) {
	if _, err := c.query(); err != nil {
		return response{}, err
	}
	if _, err := c.s.Store.CA(c.params[0], c.params[1]); err != nil {
		return response{}, storeError(err)
	}
	if err := c.requireMethodEnabled(); err != nil {
		return response{}, err
	}
	if err := c.s.checkNotDeleting(c.params[0]); err != nil {
		return response{}, err
	}
	if err := c.s.Store.DeleteCA(c.params[0], c.params[1]); err != nil {
		return response{}, storeError(err)
	}
	return noContent()
}
