package pkitest_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

func TestChain(t *testing.T) {
	root := pkitest.NewRoot()
	inter := root.NewIntermediate()
	leaf := inter.NewLeaf()
	rsaInter := root.NewIntermediate(pkitest.WithRSA(2048), pkitest.WithCN("RSA Intermediate"))

	tests := map[string]struct {
		child, parent *x509.Certificate
	}{
		"root self-signed":         {root.Cert, root.Cert},
		"intermediate by root":     {inter.Cert, root.Cert},
		"leaf by intermediate":     {leaf.Cert, inter.Cert},
		"RSA leaf by EC parent":    {inter.NewLeaf(pkitest.WithRSA(2048)).Cert, inter.Cert},
		"RSA intermediate by root": {rsaInter.Cert, root.Cert},
		"EC leaf by RSA parent":    {rsaInter.NewLeaf().Cert, rsaInter.Cert},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			parent := tc.parent
			if err := tc.child.CheckSignatureFrom(parent); err != nil {
				t.Fatalf("CheckSignatureFrom: %v", err)
			}
			if !bytes.Equal(tc.child.RawIssuer, parent.RawSubject) {
				t.Error("issuer != parent subject")
			}
			if !bytes.Equal(tc.child.AuthorityKeyId, parent.SubjectKeyId) || len(tc.child.AuthorityKeyId) == 0 {
				t.Errorf("AKI %X != parent SKI %X", tc.child.AuthorityKeyId, parent.SubjectKeyId)
			}
			if !bytes.Equal(tc.child.SubjectKeyId, pkitest.KeyID(tc.child.PublicKey)) {
				t.Errorf("SKI %X is not the method-1 key ID", tc.child.SubjectKeyId)
			}
		})
	}

	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.Cert)
	inters.AddCert(inter.Cert)
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestCertificateProfile(t *testing.T) {
	root := pkitest.NewRoot()
	leaf := root.NewLeaf()
	if !root.Cert.BasicConstraintsValid || !root.Cert.IsCA {
		t.Error("root is not a CA")
	}
	if root.Cert.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("root key usage %b", root.Cert.KeyUsage)
	}
	if !bytes.Equal(root.Cert.AuthorityKeyId, root.Cert.SubjectKeyId) {
		t.Error("root AKI != SKI")
	}
	if !pki.IsSelfSigned(root.Cert) {
		t.Error("root is not self-signed")
	}
	for _, e := range root.Cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 19}) && !e.Critical {
			t.Error("basicConstraints not critical")
		}
	}
	if leaf.Cert.IsCA || leaf.Cert.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("leaf IsCA=%v KeyUsage=%b", leaf.Cert.IsCA, leaf.Cert.KeyUsage)
	}
	if diff := cmp.Diff([]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, leaf.Cert.ExtKeyUsage); diff != "" {
		t.Errorf("EKU (-want +got):\n%s", diff)
	}
	if _, ok := leaf.Key.(*ecdsa.PrivateKey); !ok {
		t.Errorf("default key is %T", leaf.Key)
	}
	if leaf.Cert.SerialNumber.Sign() <= 0 {
		t.Error("serial not positive")
	}
	if d := leaf.Cert.NotAfter.Sub(leaf.Cert.NotBefore); d < 2*365*24*time.Hour || d > 3*365*24*time.Hour {
		t.Errorf("leaf validity %v", d)
	}
	if d := root.Cert.NotAfter.Sub(root.Cert.NotBefore); d < 10*365*24*time.Hour {
		t.Errorf("root validity %v", d)
	}
	if !bytes.Equal(root.PEM(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.DER})) {
		t.Error("PEM")
	}
	if !bytes.Equal(leaf.Cert.Raw, leaf.DER) {
		t.Error("DER != Cert.Raw")
	}
}

func TestOptions(t *testing.T) {
	root := pkitest.NewRoot()
	nb := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	na := nb.AddDate(1, 0, 0)
	subject := pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "com"}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "Users"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Bob"}},
	}
	leaf := root.NewLeaf(
		pkitest.WithSubject(subject),
		pkitest.WithSerial(big.NewInt(0x0a1b2c)),
		pkitest.WithValidity(nb, na),
		pkitest.WithUPN("bob@contoso.com", "bob2@contoso.com"),
		pkitest.WithEmail("bob@contoso.com"),
		pkitest.WithPolicies("1.2.3.4", "2.16.840.1.101.3.2.1.3.13"),
		pkitest.WithCRLDistributionPoints("http://crl.contoso.com/root.crl"),
	)
	c := leaf.Cert
	type view struct {
		Subject, Serial    string
		NotBefore          time.Time
		NotAfter           time.Time
		UPNs, Emails, CDPs []string
		Policies           []string
	}
	got := view{
		Subject:   pki.SubjectDN(c, pki.EncodedOrder),
		Serial:    pki.SerialHex(c),
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
		UPNs:      pki.UPNs(c),
		Emails:    c.EmailAddresses,
		CDPs:      c.CRLDistributionPoints,
	}
	for _, p := range c.PolicyIdentifiers {
		got.Policies = append(got.Policies, p.String())
	}
	want := view{
		Subject:   "DC=com,OU=Users CN=Bob",
		Serial:    "0A1B2C",
		NotBefore: nb,
		NotAfter:  na,
		UPNs:      []string{"bob@contoso.com", "bob2@contoso.com"},
		Emails:    []string{"bob@contoso.com"},
		CDPs:      []string{"http://crl.contoso.com/root.crl"},
		Policies:  []string{"1.2.3.4", "2.16.840.1.101.3.2.1.3.13"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// DC is an IA5String, as Windows encodes it.
	var rdns []pkix.RelativeDistinguishedNameSET
	if _, err := asn1.Unmarshal(c.RawSubject, &rdns); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(c.RawSubject, []byte{asn1.TagIA5String, 3, 'c', 'o', 'm'}) {
		t.Error("DC not encoded as IA5String")
	}
	// The UPN is otherName [0] { OID, [0] EXPLICIT UTF8String }.
	upn := []byte{0xa0, 0x1f, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03, 0xa0, 0x11, 0x0c, 0x0f}
	if !bytes.Contains(c.Raw, append(upn, "bob@contoso.com"...)) {
		t.Error("UPN not encoded as Windows does")
	}
}

func TestVariants(t *testing.T) {
	root := pkitest.NewRoot()
	tests := map[string]struct {
		cert                        *x509.Certificate
		wantSKI, wantAKI, wantCA    bool
		wantBasicConstraints        bool
		wantSigAlg                  x509.SignatureAlgorithm
		wantMinDER                  int
		wantKeyType, wantParentType string
	}{
		"root without SKI": {
			cert: pkitest.NewRoot(pkitest.WithoutSKI()).Cert, wantAKI: true, wantCA: true, wantBasicConstraints: true, wantSigAlg: x509.ECDSAWithSHA256,
		},
		"root without AKI": {
			cert: pkitest.NewRoot(pkitest.WithoutAKI()).Cert, wantSKI: true, wantCA: true, wantBasicConstraints: true, wantSigAlg: x509.ECDSAWithSHA256,
		},
		"intermediate without SKI": {
			cert: root.NewIntermediate(pkitest.WithoutSKI()).Cert, wantAKI: true, wantCA: true, wantBasicConstraints: true, wantSigAlg: x509.ECDSAWithSHA256,
		},
		"not-CA intermediate": {
			cert: root.NewIntermediate(pkitest.WithNotCA()).Cert, wantSKI: true, wantAKI: true, wantSigAlg: x509.ECDSAWithSHA256,
		},
		"not-CA root": {
			cert: pkitest.NewRoot(pkitest.WithNotCA()).Cert, wantSKI: true, wantAKI: true, wantSigAlg: x509.ECDSAWithSHA256,
		},
		"leaf without SKI and AKI": {
			cert: root.NewLeaf(pkitest.WithoutSKI(), pkitest.WithoutAKI()).Cert, wantSigAlg: x509.ECDSAWithSHA256,
		},
		"SHA-1 signed by EC": {
			cert: root.NewLeaf(pkitest.WithSHA1Signature()).Cert, wantSKI: true, wantAKI: true, wantSigAlg: x509.ECDSAWithSHA1,
		},
		"SHA-1 signed by RSA": {
			cert: pkitest.NewRoot(pkitest.WithRSA(2048)).NewLeaf(pkitest.WithSHA1Signature()).Cert, wantSKI: true, wantAKI: true, wantSigAlg: x509.SHA1WithRSA,
		},
		"RSA root": {
			cert: pkitest.NewRoot(pkitest.WithRSA(2048)).Cert, wantSKI: true, wantAKI: true, wantCA: true, wantBasicConstraints: true, wantSigAlg: x509.SHA256WithRSA,
		},
		"extra extension bytes": {
			cert: root.NewLeaf(pkitest.WithExtraExtensionBytes(9000)).Cert, wantSKI: true, wantAKI: true, wantSigAlg: x509.ECDSAWithSHA256, wantMinDER: 8193,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := tc.cert
			if got := len(c.SubjectKeyId) > 0; got != tc.wantSKI {
				t.Errorf("has SKI = %v", got)
			}
			if got := len(c.AuthorityKeyId) > 0; got != tc.wantAKI {
				t.Errorf("has AKI = %v", got)
			}
			if c.IsCA != tc.wantCA || c.BasicConstraintsValid != tc.wantBasicConstraints {
				t.Errorf("IsCA=%v BasicConstraintsValid=%v", c.IsCA, c.BasicConstraintsValid)
			}
			if c.SignatureAlgorithm != tc.wantSigAlg {
				t.Errorf("signature algorithm %v, want %v", c.SignatureAlgorithm, tc.wantSigAlg)
			}
			if len(c.Raw) < tc.wantMinDER {
				t.Errorf("DER is %d bytes, want at least %d", len(c.Raw), tc.wantMinDER)
			}
		})
	}

	// SHA-1 signatures still verify at the low level.
	rsaCA := pkitest.NewRoot(pkitest.WithRSA(2048))
	sha1Leaf := rsaCA.NewLeaf(pkitest.WithSHA1Signature())
	if err := rsaCA.Cert.CheckSignature(sha1Leaf.Cert.SignatureAlgorithm, sha1Leaf.Cert.RawTBSCertificate, sha1Leaf.Cert.Signature); err != nil {
		t.Errorf("SHA-1 leaf signature: %v", err)
	}
	if _, ok := rsaCA.Key.(*rsa.PrivateKey); !ok {
		t.Errorf("WithRSA key is %T", rsaCA.Key)
	}
	// A CA without SKI still gives its children an AKI: its method-1 key ID.
	noSKI := pkitest.NewRoot(pkitest.WithoutSKI())
	child := noSKI.NewLeaf()
	if !bytes.Equal(child.Cert.AuthorityKeyId, pkitest.KeyID(noSKI.Cert.PublicKey)) {
		t.Error("child of a CA without SKI: AKI is not the CA's key ID")
	}
	if err := child.Cert.CheckSignatureFrom(noSKI.Cert); err != nil {
		t.Errorf("child of CA without SKI: %v", err)
	}
}

func TestCRL(t *testing.T) {
	ca := pkitest.NewRoot()
	inter := ca.NewIntermediate()
	this := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	next := this.AddDate(0, 0, 14)
	wrongAKI := bytes.Repeat([]byte{0xee}, 20)

	type view struct {
		Number, DeltaBase int64
		Revoked           []string
		AKI               []byte
		This, Next        time.Time
		Large             bool
	}
	tests := map[string]struct {
		issuer       *pkitest.CA
		opts         []pkitest.CRLOption
		customUpdate bool
		want         func(v view) view
	}{
		"defaults": {issuer: ca, want: func(v view) view { return v }},
		"revoked, number, update": {
			issuer: inter,
			opts: []pkitest.CRLOption{
				pkitest.WithRevoked(big.NewInt(0x0a1b2c), big.NewInt(7)), pkitest.WithCRLNumber(42), pkitest.WithUpdate(this, next),
			},
			customUpdate: true,
			want: func(v view) view {
				v.Revoked, v.Number, v.This, v.Next = []string{"0A1B2C", "07"}, 42, this, next
				return v
			},
		},
		"delta": {
			issuer: ca,
			opts:   []pkitest.CRLOption{pkitest.WithCRLNumber(5), pkitest.WithDeltaIndicator(4)},
			want:   func(v view) view { v.Number, v.DeltaBase = 5, 4; return v },
		},
		"wrong AKI": {
			issuer: ca,
			opts:   []pkitest.CRLOption{pkitest.WithCRLAKI(wrongAKI)},
			want:   func(v view) view { v.AKI = wrongAKI; return v },
		},
		"no AKI": {
			issuer: ca,
			opts:   []pkitest.CRLOption{pkitest.WithCRLAKI(nil)},
			want:   func(v view) view { v.AKI = nil; return v },
		},
		"padding": {
			issuer: ca,
			opts:   []pkitest.CRLOption{pkitest.WithPadding(20000)},
			want:   func(v view) view { v.Large = true; return v },
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			der := tc.issuer.NewCRL(tc.opts...)
			crl, err := x509.ParseRevocationList(der)
			if err != nil {
				t.Fatalf("ParseRevocationList: %v", err)
			}
			if err := crl.CheckSignatureFrom(tc.issuer.Cert); err != nil {
				t.Fatalf("CheckSignatureFrom: %v", err)
			}
			if !bytes.Equal(crl.RawIssuer, tc.issuer.Cert.RawSubject) {
				t.Error("CRL issuer != CA subject")
			}
			got := view{Number: crl.Number.Int64(), AKI: crl.AuthorityKeyId, This: crl.ThisUpdate, Next: crl.NextUpdate, Large: len(der) > 20000}
			for _, e := range crl.RevokedCertificateEntries {
				got.Revoked = append(got.Revoked, pki.SerialHex(&x509.Certificate{SerialNumber: e.SerialNumber}))
			}
			for _, e := range crl.Extensions {
				if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 27}) {
					if !e.Critical {
						t.Error("delta CRL indicator not critical")
					}
					var base *big.Int
					if _, err := asn1.Unmarshal(e.Value, &base); err != nil {
						t.Fatal(err)
					}
					got.DeltaBase = base.Int64()
				}
			}
			// Defaults apply where the case does not say otherwise.
			def := view{Number: 1, AKI: tc.issuer.Cert.SubjectKeyId, This: got.This, Next: got.Next}
			if !tc.customUpdate {
				if d := got.Next.Sub(got.This); d < 7*24*time.Hour || d > 7*24*time.Hour+2*time.Hour {
					t.Errorf("default update window %v", d)
				}
			}
			if diff := cmp.Diff(tc.want(def), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestBundle(t *testing.T) {
	root := pkitest.NewRoot()
	inter := root.NewIntermediate()
	leaf := inter.NewLeaf()
	certs, err := pki.ParsePKCS7(pkitest.Bundle(leaf.Cert, inter.Cert, root.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 3 || !certs[0].Equal(leaf.Cert) || !certs[1].Equal(inter.Cert) || !certs[2].Equal(root.Cert) {
		t.Error("bundle does not round-trip in order")
	}
	certs, err = pki.ParseCertificates(pkitest.PEMBundle(leaf.Cert, root.Cert))
	if err != nil || len(certs) != 2 {
		t.Fatalf("PEMBundle: %d certs, %v", len(certs), err)
	}
}

func TestKeyPEM(t *testing.T) {
	for name, ca := range map[string]*pkitest.CA{"EC": pkitest.NewRoot(), "RSA": pkitest.NewRoot(pkitest.WithRSA(2048))} {
		t.Run(name, func(t *testing.T) {
			b, _ := pem.Decode(pkitest.KeyPEM(ca.Key))
			if b == nil || b.Type != "PRIVATE KEY" {
				t.Fatal("not a PRIVATE KEY block")
			}
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !ca.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.(crypto.Signer).Public()) {
				t.Error("key does not match the certificate")
			}
		})
	}
}
