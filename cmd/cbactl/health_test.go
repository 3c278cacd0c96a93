package main

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
)

// expiry DIR generates the trust store of the health scripts, relative to
// the fixed time $CBACTL_TEST_NOW (T):
//
//	root      valid for years          CRL fresh (nextUpdate T+7d)
//	exp10     expires T+10d            CRL fresh
//	exp18     expires T+18d            CRL fresh
//	exp30     expires T+30d            CRL fresh
//	stale     valid for years          CRL nextUpdate T-2d
//	soon      valid for years          CRL nextUpdate T+5h
//	gone      valid for years          CRL 404
//	tenant12  expires T+12d            CRL fresh; only in the tenant's PKI container "Corp"
//	legacy25  expires T+25d            CRL fresh; only in the tenant's classic store
//	renewed18 exp18 renewed with the same subject and key (so the same subject
//	          key identifier), valid for years; no CRL
//
// It writes DIR/certs/NAME.pem, serves the CRLs from a loopback server whose
// base URL it puts in $CRLS, sets $TP_NAME and $SKI_NAME to each CA's
// thumbprint and subject key identifier, and seeds
// the script's fake Graph server: "Corp" holds root, exp10 and tenant12.
func cmdExpiry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: expiry DIR")
	}
	now, err := time.Parse(time.RFC3339, ts.Getenv(testNowEnv))
	if err != nil {
		ts.Fatalf("expiry needs %s: %v", testNowEnv, err)
	}
	day := 24 * time.Hour
	bodies := map[string][]byte{}
	srv := httptest.NewServer(servePaths(bodies))
	ts.Defer(srv.Close)
	ts.Setenv("CRLS", srv.URL)

	type spec struct {
		name, cn   string
		notAfter   time.Time
		nextUpdate time.Time // zero: no CRL served (404)
	}
	fresh := now.Add(7 * day)
	specs := []spec{
		{"root", "Health Root CA", now.AddDate(10, 0, 0), fresh},
		{"exp10", "Expires In 10 Days CA", now.Add(10 * day), fresh},
		{"exp18", "Expires In 18 Days CA", now.Add(18 * day), fresh},
		{"exp30", "Expires In 30 Days CA", now.Add(30 * day), fresh},
		{"stale", "Stale CRL CA", now.AddDate(10, 0, 0), now.Add(-2 * day)},
		{"soon", "CRL Due Soon CA", now.AddDate(10, 0, 0), now.Add(5 * time.Hour)},
		{"gone", "Missing CRL CA", now.AddDate(10, 0, 0), time.Time{}},
		{"tenant12", "Tenant Only CA", now.Add(12 * day), fresh},
		{"legacy25", "Classic Store CA", now.Add(25 * day), fresh},
	}
	cas := map[string]*pkitest.CA{}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Join(dir, "certs"), 0o755))
	for _, s := range specs {
		ca := pkitest.NewRoot(pkitest.WithCN(s.cn), pkitest.WithValidity(now.AddDate(-1, 0, 0), s.notAfter))
		cas[s.name] = ca
		ts.Check(os.WriteFile(filepath.Join(dir, "certs", s.name+".pem"), ca.PEM(), 0o644))
		ts.Setenv("TP_"+s.name, pki.SHA1Thumbprint(ca.DER))
		ts.Setenv("SKI_"+s.name, pki.SubjectKeyID(ca.Cert))
		if !s.nextUpdate.IsZero() {
			thisUpdate := s.nextUpdate.Add(-7 * day)
			if thisUpdate.After(now) {
				thisUpdate = now.Add(-time.Hour)
			}
			bodies["/"+s.name+".crl"] = ca.NewCRL(pkitest.WithUpdate(thisUpdate, s.nextUpdate))
		}
	}

	r := renewCA(ts, cas["exp18"], now.AddDate(5, 0, 0))
	ts.Check(os.WriteFile(filepath.Join(dir, "certs", "renewed18.pem"), r.PEM(), 0o644))
	ts.Setenv("TP_renewed18", pki.SHA1Thumbprint(r.DER))
	ts.Setenv("SKI_renewed18", pki.SubjectKeyID(r.Cert))

	g := ts.Value(serverKey{}).(*graphtest.Server)
	crl := func(name string) *string { u := srv.URL + "/" + name + ".crl"; return &u }
	var p wire.PKI
	ts.Check(json.Unmarshal(g.Store.CreatePKI(wire.ToObject(wire.PKI{DisplayName: "Corp"})), &p))
	for _, name := range []string{"root", "exp10", "tenant12"} {
		_, err := g.Store.CreateCA(p.ID, wire.ToObject(wire.CA{Certificate: cas[name].DER, CertificateAuthorityType: "root", CRLURL: crl(name)}))
		ts.Check(err)
	}
	g.Store.SetLegacy(wire.LegacyConfig{CertificateAuthorities: []wire.LegacyCA{{Certificate: cas["legacy25"].DER, IsRootAuthority: true, CRLURL: crl("legacy25")}}})
}

// renewCA is ca renewed with its own subject and key (so its subject key
// identifier), self-signed, valid until notAfter.
func renewCA(ts *testscript.TestScript, ca *pkitest.CA, notAfter time.Time) *pkitest.CA {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), RawSubject: ca.Cert.RawSubject, NotBefore: ca.Cert.NotBefore, NotAfter: notAfter,
		SubjectKeyId: ca.Cert.SubjectKeyId, BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ca.Key.Public(), ca.Key)
	ts.Check(err)
	cert, err := x509.ParseCertificate(der)
	ts.Check(err)
	return &pkitest.CA{Cert: cert, Key: ca.Key, DER: der}
}
