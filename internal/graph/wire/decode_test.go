package wire

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeCases are Graph responses, and near misses, for the types Decode
// reads.
var decodeCases = []struct {
	name string
	new  func() any
	data string
	// fast: Decode takes its one-pass path (the common case must).
	fast bool
}{
	{"x509 documented example", func() any { return new(X509Config) }, docExample, false},
	{"x509 exact", func() any { return new(X509Config) }, `{"id":"X509Certificate","state":"enabled","includeTargets":[{"id":"all_users","targetType":"group","isRegistrationRequired":false}],"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":1}]}`, true},
	{"x509 with whitespace", func() any { return new(X509Config) }, "{ \"state\" :\n\"enabled\" , \"includeTargets\"\t: [] }\n", true},
	{"wrong case property", func() any { return new(X509Config) }, `{"State":"enabled"}`, false},
	{"wrong case nested property", func() any { return new(X509Config) }, `{"includeTargets":[{"ID":"g","targetType":"group"}]}`, false},
	{"unknown property", func() any { return new(X509Config) }, `{"state":"enabled","brandNew":1}`, false},
	{"name of another level", func() any { return new(X509Config) }, `{"state":"enabled","priority":1}`, false},
	{"escaped name", func() any { return new(X509Config) }, `{"st\u0061te":"enabled"}`, false},
	{"escaped wrong case name", func() any { return new(X509Config) }, `{"St\u0061te":"enabled"}`, false},
	{"value spelled like a name", func() any { return new(X509Config) }, `{"state":"State","id":"x\"y:"}`, true},
	{"escaped quote before a colon", func() any { return new(X509Config) }, `{"id":"a\\","state":"enabled"}`, true},
	{"data after the value", func() any { return new(X509Config) }, `{"state":"enabled"} {}`, false},
	{"duplicate names", func() any { return new(X509Config) }, `{"state":"enabled","state":"disabled"}`, false},
	{"not JSON", func() any { return new(X509Config) }, `{"state":`, false},
	{"wrong type", func() any { return new(X509Config) }, `{"state":1}`, false},
	{"delta CRL URL alias", func() any { return new(Collection[CA]) }, `{"value":[{"id":"1","deltacertificateRevocationListUrl":"http://crl/d.crl"}]}`, false},
	{"CA page", func() any { return new(Collection[CA]) }, `{"@odata.context":"x","value":[{"id":"1","certificate":"MIIB","certificateAuthorityType":"root","displayName":null,"deltaCertificateRevocationListUrl":"http://crl/d.crl"}],"@odata.nextLink":"n"}`, true},
	{"annotation", func() any { return new(Collection[CA]) }, `{"value":[{"id":"1","includeTargets@odata.context":"x"}]}`, false},
	{"literals before closing brackets", func() any { return new(X509Config) }, `{"includeTargets":[{"isRegistrationRequired":true}],"certificateUserBindings":[{"priority":-1.5e0}],"crlValidationConfiguration":null}`, false},
	{"literals and numbers", func() any { return new(X509Config) }, `{"includeTargets":[{"isRegistrationRequired":true},{"isRegistrationRequired":false,"id":null}],"certificateUserBindings":[{"priority":12}],"crlValidationConfiguration":null,"excludeTargets":[]}`, true},
	{"object where a string goes", func() any { return new(X509Config) }, `{"state":{"brandNew":["}",{"a":"]"}]},"id":"x"}`, false},
	{"array where an object goes", func() any { return new(X509Config) }, `{"authenticationModeConfiguration":[{"brandNew":1}]}`, false},
	{"object where an array goes", func() any { return new(X509Config) }, `{"includeTargets":{"brandNew":1}}`, false},
	{"unknown property deep down", func() any { return new(X509Config) }, `{"authenticationModeConfiguration":{"rules":[{"identifier":"a"},{"identifier":"b","brandNew":{}}]}}`, false},
	{"known properties deep down", func() any { return new(X509Config) }, `{"authenticationModeConfiguration":{"rules":[{"identifier":"a"},{"identifier":"b\"c:"}]},"crlValidationConfiguration":{"exemptedCertificateAuthoritiesSubjectKeyIdentifiers":["A","B"]}}`, true},
	{"empty page", func() any { return new(Collection[CA]) }, `{"value":[]}`, true},
	{"page of nulls", func() any { return new(Collection[CA]) }, `{"value":[null,{}]}`, true},
	{"page not a list", func() any { return new(Collection[CA]) }, `{"value":{"id":"1"}}`, false},
	{"unterminated", func() any { return new(Collection[CA]) }, `{"value":[{"id":"1`, false},
	{"value three times", func() any { return new(Collection[CA]) }, `{"value":[{"id":"1","issuer":"a"},{"id":"2","issuer":"b"},{"id":"3","issuer":"c"}],"value":[{"id":"4"}],"value":[{"thumbprint":"T"},{"thumbprint":"U"},{}]}`, false},
	{"value null then a list", func() any { return new(Collection[CA]) }, `{"value":null,"value":[{"id":"1"}]}`, false},
	{"PKI page with CAs", func() any { return new(Collection[PKI]) }, `{"value":[{"id":"p","displayName":"P","status":"succeeded","statusDetails":null,"certificateAuthorities":[{"id":"1","certificate":"MIIB","isIssuerHintEnabled":true},{}]},{"id":"q","certificateAuthorities":[]}]}`, true},
	{"user page", func() any { return new(Collection[User]) }, `{"value":[{"id":"u","userPrincipalName":"a@b","onPremisesSyncEnabled":true,"authorizationInfo":{"certificateUserIds":["X509:<PN>a@b"]}},{"id":"v","onPremisesSyncEnabled":null,"authorizationInfo":null}]}`, true},
	{"numbers and escapes", func() any { return new(X509Config) }, `{"id":"X\u0035\n","certificateUserBindings":[{"priority":2},{"priority":-3}],"crlValidationConfiguration":{"exemptedCertificateAuthoritiesSubjectKeyIdentifiers":["\"A\""]}}`, true},
	{"escaped base64", func() any { return new(Collection[CA]) }, `{"value":[{"certificate":"MIIB\r\nAg==","displayName":"\u00e9"}]}`, true},
	{"invalid UTF-8", func() any { return new(Collection[CA]) }, "{\"value\":[{\"id\":\"a\xffb\",\"certificate\":\"MI\xffIB\"}]}", false},
	{"invalid UTF-8 in a string", func() any { return new(Collection[CA]) }, "{\"value\":[{\"id\":\"a\xffb\"}]}", true},
	{"control character in a string", func() any { return new(Collection[CA]) }, "{\"value\":[{\"id\":\"a\tb\"}]}", false},
	{"not base64", func() any { return new(Collection[CA]) }, `{"value":[{"certificate":"MIIB!"}]}`, false},
	{"raw line breaks in base64", func() any { return new(Collection[CA]) }, "{\"value\":[{\"certificate\":\"MIIB\r\nAg==\"}]}", false},
	{"raw line break in base64", func() any { return new(Collection[CA]) }, "{\"value\":[{\"certificate\":\"MIIB\nAg==\"}]}", false},
	{"escaped slash in base64", func() any { return new(Collection[CA]) }, `{"value":[{"certificate":"MIIB\/g=="}]}`, true},
	{"base64 cut short", func() any { return new(Collection[CA]) }, `{"value":[{"certificate":"MIIBA"}]}`, false},
	{"null", func() any { return new(X509Config) }, ` null `, true},
	{"nulls for a struct and lists", func() any { return new(X509Config) }, `{"authenticationModeConfiguration":null,"includeTargets":null,"crlValidationConfiguration":{"exemptedCertificateAuthoritiesSubjectKeyIdentifiers":null}}`, true},
	{"empty lists are not nil", func() any { return new(X509Config) }, `{"includeTargets":[],"authenticationModeConfiguration":{"rules":[ ]}}`, true},
	{"string for a list", func() any { return new(X509Config) }, `{"includeTargets":"x"}`, false},
	{"string for an object", func() any { return new(X509Config) }, `{"authenticationModeConfiguration":"x"}`, false},
	{"trailing comma", func() any { return new(Collection[CA]) }, `{"value":[{"id":"1"},]}`, false},
	{"trailing comma in an object", func() any { return new(Collection[CA]) }, `{"value":[{"id":"1",}]}`, false},
	{"member without a value", func() any { return new(Collection[CA]) }, `{"value":[{"id":}]}`, false},
	{"literal cut short", func() any { return new(Collection[CA]) }, `{"value":[{"isIssuerHintEnabled":tru}]}`, false},
	{"literal run on", func() any { return new(Collection[CA]) }, `{"value":[{"displayName":nullx}]}`, false},
	{"data after a page", func() any { return new(Collection[CA]) }, `{"value":[]}]`, false},
	{"named twice, then null", func() any { return new(Collection[CA]) }, `{"value":[{"displayName":"a","displayName":null}]}`, false},
	{"member name twice deep down", func() any { return new(Collection[PKI]) }, `{"value":[{"certificateAuthorities":[{"id":"1","id":"2"}]}]}`, false},
}

// TestDecodeFastPath: Decode's one-pass path gives exactly what its slow
// path gives (the value, the properties not modelled, whether it fails),
// and is taken for what Graph sends.
func TestDecodeFastPath(t *testing.T) {
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			compareDecode(t, c.new, []byte(c.data))
			comparePage[CA](t, []byte(c.data))
			comparePage[PKI](t, []byte(c.data))
			comparePage[User](t, []byte(c.data))
			if fast := decodeStrict([]byte(c.data), c.new()) == nil; fast != c.fast {
				t.Errorf("fast path taken: %v, want %v", fast, c.fast)
			}
		})
	}
}

// comparePage: DecodePage gives what its slow path gives, its items' paths
// relative to the collection.
func comparePage[T any](t *testing.T, data []byte) {
	t.Helper()
	got, gotUnknown, gotErr := DecodePage[T](data, "p")
	var want Collection[T]
	wantUnknown, wantErr := decodeLenient(data, &want, "p")
	for i, u := range wantUnknown {
		wantUnknown[i] = strings.Replace(u, "p.value", "p", 1)
	}
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("DecodePage error %v, slow path %v", gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	diffDecoded(t, "slow path", "DecodePage", want, got, wantUnknown, gotUnknown)
}

func compareDecode(t *testing.T, newV func() any, data []byte) {
	t.Helper()
	got, want := newV(), newV()
	gotUnknown, gotErr := Decode(data, got, "p")
	wantUnknown, wantErr := decodeLenient(data, want, "p")
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("Decode error %v, slow path %v", gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	diffDecoded(t, "slow path", "Decode", want, got, wantUnknown, gotUnknown)
}

// diffDecoded reports where a fast path (gotBy) gives another value or
// other properties not modelled than what defines it (wantBy).
func diffDecoded(t *testing.T, wantBy, gotBy string, want, got any, wantUnknown, gotUnknown []string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("value (-%s +%s):\n%s", wantBy, gotBy, diff)
	}
	if diff := cmp.Diff(wantUnknown, gotUnknown); diff != "" {
		t.Errorf("not modelled (-%s +%s):\n%s", wantBy, gotBy, diff)
	}
}

// FuzzDecode: for any input, Decode and DecodePage agree with their slow
// path, for each shape cbactl reads.
func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data string) {
		// Every type cbactl and the fake server decode, as an object and
		// as a page.
		compareDecode(t, func() any { return new(X509Config) }, []byte(data))
		compareDecode(t, func() any { return new(LegacyConfig) }, []byte(data))
		compareDecode(t, func() any { return new(StrengthPolicy) }, []byte(data))
		compareDecode(t, func() any { return new(StrengthUsage) }, []byte(data))
		compareDecode(t, func() any { return new(CombinationConfig) }, []byte(data))
		compareDecode(t, func() any { return new(X509CombinationBody) }, []byte(data))
		compareDecode(t, func() any { return new(PKI) }, []byte(data))
		compareDecode(t, func() any { return new(CA) }, []byte(data))
		compareDecode(t, func() any { return new(Group) }, []byte(data))
		compareDecode(t, func() any { return new(Collection[CA]) }, []byte(data))
		comparePage[CA](t, []byte(data))
		comparePage[PKI](t, []byte(data))
		comparePage[User](t, []byte(data))
		comparePage[Group](t, []byte(data))
		comparePage[StrengthPolicy](t, []byte(data))
		comparePage[CombinationConfig](t, []byte(data))
		comparePage[Organization](t, []byte(data))
		comparePage[LegacyConfig](t, []byte(data))
	})
}

// BenchmarkDecodeCAPage decodes a page of 250 CAs as Graph sends them,
// with Decode and with DecodePage (which sizes the items' slice first).
func BenchmarkDecodeCAPage(b *testing.B) {
	var items []string
	cert := strings.Repeat("QUJD", 400)
	for i := range 250 {
		item, _ := json.Marshal(map[string]any{"id": fmt.Sprint(i), "certificate": cert, "certificateAuthorityType": "intermediate", "displayName": nil, "issuer": "CN=Root", "expirationDateTime": "2030-01-01T00:00:00Z", "thumbprint": "AB"})
		items = append(items, string(item))
	}
	data := []byte(`{"value":[` + strings.Join(items, ",") + `]}`)
	b.Run("Decode", func(b *testing.B) {
		for b.Loop() {
			var p Collection[CA]
			if unknown, err := Decode(data, &p, "p"); err != nil || unknown != nil {
				b.Fatal(unknown, err)
			}
		}
	})
	b.Run("DecodePage", func(b *testing.B) {
		for b.Loop() {
			if p, unknown, err := DecodePage[CA](data, "p"); err != nil || unknown != nil || len(p.Value) != 250 {
				b.Fatal(unknown, err)
			}
		}
	})
}

// A page that is not Graph's shape gives encoding/json's error, without an
// empty location before it (the caller names the request).
func TestDecodePageError(t *testing.T) {
	_, _, err := DecodePage[CA]([]byte(`{"value":{"id":"x"}}`), "")
	if err == nil || strings.HasPrefix(err.Error(), ":") || !strings.Contains(err.Error(), "cannot unmarshal object") {
		t.Errorf("error %v", err)
	}
}
