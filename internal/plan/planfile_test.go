package plan

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// A saved plan is applied only when its changes are the ones the
// configuration and the tenant give now, for the tenant it was made for.
func TestCheckSaved(t *testing.T) {
	desired := state(model.PKI{Name: "p", DisplayName: "P", CAs: []model.CA{ca("issuing", issuing.DER)}})
	observed := state(model.PKI{ID: "pki-1", DisplayName: "P", CAs: []model.CA{observedCA("ca-1", ca("", issuing.DER, func(c *model.CA) { c.CRLURL = "http://old" }))}})
	observed.TenantID = "11111111-1111-1111-1111-111111111111"

	save := func(edit func(string) string) *Plan {
		p := Diff(desired, observed)
		p.Seal(desired, observed)
		var buf bytes.Buffer
		if err := Write(&buf, p); err != nil {
			t.Fatal(err)
		}
		saved, err := Read(strings.NewReader(edit(buf.String())))
		if err != nil {
			t.Fatal(err)
		}
		return saved
	}
	same := func(s string) string { return s }
	if err := save(same).CheckSaved(desired, observed, Diff(desired, observed)); err != nil {
		t.Errorf("unedited plan: %v", err)
	}
	rogue := save(func(s string) string { return strings.ReplaceAll(s, "http://crl/issuing", "http://evil/x.crl") })
	if err := rogue.CheckSaved(desired, observed, Diff(desired, observed)); !errors.Is(err, ErrTampered) {
		t.Errorf("edited CRL URL: %v", err)
	}
	other := observed
	other.TenantID = "22222222-2222-2222-2222-222222222222"
	if err := save(same).CheckSaved(desired, other, Diff(desired, other)); !errors.Is(err, ErrOtherTenant) {
		t.Errorf("another tenant: %v", err)
	}
	noTenant := save(func(s string) string {
		return strings.Replace(s, `"tenant_id": "11111111-1111-1111-1111-111111111111",`, "", 1)
	})
	if err := noTenant.CheckSaved(desired, observed, Diff(desired, observed)); !errors.Is(err, ErrOtherTenant) {
		t.Errorf("a plan file without a tenant: %v", err)
	}
}
