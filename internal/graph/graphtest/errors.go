package graphtest

import (
	"fmt"
	"net/http"
)

// graphError is an error a handler answers with, in Graph's error shape.
type graphError struct {
	status        int
	code, message string
	header        http.Header
}

func (e *graphError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func badRequest(format string, args ...any) *graphError {
	return &graphError{status: http.StatusBadRequest, code: "BadRequest", message: fmt.Sprintf(format, args...)}
}

// notFound is Graph's 404 for an id that does not exist.
func notFound(id string) *graphError {
	return &graphError{
		status: http.StatusNotFound, code: "itemNotFound",
		message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id),
	}
}

// segmentNotFound is Graph's answer to a path it does not know.
func segmentNotFound(seg string) *graphError {
	return badRequest("Resource not found for the segment '%s'.", seg)
}

// errorBody is Graph's error shape (graph-api.md §5).
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError innerError `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// errorResponse turns an error into Graph's error response. Errors that are
// not *graphError are the fake's own bugs and become 500 generalException.
func (c *call) errorResponse(err error) response {
	ge, ok := err.(*graphError)
	if !ok {
		ge = &graphError{status: http.StatusInternalServerError, code: "generalException", message: err.Error()}
	}
	return c.errorOf(ge.status, ge.code, ge.message, ge.header)
}

func (c *call) errorOf(status int, code, message string, header http.Header) response {
	b, err := jsonResponse(status, errorBody{Error: errorDetail{
		Code: code, Message: message,
		InnerError: innerError{
			Date:            c.s.now().UTC().Format("2006-01-02T15:04:05"),
			RequestID:       c.reqID,
			ClientRequestID: c.clientReqID,
		},
	}})
	if err != nil {
		panic(err) // strings always encode
	}
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", errorContentType)
	b.header = h
	return b
}
