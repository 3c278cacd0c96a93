x509_certificate {
  state = "enabled"
  authentication_mode {
    rule "no_mode" { # ERROR: Missing required argument
      policy_oid = "1.2.3.9"
    }
  }
}
