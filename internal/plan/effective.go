package plan

import (
	"crypto/sha1"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cbactl/cbactl/internal/plan/model"
)

// Effective is the desired state with every part the configuration leaves
// out (the Unmanaged masks, an authentication strength's
// DescriptionUnmanaged) filled with the tenant's value: what cbactl does not
// declare, it does not manage, so a plan shows nothing for it and apply
// writes the tenant's current value back. A part the tenant has no value for
// (a new rule's affinity, a new target's registration_required, a new CA's
// attributes, a new strength's description) stays as the configuration left
// it and is marked unmanaged still; the writers then leave it to Graph.
// desired is not modified.
func Effective(desired, observed model.State) model.State {
	if desired.X509 != nil && observed.X509 != nil {
		x := effectiveX509(*desired.X509, *observed.X509)
		desired.X509 = &x
	}
	if desired.ManagesTrustStore {
		desired.PKIs = effectivePKIs(desired.PKIs, observed.PKIs)
	}
	if len(desired.Strengths) > 0 {
		desired.Strengths = effectiveStrengths(desired.Strengths, observed.Strengths)
	}
	return desired
}

func effectiveX509(d, o model.X509Config) model.X509Config {
	u := d.Unmanaged
	if u&model.X509IncludeTargets != 0 {
		d.IncludeTargets = slices.Clone(o.IncludeTargets)
	} else {
		d.IncludeTargets = slices.Clone(d.IncludeTargets)
		for i, t := range d.IncludeTargets {
			if !t.RegistrationUnmanaged {
				continue
			}
			for _, ot := range o.IncludeTargets {
				if ot.Type == t.Type && strings.EqualFold(ot.ID, t.ID) {
					d.IncludeTargets[i].RegistrationRequired = ot.RegistrationRequired
					d.IncludeTargets[i].RegistrationUnmanaged = false
					break
				}
			}
		}
	}
	if u&model.X509ExcludeTargets != 0 {
		d.ExcludeTargets = slices.Clone(o.ExcludeTargets)
	}
	if u&model.X509DefaultMode != 0 {
		d.DefaultMode = o.DefaultMode
	}
	if u&model.X509DefaultAffinity != 0 {
		d.DefaultAffinity = o.DefaultAffinity
	}
	if u&model.X509Rules != 0 {
		d.Rules = slices.Clone(o.Rules)
	} else {
		d.Rules = slices.Clone(d.Rules)
		for i, r := range d.Rules {
			if r.Affinity != "" {
				continue
			}
			for _, or := range o.Rules {
				if RuleKey(or) == RuleKey(r) {
					d.Rules[i].Affinity = or.Affinity
					break
				}
			}
		}
	}
	if u&model.X509UsernameBindings != 0 {
		d.UsernameBindings = slices.Clone(o.UsernameBindings)
	}
	if u&model.X509CRLRequired != 0 {
		d.CRLValidation.Required = o.CRLValidation.Required
	}
	if u&model.X509CRLExemptSKIs != 0 {
		d.CRLValidation.ExemptSKIs = slices.Clone(o.CRLValidation.ExemptSKIs)
	}
	if u&model.X509IssuerHints != 0 {
		d.IssuerHints = o.IssuerHints
	}
	if u&model.X509CAScopes != 0 {
		d.CAScopes = slices.Clone(o.CAScopes)
	}
	// A part the tenant did not report has no current value to write back:
	// it stays unmanaged, and the writers leave it out.
	d.Unmanaged = u & o.Unreported
	return d
}

// effectivePKIs fills the unmanaged attributes of every declared CA that the
// tenant holds (same container by display name, same certificate).
func effectivePKIs(desired, observed []model.PKI) []model.PKI {
	out := slices.Clone(desired)
	// The containers are independent: filled in on every core (a trust
	// store of thousands of CAs is as many digests to compute).
	forEachParallel(len(out), func(i int) {
		d := out[i]
		var o *model.PKI
		n := 0
		for j := range observed {
			if observed[j].DisplayName == d.DisplayName {
				o = &observed[j]
				n++
			}
		}
		if n != 1 {
			return // created, or ambiguous (the diff reports it)
		}
		var byThumb map[[sha1.Size]byte]int // the first observed CA of each thumbprint
		var cas []model.CA                  // d.CAs, copied at the first CA filled in
		for k, ca := range d.CAs {
			if ca.Unmanaged == 0 {
				continue
			}
			if byThumb == nil {
				byThumb = make(map[[sha1.Size]byte]int, len(o.CAs))
				for j, have := range o.CAs {
					t := have.ThumbprintSum()
					if _, dup := byThumb[t]; !dup {
						byThumb[t] = j
					}
				}
			}
			if j, ok := byThumb[ca.ThumbprintSum()]; ok {
				if cas == nil {
					cas = slices.Clone(d.CAs)
				}
				cas[k] = effectiveCA(ca, o.CAs[j])
			}
		}
		if cas != nil {
			out[i].CAs = cas
		}
	})
	return out
}

// forEachParallel calls f(i) for every i in [0, n), on up to GOMAXPROCS
// goroutines, and returns when all have returned. f must not write
// anything another call of f reads or writes.
func forEachParallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

func effectiveCA(d, o model.CA) model.CA {
	u := d.Unmanaged
	if u&model.CAPartType != 0 {
		d.Type = o.Type
	}
	if u&model.CAPartCRLURL != 0 {
		d.CRLURL = o.CRLURL
	}
	if u&model.CAPartDeltaCRLURL != 0 {
		d.DeltaCRLURL = o.DeltaCRLURL
	}
	if u&model.CAPartIssuerHint != 0 {
		d.IssuerHint = o.IssuerHint
	}
	if u&model.CAPartDisplayName != 0 {
		d.DisplayName = o.DisplayName
	}
	d.Unmanaged = 0
	return d
}
