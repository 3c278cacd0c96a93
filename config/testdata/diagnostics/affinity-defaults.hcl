# No username_binding: Graph's default bindings, all low affinity, apply.
x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }
  authentication_mode {
    default_affinity = "high" # ERROR: High affinity without a high-affinity username binding
  }
}
