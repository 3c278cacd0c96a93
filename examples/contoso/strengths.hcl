# Conditional Access authentication strengths. The HR apps' Conditional Access
# policy requires this strength: only Contoso smart cards with the PIV
# issuance policy satisfy it. Naming the issuer by its certificate keeps the
# strength in step with the trust store: when the smart card CA is renewed
# with a new key, the SKI here changes with it.
authentication_strength "piv_smart_card" {
  display_name         = "Contoso PIV smart card"
  description          = "Contoso smart cards with the PIV issuance policy"
  allowed_combinations = ["x509CertificateMultiFactor"]

  x509_certificate {
    applies_to          = ["x509CertificateMultiFactor"]
    allowed_issuer_skis = [local.contoso_smartcard.subject_key_identifier]
    allowed_policy_oids = [local.piv_policy]
  }
}
