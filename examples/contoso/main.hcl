# Contoso's certificate-based authentication (CBA), managed by cbactl.
#
# Two PKI containers form the trust store: Contoso's own PKI (a root and two
# issuing CAs) and the PKI of Fabrikam, a partner whose contractors sign in
# with Fabrikam-issued smart cards. Because the configuration declares pki
# blocks, the trust store is authoritative: any CA added to the tenant by hand
# shows up in `cbactl plan` for deletion.
#
# The certificates under certs/ are made by `go run ./examples/contoso/gen`.

tenant {
  id    = "4a6f2c1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b"
  cloud = "global"
}

variable "crl_host" {
  type        = string
  default     = "http://crl.contoso.com"
  description = "Base URL of Contoso's CRL distribution point"

  validation {
    condition     = can(regex("^http://", var.crl_host))
    error_message = "Entra recommends plain HTTP for CRL downloads: crl_host must start with http://."
  }
}

locals {
  contoso_issuing   = certificate("certs/contoso-issuing.pem")
  contoso_smartcard = certificate("certs/contoso-smartcard.pem")
  fabrikam_root     = certificate("certs/fabrikam-root.pem")
  fabrikam_issuing  = certificate("certs/fabrikam-issuing.pem")

  # Contoso's smart-card issuance policy (PIV-equivalent assurance).
  piv_policy = "1.3.6.1.4.1.311.21.8.7587021.751874.11953646.1.402"
}

pki "contoso" {
  display_name = "Contoso PKI"

  certificate_authority "root" {
    certificate  = file("certs/contoso-root.pem")
    type         = "root"
    crl_url      = "${var.crl_host}/contoso-root.crl"
    display_name = "Contoso Root CA"
  }

  certificate_authority "issuing" {
    certificate   = file("certs/contoso-issuing.pem")
    type          = "intermediate"
    crl_url       = "${var.crl_host}/contoso-issuing.crl"
    delta_crl_url = "${var.crl_host}/contoso-issuing-delta.crl"
    issuer_hint   = true
  }

  certificate_authority "smartcard" {
    certificate = file("certs/contoso-smartcard.pem")
    type        = "intermediate"
    crl_url     = "${var.crl_host}/contoso-smartcard.crl"
    issuer_hint = true
  }
}

pki "fabrikam" {
  display_name = "Fabrikam Partner PKI"

  # Fabrikam publishes no CRL for its offline root; the root is exempted from
  # CRL validation below.
  certificate_authority "root" {
    certificate = file("certs/fabrikam-root.pem")
  }

  certificate_authority "issuing" {
    certificate = file("certs/fabrikam-issuing.pem")
    crl_url     = "http://pki.fabrikam.com/crl/fabrikam-issuing.crl"
    issuer_hint = true
  }
}

x509_certificate {
  state        = "enabled"
  issuer_hints = true

  include_target {
    group = "CBA Users"
  }
  include_target {
    group                 = "Fabrikam Contractors"
    registration_required = false
  }
  exclude_target {
    group = "Break Glass Accounts"
  }

  authentication_mode {
    default_mode     = "single_factor"
    default_affinity = "low"

    # Every Contoso smart card satisfies MFA.
    rule "smartcard" {
      issuer = local.contoso_smartcard.subject
      mode   = "multi_factor"
    }

    # Certificates carrying the PIV policy satisfy MFA from any issuer, and
    # must then match a high-affinity username binding.
    rule "piv" {
      policy_oid = local.piv_policy
      mode       = "multi_factor"
      affinity   = "high"
    }

    # Fabrikam contractors get MFA only with Fabrikam's smart-card policy.
    rule "contractors" {
      issuer     = local.fabrikam_issuing.subject
      policy_oid = "1.3.6.1.4.1.99999.1.2"
      mode       = "multi_factor"
      affinity   = "high"
    }
  }

  username_binding {
    certificate_field = "PrincipalName"
    user_attribute    = "userPrincipalName"
    priority          = 1
  }
  username_binding {
    certificate_field = "IssuerAndSerialNumber"
    user_attribute    = "certificateUserIds"
    priority          = 2
  }
  username_binding {
    certificate_field = "SubjectKeyIdentifier"
    user_attribute    = "certificateUserIds"
    priority          = 3
  }

  crl_validation {
    required    = true
    exempt_skis = [local.fabrikam_root.subject_key_identifier]
  }

  certificate_authority_scope {
    certificate_authority = "pki.fabrikam.certificate_authority.issuing"
    groups                = ["Fabrikam Contractors"]
  }
}
