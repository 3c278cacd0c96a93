package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// APIError is an error response from Microsoft Graph.
type APIError struct {
	Method    string // HTTP method
	Path      string // below the base URL, e.g. /directory/publicKeyInfrastructure/...
	Status    int    // HTTP status
	Code      string // Graph's error code, e.g. "BadRequest", "Authorization_RequestDenied"
	Message   string // Graph's error message
	RequestID string // Graph's request-id, for support cases
}

func (e *APIError) Error() string {
	return e.Method + " " + e.Path + ": " + e.detail()
}

// detail is the error without the request: "400 BadRequest: ... (request-id ...)".
func (e *APIError) detail() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	switch {
	case e.Code != "":
		b.WriteString(" " + e.Code)
	case http.StatusText(e.Status) != "":
		b.WriteString(" " + http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request-id %s)", e.RequestID)
	}
	return b.String()
}

// Is makes a 404 match model.ErrNotFound.
func (e *APIError) Is(target error) bool {
	return target == model.ErrNotFound && e.Status == http.StatusNotFound
}

// IsNotFound reports whether err is a Graph 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// IsForbidden reports whether err is a Graph 401 or 403 (missing permission
// or role).
func IsForbidden(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden)
}

// IsUnknownOutcome reports whether err is an *UnknownOutcomeError.
func IsUnknownOutcome(err error) bool {
	var uo *UnknownOutcomeError
	return errors.As(err, &uo)
}

// wrapError turns what the request adapter returned for a request into
// cbactl's errors: *UnknownOutcomeError as the transport made it, *APIError
// for an error status, and other failures prefixed with the method and path
// (error responses themselves are read by send). No Kiota type escapes.
func wrapError(ctx context.Context, method, path string, ex *exchange, err error) error {
	if err == nil {
		return nil
	}
	var uo *UnknownOutcomeError
	if errors.As(err, &uo) {
		uo.Method, uo.Path = method, path
		if ae, ok := uo.Err.(*APIError); ok {
			ae.Method, ae.Path = method, path
		}
		return uo
	}
	var api *abs.ApiError
	if errors.As(err, &api) {
		ae := &APIError{Method: method, Path: path, Status: api.ResponseStatusCode}
		fillFromExchange(ae, api.ResponseHeaders, ex)
		return ae
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", method, path, ctxError(ctx))
	}
	if ex != nil && ex.status >= 400 {
		// The response was seen but could not be read: report the
		// status the transport saw.
		return &APIError{Method: method, Path: path, Status: ex.status, Message: redact(err.Error()), RequestID: ex.requestID}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message repeats the whole URL
		if strings.HasPrefix(err.Error(), method+" ") {
			return err // the transport's own error: names the request, redacted
		}
	}
	return fmt.Errorf("%s %s: %s", method, path, redact(err.Error()))
}

func fillFromExchange(ae *APIError, h *abs.ResponseHeaders, ex *exchange) {
	if ae.RequestID == "" && h != nil {
		for _, k := range []string{"request-id", "Request-Id", "client-request-id", "Client-Request-Id"} {
			if v := h.Get(k); len(v) > 0 && v[0] != "" {
				ae.RequestID = v[0]
				break
			}
		}
	}
	if ex != nil {
		if ae.RequestID == "" {
			ae.RequestID = ex.requestID
		}
		if ae.Status == 0 {
			ae.Status = ex.status
		}
	}
}
