package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

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
//	graph failnthwrite N STATUS  answer the N-th POST, PATCH or DELETE from now with STATUS
//	graph failwrites STATUS      answer every POST, PATCH and DELETE with STATUS
//	graph token TID|none         accept (and give cbactl) an unsigned JWT whose tid
//	                             claim is TID, or an opaque token without one
//	graph fail METHOD RE STATUS [RETRY-AFTER]
//	                             answer every METHOD request whose path (below
//	                             /v1.0) matches the regexp RE with STATUS
//	graph hang METHOD RE         answer METHOD requests matching RE only after a
//	                             minute (cbactl cancels them first)
//	graph respond METHOD RE BODY answer matching requests with 200 and BODY (JSON)
//	graph redirect RE            redirect GETs matching RE to another host
//	graph foreignhits            print how many requests reached that host
//	graph nextlinkloop RE        collection pages matching RE link to themselves
//	graph jobstatus K=V...       report job status K ("running", "succeeded",
//	                             "failed") as V
//	graph onnth N METHOD RE pki NAME
//	                             just before the N-th matching request, another
//	                             client creates the PKI container NAME
//	graph vanish RE              just before a DELETE matching RE, another client
//	                             deletes the object it names
//	graph pkistatus NAME STATUS  set a PKI container's job status
//	graph scopeids               rewrite every CA scope's
//	                             publicKeyInfrastructureIdentifier from the
//	                             container's display name to its id
//	graph requests               print the recorded requests: METHOD PATH
//	graph writes                 print the recorded writes, ids replaced by {id}
//	graph reset                  forget the recorded requests and faults
//	graph enable                 enable the x509Certificate method behind cbactl's back
//	graph bodies METHOD PATHRE   print the JSON body of every recorded METHOD request
//	                             whose path matches PATHRE, one a line, keys sorted
func cmdGraph(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: graph load|save|pki|addca|bundle|failnth|failwrites|requests|writes|reset|enable|bodies ...")
	}
	srv := ts.Value(serverKey{}).(*graphtest.Server)
	if graphStrength(ts, srv, args) || graphUsers(ts, srv, args) {
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
	case "failnthwrite":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		status, err := strconv.Atoi(args[2])
		ts.Check(err)
		var seen atomic.Int64
		srv.FailWhen(func(r *http.Request) bool {
			return r.Method != http.MethodGet && seen.Add(1) == int64(n)
		}, 1, graphtest.Fault{Status: status})
	case "failwrites":
		status, err := strconv.Atoi(args[1])
		ts.Check(err)
		srv.FailWhen(func(r *http.Request) bool { return r.Method != http.MethodGet }, -1, graphtest.Fault{Status: status})
	case "token":
		tok := "opaque-" + fakeToken
		if args[1] != "none" {
			enc := base64.RawURLEncoding.EncodeToString
			tok = enc([]byte(`{"typ":"JWT","alg":"none"}`)) + "." + enc([]byte(`{"tid":"`+args[1]+`"}`)) + "." + enc([]byte(fakeToken))
		}
		srv.SetToken(tok)
		ts.Setenv("CBACTL_ACCESS_TOKEN", tok)
	case "fail", "hang", "respond":
		if len(args) < 3 {
			ts.Fatalf("usage: graph %s METHOD RE ...", args[0])
		}
		var f graphtest.Fault
		switch args[0] {
		case "fail":
			status, err := strconv.Atoi(args[3])
			ts.Check(err)
			f.Status = status
			if len(args) > 4 {
				f.RetryAfter = args[4]
			}
		case "hang":
			f.Delay = time.Minute
		case "respond":
			f.Status, f.Body = http.StatusOK, []byte(args[3])
		}
		srv.FailWhen(requestMatcher(ts, args[1], args[2]), -1, f)
	case "respondlarge":
		// graph respondlarge METHOD RE MIB: a 200 whose JSON body is MIB MiB.
		mib, err := strconv.Atoi(args[3])
		ts.Check(err)
		body := append([]byte(`{"id":"`), bytes.Repeat([]byte("a"), mib<<20)...)
		srv.FailWhen(requestMatcher(ts, args[1], args[2]), -1, graphtest.Fault{Status: http.StatusOK, Body: append(body, `"}`...)})
	case "redirect":
		srv.RedirectWhen(requestMatcher(ts, http.MethodGet, args[1]), -1)
	case "foreignhits":
		fmt.Fprintf(ts.Stdout(), "%d\n", srv.ForeignRequests())
	case "nextlinkloop":
		srv.LoopNextLink(requestMatcher(ts, http.MethodGet, args[1]))
	case "nextlinkendless":
		srv.EndlessNextLink(requestMatcher(ts, http.MethodGet, args[1]))
	case "endlesspages":
		fmt.Fprintf(ts.Stdout(), "%d\n", srv.EndlessPages())
	case "jobstatus":
		m := map[string]string{}
		for _, kv := range args[1:] {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		srv.SetJobStatus(func(st string) string {
			if v, ok := m[st]; ok {
				return v
			}
			return st
		})
	case "onnth":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		match := requestMatcher(ts, args[2], args[3])
		if args[4] != "pki" {
			ts.Fatalf("graph onnth: unknown action %q", args[4])
		}
		var seen atomic.Int64
		srv.Before(func(r *http.Request) bool {
			return match(r) && seen.Add(1) == int64(n)
		}, func(*http.Request) {
			srv.Store.CreatePKI(wire.ToObject(wire.PKI{DisplayName: args[5]}))
		})
	case "vanish":
		match := requestMatcher(ts, http.MethodDelete, args[1])
		srv.Before(match, func(r *http.Request) {
			seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
			switch {
			case len(seg) >= 7 && seg[len(seg)-2] == "certificateAuthorities":
				_ = srv.Store.DeleteCA(seg[len(seg)-3], seg[len(seg)-1])
			default:
				_ = srv.Store.DeletePKI(seg[len(seg)-1])
			}
		})
	case "pkistatus":
		id := pkiIDByName(ts, srv, args[1])
		details := ""
		if len(args) > 3 {
			details = strings.ReplaceAll(args[3], `\n`, "\n") // a line break in Graph's text
		}
		ts.Check(srv.Store.SetPKIStatus(id, args[2], details))
	case "scopeids":
		var x map[string]json.RawMessage
		ts.Check(json.Unmarshal(srv.Store.X509(), &x))
		var scopes []map[string]any
		ts.Check(json.Unmarshal(x["certificateAuthorityScopes"], &scopes))
		for _, sc := range scopes {
			name, _ := sc["publicKeyInfrastructureIdentifier"].(string)
			sc["publicKeyInfrastructureIdentifier"] = pkiIDByName(ts, srv, name)
		}
		b, err := json.Marshal(scopes)
		ts.Check(err)
		srv.Store.PatchX509(wire.Object{"certificateAuthorityScopes": b})
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
		srv.ResetUserWrites()
	case "enable":
		srv.EnableMethod()
	case "bodies":
		if len(args) != 3 {
			ts.Fatalf("usage: graph bodies METHOD PATHRE")
		}
		re, err := regexp.Compile(args[2])
		ts.Check(err)
		var b strings.Builder
		for _, r := range srv.Requests() {
			if r.Method != args[1] || !re.MatchString(strings.TrimPrefix(r.Path, "/v1.0")) {
				continue
			}
			var v any
			ts.Check(json.Unmarshal(r.Body, &v))
			out, err := json.Marshal(v) // map keys sorted
			ts.Check(err)
			b.Write(out)
			b.WriteByte('\n')
		}
		ts.Stdout().Write([]byte(b.String()))
	default:
		ts.Fatalf("unknown graph command %q", args[0])
	}
}

// requestMatcher matches requests with method (or "*") whose path below
// /v1.0 matches the regexp re.
func requestMatcher(ts *testscript.TestScript, method, re string) func(*http.Request) bool {
	rx, err := regexp.Compile(re)
	ts.Check(err)
	return func(r *http.Request) bool {
		return (method == "*" || r.Method == method) && rx.MatchString(strings.TrimPrefix(r.URL.Path, "/v1.0"))
	}
}

// pkiIDByName is the id of the fake tenant's PKI container named name.
func pkiIDByName(ts *testscript.TestScript, srv *graphtest.Server, name string) string {
	for _, obj := range srv.Store.PKIs() {
		var p wire.PKI
		ts.Check(json.Unmarshal(obj, &p))
		if p.DisplayName == name {
			return p.ID
		}
	}
	ts.Fatalf("no PKI container named %q", name)
	return ""
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
