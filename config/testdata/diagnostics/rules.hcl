locals {
  issuing = certificate("certs/issuing.pem")
}

pki "p" {
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "issuing" {
    certificate = file("certs/issuing.pem")
    crl_url     = "http://crl.example.com/issuing.crl"
  }
}

x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }

  authentication_mode {
    rule "empty" { # ERROR: Rule without issuer or policy OID
      mode = "multi_factor"
    }
    rule "words" {
      policy_oid = "All Issuance Policies" # ERROR: Invalid policy OID
      mode       = "multi_factor"
    }
    rule "any_policy" {
      policy_oid = "2.5.29.32.0"
      mode       = "multi_factor"
    }
    rule "any_policy_again" { # ERROR: Duplicate rule
      policy_oid = "2.5.29.32.0"
      mode       = "single_factor"
    }
    rule "impossible" {
      policy_oid = "3.1.2" # WARNING: Policy OID can never match
      mode       = "multi_factor"
    }
    rule "both" { # WARNING: Rule uses both issuer and policy OID
      issuer     = local.issuing.subject
      policy_oid = "1.2.3.4"
      mode       = "multi_factor"
    }
    rule "issuer" {
      issuer = local.issuing.subject
      mode   = "multi_factor"
    }
    rule "stranger" {
      issuer = "CN=Nobody We Know" # WARNING: Rule issuer matches no declared CA
      mode   = "multi_factor"
    }
    rule "spaced" {
      issuer = " ${local.issuing.subject}" # ERROR: Issuer has leading or trailing whitespace # WARNING: Rule issuer matches no declared CA
      mode   = "multi_factor"
    }
  }
}
