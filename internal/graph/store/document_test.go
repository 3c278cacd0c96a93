package store

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cbactl/cbactl/internal/graph/wire"
)

// documentByText is what Document gives, read the long way: each object
// written as JSON and decoded from that text with wire.Decode.
func documentByText(s *Store) (wire.Document, []string, error) {
	d := wire.Document{TenantID: s.TenantID()}
	var unknown []string
	if s.x509 != nil {
		d.X509 = &wire.X509Config{}
		u, err := wire.Decode(marshalObject(s.x509), d.X509, "x509Certificate")
		if err != nil {
			return d, nil, err
		}
		unknown = append(unknown, u...)
	}
	for i, p := range s.PKIs() {
		var wp wire.PKI
		path := fmt.Sprintf("certificateBasedAuthConfigurations[%d]", i)
		u, err := wire.Decode(p, &wp, path)
		if err != nil {
			return d, nil, err
		}
		unknown = append(unknown, u...)
		cas, err := s.CAs(wp.ID)
		if err != nil {
			return d, nil, err
		}
		for j, c := range cas {
			var ca wire.CA
			u, err := wire.Decode(c, &ca, fmt.Sprintf("%s.certificateAuthorities[%d]", path, j))
			if err != nil {
				return d, nil, err
			}
			unknown = append(unknown, u...)
			wp.CertificateAuthorities = append(wp.CertificateAuthorities, ca)
		}
		d.PKIs = append(d.PKIs, wp)
	}
	return d, unknown, nil
}

// TestDocumentAsByText: Document, which decodes the objects held without
// writing them as JSON, gives the document, the properties not modelled
// and the errors that decoding their text gives, whatever the snapshot
// holds.
func TestDocumentAsByText(t *testing.T) {
	for _, c := range []struct{ name, snapshot string }{
		{"modelled", `{"snapshotVersion":1,"x509Certificate":{"state":"enabled","includeTargets":[{"id":"all_users","targetType":"group"}]},
			"certificateBasedAuthConfigurations":[{"id":"p1","displayName":"P","status":"succeeded","statusDetails":null,"certificateAuthorities":[
				{"id":"c1","certificate":"MIIB","certificateAuthorityType":"root","displayName":null,"certificateRevocationListUrl":"http://crl/1.crl","isIssuerHintEnabled":true},
				{"id":"c2","certificate":"MIIC","deltaCertificateRevocationListUrl":"http://crl/d.crl","issuer":"CN=\u00c9, O=\"Q\""}]},
				{"id":"p2","displayName":"Empty"}]}`},
		{"not modelled", `{"snapshotVersion":1,"x509Certificate":{"state":"enabled","futureSetting":{"a":1},"includeTargets":[{"id":"g","futureTarget":true}]},
			"certificateBasedAuthConfigurations":[{"id":"p1","futureContainer":1,"@odata.etag":"x","certificateAuthorities":[
				{"id":"c1","futureCA":[1],"deltacertificateRevocationListUrl":"http://crl/d.crl"},
				{"id":"c2","ID":"other"}]}]}`},
		{"CAs in the container's object too", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","CertificateAuthorities":[{"id":"c0"}],"certificateAuthorities":[{"id":"c1"}]}]}`},
		{"two containers, one id", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","certificateAuthorities":[{"id":"c1"}]},{"id":"P1","certificateAuthorities":[{"id":"c2"}]}]}`},
		{"wrong type in a CA", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","certificateAuthorities":[{"id":"c1"},{"id":"c2","isIssuerHintEnabled":"yes"}]}]}`},
		{"certificate not base64", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","certificateAuthorities":[{"certificate":"M!IB"}]}]}`},
		{"wrong type in the configuration", `{"snapshotVersion":1,"x509Certificate":{"state":1}}`},
		{"container id not a string", `{"snapshotVersion":1,"certificateBasedAuthConfigurations":[{"id":"p1","displayName":2}]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore()
			if err := s.Load([]byte(c.snapshot)); err != nil {
				t.Fatal(err)
			}
			want, wantUnknown, wantErr := documentByText(s)
			got, gotUnknown, gotErr := s.Document()
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("error %v, by text %v", gotErr, wantErr)
			}
			if wantErr != nil {
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("document (-by text +Document):\n%s", diff)
			}
			if diff := cmp.Diff(wantUnknown, gotUnknown); diff != "" {
				t.Errorf("not modelled (-by text +Document):\n%s", diff)
			}
		})
	}
}
