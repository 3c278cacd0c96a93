package store

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// loadCases are snapshot texts, and near misses, for Load's two decoders.
var loadCases = []struct {
	name string
	data string
	// plain: loadPlain decodes it (the common case must be).
	plain bool
}{
	{"as Snapshot writes it", `{
  "snapshotVersion": 1,
  "tenantId": "t",
  "x509Certificate": {"state": "enabled", "futureSetting": {"a": [1, 2]}},
  "certificateBasedAuthConfigurations": [
    {"certificateAuthorities": [{"id": "c1", "certificate": "MIIB", "isIssuerHintEnabled": false, "displayName": null}], "displayName": "P", "id": "p1"},
    {"id": "p2", "displayName": "Empty", "certificateAuthorities": []},
    {"id": "p3"}
  ],
  "legacyCertificateBasedAuthConfiguration": [{"id": "l", "certificateAuthorities": []}],
  "groups": [{"id": "g", "displayName": "G"}],
  "authenticationStrengthPolicies": [],
  "users": [{"id": "u", "authorizationInfo": {"certificateUserIds": ["x"]}}]
}
`, true},
	{"empty", `{}`, true},
	{"nulls", `{"snapshotVersion":1,"x509Certificate":null,"certificateBasedAuthConfigurations":null,"groups":null}`, true},
	{"container without id", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"displayName":"P"}]}`, true},
	{"wrong case CA list", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","CertificateAuthorities":[{"id":"c"}]}]}`, true},
	{"unknown top-level key", `{"snapshotVersion":1,"brandNew":1}`, false},
	{"wrong case top-level key", `{"snapshotVersion":1,"x509certificate":{}}`, false},
	{"escaped top-level key", `{"snapshotVersion":1,"tenant\u0049d":"t"}`, false},
	{"top-level key twice", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"a"}],"certificateBasedAuthConfigurations":[{"displayName":"b"}]}`, false},
	{"CA list twice", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","certificateAuthorities":[{"id":"c"}],"certificateAuthorities":[]}]}`, false},
	{"escaped container key", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"\u0069d":"p"}]}`, false},
	{"version as a string", `{"snapshotVersion":"1"}`, false},
	{"CA list not a list", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","certificateAuthorities":{"id":"c"}}]}`, false},
	{"CA null", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","certificateAuthorities":[{"id":"c"},null]}]}`, true},
	{"CA with an escaped key", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","certificateAuthorities":[{"id":"c"},{"\u0069d":"d","id":"e"}]}]}`, true},
	{"CA naming a member twice", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","certificateAuthorities":[{"id":"c","id":"d"}]}]}`, true},
	{"CA not an object", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p","certificateAuthorities":[1]}]}`, false},
	{"container not an object", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[null]}`, false},
	{"containers not a list", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":{}}`, false},
	{"not an object", `[]`, false},
	{"null", `null`, false},
	{"not JSON", `{"snapshotVersion":1,`, false},
	{"data after the object", `{"snapshotVersion":1} {}`, false},
}

// compareLoad: where loadPlain decodes a text, Load's decoding with
// encoding/json (loadJSON and the containers' CAs) gives the same.
func compareLoad(t *testing.T, data []byte) (plain bool) {
	t.Helper()
	var got snapshotFile
	pkis, ok := loadPlain(data, &got)
	if !ok {
		return false
	}
	var want snapshotFile
	if err := loadJSON(data, &want); err != nil {
		t.Fatalf("loadPlain decodes it, loadJSON fails: %v", err)
	}
	var wantPKIs []*storedPKI
	for _, o := range want.CertificateBasedAuthConfigurations {
		p := &storedPKI{obj: o}
		if cas, ok := o["certificateAuthorities"]; ok {
			if err := json.Unmarshal(cas, &p.cas); err != nil {
				t.Fatalf("loadPlain decodes it, the CAs do not decode: %v", err)
			}
			delete(o, "certificateAuthorities")
		}
		wantPKIs = append(wantPKIs, p)
	}
	want.CertificateBasedAuthConfigurations = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("top level (-loadJSON +loadPlain):\n%s", diff)
	}
	if diff := cmp.Diff(wantPKIs, pkis, cmp.AllowUnexported(storedPKI{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("containers (-loadJSON +loadPlain):\n%s", diff)
	}
	return true
}

func TestLoadPlain(t *testing.T) {
	for _, c := range loadCases {
		t.Run(c.name, func(t *testing.T) {
			if plain := compareLoad(t, []byte(c.data)); plain != c.plain {
				t.Errorf("decoded by loadPlain: %v, want %v", plain, c.plain)
			}
		})
	}
}

// TestLoadPlainTakesSnapshots: what Snapshot writes, loadPlain reads.
func TestLoadPlainTakesSnapshots(t *testing.T) {
	s := NewStore()
	s.PatchX509(DefaultX509())
	p := s.CreatePKI(DefaultX509())
	if _, err := s.CreateCA(idOfTest(p), map[string]json.RawMessage{"certificate": json.RawMessage(`"MIIB"`)}); err != nil {
		t.Fatal(err)
	}
	if !compareLoad(t, s.Snapshot()) {
		t.Error("loadPlain does not decode a snapshot Snapshot wrote")
	}
}

// FuzzLoadPlain: for any text loadPlain decodes, encoding/json gives the
// same.
func FuzzLoadPlain(f *testing.F) {
	for _, c := range loadCases {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data string) {
		compareLoad(t, []byte(data))
	})
}
