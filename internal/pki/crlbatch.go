package pki

import (
	"context"
	"crypto/x509"
	"net/http"
	"sync"
	"time"
)

// DefaultCRLConcurrency bounds the CRL downloads CheckCRLs runs at once.
const DefaultCRLConcurrency = 8

// CRLTarget is one CA whose CRL (and delta CRL) CheckCRLs checks.
type CRLTarget struct {
	CA            *x509.Certificate
	URL, DeltaURL string
}

// CheckCRLs runs CheckCRL on every target concurrently, at most limit at a
// time (DefaultCRLConcurrency when limit <= 0), and returns the reports in
// the order of targets.
func CheckCRLs(ctx context.Context, hc *http.Client, targets []CRLTarget, now time.Time, opts CRLCheckOptions, limit int) []CRLReport {
	if limit <= 0 {
		limit = DefaultCRLConcurrency
	}
	reports := make([]CRLReport, len(targets))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			reports[i] = CheckCRL(ctx, hc, t.CA, t.URL, t.DeltaURL, now, opts)
		}()
	}
	wg.Wait()
	return reports
}
