locals {
  partner = certificate("certs/partner.pem")
}

pki "p" {
  certificate_authority "root" {
    certificate = file("certs/root.pem") # ERROR: CA without CRL while CRL validation is required
  }
  certificate_authority "partner" {
    certificate = file("certs/partner.pem") # WARNING: Certificate authority without CRL
  }
  certificate_authority "issuing" {
    certificate = file("certs/issuing.pem")
    crl_url     = "http://crl.example.com/issuing.crl"
  }
}

x509_certificate {
  state = "enabled"
  include_target { group = "CBA Users" }
  crl_validation {
    required    = true
    exempt_skis = [local.partner.subject_key_identifier, "ABCDEF"] # WARNING: Exempt SKI matches no declared CA
  }
}
