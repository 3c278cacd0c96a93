package config

import (
	"bytes"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// A test block's crl goes through the one CRL parser, pki.ParseCRL: DER or
// PEM in, DER out; anything else is refused with what it is.
func TestParseCRL(t *testing.T) {
	ca := pkitest.NewRoot()
	der := ca.NewCRL()
	for name, c := range map[string]struct {
		in      []byte
		wantErr string
	}{
		"DER":         {in: der},
		"PEM":         {in: pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})},
		"certificate": {in: ca.PEM(), wantErr: `not a certificate revocation list: it holds "CERTIFICATE" PEM blocks, not "X509 CRL"`},
		"text":        {in: []byte("hello"), wantErr: "not a certificate revocation list: it is text"},
		"empty":       {in: nil, wantErr: "not a certificate revocation list: it is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := parseCRL(c.in)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.wantErr == "" && !bytes.Equal(got, der):
				t.Error("not the CRL's DER")
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}
