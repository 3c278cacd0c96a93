package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cbactl/cbactl/internal/graph/graphtest"
	"github.com/cbactl/cbactl/internal/graph/wire"
	"github.com/cbactl/cbactl/internal/pki/pkitest"
	"github.com/cbactl/cbactl/internal/plan/apply"
	"github.com/cbactl/cbactl/internal/plan/model"
)

// usercerts DIR NAME...: writes a user CA (DIR/ca.pem) and, for each NAME, a user
// certificate DIR/NAME.pem (UPN NAME@contoso.com, e-mail the same); a NAME
// ending in "-expired" gets a certificate that expired yesterday, and
// "NAME.der" is written DER.
func cmdUserCerts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: usercerts DIR NAME...")
	}
	ca := pkitest.NewRoot(pkitest.WithCN("Contoso User CA"))
	ts.Check(os.MkdirAll(ts.MkAbs(args[0]), 0o755))
	ts.Check(os.WriteFile(ts.MkAbs(filepath.Join(args[0], "ca.pem")), ca.PEM(), 0o644))
	for _, name := range args[1:] {
		base, der := strings.CutSuffix(name, ".der")
		user := strings.TrimSuffix(base, "-expired")
		opts := []pkitest.Option{pkitest.WithCN(user), pkitest.WithUPN(user + "@contoso.com"), pkitest.WithEmail(user + "@contoso.com")}
		if user != base {
			opts = append(opts, pkitest.WithValidity(time.Now().AddDate(-1, 0, 0), time.Now().AddDate(0, 0, -1)))
		}
		leaf := ca.NewLeaf(opts...)
		data := leaf.PEM()
		if der {
			data = leaf.DER
		}
		ts.Check(os.WriteFile(ts.MkAbs(filepath.Join(args[0], name)), data, 0o644))
		if !der {
			ts.Check(os.Rename(ts.MkAbs(filepath.Join(args[0], name)), ts.MkAbs(filepath.Join(args[0], name+".pem"))))
		}
	}
}

// jsonvalues FILE KEY...: prints the string value of each KEY of the JSON
// object in FILE (cert userids --json output), one a line.
func cmdJSONValues(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: jsonvalues FILE KEY...")
	}
	var m map[string]string
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &m))
	for _, k := range args[1:] {
		v, ok := m[k]
		if !ok {
			ts.Fatalf("%s has no key %s", args[0], k)
		}
		fmt.Fprintln(ts.Stdout(), v)
	}
}

// graphUsers handles the user subcommands of graph:
//
//	graph user UPN [synced] [VALUE...]  a user (id derived from the UPN) holding VALUE...
//	graph manyusers N                   N users u00000@contoso.com ... without values
//	graph uservalues UPN                the user's certificateUserIds, one a line
//	graph userwrites                    "N user writes", then every user write received: UPN STATUS [VALUES]
//	graph userquota N                   throttle user writes to N a second (429 + Retry-After)
//	graph earlyretries                  how many writes came before their Retry-After
//	graph throttled                     how many user writes were answered 429
func graphUsers(ts *testscript.TestScript, srv *graphtest.Server, args []string) bool {
	switch args[0] {
	case "user":
		if len(args) < 2 {
			ts.Fatalf("usage: graph user UPN [synced] [VALUE...]")
		}
		u := wire.User{ID: userID(args[1]), UserPrincipalName: args[1]}
		vals := args[2:]
		if len(vals) > 0 && vals[0] == "synced" {
			yes := true
			u.OnPremisesSyncEnabled = &yes
			vals = vals[1:]
		}
		if len(vals) > 0 {
			u.AuthorizationInfo = &wire.AuthorizationInfo{CertificateUserIDs: vals}
		}
		srv.Store.AddUser(u)
	case "manyusers":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		for i := range n {
			upn := fmt.Sprintf("u%05d@contoso.com", i)
			srv.Store.AddUser(wire.User{ID: userID(upn), UserPrincipalName: upn})
		}
	case "uservalues":
		b, err := srv.Store.User(args[1])
		ts.Check(err)
		var u wire.User
		ts.Check(json.Unmarshal(b, &u))
		if u.AuthorizationInfo != nil {
			for _, v := range u.AuthorizationInfo.CertificateUserIDs {
				fmt.Fprintln(ts.Stdout(), v)
			}
		}
	case "userwrites":
		fmt.Fprintf(ts.Stdout(), "%d user writes\n", len(srv.UserWrites()))
		for _, w := range srv.UserWrites() {
			upn := w.User
			if b, err := srv.Store.User(w.User); err == nil {
				var u wire.User
				_ = json.Unmarshal(b, &u)
				upn = u.UserPrincipalName
			}
			fmt.Fprintf(ts.Stdout(), "%s %d [%s]\n", upn, w.Status, strings.Join(w.Values, " "))
		}
	case "userquota":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		srv.SetUserWriteQuota(n)
	case "earlyretries":
		fmt.Fprintln(ts.Stdout(), srv.EarlyRetries())
	case "throttled":
		fmt.Fprintln(ts.Stdout(), srv.Throttled())
	default:
		return false
	}
	return true
}

// userID is a stable GUID-shaped id for a UPN.
func userID(upn string) string {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(strings.ToLower(upn)) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(h>>20)&0xfff, h&0xffffffffffff)
}

// linesin WANT GOT: every line of WANT is a line of GOT.
func cmdLinesIn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: linesin WANT GOT")
	}
	got := map[string]bool{}
	for _, l := range strings.Split(ts.ReadFile(args[1]), "\n") {
		got[l] = true
	}
	for _, l := range strings.Split(strings.TrimSpace(ts.ReadFile(args[0])), "\n") {
		if !got[l] {
			ts.Fatalf("%s lacks the line %q", args[1], l)
		}
	}
}

// TestUsersProgressOnTerminal: on a terminal the users step shows one line,
// rewritten in place, with users written, throttled, left and an ETA; off
// a terminal only the closing summary.
func TestUsersProgressOnTerminal(t *testing.T) {
	for _, tty := range []bool{true, false} {
		var out strings.Builder
		r := &reporter{env: &Env{Out: &out, StdoutTTY: tty}}
		step := apply.Step{Phase: apply.PhaseUsers, Address: "certificate_user_ids"}
		r.report(apply.Event{Kind: apply.Progress, Step: step, Job: "users", Elapsed: 2 * time.Second,
			Users: &model.UserProgress{Written: 800, Throttled: 40, Left: 1200}, UsersTotal: 2000})
		r.report(apply.Event{Kind: apply.Progress, Step: step, Job: "users", Elapsed: 5 * time.Second,
			Users: &model.UserProgress{Written: 2000, Throttled: 90, Left: 0}, UsersTotal: 2000})
		r.report(apply.Event{Kind: apply.Finished, Step: step, Elapsed: 5 * time.Second})
		got := out.String()
		if tty {
			for _, want := range []string{"\rcertificate_user_ids: 800 of 2000 users written, 40 throttled", "1200 left, ETA 3s", "2000 of 2000 users written, 90 throttled", "0 left, ETA 0s"} {
				if !strings.Contains(got, want) {
					t.Errorf("terminal output lacks %q:\n%q", want, got)
				}
			}
		} else if strings.Contains(got, "\r") || strings.Contains(got, "ETA") {
			t.Errorf("progress off a terminal: %q", got)
		}
		if !strings.Contains(got, "certificate_user_ids: 2000 users written, 0 left; Graph throttled 90 writes") {
			t.Errorf("no summary: %q", got)
		}
	}
}
