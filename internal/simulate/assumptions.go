package simulate

// The assumptions the engine can record, as format strings. Each one is a
// behaviour the documentation leaves open, states only by inference, or
// contradicts (cba-semantics.md §7 and the [GAP]/[INFERRED]/[CONFLICT] tags);
// the trace lists every one it relied on.
const (
	// Configuration.
	aNoMethodConfig = "the configuration does not manage the x509Certificate method: an untouched tenant's configuration is assumed " +
		"(disabled; all users; single factor, low affinity; PrincipalName → userPrincipalName, RFC822Name → userPrincipalName, SubjectKeyIdentifier → certificateUserIds)"
	aUnmanaged           = "the configuration leaves %s out, so cbactl does not manage it and the tenant keeps its own value; evaluated without the tenant, an untouched tenant's value is assumed: %s"
	aUnsetDefault        = "%s is not set: %s is assumed"
	aUnparsableCA        = "%s cannot be parsed (%v): it is left out of the trust store"
	aTrustStoreUnmanaged = "the configuration declares no pki block, so it does not say what the tenant's trust store holds: the trust store is taken as empty"

	// Method scope (DD; no error code is documented for it).
	aNoCodeOutOfScope  = "Entra documents no error code for a disabled method or a user outside its targets: certificate-based authentication is simply not offered, so no code is reported"
	aScopeAssumed      = "the user's group memberships are unknown: the user is assumed to be in scope of the x509Certificate method (in an include target and in no exclude target)"
	aUserTargetAssumed = "the method also targets a user directly (%s); the user's object id is unknown, so the user is assumed to be that target"

	// Chain (§4 "Chain building").
	aPresentedChain         = "the presented chain certificate %s is not in the trust store: Entra builds the chain from the trust store only (SKI/AKI; CAS: \"CBA fails if there are missing CAs\"), so it is assumed not to count"
	aChainByName            = "%s has no authority key identifier: its issuer %s was found by subject name; Entra builds chains by SKI/AKI and lists a missing AKI among the causes of AADSTS500176, so a name match is assumed to be enough only without that requirement"
	aSignatureRelaxed       = "the signature of %s by %s verifies only without Go's extra checks (%s); Entra's handling of that case is undocumented and the signature is assumed to be accepted"
	aRootNotSelfSigned      = "%s is flagged as a root but is not self-signed: the chain is assumed to end there"
	aSelfSignedIntermediate = "%s is self-signed but typed intermediate: it is assumed to end the chain as a root"
	aLegacyCRLValid         = "%s is in both trust stores and only the legacy store has a CRL URL (%s): HOW says the classic store then wins if its CRL is valid, which is assumed"

	// CA scoping (DD; §7.4).
	aCAScopeMember  = "the user's group memberships are unknown: the user is assumed to be a member of %s, the group the CA scope on %s allows"
	aCAScopeAbove   = "the CA scope on %s, above the issuing CA, is assumed to apply: DD says Entra \"proceeds up the CA chain\" but also that scoping \"is enforced at the intermediate CA level\" (§7.4)"
	aCAScopeSeveral = "several CA scope rules apply to this chain: the user is assumed to pass when found in a group of any of them (DD: \"applies all scope rules until the user is found in one of the groups in all the scope rules\")"

	// Revocation (§4 "CRL processing", TV13).
	aCRLAssumed               = "%s has a CRL URL (%s) but no CRL was supplied for it: the CRL is assumed reachable and not to list the certificate"
	aDeltaAssumed             = "%s has a delta CRL URL (%s) but no delta CRL was supplied for it: the delta CRL is assumed reachable, current and not to list the certificate"
	aCRLNoNextUpdate          = "the CRL %s has no nextUpdate: it is assumed current"
	aCRLExpired               = "the supplied CRL %s is taken to be the one Entra holds: Entra would first try to download a newer one, and the sign-in fails only if it cannot"
	aCRLValidationCode        = "Entra documents no error code for a CA without CRL URL under required CRL validation: AADSTS500175 (\"CRL for a certificate in the chain is missing\") is assumed"
	aCRLValidationIssuingOnly = "CRL validation is required and %s, above the issuing CA, has no CRL URL: the requirement is assumed to apply to the issuing CA only (\"a CA that issues an end user certificate\")"
	aRevokedCA                = "%s, a CA of the chain, is revoked: Entra is assumed to fail with the code of a revoked certificate"
	aCRLDepth                 = "the chain has %d CAs: only the CRLs of the first %d from the certificate are checked (CRL: \"a limit of up to 10 CAs from the leaf\"; an older DD text says 5)"

	// Authentication binding (§1; §7.1, §7.3, §7.4).
	aIssuerNormalized    = "%s's issuer %q equals the certificate's issuer %q only after normalisation (trimming, case folding, no space after commas); how Entra compares issuers is undocumented (§7.1), and the rule is assumed to match"
	aIssuerRuleAbove     = "%s names %s, a CA above the certificate's issuing CA: rules are assumed to match the certificate's direct issuer only (DD: \"all user certificates that the CA issues\"; §7.4)"
	aIssuerReversed      = "%s's issuer %q is the certificate's issuer in encoded order (most general RDN first): rules are assumed to need the reverse, most-specific-first order of Entra's examples (\"CN=ContosoCA,DC=Contoso,DC=org\"), so it does not match"
	aModeConflict        = "several %s rules match with different modes (%s): DD documents single factor for conflicting policy OID rules only; single factor is assumed for this tier too (§7.3)"
	aAffinityConflict    = "the matching rules require different affinities (%s): high affinity is assumed (§7.3)"
	aRuleAffinityUnset   = "%s sets no affinity: the tenant default (%s) is assumed"
	aDefaultForUnmatched = "no rule matches: the tenant default is assumed to apply (HOW: \"The default protection level is in effect if no custom rules are added\"; that it also covers certificates no rule matches is inferred)"
	aAnyPolicyLiteral    = "the certificate carries anyPolicy (2.5.29.32.0): it is assumed to match only a rule for 2.5.29.32.0 itself, not %s's %s"

	// Username binding (§2, §3; §7.2, §7.5).
	aSerialOrder      = "the IssuerAndSerialNumber value writes the serial little-endian (%s), as Entra's documentation does; Microsoft's PowerShell module writes it big-endian (%s), and which form Entra matches is disputed (PR1511)"
	aBigEndianHeld    = "the user holds the big-endian IssuerAndSerialNumber value %q (as Microsoft's PowerShell module writes it): only the documented little-endian form is assumed to match"
	aNoUserAssumed    = "the user's attributes were not given: the user's %s is assumed to hold %q (from %s, the first username binding whose field the certificate has)"
	aCaseInsensitive  = "the user's %s value %q equals the certificate's %q only case-insensitively: the comparison is assumed to ignore case (undocumented, §7.2)"
	aSeveralValues    = "the certificate has %d %s: only the first (%s) is assumed to be used (§7.5)"
	aRFC822NoFallback = "the certificate has no rfc822Name but its subject has E=%s: Entra is assumed not to fall back to it (§7.5)"
	aAllFieldsAbsent  = "none of the username bindings' fields is on the certificate: AADSTS50034 is reported; Entra may report AADSTS1001003 (\"Unable To Acquire Value Specified In Binding From Certificate\", TRB) instead"

	// Certificate purpose and issuer hints (§4, §7.6).
	aEKUNotEnforced      = "the certificate's extended key usage does not include client authentication: Entra is assumed not to enforce it (§7.6)"
	aKeyUsageNotEnforced = "the certificate's key usage does not include digitalSignature: Entra is assumed not to enforce it (§7.6)"
	aIssuerHints         = "issuer hints are enabled and no CA of this chain has issuer_hint set: the client's certificate picker may not offer this certificate (HOW and GRAPH disagree on the hint default); the decision itself is assumed unaffected"
)

// Assumptions lists the format of every assumption the engine can record, for
// documentation and tests.
var Assumptions = []string{
	aNoMethodConfig, aUnmanaged, aUnsetDefault, aUnparsableCA, aTrustStoreUnmanaged,
	aNoCodeOutOfScope, aScopeAssumed, aUserTargetAssumed,
	aPresentedChain, aChainByName, aSignatureRelaxed, aRootNotSelfSigned, aSelfSignedIntermediate, aLegacyCRLValid,
	aCAScopeMember, aCAScopeAbove, aCAScopeSeveral,
	aCRLAssumed, aDeltaAssumed, aCRLNoNextUpdate, aCRLExpired, aCRLValidationCode, aCRLValidationIssuingOnly, aRevokedCA, aCRLDepth,
	aIssuerNormalized, aIssuerRuleAbove, aIssuerReversed, aModeConflict, aAffinityConflict, aRuleAffinityUnset, aDefaultForUnmatched, aAnyPolicyLiteral,
	aSerialOrder, aBigEndianHeld, aNoUserAssumed, aCaseInsensitive, aSeveralValues, aRFC822NoFallback, aAllFieldsAbsent,
	aEKUNotEnforced, aKeyUsageNotEnforced, aIssuerHints,
}
