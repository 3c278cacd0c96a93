package pki

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// scanOutcome is everything Scan decides about one input, and what the
// scanning helpers decide on their own (so that a difference one of them
// hides behind another still shows).
type scanOutcome struct {
	Blocks     []blockOutcome
	Reason     string
	HasKey     bool
	TextReason string
	TextKey    bool
	DERReason  string
	DERKey     bool
	BlockDER   []string // the DER key check of each block the reference decoded
}

type blockOutcome struct {
	Type    string
	OK      bool
	Bytes   []byte
	NilBody bool
}

func blockOutcomes(blocks []pemBlock) []blockOutcome {
	var out []blockOutcome
	for _, b := range blocks {
		out = append(out, blockOutcome{Type: b.typ, OK: b.ok, Bytes: b.bytes, NilBody: b.bytes == nil})
	}
	return out
}

// scanOutcomes returns what the live code and the frozen reference decide.
func scanOutcomes(data []byte) (got, want scanOutcome) {
	refBlocks := refScanPEM(data)
	s := Scan(data)
	got = scanOutcome{Blocks: blockOutcomes(s.blocks), Reason: s.keyReason, HasKey: s.hasKey}
	want = scanOutcome{Blocks: blockOutcomes(refBlocks)}
	want.Reason, want.HasKey = refPrivateKeyReason(data, refBlocks)
	got.TextReason, got.TextKey = textKeyReason(data)
	want.TextReason, want.TextKey = refTextKeyReason(data)
	got.DERReason, got.DERKey = derKeyReason(data)
	want.DERReason, want.DERKey = refDERKeyReason(data)
	for _, b := range refBlocks {
		if b.ok {
			r, ok := derKeyReason(b.bytes)
			got.BlockDER = append(got.BlockDER, fmt.Sprint(r, ok))
			r, ok = refDERKeyReason(b.bytes)
			want.BlockDER = append(want.BlockDER, fmt.Sprint(r, ok))
		}
	}
	return got, want
}

// parseOutcome describes what a parse returned: the error, or the
// certificates' DER.
func parseOutcome(certs []*x509.Certificate, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for _, c := range certs {
		fmt.Fprintf(&b, "%x\n", c.Raw)
	}
	return b.String()
}

// checkScanMatchesReference fails when the live scan of data differs from
// the reference's. With parse, it also compares what ParseCertificate and
// ParseCertificates make of the two scans.
func checkScanMatchesReference(t *testing.T, data []byte, parse bool) {
	t.Helper()
	got, want := scanOutcomes(data)
	if !reflect.DeepEqual(got, want) { // cmp.Diff only explains a difference: it is slow
		t.Fatalf("Scan(%q) differs from the reference (-want +got):\n%s", data, cmp.Diff(want, got))
	}
	if !parse {
		return
	}
	ref := &Scanned{data: data, blocks: refScanPEM(data)}
	ref.keyReason, ref.hasKey = refPrivateKeyReason(data, ref.blocks)
	live := Scan(data)
	for _, bundle := range []bool{false, true} {
		w, g := parseOutcome(ref.certificates(bundle)), parseOutcome(live.certificates(bundle))
		if w != g {
			t.Fatalf("certificates(%v) of %q: got %q, want %q", bundle, data, g, w)
		}
	}
}

// scanSeedCorpus returns generated inputs of every kind Scan must tell
// apart: certificates, bundles, CRLs and CSRs in DER and PEM, private keys of
// every form in DER and under several PEM labels, PKCS #12 archives,
// encrypted PKCS #8 keys, PuTTY files, odd PEM, text and random bytes.
func scanSeedCorpus(t testing.TB) [][]byte {
	t.Helper()
	var corpus [][]byte
	add := func(in ...[]byte) { corpus = append(corpus, in...) }
	add(fuzzSeeds(t)...)

	ecRoot := pkitest.NewRoot()
	rsaRoot := pkitest.NewRoot(pkitest.WithRSA(2048))
	leaf := ecRoot.NewLeaf(pkitest.WithUPN("a@example.com"), pkitest.WithCRLDistributionPoints("http://crl.example.com/a.crl"))
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr"}}, leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 2}})
	if err != nil {
		t.Fatal(err)
	}
	crl := ecRoot.NewCRL()
	certs := map[string][]byte{
		"CERTIFICATE":         ecRoot.DER,
		"X509 CERTIFICATE":    rsaRoot.DER,
		"TRUSTED CERTIFICATE": cat(leaf.DER, trust),
		"CERTIFICATE REQUEST": csr,
		"X509 CRL":            crl,
		"PKCS7":               pkitest.Bundle(leaf.Cert, ecRoot.Cert),
	}
	for typ, der := range certs {
		add(der, pemOf(typ, der))
	}
	add(leaf.DER, leaf.PEM(), rsaRoot.PEM(), cat(ecRoot.DER, rsaRoot.DER))

	// Private keys, raw and in PEM under their own label, a certificate's
	// label, a made-up one and a lower-cased one.
	ecKey := ecRoot.Key.(*ecdsa.PrivateKey)
	rsaKey := rsaRoot.Key.(*rsa.PrivateKey)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	xKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	marshal := func(v any) []byte {
		der, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	spki := func(k any) []byte {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	type algID struct {
		Algorithm asn1.ObjectIdentifier
		Params    asn1.RawValue `asn1:"optional"`
	}
	type encryptedKey struct {
		Alg  algID
		Data []byte
	}
	encrypted := func(oid asn1.ObjectIdentifier) []byte {
		return marshal(encryptedKey{algID{oid, asn1.RawValue{FullBytes: []byte{0x30, 0}}}, bytes.Repeat([]byte{0x42}, 40)})
	}
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	pfx := func(version int, oid asn1.ObjectIdentifier) []byte {
		return marshal(struct {
			Version  int
			AuthSafe contentInfo
		}{version, contentInfo{oid, asn1.RawValue{Tag: asn1.TagOctetString, Bytes: []byte{1, 2, 3}}}})
	}
	dsa := marshal([]int{0, 23, 11, 4, 8, 3}) // OpenSSL's DSA key: version, p, q, g, y, x
	keys := map[string][]byte{
		"PRIVATE KEY":           pkcs8(ecKey),
		"RSA PKCS8":             pkcs8(rsaKey),
		"ED25519 PKCS8":         pkcs8(edKey),
		"X25519 PKCS8":          pkcs8(xKey),
		"RSA PRIVATE KEY":       x509.MarshalPKCS1PrivateKey(rsaKey),
		"EC PRIVATE KEY":        sec1,
		"DSA PRIVATE KEY":       dsa,
		"ENCRYPTED PRIVATE KEY": encrypted(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}),
		"PKCS12 PBE":            encrypted(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}),
		"PBE prefix only":       encrypted(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}),
		"not a PBE":             encrypted(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}),
		"PKCS12":                pfx(3, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}),
		"PKCS12 signed":         pfx(3, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}),
		"PKCS12 other OID":      pfx(3, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}),
		"PFX version 2":         pfx(2, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}),
		"PUBLIC KEY":            spki(ecKey.Public()),
		"RSA PUBLIC KEY":        x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey),
	}
	for typ, der := range keys {
		add(der, pemOf(typ, der), pemOf("CERTIFICATE", der), pemOf("KEY", der),
			bytes.ToLower(pemOf(typ, der)), cat(leaf.PEM(), pemOf(typ, der)))
	}
	add(pemOf("OPENSSH PRIVATE KEY", append([]byte("openssh-key-v1\x00"), sec1...)),
		[]byte("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\n"),
		[]byte("putty-user-key-file-3: ssh-ed25519\n"),
		[]byte("PuTTY-User-Key-File: nope\n"),
		[]byte("-----BEGIN Private Key-----\n-----END Private Key-----\n"),
		[]byte("-----BEGIN ENCRYPTED private key\n"),
		[]byte("xx private KEY-----"),
		[]byte("-----BEGIN A PRIVATE KEY WITH A LABEL FAR LONGER THAN FORTY BYTES-----\n"),
		[]byte("-----BEGIN PRIVATE KEY\xff-----\n"),
		[]byte("-----BEGIN MY-PRIVATE KEY-----\n"),
		[]byte("-----BEGIN "+strings.Repeat("x", 130)+"PRIVATE KEY-----\n"),
		[]byte("-----BEGIN -----BEGIN PRIVATE KEY-----"),
		[]byte("never commit a private key\n"),
	)

	// PEM variants of a certificate: CRLF, headers, spaces, bad base64, a
	// wrong END, text around it, an empty body, lower case, a second BEGIN.
	p := ecRoot.PEM()
	body := p[len("-----BEGIN CERTIFICATE-----\n") : len(p)-len("-----END CERTIFICATE-----\n")]
	add(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")),
		bytes.ReplaceAll(p, []byte("\n"), []byte("\r")),
		bytes.Replace(p, []byte("-----\n"), []byte("-----\nProc-Type: 4,ENCRYPTED\n\n"), 1),
		bytes.Replace(p, []byte("-----\n"), []byte("-----\nA: b\n"), 1),
		bytes.Replace(p, []byte("-----\n"), []byte("----- \t\n"), 1),
		bytes.Replace(p, []byte("-----\n"), []byte("-----"), 1),
		bytes.Replace(p, []byte("\n-----END"), []byte("-----END"), 1),
		bytes.ReplaceAll(p, []byte("\n"), []byte(" \n")),
		bytes.Replace(p, []byte("\n"), []byte("\n\t"), 3),
		bytes.Replace(p, body[:4], []byte("M!IB"), 1),
		bytes.Replace(p, []byte("END CERTIFICATE"), []byte("END CERTIFICATES"), 1),
		bytes.Replace(p, []byte("END CERTIFICATE"), []byte("END X509 CRL"), 1),
		bytes.Replace(p, []byte("END CERTIFICATE-----"), []byte("END CERTIFICATE----"), 1),
		cat([]byte("subject=CN x\nissuer=CN y\n"), p, []byte("trailing text\n")),
		cat(p, []byte("-----END CERTIFICATE-----\n")),
		cat(p[:len(p)-1], []byte("   \t\r\n")),
		cat(p[:len(p)-1], []byte("junk\n")),
		cat([]byte("-----BEGIN CERTIFICATE-----\n"), p),
		cat(p[:len(p)/2], p),
		[]byte("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----"),
		[]byte("-----BEGIN CERTIFICATE-----\r\n-----END CERTIFICATE-----\r\n"),
		[]byte("-----BEGIN CERTIFICATE-----\n=\n-----END CERTIFICATE-----"),
		[]byte("-----BEGIN A:B-----\n-----END A:B-----\n"),
		[]byte("-----BEGIN A:B-----\nQUJD\n-----END A:B-----\n"),
		[]byte("-----BEGIN -----\nQUJD\n-----END -----\n"),
		[]byte("-----BEGIN CERTIFICATE----------\nQUJD\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nQU\nJD\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nQUJ\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nQUJD-\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nQUJD\n\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\n\nQUJD\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n"),
		bytes.ToLower(p),
		[]byte(base64.StdEncoding.EncodeToString(ecRoot.DER)),
	)

	// BEGIN lines around the length scanning reads of them.
	for n := 110; n <= 130; n++ {
		label := strings.Repeat("A", n)
		add([]byte("-----BEGIN "+label+"-----\nQUJD\n-----END "+label+"-----\n"),
			[]byte("-----BEGIN "+label[:n-11]+"PRIVATE KEY-----\n"),
			[]byte("-----BEGIN "+label[:n-11]+"PRIVATE KEY\n"))
	}

	// Random bytes, random base64 text and random DER-ish structures.
	r := mrand.New(mrand.NewPCG(1, 2))
	for range 50 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		add(b, []byte(base64.StdEncoding.EncodeToString(b)))
	}
	return corpus
}

// derAtoms are DER elements, some of them malformed, that derShapes strings
// together: every length form encoding/asn1 accepts or rejects, high tag
// numbers, and the elements the key shapes are made of.
var derAtoms = [][]byte{
	{0x02, 0x01, 0x00}, {0x02, 0x01, 0x01}, {0x02, 0x01, 0x03}, {0x02, 0x01, 0x02}, {0x02, 0x02, 0x00, 0x01},
	{0x02, 0x00}, {0x02, 0x81, 0x01, 0x00}, {0x02, 0x81, 0x80}, {0x22, 0x01, 0x00},
	{0x04, 0x00}, {0x04, 0x02, 0xaa, 0xbb}, {0x24, 0x00}, {0x44, 0x00},
	{0x30, 0x00}, {0x30, 0x03, 0x02, 0x01, 0x00}, {0x10, 0x00}, {0x70, 0x00}, {0xb0, 0x00}, {0xf0, 0x00},
	{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x00},
	{0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d},
	{0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d, 0x05, 0x00},
	{0x06, 0x03, 0x55, 0x04, 0x03}, {0x03, 0x02, 0x00, 0xff}, {0x05, 0x00}, {0xa0, 0x00}, {0xa1, 0x03, 0x02, 0x01, 0x00},
	{0x1f, 0x1f, 0x00}, {0x1f, 0x1e, 0x00}, {0x1f, 0x80, 0x20, 0x00}, {0x1f, 0x81, 0x00, 0x00},
	{0x3f, 0x87, 0xff, 0xff, 0xff, 0x7f, 0x00}, {0x1f, 0x88, 0x80, 0x80, 0x80, 0x00, 0x00}, {0x1f, 0x81},
	{0x04, 0x80}, {0x04, 0x81, 0x7f}, {0x04, 0x82, 0x00, 0x80}, {0x04, 0x84, 0x00, 0x00, 0x00, 0x00},
	{0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00}, {0x04, 0x84, 0x7f, 0xff, 0xff, 0xff}, {0x04, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{0x04, 0x05, 0x00}, {0x04}, {0x00, 0x00}, {0x00}, {0xff, 0xff},
}

// derLength encodes n as a DER length, or in a long form when long is set.
func derLength(n int, long bool) []byte {
	switch {
	case n < 0x80 && !long:
		return []byte{byte(n)}
	case n < 0x100:
		return []byte{0x81, byte(n)}
	default:
		return []byte{0x82, byte(n >> 8), byte(n)}
	}
}

// derShapes returns n SEQUENCEs of random derAtoms, some with a wrong or
// odd outer header and some with data after them.
func derShapes(r *mrand.Rand, n int) [][]byte {
	var out [][]byte
	for range n {
		var content []byte
		for range 1 + r.IntN(8) {
			content = append(content, derAtoms[r.IntN(len(derAtoms))]...)
		}
		header := []byte{0x30}
		switch r.IntN(8) {
		case 0:
			header = []byte{[]byte{0x31, 0x10, 0x70, 0x02, 0x04}[r.IntN(5)]}
		case 1:
			header = append(header, 0x80)
			content = append(content, 0, 0)
		}
		if len(header) == 1 {
			header = append(header, derLength(len(content)+r.IntN(3)-1, r.IntN(4) == 0)...)
		}
		der := cat(header, content)
		if r.IntN(6) == 0 {
			der = append(der, derAtoms[r.IntN(len(derAtoms))]...)
		}
		out = append(out, der)
	}
	return out
}

// mutate returns in with a few random edits: bytes changed, inserted or
// deleted, a letter's case swapped, a piece of another input spliced in.
func mutate(r *mrand.Rand, in []byte, corpus [][]byte) []byte {
	out := bytes.Clone(in)
	interesting := []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10, 0x1f, 0x20, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xa0, 0xff,
		'\n', '\r', ' ', '\t', '-', ':', '=', 'k', 'K', 'e', 'y', 'Y'}
	for range 1 + r.IntN(3) {
		if len(out) == 0 {
			out = append(out, interesting[r.IntN(len(interesting))])
			continue
		}
		i := r.IntN(len(out))
		switch r.IntN(6) {
		case 0:
			out[i] = interesting[r.IntN(len(interesting))]
		case 1:
			out[i] = byte(r.Uint32())
		case 2:
			out = append(out[:i], append([]byte{interesting[r.IntN(len(interesting))]}, out[i:]...)...)
		case 3:
			out = append(out[:i], out[i+1:]...)
		case 4:
			if c := out[i] | 0x20; c >= 'a' && c <= 'z' {
				out[i] ^= 0x20
			}
		case 5:
			other := corpus[r.IntN(len(corpus))]
			if len(other) > 0 {
				j := r.IntN(len(other))
				k := j + r.IntN(len(other)-j+1)
				out = append(out[:i], append(bytes.Clone(other[j:k]), out[i:]...)...)
			}
		}
	}
	return out
}

// TestScanMatchesReference holds Scan to the frozen reference in
// scanref_test.go over the fuzz seeds, the key inputs, generated inputs of
// every kind, every prefix of some of them, random DER shapes and random
// mutations. The corpus must reach every reason the reference gives, so
// that a difference in any of them shows.
func TestScanMatchesReference(t *testing.T) {
	corpus := scanSeedCorpus(t)
	for _, in := range keyInputs(t, newFixtures()) {
		corpus = append(corpus, in)
	}
	reasons := map[string]bool{}
	badBlocks, noType := 0, 0
	check := func(data []byte, parse bool) {
		checkScanMatchesReference(t, data, parse)
		blocks := refScanPEM(data)
		r, _ := refPrivateKeyReason(data, blocks)
		reasons[r] = true
		for _, b := range blocks {
			switch {
			case b.typ == "":
				noType++
			case !b.ok:
				badBlocks++
			}
		}
	}
	for _, in := range corpus {
		check(in, true)
	}
	// Every prefix of the inputs up to 3 KB: truncated DER and PEM.
	for _, in := range corpus {
		if len(in) > 3000 {
			continue
		}
		for n := range len(in) {
			check(in[:n], false)
		}
	}
	r := mrand.New(mrand.NewPCG(3, 4))
	for _, in := range derShapes(r, 30000) {
		check(in, false)
	}
	for range 30000 {
		check(mutate(r, corpus[r.IntN(len(corpus))], corpus), false)
	}

	for _, want := range []string{
		"",
		"a DER PKCS #8 private key",
		"a DER SEC 1 EC private key",
		"a DER RSA or DSA private key",
		"a PKCS #12 (PFX) archive, which holds private keys",
		"a DER encrypted PKCS #8 private key",
		`a DER PKCS #8 private key inside a "CERTIFICATE" PEM block`,
		`a DER encrypted PKCS #8 private key inside a "KEY" PEM block`,
		`a "PRIVATE KEY" PEM block`,
		`a "EC PRIVATE KEY" PEM block`,
		"a PEM private key block",
		"a PuTTY private key file",
	} {
		if !reasons[want] {
			t.Errorf("no input of the corpus gives the reason %q", want)
		}
	}
	if badBlocks == 0 || noType == 0 {
		t.Errorf("the corpus has %d malformed PEM blocks and %d unreadable BEGIN lines; want some of each", badBlocks, noType)
	}
}

func FuzzScanMatchesReference(f *testing.F) {
	for _, in := range scanSeedCorpus(f) {
		f.Add(in)
	}
	for _, in := range derAtoms {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReadTLV(t, data)
		checkScanMatchesReference(t, data, true)
	})
}

// checkReadTLV fails when readTLV reads data's first element differently
// from asn1.Unmarshal into an asn1.RawValue.
func checkReadTLV(t *testing.T, data []byte) {
	t.Helper()
	var want asn1.RawValue
	wantRest, err := asn1.Unmarshal(data, &want)
	got, gotRest, ok := readTLV(data)
	if ok != (err == nil) {
		t.Fatalf("readTLV(%x): ok %v, but asn1.Unmarshal: %v", data, ok, err)
	}
	if !ok {
		return
	}
	if got.class != want.Class || got.tag != want.Tag || got.compound != want.IsCompound ||
		!bytes.Equal(got.body, want.Bytes) || !bytes.Equal(got.full, want.FullBytes) || !bytes.Equal(gotRest, wantRest) {
		t.Fatalf("readTLV(%x) = %+v, rest %x; asn1.Unmarshal: %+v, rest %x", data, got, gotRest, want, wantRest)
	}
}

// TestReadTLVMatchesEncodingASN1 holds readTLV to asn1.Unmarshal over the
// DER atoms, with contents after them and cut short, and random headers.
func TestReadTLVMatchesEncodingASN1(t *testing.T) {
	r := mrand.New(mrand.NewPCG(5, 6))
	for _, a := range derAtoms {
		for n := range len(a) + 1 {
			checkReadTLV(t, a[:n])
		}
		checkReadTLV(t, cat(a, []byte{1, 2, 3}))
		checkReadTLV(t, cat(a, bytes.Repeat([]byte{0}, 200)))
	}
	for range 100000 {
		b := make([]byte, 1+r.IntN(8), 300)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if r.IntN(2) == 0 {
			b[0] |= 0x1f
		}
		checkReadTLV(t, b[:len(b)+r.IntN(300-len(b)+1)])
	}
}
