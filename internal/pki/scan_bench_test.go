package pki

import (
	"testing"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// benchInputs returns the common inputs of Scan: a generated P-256 CA as PEM
// and as DER, and a PEM whose base64 happens to spell "key" in some case (a
// few percent of certificate files do).
func benchInputs(b *testing.B) map[string][]byte {
	b.Helper()
	ca := pkitest.NewRoot()
	in := map[string][]byte{"PEM": ca.PEM(), "DER": ca.DER}
	for range 10000 {
		if p := pkitest.NewRoot().PEM(); containsFoldKEY(p) {
			in["PEM-spelling-key"] = p
			break
		}
	}
	if in["PEM-spelling-key"] == nil {
		b.Fatal("no generated certificate spells key")
	}
	return in
}

func BenchmarkScan(b *testing.B) {
	for _, name := range []string{"PEM", "DER", "PEM-spelling-key"} {
		data := benchInputs(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if Scan(data).ContainsPrivateKey() {
					b.Fatal("key found in a certificate")
				}
			}
		})
	}
}

// BenchmarkScanParse is what loading a certificate file costs: a scan, then
// the certificate parsed from it.
func BenchmarkScanParse(b *testing.B) {
	for _, name := range []string{"PEM", "DER"} {
		data := benchInputs(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Scan(data).ParseCertificate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
