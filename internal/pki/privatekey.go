package pki

import (
	"bytes"
	"encoding/asn1"
	"strconv"
)

// --- private key detection ---

func privateKeyError(reason string) error {
	return newError(ErrPrivateKey, nil,
		"input contains a private key (%s): only certificates are accepted, so remove the key from the file", reason)
}

// privateKeyReason reports whether data holds private key material and, if so,
// a short description that never includes key bytes. blocks is scanPEM(data).
func privateKeyReason(data []byte, blocks []pemBlock) (string, bool) {
	if reason, ok := textKeyReason(data); ok {
		return reason, true
	}
	if reason, ok := derKeyReason(data); ok {
		return reason, true
	}
	for _, b := range blocks {
		if !b.ok {
			continue
		}
		if reason, ok := derKeyReason(b.bytes); ok {
			return reason + " inside a " + quoteType(b.typ) + " PEM block", true
		}
	}
	return "", false
}

// textKeyReason finds the textual markers of private keys: PEM labels and
// PuTTY headers, in any case (ASCII letters compared as asciiUpper would
// make them). Each of them spells KEY, so data without it (in any case) is
// not searched further.
func textKeyReason(data []byte) (string, bool) {
	if !containsFoldKEY(data) {
		return "", false
	}
	// PEM BEGIN lines whose type mentions a private key.
	for rest := data; ; {
		i := indexUpper(rest, pemBeginMarker, 0)
		if i < 0 {
			break
		}
		line := beginLine(rest[i:])
		rest = rest[i+len(pemBeginMarker):]
		if k := bytes.Index(line, []byte(pemDashes)); k >= 0 {
			line = line[:k]
		}
		if indexUpper(line, "PRIVATE KEY", len("PRIVATE")) >= 0 {
			if label := asciiUpper(line); isPlainLabel(label) {
				return "a " + strconv.Quote(string(label)) + " PEM block", true
			}
			return "a PEM private key block", true
		}
	}
	// Damaged blocks: an END line (or any marker tail) still gives the key away.
	if indexUpper(data, "PRIVATE KEY-----", len("PRIVATE KEY")) >= 0 {
		return "a PEM private key block", true
	}
	if indexUpper(data, "PUTTY-USER-KEY-FILE-", len("PUTTY")) >= 0 {
		return "a PuTTY private key file", true
	}
	return "", false
}

// indexUpper returns the index of the first instance of pat in
// asciiUpper(s), or -1, without copying s. pat is upper case, and
// pat[anchor] is not a letter: only that byte matches it, so candidates are
// found with bytes.IndexByte.
func indexUpper(s []byte, pat string, anchor int) int {
	for from := anchor; from < len(s); {
		j := bytes.IndexByte(s[from:], pat[anchor])
		if j < 0 {
			return -1
		}
		i := from + j - anchor
		if i+len(pat) > len(s) {
			return -1
		}
		if equalUpper(s[i:i+len(pat)], pat) {
			return i
		}
		from += j + 1
	}
	return -1
}

// equalUpper reports whether asciiUpper(b) == pat.
func equalUpper(b []byte, pat string) bool {
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != pat[i] {
			return false
		}
	}
	return true
}

// containsFoldKEY reports whether data holds "KEY" in any mix of cases.
func containsFoldKEY(data []byte) bool {
	for _, k := range []byte{'K', 'k'} {
		for rest := data; ; {
			i := bytes.IndexByte(rest, k)
			if i < 0 || i+2 >= len(rest) {
				break
			}
			// c|0x20 lower-cases an ASCII letter, and maps no other byte to one.
			if rest[i+1]|0x20 == 'e' && rest[i+2]|0x20 == 'y' {
				return true
			}
			rest = rest[i+1:]
		}
	}
	return false
}

// isPlainLabel reports whether an (upper-cased) PEM type is made of letters,
// digits, spaces and '#', so that it is safe and useful to echo.
func isPlainLabel(b []byte) bool {
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

func asciiUpper(data []byte) []byte {
	out := make([]byte, len(data))
	for i, c := range data {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

var (
	oidPKCS5PBE  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}     // PBES1, PBES2, PBKDF2, PBMAC1
	oidPKCS12PBE = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1} // pkcs-12PbeIds
)

// derKeyReason recognises private keys and key containers by their ASN.1 shape.
// It reads element headers only, with encoding/asn1's rules (see readTLV),
// and gives up as soon as the shape cannot be a key: a certificate,
// SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }, costs two headers.
func derKeyReason(der []byte) (string, bool) {
	outer, _, ok := readTLV(der)
	if !ok || !outer.is(asn1.TagSequence, true) {
		return "", false
	}
	// No shape below looks past the sixth element. Like encoding/asn1, the
	// elements end at the first one that cannot be read.
	var elems [6]tlv
	n, rest := readTLVs(elems[:2], outer.body)
	if n < 2 {
		return "", false
	}
	e0, e1 := elems[0], elems[1]
	switch {
	case e0.is(asn1.TagInteger, false) && len(e0.body) == 1:
		m, _ := readTLVs(elems[2:], rest)
		n += m
		v := e0.body[0]
		switch {
		case (v == 0 || v == 1) && n >= 3 &&
			e1.is(asn1.TagSequence, true) && elems[2].is(asn1.TagOctetString, false):
			return "a DER PKCS #8 private key", true
		case v == 1 && e1.is(asn1.TagOctetString, false):
			return "a DER SEC 1 EC private key", true
		case v <= 1 && n >= 6 && allIntegers(elems[:6]):
			return "a DER RSA or DSA private key", true
		case v == 3 && e1.is(asn1.TagSequence, true):
			if _, ok := pkcs7ContentType(e1.full); ok {
				return "a PKCS #12 (PFX) archive, which holds private keys", true
			}
		}
	case e0.is(asn1.TagSequence, true) && e1.is(asn1.TagOctetString, false):
		// EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING },
		// and nothing readable after them.
		if _, _, ok := readTLV(rest); ok {
			return "", false
		}
		var alg struct {
			Algorithm asn1.ObjectIdentifier
			Rest      asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(e0.full, &alg); err == nil &&
			(oidHasPrefix(alg.Algorithm, oidPKCS5PBE) || oidHasPrefix(alg.Algorithm, oidPKCS12PBE)) {
			return "a DER encrypted PKCS #8 private key", true
		}
	}
	return "", false
}

func allIntegers(vs []tlv) bool {
	for _, v := range vs {
		if !v.is(asn1.TagInteger, false) {
			return false
		}
	}
	return true
}
