authentication_strength "s0" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s1" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s2" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s3" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s4" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s5" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s6" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s7" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s8" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s9" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s10" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s11" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s12" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s13" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s14" {
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "s15" { # ERROR: Too many authentication strengths
  allowed_combinations = ["x509CertificateMultiFactor"]
}

authentication_strength "gone" {
  allowed_combinations = ["x509CertificateMultiFactor"]
  ensure               = "absent"
}
