# Trust-chain completeness: Entra builds a certificate's chain by matching
# each authority key identifier (AKI) to a declared CA's subject key
# identifier (SKI), up to a root, across every PKI of the trust store.
pki "complete" {
  certificate_authority "root" {
    certificate = file("certs/root.pem")
    crl_url     = "http://crl.example.com/root.crl"
  }
  # Its certificate's CRL distribution point names the root's CRL, and its
  # crl_url its own CRL: as it should be.
  certificate_authority "issuing" {
    certificate = file("certs/issuing.pem")
    crl_url     = "http://crl.example.com/issuing.crl"
  }
  certificate_authority "no_aki" {
    certificate = file("certs/chain-no-aki.pem") # WARNING: CA without authority key identifier
    crl_url     = "http://crl.example.com/no-aki.crl"
  }
  certificate_authority "no_ski" {
    certificate = file("certs/chain-no-ski.pem") # WARNING: CA without subject key identifier
    crl_url     = "http://crl.example.com/no-ski.crl"
  }
  # Issued by no_ski, which has the right name but no SKI to match.
  certificate_authority "under_no_ski" {
    certificate = file("certs/chain-under-no-ski.pem") # ERROR: Issuing CA not in the trust store
    crl_url     = "http://crl.example.com/under-no-ski.crl"
  }
  # crl_url copied from the certificate's own CRL distribution point.
  certificate_authority "cdp" {
    certificate = file("certs/chain-cdp.pem") # WARNING: CRL URL is probably the parent CA's CRL
    crl_url     = "http://crl.example.com/fixture-root.crl"
  }
  # crl_url copied from the issuer's.
  certificate_authority "issuers_crl" {
    certificate = file("certs/issuing-2.pem") # WARNING: CRL URL is probably the parent CA's CRL
    crl_url     = "http://crl.example.com/root.crl"
  }
  certificate_authority "aki_is_ski" {
    certificate = file("certs/chain-aki-is-ski.pem") # WARNING: Intermediate CA with authority key identifier equal to its subject key identifier
    crl_url     = "http://crl.example.com/aki-is-ski.crl"
  }
}

pki "partner" {
  # Issued by Partner Root, which is not declared.
  certificate_authority "issuing" {
    certificate = file("certs/partner-issuing.pem") # ERROR: Issuing CA not in the trust store
    crl_url     = "http://crl.example.com/partner-issuing.crl"
  }
  # Their root is not declared: both chains end at the missing root.
  certificate_authority "orphan_issuing" {
    certificate = file("certs/chain-orphan-issuing.pem") # ERROR: Issuing CA not in the trust store
    crl_url     = "http://crl.example.com/orphan-issuing.crl"
  }
  certificate_authority "orphan_sub" {
    certificate = file("certs/chain-orphan-sub.pem") # ERROR: Issuing CA not in the trust store
    crl_url     = "http://crl.example.com/orphan-sub.crl"
  }
}

pki "odd" {
  certificate_authority "root" {
    certificate = file("certs/chain-root-aki.pem") # ERROR: Root CA authority key identifier differs from its subject key identifier
    crl_url     = "http://crl.example.com/odd-root.crl"
  }
  # A self-signed certificate declared as an intermediate.
  certificate_authority "self_signed" {
    certificate = file("certs/root-2.pem") # WARNING: Intermediate CA with authority key identifier equal to its subject key identifier
    type        = "intermediate"
    crl_url     = "http://crl.example.com/root-2.crl"
  }
  # Two CAs that issued each other, and no root.
  certificate_authority "cycle_a" {
    certificate = file("certs/chain-cycle-a.pem") # ERROR: Trust chain does not reach a root CA
    crl_url     = "http://crl.example.com/cycle-a.crl"
  }
  certificate_authority "cycle_b" {
    certificate = file("certs/chain-cycle-b.pem") # ERROR: Trust chain does not reach a root CA
    crl_url     = "http://crl.example.com/cycle-b.crl"
  }
}
