variable "state" {
  default = null
}

pki "p" {
  certificate_authority "root" {
    certificate = null # ERROR: Required attribute is null
  }
}

x509_certificate {
  state = var.state # ERROR: Required attribute is null
  include_target { group = "CBA Users" }
  authentication_mode {
    rule "r" {
      policy_oid = "1.2.3.4"
      mode       = null # ERROR: Required attribute is null
    }
  }
  username_binding {
    certificate_field = "SubjectKeyIdentifier"
    user_attribute    = "certificateUserIds"
    priority          = null # ERROR: Required attribute is null
  }
  crl_validation {
    required = null # ERROR: Required attribute is null
  }
}
