variable "required" { # ERROR: No value for required variable
  type = string
}

variable "port" {
  type    = number
  default = "eighty" # ERROR: Invalid default value for variable
}

variable "host" {
  type    = string
  default = "ftp://crl.example.com"
  validation {
    condition     = startswith(var.host, "http") # ERROR: Call to unknown function
    error_message = "must be http"
  }
  validation {
    condition     = can(regex("^http://", var.host)) # ERROR: Invalid value for variable
    error_message = "crl host must use http://"
  }
}

locals {
  a = local.b # ERROR: Cycle in local values
  b = local.a
  c = local.nope # ERROR: Reference to undeclared local value
}

tenant {
  id     = "not-a-guid" # ERROR: Invalid tenant id
  region = "eu" # ERROR: Unsupported argument
}

pki "p" {
  display_name = ["a list"] # ERROR: Incorrect attribute value type
  certificate_authority "no_cert" { # ERROR: Missing required argument
    crl_url = "http://crl.example.com/x.crl"
  }
  certificate_authority "bad name!" { # ERROR: Invalid name
    certificate = file("certs/root.pem")
  }
  certificate_authority "missing" {
    certificate = file("certs/does-not-exist.pem") # ERROR: Invalid function argument
  }
}

trust_store { # ERROR: Unsupported block type
}

test "smoke" {
  certificate = "certs/user.pem"
  crl         = ["certs/issuing.crl"]
  expect {
    trusted  = true
    mode     = "multi_factor"
    rule     = "x509_certificate.rule.missing"
    bindings = ["PrincipalName", "UPN"] # ERROR: Invalid bindings
  }
}
