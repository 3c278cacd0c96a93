authentication_strength "bad_combination" {
  allowed_combinations = ["x509CertificateMultiFactor", "smartcard"] # ERROR: Invalid combination
}

authentication_strength "bad_ensure" {
  allowed_combinations = ["fido2"]
  ensure               = "gone" # ERROR: Invalid ensure
}

authentication_strength "no_combination" {
  allowed_combinations = [] # ERROR: No allowed combination
}

authentication_strength "x509" {
  display_name         = "Certificates"
  allowed_combinations = ["x509CertificateMultiFactor", "fido2"]

  x509_certificate {
    applies_to = ["x509CertificateSingleFactor"] # ERROR: Combination not allowed
    allowed_issuer_skis = ["01", "02", "03", "04", "05", "06"] # ERROR: Too many issuers
    allowed_policy_oids = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"] # ERROR: Too many policy OIDs
  }
}

authentication_strength "fido" {
  allowed_combinations = ["fido2"]
  x509_certificate {
    applies_to          = ["fido2"] # ERROR: Not a certificate combination
    allowed_issuer_skis = ["not hex"] # ERROR: Invalid subject key identifier
    allowed_policy_oids = ["piv"] # ERROR: Invalid policy OID
  }
}

authentication_strength "first" {
  display_name         = "Same name"
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "twin" {
  display_name         = "SAME NAME" # ERROR: Duplicate display name
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "nul" {
  display_name         = "Smart\u0000cards" # ERROR: Invalid display name
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "two_lines" {
  display_name         = "Smart\ncards" # ERROR: Invalid display name
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "long" {
  display_name         = format("%0257d", 0) # ERROR: Invalid display name
  allowed_combinations = ["x509CertificateMultiFactor"]
}
