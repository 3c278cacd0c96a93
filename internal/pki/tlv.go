package pki

import "encoding/asn1"

// tlv is one DER element as readTLV reads it: what asn1.Unmarshal into an
// asn1.RawValue gives, without reflection or allocation.
type tlv struct {
	class, tag int
	compound   bool
	body, full []byte // the contents; the whole element
}

// is reports whether v is the universal element tag, constructed or not.
func (v tlv) is(tag int, compound bool) bool {
	return v.class == asn1.ClassUniversal && v.tag == tag && v.compound == compound
}

// readTLV reads the element at the start of b exactly as encoding/asn1 reads
// one into an asn1.RawValue: a tag number of 31 or more in minimal base 128
// form that fits in 31 bits, a definite length in minimal form (short below
// 128, long without leading zeros) below 2^31, and contents that fit in b.
// ok is false where asn1.Unmarshal gives an error. It looks at the header
// only: this is a shape check, not a parser.
func readTLV(b []byte) (v tlv, rest []byte, ok bool) {
	if len(b) == 0 {
		return tlv{}, nil, false
	}
	off := 1
	v.class, v.compound, v.tag = int(b[0]>>6), b[0]&0x20 != 0, int(b[0]&0x1f)
	if v.tag == 0x1f { // high tag number form
		var tag int64
		for shifted := 0; ; shifted++ {
			if off >= len(b) || shifted == 5 {
				return tlv{}, nil, false // truncated, or too large for 31 bits
			}
			c := b[off]
			if shifted == 0 && c == 0x80 {
				return tlv{}, nil, false // not minimal
			}
			tag = tag<<7 | int64(c&0x7f)
			off++
			if c&0x80 == 0 {
				break
			}
		}
		if tag > 1<<31-1 || tag < 0x1f {
			return tlv{}, nil, false
		}
		v.tag = int(tag)
	}
	if off >= len(b) {
		return tlv{}, nil, false
	}
	length := int(b[off])
	off++
	if length&0x80 != 0 {
		n := length & 0x7f
		if n == 0 {
			return tlv{}, nil, false // indefinite length: BER, not DER
		}
		length = 0
		for range n {
			if off >= len(b) || length >= 1<<23 {
				return tlv{}, nil, false // truncated, or too large
			}
			length = length<<8 | int(b[off])
			off++
			if length == 0 {
				return tlv{}, nil, false // leading zero
			}
		}
		if length < 0x80 {
			return tlv{}, nil, false // should have been the short form
		}
	}
	if length > len(b)-off {
		return tlv{}, nil, false
	}
	end := off + length
	v.body, v.full = b[off:end], b[:end]
	return v, b[end:], true
}

// readTLVs reads up to len(dst) consecutive elements of b into dst, stopping
// at the first one readTLV cannot read, and returns how many it read and
// what follows them.
func readTLVs(dst []tlv, b []byte) (int, []byte) {
	n := 0
	for n < len(dst) {
		v, rest, ok := readTLV(b)
		if !ok {
			break
		}
		dst[n], b = v, rest
		n++
	}
	return n, b
}
