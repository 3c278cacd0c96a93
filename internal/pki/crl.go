package pki

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits Entra applies to CRL downloads during an interactive sign-in
// (cba-semantics.md §4, "CRL processing").
const (
	// DefaultCRLMaxBytes is Entra's interactive CRL size limit in the public
	// cloud: a larger CRL fails the first sign-ins (AADSTS2205014) while Entra
	// downloads it in the background.
	DefaultCRLMaxBytes = 20 << 20
	// DefaultCRLTimeout is the longest Entra waits for a CRL download during
	// a sign-in (AADSTS2205012).
	DefaultCRLTimeout = 10 * time.Second
	// DefaultCRLNextUpdateWarning is how close to its nextUpdate a CRL is
	// reported as about to expire.
	DefaultCRLNextUpdateWarning = 24 * time.Hour
)

// CRLSeverity is how bad a CRL finding is.
type CRLSeverity string

// Severities of CRL findings.
const (
	CRLError   CRLSeverity = "error"   // Entra fails sign-ins
	CRLWarning CRLSeverity = "warning" // works today, but is fragile or unusual
)

// CRLCode identifies the kind of a CRL finding. Codes are stable: scripts
// match on them (cbactl crl check --json).
type CRLCode string

// Codes of CRL findings.
const (
	CRLCodeNoURL            CRLCode = "no-crl"             // warning: the CA has no CRL URL, so Entra checks no revocation
	CRLCodeInvalidURL       CRLCode = "invalid-url"        // error: not an absolute http(s) URL
	CRLCodeHTTPS            CRLCode = "https"              // warning: Entra recommends plain HTTP
	CRLCodeDownload         CRLCode = "download-failed"    // error: connection or transfer failure (AADSTS500173)
	CRLCodeTimeout          CRLCode = "timeout"            // error: slower than the timeout (AADSTS2205012)
	CRLCodeHTTPStatus       CRLCode = "http-status"        // error: HTTP status other than 200 (AADSTS500173)
	CRLCodeTooLarge         CRLCode = "too-large"          // error: over the size limit (AADSTS2205014)
	CRLCodeNotACRL          CRLCode = "not-a-crl"          // error: the body is no CRL (AADSTS2205011, AADSTS500174)
	CRLCodeWrongSigner      CRLCode = "wrong-signer"       // error: the CA's key did not sign the CRL (AADSTS2205015)
	CRLCodeIssuerMismatch   CRLCode = "issuer-mismatch"    // error: CRL issuer is not the CA's subject (AADSTS2205015)
	CRLCodeAKIMismatch      CRLCode = "aki-mismatch"       // error: CRL AKI is not the CA's SKI (AADSTS2205015)
	CRLCodeAKIMissing       CRLCode = "aki-missing"        // error: the CRL has no AKI to match the CA's SKI
	CRLCodeCANoSKI          CRLCode = "ca-without-ski"     // warning: the CA has no SKI to match the CRL's AKI
	CRLCodeKeyUsage         CRLCode = "key-usage"          // warning: the CA certificate's key usage lacks cRLSign
	CRLCodeExpired          CRLCode = "expired"            // error: past nextUpdate
	CRLCodeNextUpdateSoon   CRLCode = "next-update-soon"   // warning: nextUpdate is near
	CRLCodeNoNextUpdate     CRLCode = "no-next-update"     // warning: no nextUpdate, so no cache lifetime
	CRLCodeThisUpdateFuture CRLCode = "this-update-future" // warning: thisUpdate is after now (clock skew?)
	CRLCodeNoNumber         CRLCode = "no-crl-number"      // warning: no cRLNumber, which Entra uses to order CRLs
	CRLCodeDeltaWithoutBase CRLCode = "delta-without-base" // error: delta URL without base URL (AADSTS500177)
	CRLCodeNotDelta         CRLCode = "not-delta"          // error: the delta URL serves a CRL without the delta CRL indicator
	CRLCodeBaseIsDelta      CRLCode = "base-is-delta"      // error: the base URL serves a delta CRL
	CRLCodeDeltaMismatch    CRLCode = "delta-mismatch"     // error: the delta does not apply to the base CRL
)

// CRLFinding is one result of a CRL check.
type CRLFinding struct {
	Severity CRLSeverity
	Code     CRLCode
	URL      string // the CRL the finding is about; empty when about the configuration
	Message  string // one or more sentences, without a trailing newline
}

// CRLInfo describes a downloaded CRL.
type CRLInfo struct {
	URL        string
	Issuer     string   // RuleOrder DN of the CRL issuer
	Number     *big.Int // cRLNumber; nil if absent
	DeltaBase  *big.Int // for a delta CRL, the number of the base CRL it applies to; nil otherwise
	ThisUpdate time.Time
	NextUpdate time.Time // zero if absent
	Revoked    int       // number of revoked certificate entries
	SizeBytes  int64
	Download   time.Duration
}

// CRLReport is the result of CheckCRL for one CA.
type CRLReport struct {
	URL, DeltaURL string
	Base, Delta   *CRLInfo // nil when not downloaded or not parsable
	Findings      []CRLFinding
}

// Status returns the worst severity of the findings: "error", "warning", or
// "ok" if there are none.
func (r CRLReport) Status() string {
	status := "ok"
	for _, f := range r.Findings {
		switch f.Severity {
		case CRLError:
			return string(CRLError)
		case CRLWarning:
			status = string(CRLWarning)
		}
	}
	return status
}

// HasErrors reports whether a finding is an error.
func (r CRLReport) HasErrors() bool { return r.Status() == string(CRLError) }

// CRLCheckOptions tune CheckCRL. Zero values mean the defaults above.
type CRLCheckOptions struct {
	Timeout           time.Duration // per download
	MaxBytes          int64         // largest acceptable CRL
	NextUpdateWarning time.Duration // warn when nextUpdate is closer than this
}

func (o CRLCheckOptions) withDefaults() CRLCheckOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultCRLTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultCRLMaxBytes
	}
	if o.NextUpdateWarning <= 0 {
		o.NextUpdateWarning = DefaultCRLNextUpdateWarning
	}
	return o
}

// CheckCRL downloads the CRL of ca at baseURL (and the delta CRL at
// deltaURL, if given) with hc, and checks them as Entra would: the download
// within opts.Timeout and opts.MaxBytes, HTTP 200, a parsable CRL, signed by
// ca's key, issued by ca's subject with an AKI equal to ca's SKI, not expired
// at now, and a delta that applies to the base. The only I/O is through hc;
// ctx bounds the whole check.
//
// Everything it finds is in the report, including download failures: CheckCRL
// has no error result. A CA without URLs gets a single CRLCodeNoURL warning.
func CheckCRL(ctx context.Context, hc *http.Client, ca *x509.Certificate, baseURL, deltaURL string, now time.Time, opts CRLCheckOptions) CRLReport {
	opts = opts.withDefaults()
	r := &CRLReport{URL: baseURL, DeltaURL: deltaURL}
	switch {
	case baseURL == "" && deltaURL == "":
		r.add(CRLWarning, CRLCodeNoURL, "", "No CRL is configured, so Entra performs no revocation check for certificates this CA issued: a revoked certificate still signs in.")
		return *r
	case baseURL == "":
		r.add(CRLError, CRLCodeDeltaWithoutBase, deltaURL, "A delta CRL URL is configured without a base CRL URL: Entra fails every sign-in through this CA (AADSTS500177). Configure the base CRL URL too.")
		return *r
	}

	var base *x509.RevocationList
	r.Base, base = r.fetchAndCheck(ctx, hc, ca, baseURL, false, now, opts)
	if deltaURL == "" {
		return *r
	}
	var delta *x509.RevocationList
	r.Delta, delta = r.fetchAndCheck(ctx, hc, ca, deltaURL, true, now, opts)
	if base != nil && delta != nil {
		r.deltaApplies(r.Base, r.Delta)
	}
	return *r
}

func (r *CRLReport) add(sev CRLSeverity, code CRLCode, u, format string, args ...any) {
	r.Findings = append(r.Findings, CRLFinding{Severity: sev, Code: code, URL: u, Message: fmt.Sprintf(format, args...)})
}

// fetchAndCheck downloads, parses and verifies one CRL. It returns nil when
// the CRL could not be downloaded or parsed.
func (r *CRLReport) fetchAndCheck(ctx context.Context, hc *http.Client, ca *x509.Certificate, u string, isDelta bool, now time.Time, opts CRLCheckOptions) (*CRLInfo, *x509.RevocationList) {
	what := crlRole(isDelta)
	p, err := url.Parse(u)
	if err != nil || !p.IsAbs() || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		r.add(CRLError, CRLCodeInvalidURL, u, "The %s URL %q is not an absolute http:// or https:// URL; Entra downloads CRLs over HTTP only.", what, u)
		return nil, nil
	}
	if p.Scheme == "https" {
		r.add(CRLWarning, CRLCodeHTTPS, u, "The %s is served over HTTPS. Entra supports it but recommends plain HTTP, and its trust-store checker flags HTTPS CRL URLs: a CRL is signed, so HTTPS adds nothing but a certificate chain that must validate too.", what)
	}
	body, size, took, ok := r.fetch(ctx, hc, u, what, opts)
	if !ok {
		return nil, nil
	}
	info, crl := r.checkBody(body, u, isDelta, ca, now, opts)
	if info != nil {
		info.SizeBytes, info.Download = size, took
	}
	return info, crl
}

func crlRole(isDelta bool) string {
	if isDelta {
		return "delta CRL"
	}
	return "CRL"
}

// fetch downloads u with a timeout and a size cap.
func (r *CRLReport) fetch(ctx context.Context, hc *http.Client, u, what string, opts CRLCheckOptions) (body []byte, size int64, took time.Duration, ok bool) {
	if hc == nil {
		hc = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	start := time.Now()
	timedOut := func(err error) bool {
		var ne net.Error
		return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	}
	report := func(err error) {
		if timedOut(err) {
			r.add(CRLError, CRLCodeTimeout, u, "Downloading the %s took longer than %s. Entra gives up after 10 seconds during a sign-in and fails it (AADSTS2205012).", what, opts.Timeout)
			return
		}
		r.add(CRLError, CRLCodeDownload, u, "Cannot download the %s: %s. Entra fails sign-ins when it cannot download a configured CRL (AADSTS500173).", what, describeNetError(err))
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		r.add(CRLError, CRLCodeInvalidURL, u, "The %s URL %q cannot be requested: %v.", what, u, err)
		return nil, 0, 0, false
	}
	req.Header.Set("User-Agent", "cbactl (CRL check)")
	resp, err := hc.Do(req)
	if err != nil {
		report(err)
		return nil, 0, 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.add(CRLError, CRLCodeHTTPStatus, u, "The server answered %s for the %s. Entra needs 200 OK and fails sign-ins otherwise (AADSTS500173: invalid status code).", statusText(resp), what)
		return nil, 0, 0, false
	}
	if resp.ContentLength > opts.MaxBytes {
		r.tooLarge(u, what, resp.ContentLength, true, opts)
		return nil, resp.ContentLength, time.Since(start), false
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, opts.MaxBytes+1))
	took = time.Since(start)
	if err != nil {
		report(err)
		return nil, int64(len(body)), took, false
	}
	if int64(len(body)) > opts.MaxBytes {
		r.tooLarge(u, what, int64(len(body)), false, opts)
		return nil, int64(len(body)), took, false
	}
	return body, int64(len(body)), took, true
}

func (r *CRLReport) tooLarge(u, what string, n int64, exact bool, opts CRLCheckOptions) {
	size := FormatBytes(n)
	if !exact {
		size = "more than " + FormatBytes(opts.MaxBytes)
	}
	r.add(CRLError, CRLCodeTooLarge, u, "The %s is %s, over the limit of %s. Above Entra's interactive limit of 20 MB, the first sign-ins fail (AADSTS2205014) while Entra downloads the CRL in the background. Publish a smaller CRL (partition it, or use delta CRLs).", what, size, FormatBytes(opts.MaxBytes))
}

// FormatBytes writes a byte count for people: "512 bytes", "1.5 KB",
// "20 MB" (binary multiples, as Entra's limits are written).
func FormatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return trimZero(float64(n)/(1<<10)) + " KB"
	default:
		return trimZero(float64(n)/(1<<20)) + " MB"
	}
}

func trimZero(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

func statusText(resp *http.Response) string {
	if t := http.StatusText(resp.StatusCode); t != "" {
		return fmt.Sprintf("HTTP %d %s", resp.StatusCode, t)
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode)
}

// describeNetError shortens the errors of net/http: the *url.Error wrapper
// repeats the method and URL, which the report already shows.
func describeNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// checkBody parses and verifies a downloaded CRL. It performs no I/O.
func (r *CRLReport) checkBody(body []byte, u string, isDelta bool, ca *x509.Certificate, now time.Time, opts CRLCheckOptions) (*CRLInfo, *x509.RevocationList) {
	what := crlRole(isDelta)
	crl, err := ParseCRL(body)
	if err != nil {
		r.add(CRLError, CRLCodeNotACRL, u, "The %s URL does not serve a CRL: %v. Entra fails sign-ins with a CRL it cannot parse (AADSTS2205011, AADSTS500174).", what, err)
		return nil, nil
	}
	info := describeCRL(crl, u)
	info.SizeBytes = int64(len(body))
	for _, f := range VerifyCRL(crl, ca, now, opts) {
		f.URL = u
		if isDelta {
			f.Message = "Delta CRL: " + f.Message
		}
		r.Findings = append(r.Findings, f)
	}
	switch {
	case isDelta && info.DeltaBase == nil:
		r.add(CRLError, CRLCodeNotDelta, u, "The delta CRL URL serves a CRL without the delta CRL indicator extension (2.5.29.27): it is a full CRL, not a delta. Point delta_crl_url at the delta CRL, or remove it.")
	case !isDelta && info.DeltaBase != nil:
		r.add(CRLError, CRLCodeBaseIsDelta, u, "The CRL URL serves a delta CRL (it carries the delta CRL indicator, base CRL number %s). Entra needs the full base CRL there; put the delta CRL URL in delta_crl_url.", info.DeltaBase)
	}
	return info, crl
}

// describeCRL summarizes crl.
func describeCRL(crl *x509.RevocationList, u string) *CRLInfo {
	info := &CRLInfo{
		URL:        u,
		Number:     crl.Number,
		ThisUpdate: crl.ThisUpdate,
		NextUpdate: crl.NextUpdate,
		Revoked:    len(crl.RevokedCertificateEntries),
	}
	if s, err := FormatRawDN(crl.RawIssuer, RuleOrder); err == nil {
		info.Issuer = s
	}
	if base, ok := DeltaCRLBase(crl); ok {
		info.DeltaBase = base
	}
	return info
}

// deltaApplies checks that the delta CRL applies to the base CRL: the
// delta's base CRL number must not exceed the base's number (RFC 5280
// §5.2.4: the base must be at least as new as the delta's base).
func (r *CRLReport) deltaApplies(base, delta *CRLInfo) {
	if delta.DeltaBase == nil || base.DeltaBase != nil {
		return // reported already: not-delta or base-is-delta
	}
	switch {
	case base.Number == nil:
		r.add(CRLError, CRLCodeDeltaMismatch, delta.URL, "The base CRL has no CRL number, so no delta CRL can apply to it: Entra fails sign-ins when a configured delta CRL cannot be used with its base.")
	case delta.DeltaBase.Cmp(base.Number) > 0:
		r.add(CRLError, CRLCodeDeltaMismatch, delta.URL, "The delta CRL applies to base CRL number %s or later, but the base CRL has number %s: the delta does not apply to this base. The base CRL at %s is stale (or the delta belongs to another CA); Entra fails validation when base and delta do not both hold.", delta.DeltaBase, base.Number, base.URL)
	}
}

// ParseCRL parses a CRL given as DER or as PEM (a block of type "X509 CRL";
// text around it is allowed). Anything else is an error. It is cbactl's one
// CRL parser: for downloads (crl check, health), test blocks' crl files and
// simulate --crl alike.
func ParseCRL(data []byte) (*x509.RevocationList, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("it is empty")
	}
	der := data
	if blocks := scanPEM(data); len(blocks) > 0 {
		der = nil
		var types []string
		for _, b := range blocks {
			if b.typ == "X509 CRL" || b.typ == "CRL" {
				if !b.ok || len(b.bytes) == 0 {
					return nil, errors.New("its X509 CRL PEM block is malformed or empty")
				}
				der = b.bytes
				break
			}
			types = append(types, b.typ)
		}
		if der == nil {
			return nil, fmt.Errorf("it holds %s PEM blocks, not \"X509 CRL\"", typeList(types))
		}
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		switch text := looksLikeText(der); {
		case text && bytes.HasPrefix(bytes.TrimSpace(der), []byte("<")):
			return nil, errors.New("it is HTML or XML (an error page?), not a CRL")
		case text:
			return nil, errors.New("it is text, not a DER or PEM CRL")
		}
		if _, cerr := x509.ParseCertificate(der); cerr == nil {
			return nil, errors.New("it is a certificate, not a CRL")
		}
		return nil, fmt.Errorf("it is not a valid DER CRL (%v)", err)
	}
	return crl, nil
}

var oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}

// DeltaCRLBase returns the base CRL number of a delta CRL (the value of its
// delta CRL indicator extension, 2.5.29.27). ok is false for a full CRL, or
// when the extension cannot be decoded.
func DeltaCRLBase(crl *x509.RevocationList) (base *big.Int, ok bool) {
	for _, e := range crl.Extensions {
		if !e.Id.Equal(oidDeltaCRLIndicator) {
			continue
		}
		var n *big.Int
		if rest, err := asn1.Unmarshal(e.Value, &n); err != nil || len(rest) != 0 || n == nil {
			return nil, false
		}
		return n, true
	}
	return nil, false
}

// VerifyCRL checks a parsed CRL against the CA that should have issued it:
// the signature with ca's key, the issuer name against ca's subject, the
// authority key identifier against ca's subject key identifier, and the
// validity times at now. It performs no I/O. The findings have no URL.
func VerifyCRL(crl *x509.RevocationList, ca *x509.Certificate, now time.Time, opts CRLCheckOptions) []CRLFinding {
	opts = opts.withDefaults()
	var out []CRLFinding
	add := func(sev CRLSeverity, code CRLCode, format string, args ...any) {
		out = append(out, CRLFinding{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	caName := SubjectDN(ca, RuleOrder)
	crlIssuer, err := FormatRawDN(crl.RawIssuer, RuleOrder)
	if err != nil {
		crlIssuer = "an unreadable name"
	} else {
		crlIssuer = fmt.Sprintf("%q", crlIssuer)
	}
	crlAKI := upperHex(crl.AuthorityKeyId)
	caSKI := SubjectKeyID(ca)

	sigErr := ca.CheckSignature(crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature)
	switch {
	case sigErr != nil:
		detail := ""
		if !bytes.Equal(crl.RawIssuer, ca.RawSubject) {
			detail = fmt.Sprintf(" It is issued by %s", crlIssuer)
			if crlAKI != "" {
				detail += fmt.Sprintf(" (authority key identifier %s)", crlAKI)
			}
			detail += "."
			if bytes.Equal(crl.RawIssuer, ca.RawIssuer) {
				detail += " That is the CA's own issuer: this is the parent CA's CRL. The CRL distribution point of a CA certificate names its parent's CRL, not the CA's own."
			}
		}
		add(CRLError, CRLCodeWrongSigner, "The CRL is not signed by %q (%v).%s Entra rejects a CRL whose signature and AKI do not match the CA (AADSTS2205015).", caName, sigErr, detail)
	default:
		if err := crl.CheckSignatureFrom(ca); err != nil {
			var cv x509.ConstraintViolationError
			if errors.As(err, &cv) {
				add(CRLWarning, CRLCodeKeyUsage, "The CRL's signature is valid, but the CA certificate does not allow CRL signing (its key usage lacks cRLSign, or it is not marked as a CA): strict validators reject such CRLs.")
			}
		}
		if !bytes.Equal(crl.RawIssuer, ca.RawSubject) {
			add(CRLError, CRLCodeIssuerMismatch, "The CRL's issuer is %s, not the CA's subject %q, although the CA's key signed it. Entra requires CRL issuer = CA subject (AADSTS2205015).", crlIssuer, caName)
		}
		switch {
		case caSKI == "":
			add(CRLWarning, CRLCodeCANoSKI, "The CA certificate has no subject key identifier, so the CRL's authority key identifier cannot be matched; Entra builds chains and matches CRLs by SKI and AKI.")
		case crlAKI == "":
			add(CRLError, CRLCodeAKIMissing, "The CRL has no authority key identifier extension; Entra matches a CRL to its CA by AKI = SKI (%s) and rejects it otherwise (AADSTS2205015).", caSKI)
		case crlAKI != caSKI:
			add(CRLError, CRLCodeAKIMismatch, "The CRL's authority key identifier %s is not the CA's subject key identifier %s. Entra rejects it (AADSTS2205015).", crlAKI, caSKI)
		}
	}

	if crl.Number == nil {
		add(CRLWarning, CRLCodeNoNumber, "The CRL has no CRL number extension. Entra accepts a new CRL only when its CRL number is higher than the cached one's.")
	}
	if crl.ThisUpdate.After(now) {
		add(CRLWarning, CRLCodeThisUpdateFuture, "The CRL's thisUpdate %s is in the future: the CA's clock (or this machine's) is off.", stamp(crl.ThisUpdate))
	}
	switch left := crl.NextUpdate.Sub(now); {
	case crl.NextUpdate.IsZero():
		add(CRLWarning, CRLCodeNoNextUpdate, "The CRL has no nextUpdate, so it never expires and caches keep it indefinitely; Entra caches a CRL until its nextUpdate.")
	case left <= 0:
		add(CRLError, CRLCodeExpired, "The CRL expired at %s (nextUpdate), %s ago. Entra fails sign-ins when a CRL has expired and cannot be refreshed (like AADSTS500172). Publish a new CRL.", stamp(crl.NextUpdate), roundDuration(-left))
	case left <= opts.NextUpdateWarning:
		add(CRLWarning, CRLCodeNextUpdateSoon, "The CRL's nextUpdate is %s, in %s. If no newer CRL is published by then, sign-ins start failing.", stamp(crl.NextUpdate), roundDuration(left))
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// roundDuration shortens a duration for people: whole seconds below a
// minute, whole minutes below a day, then days and hours.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < 24*time.Hour:
		m := int(d.Round(time.Minute) / time.Minute)
		switch h := m / 60; {
		case h == 0:
			return fmt.Sprintf("%dm", m)
		case m%60 == 0:
			return fmt.Sprintf("%dh", h)
		default:
			return fmt.Sprintf("%dh%dm", h, m%60)
		}
	default:
		days := int(d / (24 * time.Hour))
		hours := int((d % (24 * time.Hour)).Round(time.Hour) / time.Hour)
		if hours == 24 {
			days, hours = days+1, 0
		}
		s := fmt.Sprintf("%dd", days)
		if hours > 0 {
			s += fmt.Sprintf("%dh", hours)
		}
		return s
	}
}
