package graphtest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// --- uploads ---

type uploadFixture struct {
	h      *harness
	id     string
	root   *pkitest.CA
	inter  *pkitest.CA
	bundle []byte
}

func newUploadFixture(t *testing.T, opts Options) *uploadFixture {
	h := setup(t, opts)
	root := pkitest.NewRoot(pkitest.WithCN("Upload Root"))
	inter := root.NewIntermediate(pkitest.WithCN("Upload Issuing"),
		pkitest.WithCRLDistributionPoints("ldap:///CN=Upload%20Root,CN=CDP", "https://crl.example.com/issuing.crl", "http://crl.example.com/issuing.crl", "http://crl2.example.com/issuing.crl"))
	return &uploadFixture{h: h, id: h.createPKI("Bulk"), root: root, inter: inter, bundle: pkitest.Bundle(root.Cert, inter.Cert)}
}

func (f *uploadFixture) upload(url, hash string) reply {
	return f.h.do("POST", pkisURL+"/"+f.id+"/upload", map[string]any{"uploadUrl": url, "sha256FileHash": hash})
}

func (f *uploadFixture) status() (string, any) {
	o := f.h.must(f.h.do("GET", pkisURL+"/"+f.id, nil), 200).object(f.h.t)
	return o["status"].(string), o["statusDetails"]
}

func TestUploadSucceeds(t *testing.T) {
	f := newUploadFixture(t, Options{})
	const u = "https://pki.example.com/bundle.p7b"
	f.h.srv.RegisterBundle(u, f.bundle)
	r := f.h.must(f.upload(u, strings.ToUpper(sha256Hex(f.bundle))), 204)
	if len(r.body) != 0 {
		t.Errorf("body %q", r.body)
	}
	wantError(t, f.upload(u, sha256Hex(f.bundle)), 400, "BadRequest", "already running")

	// Two polls see "running" (the CA list counts as a poll and shows the
	// CAs added so far), the third sees the result.
	if st, _ := f.status(); st != "running" {
		t.Fatalf("poll 1: %s", st)
	}
	ids, _ := f.h.collect(pkisURL + "/" + f.id + "/certificateAuthorities")
	if len(ids) != 2 {
		t.Errorf("poll 2: %d CAs listed, want 2 (one added per poll)", len(ids))
	}
	if st, details := f.status(); st != "succeeded" || details != nil {
		t.Fatalf("poll 3: %s %v", st, details)
	}

	var cas wire.Collection[wire.CA]
	if err := json.Unmarshal(f.h.must(f.h.do("GET", pkisURL+"/"+f.id+"/certificateAuthorities", nil), 200).body, &cas); err != nil {
		t.Fatal(err)
	}
	// The first http:// CDP, past the ldap:// and https:// ones (graph-api.md
	// §2.4); the display name is set by the service (the fake: the subject);
	// issuer is the CA's own subject (§9.13).
	crl := "http://crl.example.com/issuing.crl"
	rootName, interName := "CN=Upload Root", "CN=Upload Issuing"
	want := []wire.CA{
		{Certificate: f.root.DER, CertificateAuthorityType: "root", Thumbprint: pki.SHA1Thumbprint(f.root.DER), Issuer: "CN=Upload Root", DisplayName: &rootName},
		{Certificate: f.inter.DER, CertificateAuthorityType: "intermediate", Thumbprint: pki.SHA1Thumbprint(f.inter.DER), Issuer: "CN=Upload Issuing", CRLURL: &crl, DisplayName: &interName},
	}
	if diff := cmp.Diff(want, cas.Value, cmp.FilterPath(func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".ID", ".CreatedDateTime", ".ExpirationDateTime", ".IssuerSubjectKeyIdentifier", ".DeletedDateTime":
			return true
		}
		return false
	}, cmp.Ignore())); diff != "" {
		t.Errorf("uploaded CAs (-want +got):\n%s", diff)
	}

	// Uploading a certificate the PKI holds is refused at once.
	wantError(t, f.upload(u, sha256Hex(f.bundle)), 400, "BadRequest", "Duplicate Certificate exists")
	if st, _ := f.status(); st != "succeeded" {
		t.Errorf("status %s after refused upload", st)
	}
}

func TestUploadFails(t *testing.T) {
	for _, tt := range []struct {
		name    string
		url     string
		content func(f *uploadFixture) []byte // registered at url; nil: not registered
		hash    func(f *uploadFixture) string
		details string
	}{
		{
			name: "unregistered URL", url: "https://pki.example.com/missing.p7b",
			hash:    func(f *uploadFixture) string { return sha256Hex(f.bundle) },
			details: "Unable to download the file from the upload URL",
		},
		{
			name: "hash mismatch", url: "https://pki.example.com/b.p7b",
			content: func(f *uploadFixture) []byte { return f.bundle },
			hash:    func(f *uploadFixture) string { return sha256Hex([]byte("something else")) },
			details: "The SHA256 hash of the file does not match sha256FileHash",
		},
		{
			name: "not PKCS#7", url: "http://pki.example.com/cert.cer",
			content: func(f *uploadFixture) []byte { return f.root.DER },
			hash:    func(f *uploadFixture) string { return sha256Hex(f.root.DER) },
			details: "PKCS#7",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newUploadFixture(t, Options{UploadPolls: 1})
			if tt.content != nil {
				f.h.srv.RegisterBundle(tt.url, tt.content(f))
			}
			f.h.must(f.upload(tt.url, tt.hash(f)), 204)
			if st, _ := f.status(); st != "running" {
				t.Fatalf("poll 1: %s", st)
			}
			st, details := f.status()
			if d, _ := details.(string); st != "failed" || !strings.Contains(d, tt.details) {
				t.Errorf("status %s, details %v; want failed, %q", st, details, tt.details)
			}
			if cas, _ := f.h.srv.Store.CAs(f.id); len(cas) != 0 {
				t.Errorf("%d CAs after a failed upload", len(cas))
			}
			// A failed upload no longer blocks another.
			f.h.srv.RegisterBundle("https://ok/b.p7b", f.bundle)
			f.h.must(f.upload("https://ok/b.p7b", sha256Hex(f.bundle)), 204)
		})
	}
}

func TestUploadRejected(t *testing.T) {
	f := newUploadFixture(t, Options{})
	h := f.h
	for _, tt := range []struct {
		name, body, msg string
	}{
		{"no hash", `{"uploadUrl":"https://x/b.p7b"}`, "'sha256FileHash' is required"},
		{"no URL", `{"sha256FileHash":"00"}`, "'uploadUrl' is required"},
		{"unknown parameter", `{"uploadUrl":"https://x/b.p7b","sha256FileHash":"00","other":1}`, "'other'"},
		{"not a URL", `{"uploadUrl":"file:///b.p7b","sha256FileHash":"00"}`, "http or https"},
		{"hash not a string", `{"uploadUrl":"https://x/b.p7b","sha256FileHash":0}`, "sha256FileHash"},
		{"empty", ``, "Empty Payload"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.do("POST", pkisURL+"/"+f.id+"/upload", tt.body), 400, "BadRequest", tt.msg)
		})
	}
	wantError(t, h.do("POST", pkisURL+"/nope/upload", `{"uploadUrl":"https://x/b.p7b","sha256FileHash":"00"}`), 404, "itemNotFound", "nope")
	if st, _ := f.status(); st != "succeeded" {
		t.Errorf("status %s after rejected uploads", st)
	}
}

func TestUploadImmediateAndDelete(t *testing.T) {
	f := newUploadFixture(t, Options{UploadPolls: -1})
	f.h.srv.RegisterBundle("https://x/b.p7b", f.bundle)
	f.h.must(f.upload("https://x/b.p7b", sha256Hex(f.bundle)), 204)
	if st, _ := f.status(); st != "succeeded" {
		t.Errorf("UploadPolls -1: first poll sees %s", st)
	}
	// Deleting a PKI cancels its upload.
	id2 := f.h.createPKI("Other")
	f.h.must(f.h.do("POST", pkisURL+"/"+id2+"/upload", map[string]any{"uploadUrl": "https://x/b.p7b", "sha256FileHash": sha256Hex(f.bundle)}), 204)
	f.h.must(f.h.do("DELETE", pkisURL+"/"+id2, nil), 204)
	f.h.srv.mu.Lock()
	defer f.h.srv.mu.Unlock()
	if len(f.h.srv.uploads) != 0 {
		t.Error("upload job survived its PKI")
	}
}
