// Package pki reads X.509 certificates and PKCS #7 bundles and derives the
// identifiers Microsoft Entra certificate-based authentication works with:
// Windows-style distinguished names, thumbprints, key identifiers and serial
// numbers.
//
// The package only ever reads public material. Input that contains a private
// key is refused with a *ParseError of kind ErrPrivateKey, and no error built
// here ever quotes key bytes.
package pki

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a parse failure.
type ErrorKind int

// Kinds of parse failure.
const (
	ErrNoCertificate ErrorKind = iota + 1 // input holds no certificate
	ErrMalformed                          // bytes are not a parsable certificate / PEM / DER / PKCS#7
	ErrPrivateKey                         // input contains a private key (never echo it)
	ErrMultiple                           // more than one certificate where exactly one was required
	ErrNotPKCS7                           // not a PKCS#7 structure
)

// String returns a short lowercase name for the kind.
func (k ErrorKind) String() string {
	switch k {
	case ErrNoCertificate:
		return "no certificate"
	case ErrMalformed:
		return "malformed input"
	case ErrPrivateKey:
		return "private key in input"
	case ErrMultiple:
		return "more than one certificate"
	case ErrNotPKCS7:
		return "not PKCS #7"
	default:
		return fmt.Sprintf("error kind %d", int(k))
	}
}

// ParseError is the error returned by the parsing functions of this package.
// Msg and Err never contain key material.
type ParseError struct {
	Kind ErrorKind
	Msg  string // lowercase description; if empty, Kind's name is used
	Err  error  // underlying cause, if any
}

// Error returns Msg (or the kind's name), followed by the cause if there is one.
func (e *ParseError) Error() string {
	msg := e.Msg
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Is reports whether target is a *ParseError of the same Kind, so that
// errors.Is(err, &pki.ParseError{Kind: pki.ErrPrivateKey}) works.
func (e *ParseError) Is(target error) bool {
	t, ok := target.(*ParseError)
	return ok && t != nil && t.Kind == e.Kind
}

// IsKind reports whether err is, or wraps, a *ParseError of kind k.
func IsKind(err error, k ErrorKind) bool {
	return errors.Is(err, &ParseError{Kind: k})
}

func newError(k ErrorKind, err error, format string, args ...any) *ParseError {
	return &ParseError{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}
