package graphtest

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// --- PKI containers ---

func TestPKILifecycle(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	h := setup(t, Options{Now: func() time.Time { return now }})

	r := h.must(h.do("POST", pkisURL, map[string]any{"@odata.type": "#microsoft.graph.certificateBasedAuthPki", "displayName": "Contoso PKI"}), 201)
	p := r.object(t)
	id, _ := p["id"].(string)
	if !guidRE.MatchString(id) {
		t.Fatalf("id %q", id)
	}
	want := map[string]any{
		"@odata.context": h.srv.URL() + "/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations/$entity",
		"id":             id, "displayName": "Contoso PKI", "status": "succeeded", "statusDetails": nil,
		"lastModifiedDateTime": "2026-03-04T05:06:07Z", "deletedDateTime": nil,
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("created PKI (-want +got):\n%s", diff)
	}
	if loc := r.header.Get("Location"); loc != h.srv.URL()+pkisURL+"/"+id {
		t.Errorf("Location %q", loc)
	}

	got := h.must(h.do("GET", pkisURL+"/"+id, nil), 200).object(t)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET PKI (-want +got):\n%s", diff)
	}
	sel := h.must(h.do("GET", pkisURL+"/"+id+"?$select=displayName", nil), 200).object(t)
	if diff := cmp.Diff(map[string]any{"@odata.context": want["@odata.context"], "displayName": "Contoso PKI"}, sel); diff != "" {
		t.Errorf("$select (-want +got):\n%s", diff)
	}

	list := h.must(h.do("GET", pkisURL, nil), 200).object(t)
	if list["@odata.context"] != h.srv.URL()+"/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations" {
		t.Errorf("list context %v", list["@odata.context"])
	}
	if v := list["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != id {
		t.Errorf("list %v", list)
	}

	r = h.must(h.do("PATCH", pkisURL+"/"+strings.ToUpper(id), map[string]any{"displayName": "Renamed"}), 200)
	if r.object(t)["displayName"] != "Renamed" {
		t.Errorf("PATCH reply %s", r.body)
	}

	for name, body := range map[string]string{
		"read-only status": `{"status":"failed"}`,
		"unknown":          `{"name":"x"}`,
		"not a string":     `{"displayName":5}`,
		"too long":         `{"displayName":"` + strings.Repeat("x", 257) + `"}`,
		"empty":            ``,
	} {
		t.Run("PATCH "+name, func(t *testing.T) {
			wantError(t, h.do("PATCH", pkisURL+"/"+id, body), 400, "BadRequest", "")
		})
		t.Run("POST "+name, func(t *testing.T) {
			wantError(t, h.do("POST", pkisURL, body), 400, "BadRequest", "")
		})
	}

	// The deletion is asynchronous: the PKI stays, status running, for one
	// GET (Options.DeletePolls), refusing writes; then it is gone.
	h.must(h.do("DELETE", pkisURL+"/"+id, nil), 204)
	if body := string(h.must(h.do("GET", pkisURL+"/"+id, nil), 200).body); !strings.Contains(body, `"status":"running"`) {
		t.Errorf("GET during the deletion: %s", body)
	}
	wantError(t, h.do("PATCH", pkisURL+"/"+id, `{"displayName":"x"}`), 400, "BadRequest", "being deleted")
	for _, m := range []string{"GET", "DELETE"} {
		wantError(t, h.do(m, pkisURL+"/"+id, nil), 404, "itemNotFound", "Resource '"+id+"' does not exist")
	}
	wantError(t, h.do("PATCH", pkisURL+"/"+id, `{"displayName":"x"}`), 404, "itemNotFound", id)
	wantError(t, h.do("GET", pkisURL+"/"+id+"/certificateAuthorities", nil), 404, "itemNotFound", id)
}

// --- certificate authorities ---

func TestCALifecycle(t *testing.T) {
	h := setup(t, Options{})
	root := pkitest.NewRoot(pkitest.WithCN("Test Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Test Issuing"))
	id := h.createPKI("P")
	base := pkisURL + "/" + id + "/certificateAuthorities"

	r := h.must(h.do("POST", base, caBody(root.DER)), 201)
	ca := r.object(t)
	caID := ca["id"].(string)
	if ca["thumbprint"] != pki.SHA1Thumbprint(root.DER) || ca["issuer"] != "CN=Test Root" ||
		ca["issuerSubjectKeyIdentifier"] != pki.SubjectKeyID(root.Cert) || ca["certificateAuthorityType"] != "root" ||
		ca["certificateRevocationListUrl"] != nil || ca["isIssuerHintEnabled"] != false {
		t.Errorf("created CA %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != h.srv.URL()+base+"/"+caID {
		t.Errorf("Location %q", loc)
	}

	// The delta CRL URL is accepted in the docs' spelling and stored in the metadata's.
	b := caBody(inter.DER)
	b["certificateAuthorityType"] = "intermediate"
	b["deltacertificateRevocationListUrl"] = "http://crl/delta.crl"
	r = h.must(h.do("POST", base, b), 201)
	if o := r.object(t); o["deltaCertificateRevocationListUrl"] != "http://crl/delta.crl" || o["deltacertificateRevocationListUrl"] != nil {
		t.Errorf("alias not normalised: %s", r.body)
	}

	badCert := caBody(root.DER)
	badCert["certificate"] = base64.StdEncoding.EncodeToString([]byte("not a certificate"))
	noThumb := caBody(inter.DER)
	delete(noThumb, "thumbprint")
	noExpiry := caBody(inter.DER)
	delete(noExpiry, "expirationDateTime")
	badExpiry := caBody(inter.DER)
	badExpiry["expirationDateTime"] = "tomorrow"
	badType := caBody(inter.DER)
	badType["certificateAuthorityType"] = "issuing"
	unknown := caBody(inter.DER)
	unknown["crlUrl"] = "http://x"
	badBase64 := caBody(inter.DER)
	badBase64["certificate"] = "!!!"
	noCert := caBody(inter.DER)
	delete(noCert, "certificate")
	hint := caBody(inter.DER)
	hint["isIssuerHintEnabled"] = "yes"
	for _, tt := range []struct {
		name string
		body any
		msg  string
	}{
		{"duplicate", caBody(root.DER), "Duplicate Certificate exists"},
		{"not a certificate", badCert, "certificate"},
		{"bad base64", badBase64, "base64"},
		{"no certificate", noCert, "'certificate' is required"},
		{"no thumbprint", noThumb, "'thumbprint' is required"},
		{"no expiry", noExpiry, "'expirationDateTime' is required"},
		{"bad expiry", badExpiry, "expirationDateTime"},
		{"bad type", badType, "certificateAuthorityType"},
		{"unknown property", unknown, "'crlUrl' does not exist"},
		{"wrong JSON type", hint, "isIssuerHintEnabled"},
	} {
		t.Run("POST "+tt.name, func(t *testing.T) {
			wantError(t, h.do("POST", base, tt.body), 400, "BadRequest", tt.msg)
		})
	}
	if cas, _ := h.srv.Store.CAs(id); len(cas) != 2 {
		t.Fatalf("%d CAs after rejected POSTs, want 2", len(cas))
	}

	got := h.must(h.do("GET", base+"/"+caID, nil), 200).object(t)
	if got["id"] != caID || got["@odata.context"] != h.srv.URL()+"/$metadata#directory/publicKeyInfrastructure/certificateBasedAuthConfigurations('"+id+"')/certificateAuthorities/$entity" {
		t.Errorf("GET CA %v", got)
	}

	patch := map[string]any{
		"certificateAuthorityType": "intermediate", "certificateRevocationListUrl": "http://crl/root.crl",
		"deltacertificateRevocationListUrl": "http://crl/root-delta.crl", "isIssuerHintEnabled": true, "displayName": "Root",
	}
	got = h.must(h.do("PATCH", base+"/"+caID, patch), 200).object(t)
	for k, v := range map[string]any{
		"certificateAuthorityType": "intermediate", "certificateRevocationListUrl": "http://crl/root.crl",
		"deltaCertificateRevocationListUrl": "http://crl/root-delta.crl", "isIssuerHintEnabled": true, "displayName": "Root",
		"thumbprint": pki.SHA1Thumbprint(root.DER),
	} {
		if got[k] != v {
			t.Errorf("after PATCH %s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["deltacertificateRevocationListUrl"]; ok {
		t.Error("alias key stored")
	}
	h.must(h.do("PATCH", base+"/"+caID, map[string]any{"certificateRevocationListUrl": nil}), 200)

	for _, tt := range []struct {
		name string
		body any
		msg  string
	}{
		{"certificate", map[string]any{"certificate": base64.StdEncoding.EncodeToString(inter.DER)}, "'certificate'"},
		{"thumbprint", map[string]any{"thumbprint": "AA"}, "'thumbprint'"},
		{"unknown", map[string]any{"foo": 1}, "'foo'"},
		{"bad type", map[string]any{"certificateAuthorityType": "leaf"}, "certificateAuthorityType"},
		{"bad hint", map[string]any{"isIssuerHintEnabled": "true"}, "isIssuerHintEnabled"},
	} {
		t.Run("PATCH "+tt.name, func(t *testing.T) {
			wantError(t, h.do("PATCH", base+"/"+caID, tt.body), 400, "BadRequest", tt.msg)
		})
	}

	h.must(h.do("DELETE", base+"/"+caID, nil), 204)
	wantError(t, h.do("GET", base+"/"+caID, nil), 404, "itemNotFound", caID)
	wantError(t, h.do("PATCH", base+"/"+caID, map[string]any{"displayName": "x"}), 404, "itemNotFound", caID)
	wantError(t, h.do("DELETE", base+"/"+caID, nil), 404, "itemNotFound", caID)
	wantError(t, h.do("POST", pkisURL+"/nope/certificateAuthorities", caBody(root.DER)), 404, "itemNotFound", "nope")
	// Deleted, the certificate can be added again.
	h.must(h.do("POST", base, caBody(root.DER)), 201)
}
