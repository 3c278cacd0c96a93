x509_certificate {
  state = "enabled"
  include_target { # ERROR: Invalid target
    group    = "CBA Users"
    group_id = "00000000-0000-0000-0000-000000000001"
  }
  include_target {
    group_id = "CBA Users" # ERROR: Invalid group id
  }
  exclude_target {} # ERROR: Invalid target
}

x509_certificate { # ERROR: Duplicate x509_certificate block
  state = "enabled"
}
