pki "huge" { # ERROR: Too many certificate authorities
  upload {
    url  = "https://pki.example.com/huge.p7b"
    file = "certs/bundle-251.p7b" # WARNING: Certificate authority without CRL # ERROR: Issuing CA not in the trust store
  }
}
