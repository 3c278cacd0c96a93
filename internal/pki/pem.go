package pki

import (
	"bytes"
	"encoding/base64"
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
func scanPEM(data []byte) []pemBlock { return appendPEM(nil, data) }

// appendPEM appends scanPEM(data) to blocks.
func appendPEM(blocks []pemBlock, data []byte) []pemBlock {
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
		j := indexEnd(rest[:limit], typ)
		if j < 0 {
			blocks = append(blocks, pemBlock{typ: typ})
			rest = rest[limit:]
			continue
		}
		block := rest[:j+len(pemEndMarker)+len(typ)+len(pemDashes)]
		der, ok := decodePEM(block, typ)
		if ok {
			blocks = append(blocks, pemBlock{typ: typ, bytes: der, ok: true})
		} else {
			blocks = append(blocks, pemBlock{typ: typ})
		}
		rest = rest[len(block):]
	}
}

const pemEndMarker = "-----END "

// indexEnd returns the index of the first "-----END typ-----" in data, or -1.
func indexEnd(data []byte, typ string) int {
	for from := 0; ; {
		j := bytes.Index(data[from:], []byte(pemEndMarker))
		if j < 0 {
			return -1
		}
		j += from
		if after := data[j+len(pemEndMarker):]; len(after) >= len(typ)+len(pemDashes) &&
			string(after[:len(typ)]) == typ && string(after[len(typ):len(typ)+len(pemDashes)]) == pemDashes {
			return j
		}
		from = j + 1
	}
}

// decodePEM returns the body of block, which starts with the BEGIN line of
// type typ and ends with the first matching END line after it, as
// pem.Decode(block) would decode it; ok is false where pem.Decode gives no
// block or one of another type.
//
// A clean block, the BEGIN line ended by LF or CRLF and then lines of base64
// and line ends only, the last line end right before the END line, is
// decoded without pem.Decode: for it, pem.Decode finds no headers, removes
// no spaces or tabs and decodes those very bytes with
// base64.StdEncoding, which skips line ends and rejects anything else. Any
// other block, and a clean-looking one base64 rejects, goes to pem.Decode.
func decodePEM(block []byte, typ string) (der []byte, ok bool) {
	bodyStart := len(pemBeginMarker) + len(typ) + len(pemDashes)
	switch {
	case len(block) > bodyStart && block[bodyStart] == '\n':
		bodyStart++
	case len(block) > bodyStart+1 && block[bodyStart] == '\r' && block[bodyStart+1] == '\n':
		bodyStart += 2
	default:
		bodyStart = -1
	}
	if end := len(block) - len(pemEndMarker) - len(typ) - len(pemDashes) - 1; bodyStart >= 0 && end >= bodyStart && block[end] == '\n' {
		body := block[bodyStart:end]
		der = make([]byte, base64.StdEncoding.DecodedLen(len(body)))
		if n, err := base64.StdEncoding.Decode(der, body); err == nil {
			return der[:n], true
		}
	}
	b, _ := pem.Decode(block)
	if b == nil || b.Type != typ {
		return nil, false
	}
	return b.Bytes, true
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
	return internType(line[:k]), true
}

// internType returns string(t), without allocating for the common types.
func internType(t []byte) string {
	for _, known := range [...]string{pemCertificate, pemX509Certificate, pemTrustedCertificate, pemPKCS7, "X509 CRL"} {
		if string(t) == known {
			return known
		}
	}
	return string(t)
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
