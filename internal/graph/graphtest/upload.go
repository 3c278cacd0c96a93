package graphtest

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
)

// Upload job failures, as statusDetails.
const (
	uploadDownloadFailed = "Unable to download the file from the upload URL."
	uploadHashMismatch   = "The SHA256 hash of the file does not match sha256FileHash."
	uploadNotPKCS7       = "The file is not a valid PKCS#7 (.p7b) certificate bundle."
)

// upload is a PKI upload job. Its outcome is decided when it is posted (the
// fake "downloads" the registered bundle at once) and revealed over
// Options.UploadPolls GETs of the PKI or of its CA list.
type upload struct {
	polls   int
	pending []*x509.Certificate // CAs still to add; they are added one per poll
	failure string              // the job fails with this statusDetails
}

// POST .../certificateBasedAuthConfigurations/{id}/upload: 204; the PKI's
// status becomes running.
func (c *call) uploadPKI() (response, error) {
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
	obj, err := c.object()
	if err != nil {
		return response{}, err
	}
	g, err := c.generic()
	if err != nil {
		return response{}, err
	}
	for k := range obj {
		if !isAnnotation(k) && k != "uploadUrl" && k != "sha256FileHash" {
			return response{}, badRequest("The parameter '%s' in the request payload is not a valid parameter for the operation 'upload'.", k)
		}
	}
	for _, k := range []string{"uploadUrl", "sha256FileHash"} {
		if err := checkString(g, "", k, 0); err != nil {
			return response{}, err
		}
	}
	if err := requireProps(g, "", "uploadUrl", "sha256FileHash"); err != nil {
		return response{}, err
	}
	uploadURL, hash := g["uploadUrl"].(string), g["sha256FileHash"].(string)
	if u, err := url.Parse(uploadURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return response{}, badRequest("The uploadUrl '%s' is not an http or https URL.", uploadURL)
	}
	key := strings.ToLower(id)
	if err := c.s.checkNotDeleting(id); err != nil {
		return response{}, err
	}
	if _, running := c.s.uploads[key]; running {
		return response{}, badRequest("An upload is already running on this PKI. Only one operation can run at a time.")
	}

	job := &upload{}
	bundle, ok := c.s.bundles[uploadURL]
	sum := sha256.Sum256(bundle)
	switch {
	case !ok:
		job.failure = uploadDownloadFailed
	case !strings.EqualFold(strings.TrimSpace(hash), hex.EncodeToString(sum[:])):
		job.failure = uploadHashMismatch
	default:
		certs, err := pki.ParsePKCS7(bundle)
		if err != nil {
			job.failure = uploadNotPKCS7
			break
		}
		existing, err := c.s.caCertificates(id)
		if err != nil {
			return response{}, storeError(err)
		}
		inBundle := map[string]bool{}
		for _, cert := range certs {
			if holds(existing, cert.Raw) {
				return response{}, badRequest("Duplicate Certificate exists")
			}
			if !inBundle[string(cert.Raw)] { // a certificate repeated in the bundle is added once
				inBundle[string(cert.Raw)] = true
				job.pending = append(job.pending, cert)
			}
		}
		if len(existing)+len(job.pending) > maxCAsPerPKI {
			job.failure = fmt.Sprintf("The upload would make the PKI hold %d certificate authorities; at most %d are allowed.", len(existing)+len(job.pending), maxCAsPerPKI)
			job.pending = nil
		}
	}
	c.s.uploads[key] = job
	if err := c.s.setPKIStatus(id, wire.PKIStatusRunning, ""); err != nil {
		return response{}, storeError(err)
	}
	return noContent()
}

// holds reports whether list holds the DER certificate der.
func holds(list [][]byte, der []byte) bool {
	return slices.ContainsFunc(list, func(x []byte) bool { return bytes.Equal(x, der) })
}

// advanceUpload counts one poll of a PKI with a running upload: the job adds
// one CA per poll and, after UploadPolls polls, completes. The caller holds
// s.mu.
func (s *Server) advanceUpload(pkiID string) {
	key := strings.ToLower(pkiID)
	job, ok := s.uploads[key]
	if !ok {
		return
	}
	if job.polls < s.uploadPolls {
		job.polls++
		if job.failure == "" && len(job.pending) > 0 {
			s.addUploadedCA(pkiID, job.pending[0])
			job.pending = job.pending[1:]
		}
		return
	}
	delete(s.uploads, key)
	if job.failure != "" {
		_ = s.setPKIStatus(pkiID, wire.PKIStatusFailed, job.failure)
		return
	}
	for _, cert := range job.pending {
		s.addUploadedCA(pkiID, cert)
	}
	_ = s.setPKIStatus(pkiID, wire.PKIStatusSucceeded, "")
}

// addUploadedCA adds one certificate of an upload as Graph does: root when
// self-signed, else intermediate, with the certificate's first HTTP CRL
// distribution point as its CRL URL ("first HTTP CDP", graph-api.md §2.4: an
// https:// one is skipped). The display name is set too, to the
// certificate's subject: what the service names an uploaded CA is
// undocumented, and a value the configuration cannot declare is what a
// client must leave alone. A certificate the PKI already holds (added
// meanwhile) is skipped.
func (s *Server) addUploadedCA(pkiID string, cert *x509.Certificate) {
	if existing, err := s.caCertificates(pkiID); err != nil || holds(existing, cert.Raw) {
		return
	}
	name := pki.SubjectDN(cert, pki.RuleOrder)
	ca := wire.CA{Certificate: cert.Raw, CertificateAuthorityType: "intermediate", DisplayName: &name}
	if pki.IsSelfSigned(cert) {
		ca.CertificateAuthorityType = "root"
	}
	for _, dp := range cert.CRLDistributionPoints {
		if u, err := url.Parse(dp); err == nil && strings.EqualFold(u.Scheme, "http") {
			ca.CRLURL = &dp
			break
		}
	}
	_, _ = s.Store.CreateCA(pkiID, wire.ToObject(ca))
}
