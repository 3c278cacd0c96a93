pki "p" {
  certificate_authority "root" {
    certificate = file("certs/with-key.pem") # ERROR: Invalid function argument
    crl_url     = "http://crl.example.com/root.crl"
  }
}
