package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// JSON batching (POST /$batch): at most 20 requests in one, each answered on
// its own inside a 200 response. Graph throttles the items one by one: a
// throttled item is a 429 with Retry-After inside the batch response, and
// only that item is sent again, not before its Retry-After.

// BatchSize is Graph's limit of requests in one $batch.
const BatchSize = 20

// maxItemAttempts bounds the attempts of one batch item that Graph answers
// 5xx (429 is retried for as long as Graph asks, within the deadline).
const maxItemAttempts = 5

type batchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

type batchResult struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func (r batchResult) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// itemError is Graph's error of one batch item.
func itemError(method, path string, r batchResult) *APIError {
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	return &APIError{Method: method, Path: path, Status: r.Status, Code: body.Error.Code, Message: body.Error.Message}
}

// pendingWrite is one user write still to do.
type pendingWrite struct {
	w         model.UserWrite
	notBefore time.Time
	attempts  int
}

// WriteUserIDs replaces each user's certificateUserIds through $batch,
// 20 writes a request, c.concurrency requests at once. Items Graph throttles
// are sent again after their Retry-After, never before; an item that fails
// otherwise stops the run (no new batch starts) and is returned, with the
// writes that succeeded left written.
func (c *Client) WriteUserIDs(ctx context.Context, writes []model.UserWrite, report func(model.UserProgress)) error {
	pending := make([]*pendingWrite, len(writes))
	for i, w := range writes {
		if w.ID == "" {
			return fmt.Errorf("WriteUserIDs: user %s has no id", w.Name)
		}
		pending[i] = &pendingWrite{w: w}
	}
	var mu sync.Mutex
	progress := model.UserProgress{Left: len(writes)}
	var failures []error
	if report != nil {
		report(progress)
	}
	for len(pending) > 0 {
		now := c.now()
		var ready, later []*pendingWrite
		next := time.Time{}
		for _, p := range pending {
			if !p.notBefore.After(now) {
				ready = append(ready, p)
				continue
			}
			later = append(later, p)
			if next.IsZero() || p.notBefore.Before(next) {
				next = p.notBefore
			}
		}
		if len(ready) == 0 {
			if err := c.sleep(ctx, next.Sub(now)); err != nil {
				return fmt.Errorf("waiting for Graph's Retry-After with %d users left: %w", len(pending), err)
			}
			continue
		}
		var again []*pendingWrite
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(c.concurrency)
		for start := 0; start < len(ready); start += BatchSize {
			chunk := ready[start:min(start+BatchSize, len(ready))]
			g.Go(func() error {
				results, err := c.sendBatch(gctx, chunk)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				for i, p := range chunk {
					r := results[i]
					path := "/users/" + p.w.ID
					switch {
					case r.Status >= 200 && r.Status < 300:
						progress.Written++
						progress.Left--
					case r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable:
						progress.Throttled++
						d, ok := retryAfter(http.Header{"Retry-After": {r.header("Retry-After")}}, c.now())
						if !ok {
							d = backoff(p.attempts + 1)
						}
						if d > c.maxWait {
							failures = append(failures, &model.UserWriteError{User: p.w.Name, Err: fmt.Errorf("PATCH %s in $batch: Graph asked to wait %s (Retry-After), more than the %s cbactl waits at once; plan again later to write the rest", path, d, c.maxWait)})
							continue
						}
						p.notBefore = c.now().Add(d)
						again = append(again, p)
					case r.Status >= 500 && p.attempts+1 < maxItemAttempts:
						p.attempts++
						p.notBefore = c.now().Add(backoff(p.attempts))
						again = append(again, p)
					default:
						failures = append(failures, &model.UserWriteError{User: p.w.Name, Err: itemError("PATCH", path, r)})
					}
				}
				return nil
			})
		}
		err := g.Wait()
		if report != nil {
			report(progress)
		}
		if err != nil {
			return errors.Join(append([]error{err}, failures...)...)
		}
		if len(failures) > 0 {
			return errors.Join(failures...)
		}
		pending = append(later, again...)
	}
	return nil
}

// sendBatch sends one $batch of user writes and returns the result of each,
// in the order of ps.
func (c *Client) sendBatch(ctx context.Context, ps []*pendingWrite) ([]batchResult, error) {
	items := make([]batchItem, len(ps))
	for i, p := range ps {
		items[i] = batchItem{
			ID: strconv.Itoa(i + 1), Method: http.MethodPatch, URL: "/users/" + url.PathEscape(p.w.ID),
			Headers: map[string]string{"Content-Type": "application/json"},
			Body:    wire.UserWriteBody(p.w.Values),
		}
	}
	reqBody, err := wire.Marshal(map[string]any{"requests": items})
	if err != nil {
		return nil, err
	}
	body, err := c.send(ctx, postBatch.request(nil, query{}, reqBody))
	if err != nil {
		return nil, err
	}
	var out struct {
		Responses []batchResult `json:"responses"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("POST /$batch: decoding the response: %w", err)
	}
	byID := make(map[string]batchResult, len(out.Responses))
	for _, r := range out.Responses {
		byID[r.ID] = r
	}
	results := make([]batchResult, len(ps))
	for i := range ps {
		r, ok := byID[strconv.Itoa(i+1)]
		if !ok {
			return nil, fmt.Errorf("POST /$batch: Graph's response has no answer to request %d (user %s); plan again to see what was written", i+1, ps[i].w.Name)
		}
		results[i] = r
	}
	return results, nil
}
