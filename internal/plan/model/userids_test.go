package model

import "testing"

func TestKindOf(t *testing.T) {
	for v, want := range map[string]CertificateField{
		"X509:<PN>alice@contoso.com":      FieldPrincipalName,
		"X509:<RFC822>alice@contoso.com":  FieldRFC822Name,
		"X509:<SKI>9F1C":                  FieldSubjectKeyIdentifier,
		"X509:<SHA1-PUKEY>ABCD":           FieldSHA1PublicKey,
		"X509:<I>DC=org,CN=CA<S>CN=alice": FieldIssuerAndSubject,
		"X509:<S>CN=alice":                FieldSubject,
		"X509:<I>DC=org,CN=CA<SR>2c1b0a":  FieldIssuerAndSerialNumber,
		"X509:<I>CN=CA<S>CN=x<SR>01":      FieldIssuerAndSerialNumber,
		"x509:<PN>alice":                  "",
		"X509:<pn>alice":                  "",
		"X509:<PN>":                       "",
		"X509:<I>CN=CA":                   "",
		"alice@contoso.com":               "",
		"X509:<SHA1-PUKEY>":               "",
		"X509:<I>DC=org,CN=CA<SR>":        "",
	} {
		got, ok := KindOf(v)
		if got != want || ok != (want != "") {
			t.Errorf("KindOf(%q) = %q, %v; want %q", v, got, ok, want)
		}
	}
	if p := WrongCasePrefix("x509:<pn>a"); p != "X509:<PN>" {
		t.Errorf("WrongCasePrefix = %q", p)
	}
	if p := WrongCasePrefix("X509:<PN>a"); p != "" {
		t.Errorf("WrongCasePrefix of a right value = %q", p)
	}
}

func FuzzKindOf(f *testing.F) {
	for _, s := range []string{"X509:<PN>a", "X509:<I>CN=x<SR>01", "x509:<ski>AB", "X509:<I><S><SR>", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		k, ok := KindOf(v)
		if ok == (k == "") {
			t.Fatalf("KindOf(%q) = %q, %v", v, k, ok)
		}
		if ok && WrongCasePrefix(v) != "" {
			t.Fatalf("%q is of kind %s and has a wrong-case prefix", v, k)
		}
	})
}
