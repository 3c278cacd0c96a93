x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }

  authentication_mode {
    default_affinity = "high" # ERROR: High affinity without a high-affinity username binding
    rule "piv" {
      policy_oid = "1.2.3.4"
      mode       = "multi_factor"
      affinity   = "high" # ERROR: High affinity without a high-affinity username binding
    }
    rule "low" {
      policy_oid = "1.2.3.5"
      mode       = "multi_factor"
      affinity   = "low"
    }
  }

  username_binding {
    certificate_field = "PrincipalName"
    user_attribute    = "userPrincipalName"
    priority          = 1
  }
}
