pki "contoso" {
  certificate_authority "issuing" {
    certificate = file("certs/issuing.pem")
    crl_url     = "http://crl.example.com/issuing.crl"
  }
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
}

authentication_strength "secret" {
  display_name         = "Secret clearance smart card"
  allowed_combinations = ["x509CertificateMultiFactor", "x509CertificateSingleFactor"]

  x509_certificate {
    applies_to = ["x509CertificateSingleFactor", "x509CertificateMultiFactor"]
    # SKIs compare without regard to case or separators: this is the issuing CA.
    allowed_issuer_skis = [join(":", regexall("..", lower(certificate("certs/issuing.pem").subject_key_identifier)))]
  }
}

authentication_strength "partner" {
  display_name         = "Partner smart card"
  allowed_combinations = ["x509CertificateMultiFactor"]

  x509_certificate {
    applies_to          = ["x509CertificateMultiFactor"]
    allowed_issuer_skis = [certificate("certs/partner.pem").subject_key_identifier] # WARNING: Allowed issuer is no declared CA
  }
}

test "strengths" {
  certificate = "certs/user.pem"
  expect {
    satisfies = ["secret", "missing"] # ERROR: Unknown authentication strength
  }
}
