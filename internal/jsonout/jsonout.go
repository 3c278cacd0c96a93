// Package jsonout writes cbactl's JSON documents (validate, plan, show,
// simulate, test, crl check, cert and health --json) one way: indented by two
// spaces, with a final newline, and without HTML escaping, so that values
// such as certificateUserIds ("X509:<PN>…") and "&" in display names appear
// as they are rather than as "\u003c" and "\u0026".
package jsonout

import (
	"bytes"
	"encoding/json"
	"io"
)

// Write writes v to w as one indented JSON document. Nothing is written
// when v cannot be encoded.
func Write(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
