x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }
  authentication_mode {
    rule "piv" {
      policy_oid = "1.2.3.4"
      mode       = "multi_factor"
    }
  }
}

test "known rule" {
  certificate = "certs/user.pem"
  expect {
    rule = "x509_certificate.rule.piv"
  }
}

test "default rule" {
  certificate = "certs/user.pem"
  expect {
    rule = "default"
  }
}

test "unknown rule" {
  certificate = "certs/user.pem"
  expect {
    rule = "x509_certificate.rule.missing" # ERROR: Unknown rule
  }
}
