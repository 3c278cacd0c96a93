pki "hints" {
  # The root of the CAs below, so that their chains are complete.
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "a" {
    certificate = file("certs/long-subject-1.pem")
    crl_url     = "http://crl.example.com/1.crl"
    issuer_hint = true
  }
  certificate_authority "b" {
    certificate = file("certs/long-subject-2.pem")
    crl_url     = "http://crl.example.com/2.crl"
    issuer_hint = true
  }
  certificate_authority "c" {
    certificate = file("certs/long-subject-3.pem")
    crl_url     = "http://crl.example.com/3.crl"
    issuer_hint = true
  }
  certificate_authority "d" {
    certificate = file("certs/long-subject-4.pem")
    crl_url     = "http://crl.example.com/4.crl"
    issuer_hint = false
  }
  certificate_authority "e" {
    certificate = file("certs/long-subject-5.pem")
    crl_url     = "http://crl.example.com/5.crl"
    issuer_hint = true # WARNING: Issuer hints too large
  }
}
