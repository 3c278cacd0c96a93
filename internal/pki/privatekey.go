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
// PuTTY headers, in any case. Each of them spells KEY, so data without it
// (in any case) is not copied and searched.
func textKeyReason(data []byte) (string, bool) {
	if !containsFoldKEY(data) {
		return "", false
	}
	upper := asciiUpper(data)
	// PEM BEGIN lines whose type mentions a private key.
	begin := []byte(pemBeginMarker)
	for rest := upper; ; {
		i := bytes.Index(rest, begin)
		if i < 0 {
			break
		}
		line := beginLine(rest[i:])
		rest = rest[i+len(begin):]
		if k := bytes.Index(line, []byte(pemDashes)); k >= 0 {
			line = line[:k]
		}
		if bytes.Contains(line, []byte("PRIVATE KEY")) {
			if isPlainLabel(line) {
				return "a " + strconv.Quote(string(line)) + " PEM block", true
			}
			return "a PEM private key block", true
		}
	}
	// Damaged blocks: an END line (or any marker tail) still gives the key away.
	if bytes.Contains(upper, []byte("PRIVATE KEY-----")) {
		return "a PEM private key block", true
	}
	if bytes.Contains(upper, []byte("PUTTY-USER-KEY-FILE-")) {
		return "a PuTTY private key file", true
	}
	return "", false
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
func derKeyReason(der []byte) (string, bool) {
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil || !isUniversal(outer, asn1.TagSequence, true) {
		return "", false
	}
	elems := splitTLVs(outer.Bytes, 10)
	if len(elems) < 2 {
		return "", false
	}
	e0 := elems[0]
	switch {
	case isUniversal(e0, asn1.TagInteger, false) && len(e0.Bytes) == 1:
		v := e0.Bytes[0]
		switch {
		case (v == 0 || v == 1) && len(elems) >= 3 &&
			isUniversal(elems[1], asn1.TagSequence, true) && isUniversal(elems[2], asn1.TagOctetString, false):
			return "a DER PKCS #8 private key", true
		case v == 1 && isUniversal(elems[1], asn1.TagOctetString, false):
			return "a DER SEC 1 EC private key", true
		case v <= 1 && len(elems) >= 6 && allIntegers(elems[:6]):
			return "a DER RSA or DSA private key", true
		case v == 3 && isUniversal(elems[1], asn1.TagSequence, true):
			if _, ok := pkcs7ContentType(elems[1].FullBytes); ok {
				return "a PKCS #12 (PFX) archive, which holds private keys", true
			}
		}
	case len(elems) == 2 && isUniversal(e0, asn1.TagSequence, true) && isUniversal(elems[1], asn1.TagOctetString, false):
		// EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
		var alg struct {
			Algorithm asn1.ObjectIdentifier
			Rest      asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(e0.FullBytes, &alg); err == nil &&
			(oidHasPrefix(alg.Algorithm, oidPKCS5PBE) || oidHasPrefix(alg.Algorithm, oidPKCS12PBE)) {
			return "a DER encrypted PKCS #8 private key", true
		}
	}
	return "", false
}

func isUniversal(v asn1.RawValue, tag int, compound bool) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == tag && v.IsCompound == compound
}

func allIntegers(vs []asn1.RawValue) bool {
	for _, v := range vs {
		if !isUniversal(v, asn1.TagInteger, false) {
			return false
		}
	}
	return true
}

// splitTLVs splits up to limit consecutive DER elements; it stops at the first
// element it cannot read.
func splitTLVs(b []byte, limit int) []asn1.RawValue {
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
