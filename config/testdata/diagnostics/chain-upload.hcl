# Trust-chain findings about the CAs of an upload bundle are combined into
# one diagnostic per kind, at the bundle's file.
pki "orphans" {
  upload {
    url  = "http://pki.example.com/orphans.p7b"
    file = "certs/chain-orphans.p7b" # ERROR: Issuing CA not in the trust store # WARNING: Certificate authority without CRL
  }
}

# Graph gives each uploaded CA the first HTTP CRL distribution point of its
# certificate as its CRL URL: the parent's CRL.
pki "cdp" {
  upload {
    url  = "http://pki.example.com/cdp.p7b"
    file = "certs/chain-cdp.p7b" # WARNING: CRL URL is probably the parent CA's CRL # WARNING: Certificate authority without CRL
  }
}
