pki "contoso" {
  display_name = "Contoso PKI"
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "root" { # ERROR: Duplicate certificate_authority "root"
    certificate = file("certs/partner.pem")
  }
}

pki "contoso" { # ERROR: Duplicate pki "contoso"
  display_name = "Other"
}

variable "v" {
  default = "a"
}
variable "v" { # ERROR: Duplicate variable "v"
  default = "b"
}

locals {
  x = 1
}
locals {
  x = 2 # ERROR: Duplicate local value "x"
}

x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }
  authentication_mode {
    rule "a" {
      policy_oid = "1.2.3.4"
      mode       = "multi_factor"
    }
    rule "a" { # ERROR: Duplicate rule "a"
      policy_oid = "1.2.3.5"
      mode       = "multi_factor"
    }
  }
  crl_validation { required = false }
  crl_validation { required = true } # ERROR: Duplicate crl_validation block
}

x509_certificate { # ERROR: Duplicate x509_certificate block
  state = "disabled"
}
