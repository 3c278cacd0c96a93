# Tests of the configuration: each names a user certificate and the decision
# Entra must reach for it. `cbactl test` runs them, and so does `cbactl plan`
# (a failing test is an error there). `cbactl simulate --cert FILE` shows the
# whole decision for one certificate, with every assumption it makes.
#
# The user certificates and CRLs under certs/tests/ are issued by the CAs of
# certs/ and made in the same run of `go run ./examples/contoso/gen`.

# An issuer rule: every certificate of the Contoso smart card CA is MFA.
test "smart card user gets MFA" {
  certificate = "certs/tests/smartcard.pem"
  crl         = ["certs/tests/contoso-smartcard.crl"]
  expect {
    trusted  = true
    revoked  = false
    mode     = "multi_factor"
    affinity = "low" # the rule sets no affinity: the tenant default
    rule     = "x509_certificate.rule.smartcard"
    bindings = ["PrincipalName"]
    # The issuer is allowed, but the card lacks the PIV policy.
    satisfies = []
  }
}

# A policy OID rule outranks the issuer rule of the same CA, and its high
# affinity drops the low-affinity PrincipalName binding.
test "PIV smart card gets MFA with high affinity" {
  certificate = "certs/tests/piv.pem"
  crl         = ["certs/tests/contoso-smartcard.crl"]
  expect {
    trusted  = true
    revoked  = false
    mode     = "multi_factor"
    affinity = "high"
    rule     = "x509_certificate.rule.piv"
    bindings = ["IssuerAndSerialNumber"]
    # The smart card CA and the PIV policy: the HR apps' strength.
    satisfies = ["piv_smart_card"]
  }
}

# An issuer + policy OID rule: only Fabrikam's smart-card policy from
# Fabrikam's issuing CA.
test "contractor smart card gets MFA" {
  certificate = "certs/tests/contractor.pem"
  crl         = ["certs/tests/fabrikam-issuing.crl"]
  expect {
    trusted  = true
    revoked  = false
    mode     = "multi_factor"
    affinity = "high"
    rule     = "x509_certificate.rule.contractors"
    bindings = ["IssuerAndSerialNumber"]
  }
}

# The same issuer without the policy matches no rule.
test "contractor software certificate gets the tenant default" {
  certificate = "certs/tests/contractor-software.pem"
  crl         = ["certs/tests/fabrikam-issuing.crl"]
  expect {
    trusted  = true
    mode     = "single_factor"
    affinity = "low"
    rule     = "default"
    bindings = ["PrincipalName"]
  }
}

test "Contoso user certificate gets the tenant default" {
  certificate = "certs/tests/user.pem"
  crl         = ["certs/tests/contoso-issuing.crl"]
  expect {
    trusted  = true
    revoked  = false
    mode     = "single_factor"
    affinity = "low"
    rule     = "default"
    bindings = ["PrincipalName"]
    # A single-factor sign-in never satisfies a multi-factor-only strength.
    satisfies = []
  }
}

test "revoked certificate is refused" {
  certificate = "certs/tests/revoked.pem"
  crl         = ["certs/tests/contoso-issuing.crl"]
  expect {
    trusted = true
    revoked = true
  }
}

test "certificate from an unknown CA is not trusted" {
  certificate = "certs/tests/untrusted.pem"
  expect {
    trusted = false
    revoked = false
    rule    = "default"
  }
}
