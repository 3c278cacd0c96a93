pki "p" {
  # The root of the CAs below, so that their chains are complete.
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "leaf" {
    certificate = file("certs/leaf.pem") # ERROR: Not a CA certificate
    crl_url     = "http://crl.example.com/leaf.crl"
  }
  certificate_authority "fake_root" {
    certificate = file("certs/issuing.pem")
    type        = "root" # ERROR: Root CA is not self-signed
    crl_url     = "http://crl.example.com/issuing.crl"
  }
  certificate_authority "expired" {
    certificate = file("certs/expired.pem") # ERROR: Certificate authority has expired
    crl_url     = "http://crl.example.com/expired.crl"
  }
  certificate_authority "soon" {
    certificate = file("certs/expiring-10d.pem") # WARNING: Certificate authority expires within 15 days
    crl_url     = "http://crl.example.com/soon.crl"
  }
  certificate_authority "later" {
    certificate = file("certs/expiring-30d.pem") # WARNING: Certificate authority expires within 35 days
    crl_url     = "http://crl.example.com/later.crl"
  }
  certificate_authority "big" {
    certificate = file("certs/big.pem") # ERROR: Certificate too large
    crl_url     = "http://crl.example.com/big.crl"
  }
  certificate_authority "ldap" {
    certificate = file("certs/partner.pem")
    crl_url     = "ldap://crl.example.com/cn=partner" # ERROR: Invalid CRL URL
  }
  certificate_authority "relative" {
    certificate   = file("certs/partner-issuing.pem")
    crl_url       = "http://crl.example.com/partner-issuing.crl"
    delta_crl_url = "/delta.crl" # ERROR: Invalid CRL URL
  }
  certificate_authority "delta_only" {
    certificate   = file("certs/issuing-2.pem")
    delta_crl_url = "http://crl.example.com/delta.crl" # ERROR: Delta CRL without a base CRL
  }
  certificate_authority "no_crl" {
    certificate = filebase64("certs/issuing-3.der") # WARNING: Certificate authority without CRL
  }
}
