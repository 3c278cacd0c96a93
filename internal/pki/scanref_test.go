package pki

// A frozen copy of Scan's private key detection and PEM scanning as they were
// before they were made cheaper (issue 11), kept as the reference that
// TestScanMatchesReference and FuzzScanMatchesReference hold the live code
// to. It depends on the standard library only, so that no later change to
// the package can change it. Do not edit it to make a difference go away.

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"strconv"
	"unicode/utf8"
)

func refScanPEM(data []byte) []pemBlock {
	var blocks []pemBlock
	begin := []byte("-----BEGIN ")
	rest := data
	for {
		i := bytes.Index(rest, begin)
		if i < 0 {
			return blocks
		}
		rest = rest[i:]
		limit := len(rest)
		if k := bytes.Index(rest[len(begin):], begin); k >= 0 {
			limit = len(begin) + k
		}
		typ, ok := refBeginType(rest[:limit])
		if !ok {
			blocks = append(blocks, pemBlock{})
			rest = rest[len(begin):]
			continue
		}
		end := []byte("-----END " + typ + "-----")
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

func refBeginLine(data []byte) []byte {
	line := data[len("-----BEGIN "):]
	if len(line) > 128 {
		line = line[:128]
	}
	if k := bytes.IndexByte(line, '\n'); k >= 0 {
		line = line[:k]
	}
	return line
}

func refBeginType(data []byte) (string, bool) {
	line := refBeginLine(data)
	k := bytes.Index(line, []byte("-----"))
	if k < 0 {
		return "", false
	}
	return string(line[:k]), true
}

func refQuoteType(t string) string {
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

func refPrivateKeyReason(data []byte, blocks []pemBlock) (string, bool) {
	if reason, ok := refTextKeyReason(data); ok {
		return reason, true
	}
	if reason, ok := refDERKeyReason(data); ok {
		return reason, true
	}
	for _, b := range blocks {
		if !b.ok {
			continue
		}
		if reason, ok := refDERKeyReason(b.bytes); ok {
			return reason + " inside a " + refQuoteType(b.typ) + " PEM block", true
		}
	}
	return "", false
}

func refTextKeyReason(data []byte) (string, bool) {
	if !refContainsFoldKEY(data) {
		return "", false
	}
	upper := refASCIIUpper(data)
	begin := []byte("-----BEGIN ")
	for rest := upper; ; {
		i := bytes.Index(rest, begin)
		if i < 0 {
			break
		}
		line := refBeginLine(rest[i:])
		rest = rest[i+len(begin):]
		if k := bytes.Index(line, []byte("-----")); k >= 0 {
			line = line[:k]
		}
		if bytes.Contains(line, []byte("PRIVATE KEY")) {
			if refIsPlainLabel(line) {
				return "a " + strconv.Quote(string(line)) + " PEM block", true
			}
			return "a PEM private key block", true
		}
	}
	if bytes.Contains(upper, []byte("PRIVATE KEY-----")) {
		return "a PEM private key block", true
	}
	if bytes.Contains(upper, []byte("PUTTY-USER-KEY-FILE-")) {
		return "a PuTTY private key file", true
	}
	return "", false
}

func refContainsFoldKEY(data []byte) bool {
	for _, k := range []byte{'K', 'k'} {
		for rest := data; ; {
			i := bytes.IndexByte(rest, k)
			if i < 0 || i+2 >= len(rest) {
				break
			}
			if rest[i+1]|0x20 == 'e' && rest[i+2]|0x20 == 'y' {
				return true
			}
			rest = rest[i+1:]
		}
	}
	return false
}

func refIsPlainLabel(b []byte) bool {
	if len(b) == 0 || len(b) > 40 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '#') {
			return false
		}
	}
	return true
}

func refASCIIUpper(data []byte) []byte {
	out := make([]byte, len(data))
	for i, c := range data {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func refDERKeyReason(der []byte) (string, bool) {
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil || !refIsUniversal(outer, asn1.TagSequence, true) {
		return "", false
	}
	elems := refSplitTLVs(outer.Bytes, 10)
	if len(elems) < 2 {
		return "", false
	}
	e0 := elems[0]
	switch {
	case refIsUniversal(e0, asn1.TagInteger, false) && len(e0.Bytes) == 1:
		v := e0.Bytes[0]
		switch {
		case (v == 0 || v == 1) && len(elems) >= 3 &&
			refIsUniversal(elems[1], asn1.TagSequence, true) && refIsUniversal(elems[2], asn1.TagOctetString, false):
			return "a DER PKCS #8 private key", true
		case v == 1 && refIsUniversal(elems[1], asn1.TagOctetString, false):
			return "a DER SEC 1 EC private key", true
		case v <= 1 && len(elems) >= 6 && refAllIntegers(elems[:6]):
			return "a DER RSA or DSA private key", true
		case v == 3 && refIsUniversal(elems[1], asn1.TagSequence, true):
			if refPKCS7ContentType(elems[1].FullBytes) {
				return "a PKCS #12 (PFX) archive, which holds private keys", true
			}
		}
	case len(elems) == 2 && refIsUniversal(e0, asn1.TagSequence, true) && refIsUniversal(elems[1], asn1.TagOctetString, false):
		var alg struct {
			Algorithm asn1.ObjectIdentifier
			Rest      asn1.RawValue `asn1:"optional"`
		}
		pbe := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}
		pkcs12PBE := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
		if _, err := asn1.Unmarshal(e0.FullBytes, &alg); err == nil &&
			(refOIDHasPrefix(alg.Algorithm, pbe) || refOIDHasPrefix(alg.Algorithm, pkcs12PBE)) {
			return "a DER encrypted PKCS #8 private key", true
		}
	}
	return "", false
}

func refIsUniversal(v asn1.RawValue, tag int, compound bool) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == tag && v.IsCompound == compound
}

func refAllIntegers(vs []asn1.RawValue) bool {
	for _, v := range vs {
		if !refIsUniversal(v, asn1.TagInteger, false) {
			return false
		}
	}
	return true
}

func refSplitTLVs(b []byte, limit int) []asn1.RawValue {
	var out []asn1.RawValue
	for len(b) > 0 && len(out) < limit {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			break
		}
		out = append(out, v)
		b = rest
	}
	return out
}

// refPKCS7ContentType is pkcs7ContentType's ok result.
func refPKCS7ContentType(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	off := 2
	if l := data[1]; l > 0x80 {
		n := int(l & 0x7f)
		if n > 4 {
			return false
		}
		off += n
	}
	if len(data) < off+2 || data[off] != 0x06 || data[off+1] >= 0x80 {
		return false
	}
	end := off + 2 + int(data[off+1])
	if len(data) < end {
		return false
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(data[off:end], &oid); err != nil || len(rest) != 0 {
		return false
	}
	pkcs7 := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7}
	return len(oid) == len(pkcs7)+1 && refOIDHasPrefix(oid, pkcs7)
}

func refOIDHasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	if len(oid) < len(prefix) {
		return false
	}
	return oid[:len(prefix)].Equal(prefix)
}
