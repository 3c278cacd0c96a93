pki "contoso" {
  display_name = "Contoso PKI"
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
}

pki "copy" {
  display_name = "contoso pki" # ERROR: Duplicate PKI display name
  certificate_authority "same_root" {
    certificate = file("certs/root.pem") # ERROR: Duplicate certificate authority
    crl_url     = "http://crl.example.com/root.crl"
  }
}
