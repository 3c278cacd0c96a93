x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }

  username_binding {
    certificate_field = "PrincipalName"
    user_attribute    = "userPrincipalName"
    priority          = 1
  }
  username_binding { # WARNING: More than one low-affinity username binding
    certificate_field = "RFC822Name"
    user_attribute    = "userPrincipalName"
    priority          = 1 # ERROR: Duplicate username binding priority
  }
  username_binding {
    certificate_field = "SubjectKeyIdentifier"
    user_attribute    = "userPrincipalName" # ERROR: Username binding not allowed
    priority          = -1 # ERROR: Negative username binding priority
  }
  username_binding { # ERROR: Duplicate username binding
    certificate_field = "PrincipalName"
    user_attribute    = "userPrincipalName"
    priority          = 4
  }
  username_binding {
    certificate_field = "IssuerAndSerialNumber"
    user_attribute    = "onPremisesUserPrincipalName" # ERROR: Username binding not allowed
    priority          = 5
  }
}
