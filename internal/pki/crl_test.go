package pki

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

func crlPEM(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}) }

// serveBytes answers every request with body and status 200.
func serveBytes(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }
}

// streamZeros writes n bytes without Content-Length (chunked), without
// holding them in memory.
func streamZeros(n int64) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		chunk := make([]byte, 64<<10)
		for n > 0 {
			k := min(n, int64(len(chunk)))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			n -= k
		}
	}
}

// sameKeyCA returns a CA certificate for ca's key with another subject or
// key usage, for signature-valid-but-wrong-name tests.
func sameKeyCA(t *testing.T, ca *pkitest.CA, cn string, usage x509.KeyUsage) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(77),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true, IsCA: true,
		KeyUsage:     usage,
		SubjectKeyId: ca.Cert.SubjectKeyId,
	}
	if cn == "" {
		tmpl.RawSubject = ca.Cert.RawSubject
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ca.Key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func codesOf(fs []CRLFinding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, string(f.Severity)+":"+string(f.Code))
		if f.Message == "" {
			out = append(out, "EMPTY MESSAGE for "+string(f.Code))
		}
	}
	sort.Strings(out)
	return out
}

func TestCheckCRL(t *testing.T) {
	now := time.Now()
	root := pkitest.NewRoot(pkitest.WithCN("CRL Root"))
	inter := root.NewIntermediate(pkitest.WithCN("CRL Issuing"))
	other := pkitest.NewRoot(pkitest.WithCN("Other Root"))
	serials := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(3)}
	valid := root.NewCRL(pkitest.WithCRLNumber(5), pkitest.WithRevoked(serials...))
	small := CRLCheckOptions{MaxBytes: 4096}

	type tc struct {
		ca          *x509.Certificate
		base, delta http.Handler // nil: no URL
		baseURL     string       // used instead of a served base when set
		opts        CRLCheckOptions
		want        []string
		check       func(t *testing.T, r CRLReport)
	}
	cases := map[string]tc{
		"valid DER": {ca: root.Cert, base: serveBytes(valid), want: []string{},
			check: func(t *testing.T, r CRLReport) {
				if r.Base == nil || r.Base.Number.Int64() != 5 || r.Base.Revoked != 3 || r.Base.SizeBytes != int64(len(valid)) || r.Base.Issuer != "CN=CRL Root" {
					t.Errorf("base info %+v", r.Base)
				}
				if r.Status() != "ok" || r.HasErrors() {
					t.Errorf("status %s", r.Status())
				}
			}},
		"valid PEM":              {ca: root.Cert, base: serveBytes(append([]byte("comment\n"), crlPEM(valid)...)), want: []string{}},
		"intermediate's own CRL": {ca: inter.Cert, base: serveBytes(inter.NewCRL()), want: []string{}},
		"expired": {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithUpdate(now.Add(-8*24*time.Hour), now.Add(-24*time.Hour)))),
			want: []string{"error:expired"},
			check: func(t *testing.T, r CRLReport) {
				if r.Status() != "error" || !strings.Contains(r.Findings[0].Message, "expired at") {
					t.Errorf("report %+v", r)
				}
			}},
		"next update soon": {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithUpdate(now.Add(-time.Hour), now.Add(2*time.Hour)))),
			want: []string{"warning:next-update-soon"},
			check: func(t *testing.T, r CRLReport) {
				if r.Status() != "warning" {
					t.Errorf("status %s", r.Status())
				}
			}},
		"this update in the future": {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithUpdate(now.Add(time.Hour), now.Add(48*time.Hour)))),
			want: []string{"warning:this-update-future"}},
		"wrong signer": {ca: root.Cert, base: serveBytes(other.NewCRL()), want: []string{"error:wrong-signer"},
			check: func(t *testing.T, r CRLReport) {
				if msg := r.Findings[0].Message; !strings.Contains(msg, `"CN=Other Root"`) || !strings.Contains(msg, "AADSTS2205015") || strings.Contains(msg, "parent") {
					t.Errorf("message %q", msg)
				}
			}},
		"parent's CRL": {ca: inter.Cert, base: serveBytes(valid), want: []string{"error:wrong-signer"},
			check: func(t *testing.T, r CRLReport) {
				if msg := r.Findings[0].Message; !strings.Contains(msg, "parent CA's CRL") {
					t.Errorf("message %q", msg)
				}
			}},
		"wrong AKI": {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithCRLAKI([]byte{1, 2, 3, 4}))), want: []string{"error:aki-mismatch"},
			check: func(t *testing.T, r CRLReport) {
				if msg := r.Findings[0].Message; !strings.Contains(msg, "01020304") || !strings.Contains(msg, SubjectKeyID(root.Cert)) {
					t.Errorf("message %q", msg)
				}
			}},
		"no AKI": {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithCRLAKI(nil))), want: []string{"error:aki-missing"}},
		"renamed CA, same key": {ca: sameKeyCA(t, root, "Renamed Root", x509.KeyUsageCertSign|x509.KeyUsageCRLSign), base: serveBytes(valid),
			want: []string{"error:issuer-mismatch"}},
		"CA without cRLSign": {ca: sameKeyCA(t, root, "", x509.KeyUsageCertSign), base: serveBytes(valid), want: []string{"warning:key-usage"}},
		"too large, capped": {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithPadding(8192))), opts: small,
			want: []string{"error:too-large"},
			check: func(t *testing.T, r CRLReport) {
				if !strings.Contains(r.Findings[0].Message, "over the limit of 4 KB") {
					t.Errorf("message %q", r.Findings[0].Message)
				}
			}},
		"too large, streamed past 20 MB": {ca: root.Cert, base: streamZeros(DefaultCRLMaxBytes + 4096), want: []string{"error:too-large"},
			check: func(t *testing.T, r CRLReport) {
				if msg := r.Findings[0].Message; !strings.Contains(msg, "more than 20 MB") || !strings.Contains(msg, "AADSTS2205014") {
					t.Errorf("message %q", msg)
				}
			}},
		"too large by Content-Length": {ca: root.Cert, opts: small,
			base: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(1<<20))
				_, _ = w.Write(make([]byte, 1<<20))
			}),
			want: []string{"error:too-large"},
			check: func(t *testing.T, r CRLReport) {
				if !strings.Contains(r.Findings[0].Message, "is 1 MB") {
					t.Errorf("message %q", r.Findings[0].Message)
				}
			}},
		"slow response": {ca: root.Cert, opts: CRLCheckOptions{Timeout: 100 * time.Millisecond},
			base: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				_, _ = w.Write(valid)
			}),
			want: []string{"error:timeout"}},
		"slow body": {ca: root.Cert, opts: CRLCheckOptions{Timeout: 200 * time.Millisecond},
			base: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write(valid[:10])
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			}),
			want: []string{"error:timeout"}},
		"404": {ca: root.Cert, base: http.NotFoundHandler(), want: []string{"error:http-status"},
			check: func(t *testing.T, r CRLReport) {
				if msg := r.Findings[0].Message; !strings.Contains(msg, "HTTP 404 Not Found") || !strings.Contains(msg, "AADSTS500173") {
					t.Errorf("message %q", msg)
				}
			}},
		"not a CRL: certificate": {ca: root.Cert, base: serveBytes(root.DER), want: []string{"error:not-a-crl"},
			check: func(t *testing.T, r CRLReport) {
				if msg := r.Findings[0].Message; !strings.Contains(msg, "a certificate, not a CRL") {
					t.Errorf("message %q", msg)
				}
			}},
		"not a CRL: HTML":          {ca: root.Cert, base: serveBytes([]byte("<html><body>Moved</body></html>")), want: []string{"error:not-a-crl"}},
		"not a CRL: PEM cert":      {ca: root.Cert, base: serveBytes(root.PEM()), want: []string{"error:not-a-crl"}},
		"not a CRL: empty":         {ca: root.Cert, base: serveBytes(nil), want: []string{"error:not-a-crl"}},
		"not a CRL: garbage":       {ca: root.Cert, base: serveBytes([]byte{0x30, 0x82, 0xff, 0xff, 1, 2, 3}), want: []string{"error:not-a-crl"}},
		"no URL":                   {ca: root.Cert, want: []string{"warning:no-crl"}},
		"LDAP URL":                 {ca: root.Cert, baseURL: "ldap://crl.example.com/cn=root", want: []string{"error:invalid-url"}},
		"connection refused":       {ca: root.Cert, baseURL: closedServerURL(t), want: []string{"error:download-failed"}},
		"delta without base":       {ca: root.Cert, delta: serveBytes(root.NewCRL(pkitest.WithDeltaIndicator(5))), want: []string{"error:delta-without-base"}},
		"delta applies":            {ca: root.Cert, base: serveBytes(valid), delta: serveBytes(root.NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(5))), want: []string{}},
		"delta of an older base":   {ca: root.Cert, base: serveBytes(valid), delta: serveBytes(root.NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(3))), want: []string{}},
		"delta of a newer base":    {ca: root.Cert, base: serveBytes(valid), delta: serveBytes(root.NewCRL(pkitest.WithCRLNumber(8), pkitest.WithDeltaIndicator(7))), want: []string{"error:delta-mismatch"}},
		"delta URL serves a base":  {ca: root.Cert, base: serveBytes(valid), delta: serveBytes(valid), want: []string{"error:not-delta"}},
		"base URL serves a delta":  {ca: root.Cert, base: serveBytes(root.NewCRL(pkitest.WithDeltaIndicator(5))), want: []string{"error:base-is-delta"}},
		"expired delta":            {ca: root.Cert, base: serveBytes(valid), delta: serveBytes(root.NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(5), pkitest.WithUpdate(now.Add(-48*time.Hour), now.Add(-time.Hour)))), want: []string{"error:expired"}},
		"delta signed by another":  {ca: root.Cert, base: serveBytes(valid), delta: serveBytes(other.NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(5))), want: []string{"error:wrong-signer"}},
		"delta 404, base is fine":  {ca: root.Cert, base: serveBytes(valid), delta: http.NotFoundHandler(), want: []string{"error:http-status"}},
		"base 404, delta is fine":  {ca: root.Cert, base: http.NotFoundHandler(), delta: serveBytes(root.NewCRL(pkitest.WithCRLNumber(6), pkitest.WithDeltaIndicator(5))), want: []string{"error:http-status"}},
		"several findings at once": {ca: inter.Cert, base: serveBytes(root.NewCRL(pkitest.WithUpdate(now.Add(-48*time.Hour), now.Add(-time.Hour)))), want: []string{"error:expired", "error:wrong-signer"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mux := http.NewServeMux()
			if c.base != nil {
				mux.Handle("/base.crl", c.base)
			}
			if c.delta != nil {
				mux.Handle("/delta.crl", c.delta)
			}
			srv := httptest.NewServer(mux)
			defer srv.Close()
			baseURL, deltaURL := c.baseURL, ""
			if c.base != nil {
				baseURL = srv.URL + "/base.crl"
			}
			if c.delta != nil {
				deltaURL = srv.URL + "/delta.crl"
			}
			r := CheckCRL(context.Background(), srv.Client(), c.ca, baseURL, deltaURL, now, c.opts)
			if diff := cmp.Diff(c.want, codesOf(r.Findings)); diff != "" {
				for _, f := range r.Findings {
					t.Logf("%s %s: %s", f.Severity, f.Code, f.Message)
				}
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, f := range r.Findings {
				if f.Code != CRLCodeNoURL && f.Code != CRLCodeDeltaWithoutBase && f.URL == "" {
					t.Errorf("finding %s has no URL", f.Code)
				}
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func closedServerURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/gone.crl"
	srv.Close()
	return u
}

func TestCheckCRLReportsDeltaInfo(t *testing.T) {
	root := pkitest.NewRoot()
	base := root.NewCRL(pkitest.WithCRLNumber(10))
	delta := root.NewCRL(pkitest.WithCRLNumber(11), pkitest.WithDeltaIndicator(10), pkitest.WithRevoked(big.NewInt(9)))
	mux := http.NewServeMux()
	mux.Handle("/b", serveBytes(base))
	mux.Handle("/d", serveBytes(delta))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r := CheckCRL(context.Background(), srv.Client(), root.Cert, srv.URL+"/b", srv.URL+"/d", time.Now(), CRLCheckOptions{})
	if len(r.Findings) != 0 {
		t.Fatalf("findings %+v", r.Findings)
	}
	if r.Base.DeltaBase != nil || r.Base.Number.Int64() != 10 {
		t.Errorf("base %+v", r.Base)
	}
	if r.Delta == nil || r.Delta.DeltaBase.Int64() != 10 || r.Delta.Number.Int64() != 11 || r.Delta.Revoked != 1 || r.Delta.URL != srv.URL+"/d" {
		t.Errorf("delta %+v", r.Delta)
	}
}

func TestCheckCRLHTTPS(t *testing.T) {
	root := pkitest.NewRoot()
	srv := httptest.NewTLSServer(serveBytes(root.NewCRL()))
	defer srv.Close()
	r := CheckCRL(context.Background(), srv.Client(), root.Cert, srv.URL+"/root.crl", "", time.Now(), CRLCheckOptions{})
	if diff := cmp.Diff([]string{"warning:https"}, codesOf(r.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r.Base == nil || r.Status() != "warning" {
		t.Errorf("report %+v", r)
	}
}

func TestCheckCRLHonoursContext(t *testing.T) {
	root := pkitest.NewRoot()
	srv := httptest.NewServer(serveBytes(root.NewCRL()))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := CheckCRL(ctx, srv.Client(), root.Cert, srv.URL, "", time.Now(), CRLCheckOptions{})
	if diff := cmp.Diff([]string{"error:download-failed"}, codesOf(r.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestParseCRL(t *testing.T) {
	root := pkitest.NewRoot()
	der := root.NewCRL()
	for name, c := range map[string]struct {
		in      []byte
		wantErr string
	}{
		"DER":             {in: der},
		"PEM":             {in: crlPEM(der)},
		"PEM after cert":  {in: append(root.PEM(), crlPEM(der)...)},
		"PEM label CRL":   {in: pem.EncodeToMemory(&pem.Block{Type: "CRL", Bytes: der})},
		"empty":           {in: []byte(" \n"), wantErr: "empty"},
		"certificate PEM": {in: root.PEM(), wantErr: `"CERTIFICATE" PEM blocks, not "X509 CRL"`},
		"certificate DER": {in: root.Cert.Raw, wantErr: "a certificate, not a CRL"},
		"HTML":            {in: []byte("<html><body>404</body></html>"), wantErr: "HTML or XML"},
		"broken PEM":      {in: []byte("-----BEGIN X509 CRL-----\n!!!\n-----END X509 CRL-----\n"), wantErr: "malformed"},
		"text":            {in: []byte("hello"), wantErr: "text"},
		"truncated":       {in: der[:len(der)-5], wantErr: "not a valid DER CRL"},
	} {
		t.Run(name, func(t *testing.T) {
			crl, err := ParseCRL(c.in)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.wantErr == "" && !bytes.Equal(crl.Raw, der):
				t.Error("parsed another CRL")
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KB", 1536: "1.5 KB", 20 << 20: "20 MB", 20<<20 + 1: "20 MB", 45 << 20: "45 MB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRoundDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond:         "2s",
		90 * time.Minute:                "1h30m",
		5 * time.Minute:                 "5m",
		2 * time.Hour:                   "2h",
		50 * time.Hour:                  "2d2h",
		71*time.Hour + 50*time.Minute:   "3d",
		7 * 24 * time.Hour:              "7d",
		7*24*time.Hour + 20*time.Minute: "7d",
	} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// FuzzCRL feeds arbitrary bytes to the checker as a downloaded CRL body (the
// parse and verify path, no network): it must never panic, and its report
// must be well formed.
func FuzzCRL(f *testing.F) {
	root := pkitest.NewRoot(pkitest.WithCN("Fuzz Root"))
	rsaCA := root.NewIntermediate(pkitest.WithRSA(2048), pkitest.WithCN("Fuzz RSA"))
	now := time.Now()
	for _, seed := range [][]byte{
		nil,
		root.NewCRL(),
		crlPEM(root.NewCRL(pkitest.WithRevoked(big.NewInt(1), big.NewInt(1<<40)))),
		root.NewCRL(pkitest.WithDeltaIndicator(3), pkitest.WithCRLNumber(4)),
		root.NewCRL(pkitest.WithCRLAKI(nil)),
		root.NewCRL(pkitest.WithCRLAKI([]byte{9})),
		root.NewCRL(pkitest.WithPadding(300)),
		rsaCA.NewCRL(),
		root.DER,
		root.PEM(),
		[]byte("<html></html>"),
		[]byte("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"),
		[]byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"),
		root.NewCRL()[:40],
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, body []byte, isDelta bool) {
		r := &CRLReport{}
		info, crl := r.checkBody(body, "http://crl.example.com/x.crl", isDelta, root.Cert, now, CRLCheckOptions{})
		if (info == nil) != (crl == nil) {
			t.Fatalf("info %v, crl %v", info, crl)
		}
		if crl == nil && (len(r.Findings) != 1 || r.Findings[0].Code != CRLCodeNotACRL) {
			t.Fatalf("an unparsable body gave %+v", r.Findings)
		}
		if st := r.Status(); st != "ok" && st != "warning" && st != "error" {
			t.Fatalf("status %q", st)
		}
		for _, fd := range r.Findings {
			if fd.Code == "" || fd.Message == "" || fd.URL == "" || (fd.Severity != CRLError && fd.Severity != CRLWarning) {
				t.Fatalf("malformed finding %+v", fd)
			}
		}
		if crl != nil {
			_ = VerifyCRL(crl, rsaCA.Cert, now, CRLCheckOptions{})
			if info.Revoked != len(crl.RevokedCertificateEntries) {
				t.Fatal("revoked count")
			}
			_, _ = DeltaCRLBase(crl)
			// Base/delta comparison of the parsed CRL with itself.
			r.deltaApplies(info, info)
		}
	})
}
