pki "p" {
  certificate_authority "pinned" {
    certificate = file("certs/root.pem")
    thumbprint  = "D4DE20D05E66FC53FE1A50882C78DB2852CAE474" # ERROR: Certificate thumbprint mismatch
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "pinned_ok" {
    certificate = file("certs/partner.pem")
    thumbprint  = lower(certificate("certs/partner.pem").thumbprint)
  }
  certificate_authority "garbage" {
    certificate = "not a certificate" # ERROR: Invalid certificate
  }
  certificate_authority "typo" {
    certificate = file("certs/issuing.pem")
    type        = "primary" # ERROR: Invalid type
  }
}

pki "mixed" {
  certificate_authority "root" {
    certificate = file("certs/root-2.pem")
    crl_url     = "http://crl.example.com/root-2.crl"
  }
  upload { # ERROR: Upload and certificate_authority blocks in one PKI
    url  = "https://pki.example.com/bundle.p7b"
    file = "certs/bundle.p7b"
  }
}

pki "not_pkcs7" {
  upload {
    url  = "https://pki.example.com/bundle.p7b"
    file = "certs/root.pem" # ERROR: Upload file is not a PKCS#7 bundle
  }
}
