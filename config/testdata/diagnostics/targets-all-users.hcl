x509_certificate {
  state = "enabled"
  include_target {
    all_users = true # WARNING: CBA targets all users
  }
  include_target {
    group = "CBA Users"
  }
}
