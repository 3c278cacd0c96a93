tenant {
  cloud = "azure" # ERROR: Invalid cloud
}

pki "p" {
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
    type        = "primary" # ERROR: Invalid type
  }
}

x509_certificate {
  state = "enable" # ERROR: Invalid state

  authentication_mode {
    default_mode     = "mfa" # ERROR: Invalid default_mode
    default_affinity = "medium" # ERROR: Invalid default_affinity

    rule "r" {
      policy_oid = "1.2.3.4"
      mode       = "x509CertificateMultiFactor" # ERROR: Invalid mode
      affinity   = "HIGH" # ERROR: Invalid affinity
    }
  }

  username_binding {
    certificate_field = "UPN" # ERROR: Invalid certificate_field
    user_attribute    = "mail" # ERROR: Invalid user_attribute
    priority          = 1
  }
}
