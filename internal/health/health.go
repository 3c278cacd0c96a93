// Package health checks the lifecycle of a CBA trust store: certificate
// authorities that expire within a horizon, CRLs that are stale, about to
// expire, unreachable or invalid, and every place of the configuration that
// names a CA about to expire (renewal impact). It reads no clock and opens
// no connection of its own: the caller passes the time and the HTTP client.
package health

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// FormatVersion is the format_version of health --json.
const FormatVersion = "1.0"

// Defaults of the checks.
const (
	// DefaultDays is the default horizon: AD FS warns of its own
	// certificates' expiry 35 days ahead.
	DefaultDays = 35
	// ErrorDays is the remaining validity at or below which an expiring CA
	// is an error rather than a warning (AD FS renews 20 days ahead; 15 days
	// leaves no slack).
	ErrorDays = 15
)

// Severity is how urgent a finding is.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Kind is what a finding is about. The names are the contract's (health
// --json); scripts match on them.
type Kind string

// Kinds of findings.
const (
	CAExpiry       Kind = "ca_expiry"       // the CA expires within the horizon, or has expired
	CRLStale       Kind = "crl_stale"       // the CRL's nextUpdate has passed
	CRLExpiring    Kind = "crl_expiring"    // the CRL's nextUpdate is within 24 hours
	CRLUnreachable Kind = "crl_unreachable" // the CRL cannot be downloaded, or is not valid for the CA
	RenewalImpact  Kind = "renewal_impact"  // a place of the configuration names a CA within the horizon
)

// kindOrder orders findings of the same date and severity.
var kindOrder = map[Kind]int{CAExpiry: 0, CRLStale: 1, CRLUnreachable: 2, CRLExpiring: 3, RenewalImpact: 4}

// Finding is one result of the health check.
type Finding struct {
	Severity Severity
	Kind     Kind
	// Subject and Thumbprint are the CA's the finding is about.
	Subject    string
	Thumbprint string
	// Address is the configuration address the finding is about: the CA's,
	// or for renewal impact the place that names the CA. Empty for a CA only
	// in the tenant.
	Address model.Address
	// Expires is the CA's notAfter (ca_expiry, renewal_impact) or the CRL's
	// nextUpdate (crl_stale, crl_expiring); zero for crl_unreachable.
	Expires time.Time
	// CRLURL is the CRL a CRL finding is about.
	CRLURL string
	// Title is a short summary ("CA expires in 10 days"), Detail the full
	// explanation, and Todo what to do.
	Title, Detail, Todo string
}

// Report is the result of Check.
type Report struct {
	Now     time.Time
	Days    int
	Offline bool
	CAs     int // the number of CAs checked
	// Findings are sorted by date (findings without a date, which hold now,
	// as of Now), then errors first, then by kind, address, thumbprint, CRL URL
	// and detail.
	Findings []Finding
}

// Summary counts the findings by severity.
func (r Report) Summary() (errors, warnings int) {
	for _, f := range r.Findings {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Options are the inputs of Check besides the states.
type Options struct {
	// Now is the time everything is judged at.
	Now time.Time
	// Days is the horizon: CAs expiring within it are reported (DefaultDays
	// when zero).
	Days int
	// Offline skips CRL downloads: no CRL findings.
	Offline bool
	// HTTPClient downloads CRLs (http.DefaultClient when nil).
	HTTPClient *http.Client
	// CRL tunes the CRL checks (Entra's limits when zero).
	CRL pki.CRLCheckOptions
	// Concurrency bounds parallel CRL downloads (pki.DefaultCRLConcurrency
	// when zero).
	Concurrency int
}

// Check checks the trust store: the declared CAs, and the tenant's when
// observed is not nil. It changes nothing anywhere.
func Check(ctx context.Context, desired model.State, observed *model.State, opts Options) (Report, error) {
	if opts.Days == 0 {
		opts.Days = DefaultDays
	}
	if opts.Days < 0 {
		return Report{}, fmt.Errorf("the horizon must not be negative (%d days)", opts.Days)
	}
	cas, err := Inventory(desired, observed)
	if err != nil {
		return Report{}, err
	}
	r := Report{Now: opts.Now, Days: opts.Days, Offline: opts.Offline, CAs: len(cas)}
	horizon := opts.Now.Add(time.Duration(opts.Days) * 24 * time.Hour)

	// CA expiry, and the places that name an expiring CA.
	places := allPlaces(desired, observed)
	type impact struct {
		addr       model.Address
		thumbprint string
		detail     string // tells apart the tenant's places, which have no address
	}
	seen := map[impact]bool{} // a place that names a CA twice (say, a repeated SKI) is one finding
	for _, ca := range cas {
		if ca.Cert.NotAfter.After(horizon) {
			continue
		}
		sev := expirySeverity(ca, opts.Now)
		r.Findings = append(r.Findings, expiryFinding(ca, sev, opts.Now))
		for _, p := range places {
			if !p.names(ca) || hasSuccessor(p, ca, cas, horizon) {
				continue
			}
			detail := p.detail(ca)
			k := impact{p.address, ca.Thumbprint, detail}
			if seen[k] {
				continue
			}
			seen[k] = true
			r.Findings = append(r.Findings, Finding{
				Severity: sev, Kind: RenewalImpact, Subject: ca.Subject, Thumbprint: ca.Thumbprint,
				Address: p.address, Expires: ca.Cert.NotAfter,
				Title:  "Names a CA that " + expiresPhrase(ca.Cert.NotAfter, opts.Now),
				Detail: detail, Todo: p.todo,
			})
		}
	}

	if !opts.Offline {
		r.Findings = append(r.Findings, crlFindings(ctx, cas, opts)...)
	}
	sortFindings(r.Findings, opts.Now)
	return r, nil
}

// expirySeverity: an error when the CA has expired or has ErrorDays or
// fewer left, else a warning.
func expirySeverity(ca CA, now time.Time) Severity {
	if ca.Cert.NotAfter.Sub(now) <= ErrorDays*24*time.Hour {
		return Error
	}
	return Warning
}

// hasSuccessor reports whether another CA the place also names stays valid
// beyond the horizon: the CA was renewed already (same subject for a rule,
// same key for an SKI), so the place keeps working.
func hasSuccessor(p place, ca CA, cas []CA, horizon time.Time) bool {
	for _, o := range cas {
		if o.Thumbprint != ca.Thumbprint && o.Cert.NotAfter.After(horizon) && p.names(o) {
			return true
		}
	}
	return false
}

func expiryFinding(ca CA, sev Severity, now time.Time) Finding {
	left := ca.Cert.NotAfter.Sub(now)
	var detail string
	if left <= 0 {
		detail = fmt.Sprintf("The CA certificate expired on %s. Entra fails every sign-in with a certificate it issued, and refuses new uploads to the trust store while an expired CA is in it.", stamp(ca.Cert.NotAfter))
	} else {
		detail = fmt.Sprintf("The CA certificate expires on %s, %s. From then on Entra fails every sign-in with a certificate it issued.", stamp(ca.Cert.NotAfter), durationPhrase(left))
	}
	detail += " " + where(ca)
	return Finding{
		Severity: sev, Kind: CAExpiry, Subject: ca.Subject, Thumbprint: ca.Thumbprint, Address: ca.Address,
		Expires: ca.Cert.NotAfter, Title: "CA " + expiresPhrase(ca.Cert.NotAfter, now), Detail: detail,
		Todo: "Renew the CA, add the renewed certificate to the trust store before the old one expires, issue user certificates from it, then remove the old CA.",
	}
}

// where says where the CA is: declared, in the tenant, or both.
func where(ca CA) string {
	switch {
	case ca.Address != "" && len(ca.Tenant) > 0:
		return fmt.Sprintf("Declared as %s; in the tenant's %s.", ca.Address, strings.Join(ca.Tenant, " and "))
	case ca.Address != "":
		return fmt.Sprintf("Declared as %s.", ca.Address)
	default:
		return fmt.Sprintf("Only in the tenant's %s, not declared in the configuration.", strings.Join(ca.Tenant, " and "))
	}
}

// crlFindings checks the CRLs of every CA: stale (error), within 24 hours of
// nextUpdate (warning), and anything else crl check reports as an error
// (unreachable, too large, not a CRL, wrong signer, wrong issuer or AKI, a
// delta that does not apply). crl check's other warnings are not lifecycle
// findings: validate and crl check report them.
func crlFindings(ctx context.Context, cas []CA, opts Options) []Finding {
	type job struct {
		ca  CA
		src CRLSource
	}
	var jobs []job
	var targets []pki.CRLTarget
	for _, ca := range cas {
		for _, src := range ca.CRLs {
			if src.empty() {
				continue
			}
			jobs = append(jobs, job{ca, src})
			targets = append(targets, pki.CRLTarget{CA: ca.Cert, URL: src.URL, DeltaURL: src.DeltaURL})
		}
	}
	reports := pki.CheckCRLs(ctx, opts.HTTPClient, targets, opts.Now, opts.CRL, opts.Concurrency)
	var out []Finding
	for i, rep := range reports {
		ca := jobs[i].ca
		for _, f := range rep.Findings {
			fd := Finding{Subject: ca.Subject, Thumbprint: ca.Thumbprint, Address: ca.Address, CRLURL: f.URL, Detail: f.Message}
			if fd.CRLURL == "" {
				fd.CRLURL = jobs[i].src.URL
			}
			what, title := "CRL", "CRL"
			info := rep.Base
			if f.URL != "" && f.URL == rep.DeltaURL && f.URL != rep.URL {
				what, title, info = "delta CRL", "Delta CRL", rep.Delta
			}
			switch {
			case f.Code == pki.CRLCodeExpired:
				fd.Severity, fd.Kind = Error, CRLStale
				fd.Expires = nextUpdate(info)
				fd.Title = title + " stale: its nextUpdate has passed"
				fd.Todo = fmt.Sprintf("Publish a new %s at %s now, and find out why the CA's publication stopped.", what, fd.CRLURL)
			case f.Code == pki.CRLCodeNextUpdateSoon:
				fd.Severity, fd.Kind = Warning, CRLExpiring
				fd.Expires = nextUpdate(info)
				fd.Title = title + " expires within 24 hours"
				fd.Todo = fmt.Sprintf("Make sure a new %s is published at %s before its nextUpdate.", what, fd.CRLURL)
			case f.Severity == pki.CRLError:
				fd.Severity, fd.Kind = Error, CRLUnreachable
				fd.Title = fmt.Sprintf("%s unreachable or invalid (%s)", title, f.Code)
				fd.Todo = fmt.Sprintf("Make %s serve the CA's current %s (or correct the CA's CRL URL), then check it with `cbactl crl check`.", fd.CRLURL, what)
			default:
				continue
			}
			fd.Detail += " " + where(ca)
			out = append(out, fd)
		}
	}
	return out
}

func nextUpdate(info *pki.CRLInfo) time.Time {
	if info == nil {
		return time.Time{}
	}
	return info.NextUpdate
}

func sortFindings(fs []Finding, now time.Time) {
	date := func(f Finding) time.Time {
		if f.Expires.IsZero() {
			return now
		}
		return f.Expires
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if da, db := date(a), date(b); !da.Equal(db) {
			return da.Before(db)
		}
		if a.Severity != b.Severity {
			return a.Severity == Error
		}
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		if a.Thumbprint != b.Thumbprint {
			return a.Thumbprint < b.Thumbprint
		}
		if a.CRLURL != b.CRLURL {
			return a.CRLURL < b.CRLURL
		}
		return a.Detail < b.Detail
	})
}

// --- phrasing ---

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// expiresPhrase is "expires in 10 days" or "expired 3 days ago".
func expiresPhrase(t, now time.Time) string {
	left := t.Sub(now)
	if left <= 0 {
		return "expired " + durationAgo(-left)
	}
	return "expires " + durationPhrase(left)
}

// durationPhrase is "in 10 days", "in 1 day", "in 5 hours", "in 12 minutes".
func durationPhrase(d time.Duration) string { return "in " + amount(d) }

func durationAgo(d time.Duration) string { return amount(d) + " ago" }

func amount(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return count(int(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour:
		return count(int(d/time.Hour), "hour", "hours")
	default:
		return count(int(d/time.Minute), "minute", "minutes")
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
