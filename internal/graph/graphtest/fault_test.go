package graphtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// --- faults ---

func TestFailNextThrottles(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(2, Fault{Status: 429, RetryAfter: "3"})
	for i := range 2 {
		r := h.do("GET", "/organization", nil)
		wantError(t, r, 429, "TooManyRequests", "Too many requests.")
		if got := r.header.Get("Retry-After"); got != "3" {
			t.Errorf("request %d: Retry-After %q", i+1, got)
		}
	}
	h.must(h.do("GET", "/organization", nil), 200)

	// Faults come before authentication.
	h.srv.FailNext(1, Fault{Status: 503})
	wantError(t, h.do("GET", "/organization", nil, "Authorization", ""), 503, "serviceNotAvailable", "")

	// Code and message override the defaults; Retry-After as an HTTP-date.
	date := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	h.srv.FailNext(1, Fault{Status: 504, RetryAfter: date, Code: "custom", Message: "boom"})
	r := h.do("GET", "/organization", nil)
	wantError(t, r, 504, "custom", "boom")
	if r.header.Get("Retry-After") != date {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	h.srv.FailNext(1, Fault{Status: 504})
	wantError(t, h.do("GET", "/organization", nil), 504, "gatewayTimeout", "")
	h.srv.FailNext(1, Fault{})
	wantError(t, h.do("GET", "/organization", nil), 500, "generalException", "")
}

func TestFailNth(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNth(3, Fault{Status: 503})
	h.srv.FailNext(1, Fault{Status: 429})
	var got []int
	for range 5 {
		got = append(got, h.do("GET", "/organization", nil).status)
	}
	if diff := cmp.Diff([]int{429, 200, 503, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestFailWhen(t *testing.T) {
	h := setup(t, Options{})
	id := h.createPKI("P")
	h.srv.FailWhen(func(r *http.Request) bool {
		b, _ := io.ReadAll(r.Body)
		return r.Method == http.MethodPatch && strings.Contains(string(b), "fail-me")
	}, 2, Fault{Status: 500})
	var got []int
	for _, name := range []string{"ok", "fail-me", "fail-me", "fail-me"} {
		got = append(got, h.do("PATCH", pkisURL+"/"+id, map[string]any{"displayName": name}).status)
	}
	got = append(got, h.do("GET", pkisURL+"/"+id, nil).status)
	if diff := cmp.Diff([]int{200, 500, 500, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	h.srv.FailWhen(func(r *http.Request) bool { return r.Method == http.MethodDelete }, -1, Fault{Status: 409})
	for range 3 {
		wantError(t, h.do("DELETE", pkisURL+"/"+id, nil), 409, "Directory_ConcurrencyViolation", "")
	}
	h.srv.ClearFaults()
	h.must(h.do("DELETE", pkisURL+"/"+id, nil), 204)
}

func TestFaultDrop(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Drop: true})
	_, err := h.hc.Do(h.request("POST", pkisURL, map[string]any{"displayName": "P"}))
	if err == nil {
		t.Fatal("dropped connection gave no client error")
	}
	if n := len(h.srv.Store.PKIs()); n != 0 {
		t.Errorf("dropped request applied: %d PKIs", n)
	}
	// Drop + AfterHandling: the write happened, the response was lost.
	h.srv.FailNext(1, Fault{Drop: true, AfterHandling: true})
	if _, err := h.hc.Do(h.request("POST", pkisURL, map[string]any{"displayName": "P"})); err == nil {
		t.Fatal("dropped connection gave no client error")
	}
	if n := len(h.srv.Store.PKIs()); n != 1 {
		t.Errorf("AfterHandling drop: %d PKIs, want 1", n)
	}
	// A GET on a fresh connection fails too.
	h.srv.FailNext(1, Fault{Drop: true})
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := hc.Do(h.request("GET", "/organization", nil)); err == nil {
		t.Fatal("dropped GET gave no client error")
	}
	h.must(h.do("GET", "/organization", nil), 200)
}

func TestFaultAfterHandling(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Status: 504, AfterHandling: true})
	wantError(t, h.do("PATCH", x509URL, docPatchBody), 504, "gatewayTimeout", "")
	if st := h.must(h.do("GET", x509URL, nil), 200).object(t)["state"]; st != "enabled" {
		t.Errorf("AfterHandling PATCH not applied: state %v", st)
	}
	// A rejected request stays rejected in the store, whatever the fault says.
	h.srv.FailNext(1, Fault{Status: 504, AfterHandling: true})
	wantError(t, h.do("POST", pkisURL, `{"bogus":1}`), 504, "gatewayTimeout", "")
	if n := len(h.srv.Store.PKIs()); n != 0 {
		t.Errorf("%d PKIs", n)
	}
}

func TestDelaysHonourContext(t *testing.T) {
	h := setup(t, Options{})
	h.srv.FailNext(1, Fault{Status: 503, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := h.hc.Do(h.request("GET", "/organization", nil).WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
	h.srv.SetLatency(time.Minute)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := h.hc.Do(h.request("POST", pkisURL, map[string]any{"displayName": "late"}).WithContext(ctx2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
	// The cancelled requests' handlers give up their minute-long waits:
	// WaitIdle would block for a minute otherwise.
	h.srv.WaitIdle()
	h.srv.SetLatency(20 * time.Millisecond)
	start := time.Now()
	h.must(h.do("GET", "/organization", nil), 200)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("latency not applied: %v", d)
	}
	if n := len(h.srv.Store.PKIs()); n != 0 {
		t.Errorf("a request cancelled during latency was applied: %d PKIs", n)
	}
}
