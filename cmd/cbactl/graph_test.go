package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki"
)

var guid = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// graph drives the script's fake Graph server:
//
//	graph load FILE              load a tenant snapshot
//	graph save FILE              write the tenant as a snapshot
//	graph pki NAME               create a PKI container behind cbactl's back
//	graph addca PKINAME CERTFILE add a CA behind cbactl's back (drift)
//	graph bundle URL FILE        serve FILE as the PKCS#7 bundle at URL
//	graph failnth N STATUS       answer the N-th request from now with STATUS
//	graph failwrites STATUS      answer every POST, PATCH and DELETE with STATUS
//	graph requests               print the recorded requests: METHOD PATH
//	graph writes                 print the recorded writes, ids replaced by {id}
//	graph reset                  forget the recorded requests and faults
func cmdGraph(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: graph load|save|pki|addca|bundle|failnth|failwrites|requests|reset ...")
	}
	srv := ts.Value(serverKey{}).(*graphtest.Server)
	if graphStrength(ts, srv, args) {
		return
	}
	switch args[0] {
	case "load":
		ts.Check(srv.LoadSnapshot([]byte(ts.ReadFile(args[1]))))
	case "save":
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), srv.Snapshot(), 0o644))
	case "pki":
		srv.Store.CreatePKI(wire.ToObject(wire.PKI{DisplayName: args[1]}))
	case "addca":
		c, err := pki.ParseCertificate([]byte(ts.ReadFile(args[2])))
		ts.Check(err)
		id := ""
		for _, obj := range srv.Store.PKIs() {
			var p wire.PKI
			ts.Check(json.Unmarshal(obj, &p))
			if p.DisplayName == args[1] {
				id = p.ID
			}
		}
		if id == "" {
			ts.Fatalf("no PKI container named %q", args[1])
		}
		_, err = srv.Store.CreateCA(id, wire.ToObject(wire.CA{Certificate: c.Raw, CertificateAuthorityType: "intermediate"}))
		ts.Check(err)
	case "bundle":
		srv.RegisterBundle(args[1], []byte(ts.ReadFile(args[2])))
	case "failnth":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		status, err := strconv.Atoi(args[2])
		ts.Check(err)
		srv.FailNth(n, graphtest.Fault{Status: status})
	case "failwrites":
		status, err := strconv.Atoi(args[1])
		ts.Check(err)
		srv.FailWhen(func(r *http.Request) bool { return r.Method != http.MethodGet }, -1, graphtest.Fault{Status: status})
	case "requests":
		var b strings.Builder
		for _, r := range srv.Requests() {
			fmt.Fprintf(&b, "%s %s\n", r.Method, strings.TrimPrefix(r.Path, "/v1.0"))
		}
		ts.Stdout().Write([]byte(b.String()))
	case "writes":
		var b strings.Builder
		for _, r := range srv.Requests() {
			if r.Method == http.MethodGet {
				continue
			}
			fmt.Fprintf(&b, "%s %s\n", r.Method, guid.ReplaceAllString(strings.TrimPrefix(r.Path, "/v1.0"), "{id}"))
		}
		ts.Stdout().Write([]byte(b.String()))
	case "reset":
		srv.ResetRequests()
		srv.ClearFaults()
	default:
		ts.Fatalf("unknown graph command %q", args[0])
	}
}

// objectID reads the id of a JSON object.
func objectID(obj []byte) string {
	var v struct{ ID string }
	if err := json.Unmarshal(obj, &v); err != nil {
		panic(err)
	}
	return v.ID
}

func wireBase64(der []byte) string { return base64.StdEncoding.EncodeToString(der) }
