x509_certificate { # WARNING: CBA targets all users
  state = "enabled"
}
