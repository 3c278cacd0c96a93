pki "empty" {
  display_name = "" # ERROR: Invalid display name
}

pki "nul" {
  display_name = "Contoso\u0000PKI" # ERROR: Invalid display name
}

pki "long" {
  display_name = format("%0257d", 0) # ERROR: Invalid display name
}

pki "longest" {
  display_name = format("%0256d", 0)
}

pki "blank" {
  display_name = "   " # ERROR: Invalid display name
}

pki "space" {
  display_name = "  Contoso PKI  "
}

pki "contoso" {
  display_name = "Contoso PKI — Zürich"

  certificate_authority "root" {
    certificate  = file("certs/root.pem")
    crl_url      = "http://crl.example.com/root.crl"
    display_name = "Root\nCA" # ERROR: Invalid display name
  }
}
