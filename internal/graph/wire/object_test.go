package wire

import (
	"encoding/json"
	"fmt"
	"testing"
)

// objectCases are objects as the store holds them (a snapshot's or a
// request's properties), for the types the store decodes.
var objectCases = []struct {
	name string
	data string
	// fast: decoded field by field, without the text.
	fast bool
}{
	{"CA as the store makes it", `{"id":"1","certificate":"MIIBAg==","certificateAuthorityType":"root","displayName":null,"issuer":"CN=Root, O=Contoso","issuerSubjectKeyIdentifier":"AB","expirationDateTime":"2030-01-01T00:00:00Z","thumbprint":"AB","certificateRevocationListUrl":"http://crl/r.crl","deltaCertificateRevocationListUrl":null,"isIssuerHintEnabled":false,"createdDateTime":"2026-01-01T00:00:00Z","deletedDateTime":null}`, true},
	{"issuer hint on", `{"id":"1","isIssuerHintEnabled":true}`, true},
	{"display name set", `{"displayName":"Root"}`, true},
	{"empty certificate", `{"certificate":""}`, true},
	{"escaped string", `{"id":"a\"b","issuer":"CN=\u00e9"}`, true},
	{"escaped base64", `{"certificate":"MIIB\/g=="}`, true},
	{"non-ASCII string", `{"issuer":"CN=Zürich"}`, true},
	{"not base64", `{"certificate":"MIIB!"}`, false},
	{"base64 without padding", `{"certificate":"MIIBAg"}`, false},
	{"number for a string", `{"id":1}`, false},
	{"string for a bool", `{"isIssuerHintEnabled":"true"}`, false},
	{"bool for a string", `{"displayName":true}`, false},
	{"object for a string", `{"id":{"a":1}}`, false},
	{"numbers for bytes", `{"certificate":[1,2]}`, true},
	{"unknown property", `{"id":"1","brandNew":{"a":[1]}}`, false},
	{"annotation", `{"id":"1","@odata.type":"#microsoft.graph.certificateAuthorityDetail"}`, false},
	{"wrong case property", `{"ID":"1"}`, false},
	{"docs' delta CRL spelling", `{"deltacertificateRevocationListUrl":"http://crl/d.crl"}`, false},
	{"both delta CRL spellings", `{"deltacertificateRevocationListUrl":"http://crl/d.crl","deltaCertificateRevocationListUrl":"http://crl/e.crl"}`, false},
	{"PKI properties on a CA", `{"status":"succeeded","statusDetails":null}`, false},
	{"x509 configuration", `{"id":"X509Certificate","state":"enabled","includeTargets":[{"id":"all_users","targetType":"group","isRegistrationRequired":false}],"certificateUserBindings":[{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":1}],"crlValidationConfiguration":{"state":"disabled","exemptedCertificateAuthoritiesSubjectKeyIdentifiers":[]}}`, false},
}

// compareObject: DecodeObject gives what Decode of the object's text gives
// (the value, the properties not modelled, the error).
func compareObject[T any](t *testing.T, o Object) {
	t.Helper()
	var got, want T
	gotUnknown, gotErr := DecodeObject(o, &got, "p")
	wantUnknown, wantErr := Decode(Raw(o), &want, "p")
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("DecodeObject error %v, Decode %v", gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	diffDecoded(t, "Decode", "DecodeObject", want, got, wantUnknown, gotUnknown)
}

func TestDecodeObject(t *testing.T) {
	for _, c := range objectCases {
		t.Run(c.name, func(t *testing.T) {
			var o Object
			if err := json.Unmarshal([]byte(c.data), &o); err != nil {
				t.Fatal(err)
			}
			compareObject[CA](t, o)
			compareObject[PKI](t, o)
			compareObject[X509Config](t, o)
			if fast := decodeFields(o, new(CA)); fast != c.fast {
				t.Errorf("decoded field by field: %v, want %v", fast, c.fast)
			}
		})
	}
}

// TestDecodeObjectErrorNamesThePath: a value of the wrong type is reported
// as Decode reports it, at the object's path.
func TestDecodeObjectErrorNamesThePath(t *testing.T) {
	var ca CA
	_, err := DecodeObject(Object{"isIssuerHintEnabled": json.RawMessage(`"yes"`)}, &ca, "certificateBasedAuthConfigurations[0].certificateAuthorities[3]")
	want := "certificateBasedAuthConfigurations[0].certificateAuthorities[3]: json: cannot unmarshal string into Go struct field CA.isIssuerHintEnabled of type bool"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// FuzzDecodeObject: for any object, DecodeObject agrees with Decode of its
// text.
func FuzzDecodeObject(f *testing.F) {
	for _, c := range objectCases {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var o Object
		if json.Unmarshal([]byte(data), &o) != nil {
			return
		}
		compareObject[CA](t, o)
		compareObject[PKI](t, o)
		compareObject[X509Config](t, o)
		compareObject[StrengthPolicy](t, o)
	})
}
