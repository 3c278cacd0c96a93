package pki

import (
	"bytes"
	"encoding/pem"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// --- PEM scanning ---

const (
	pemBeginMarker = "-----BEGIN "
	pemDashes      = "-----"
)

// pemBlock is one block found by scanPEM.
type pemBlock struct {
	typ   string // the type on the BEGIN line; "" if the line was unreadable
	bytes []byte // the decoded body when ok
	ok    bool
}

func (b pemBlock) err(i int) error {
	switch {
	case b.ok:
		return nil
	case b.typ == "":
		return newError(ErrMalformed, nil, "malformed PEM block %d: its BEGIN line does not end with dashes", i+1)
	default:
		return newError(ErrMalformed, nil, "malformed PEM block %d (%s): bad base64, bad headers or no matching END line", i+1, quoteType(b.typ))
	}
}

// scanPEM returns every block that starts with a "-----BEGIN " marker, in
// order, including malformed ones (ok false), so that a damaged block is
// reported instead of skipped. It returns nil when data has no marker.
func scanPEM(data []byte) []pemBlock {
	var blocks []pemBlock
	begin := []byte(pemBeginMarker)
	rest := data
	for {
		i := bytes.Index(rest, begin)
		if i < 0 {
			return blocks
		}
		rest = rest[i:]
		// The block must end before the next BEGIN marker.
		limit := len(rest)
		if k := bytes.Index(rest[len(begin):], begin); k >= 0 {
			limit = len(begin) + k
		}
		typ, ok := beginType(rest[:limit])
		if !ok {
			blocks = append(blocks, pemBlock{})
			rest = rest[len(begin):]
			continue
		}
		end := []byte("-----END " + typ + pemDashes)
		j := bytes.Index(rest[:limit], end)
		if j < 0 {
			blocks = append(blocks, pemBlock{typ: typ})
			rest = rest[limit:]
			continue
		}
		b, _ := pem.Decode(rest[:j+len(end)])
		if b == nil || b.Type != typ {
			blocks = append(blocks, pemBlock{typ: typ})
		} else {
			blocks = append(blocks, pemBlock{typ: typ, bytes: b.Bytes, ok: true})
		}
		rest = rest[j+len(end):]
	}
}

// maxTypeLine bounds how far a BEGIN line is read, so that scanning stays
// linear on hostile input; real PEM type labels are far shorter.
const maxTypeLine = 128

// beginLine returns the rest of the BEGIN line that starts data, after the
// marker, reading at most maxTypeLine bytes.
func beginLine(data []byte) []byte {
	line := data[len(pemBeginMarker):]
	if len(line) > maxTypeLine {
		line = line[:maxTypeLine]
	}
	if k := bytes.IndexByte(line, '\n'); k >= 0 {
		line = line[:k]
	}
	return line
}

// beginType returns TYPE from data that starts with "-----BEGIN TYPE-----".
func beginType(data []byte) (string, bool) {
	line := beginLine(data)
	k := bytes.Index(line, []byte(pemDashes))
	if k < 0 {
		return "", false
	}
	return string(line[:k]), true
}

// quoteType quotes a PEM type for an error message, shortening odd ones.
func quoteType(t string) string {
	const maxLen = 48
	if len(t) > maxLen {
		cut := maxLen
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut--
		}
		t = t[:cut] + "..."
	}
	return strconv.Quote(t)
}

// typeList names PEM block types for a message: `"X509 CRL"`, or
// `"X509 CRL" and "CERTIFICATE REQUEST"`, without duplicates.
func typeList(types []string) string {
	seen := map[string]bool{}
	var q []string
	for _, t := range types {
		if !seen[t] {
			seen[t] = true
			q = append(q, quoteType(t))
		}
	}
	switch len(q) {
	case 0:
		return "no"
	case 1:
		return q[0]
	default:
		return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
	}
}

func looksLikeText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, r := range string(data) {
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) && r != '\ufeff' {
			return false
		}
	}
	return true
}
