package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/internal/pki"
)

// --- cert userids ---

type certUserIDsOptions struct {
	json bool
}

func newCertUserIDsCmd(env *Env) *cobra.Command {
	o := &certUserIDsOptions{}
	cmd := &cobra.Command{
		Use:   "userids [--json] FILE",
		Short: "Print the certificateUserIds values a user certificate maps to",
		Long: `Userids prints, for each certificate field a username binding can use, the value to store
in a user's certificateUserIds attribute so that the binding matches the certificate in FILE
(PEM or DER, exactly one certificate; "-" reads standard input).

Distinguished names are written in the certificate's encoded order (most general RDN first,
"DC=com,DC=contoso,…,CN=…"), with no space after the commas, as Entra expects them.

The serial number in IssuerAndSerialNumber follows Entra's documentation: the serial's bytes
in reverse order (little-endian), lower-case hex. Microsoft's Entra PowerShell module writes
the serial big-endian instead; the text output shows that form too, as an alternative.
A serial whose top bit is set keeps the zero byte that its DER encoding (and Windows) puts in
front of it: serial 0x8001 is written 018000 (big-endian alternative 008001).

A field the certificate lacks (no UPN or e-mail address in the subject alternative names, no
subject key identifier) has no value; --json leaves its key out.`,
		Example: `  cbactl cert userids ann.pem
  cbactl cert userids --json ann.cer | jq -r '.IssuerAndSerialNumber'`,
		Args: fileArgs(1, 1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runCertUserIDs(env, o, args[0])
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON object: certificate field → certificateUserIds value")
	return cmd
}

func runCertUserIDs(env *Env, o *certUserIDsOptions, path string) error {
	data, err := readCertFile(env, path)
	if err != nil {
		return err
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		if !pki.IsKind(err, pki.ErrPrivateKey) {
			if certs, err2 := pki.ParseCertificates(data); err2 == nil && len(certs) > 1 {
				return fmt.Errorf("%s holds %d certificates; userids needs exactly one user certificate (list them with `cbactl cert inspect %s`)",
					displayName(path), len(certs), path)
			}
		}
		return fmt.Errorf("%s: %w", displayName(path), err)
	}
	if c.BasicConstraintsValid && c.IsCA {
		fmt.Fprintf(env.Err, "Warning: %s is a CA certificate; certificateUserIds values identify user certificates.\n", displayName(path))
	}
	ids := pki.CertificateUserIDs(c)
	if o.json {
		// An object in the contract's field order; absent fields are left out.
		var b strings.Builder
		b.WriteString("{")
		first := true
		for _, f := range pki.UserIDFields {
			v, ok := ids[f]
			if !ok {
				continue
			}
			if !first {
				b.WriteString(",")
			}
			first = false
			key, _ := json.Marshal(f)
			val := jsonString(v)
			fmt.Fprintf(&b, "\n  %s: %s", key, val)
		}
		if !first {
			b.WriteString("\n")
		}
		b.WriteString("}\n")
		_, err := io.WriteString(env.Out, b.String())
		return err
	}
	writeUserIDsText(env.Out, c, ids)
	return nil
}

// jsonString encodes s as a JSON string without HTML escaping.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func writeUserIDsText(w io.Writer, c *x509.Certificate, ids map[string]string) {
	width := 0
	for _, f := range pki.UserIDFields {
		width = max(width, len(f))
	}
	for _, f := range pki.UserIDFields {
		v, ok := ids[f]
		if !ok {
			v = "(absent: " + absentReason(c, f) + ")"
		}
		fmt.Fprintf(w, "%-*s  %s\n", width, f, v)
	}
	if upns := pki.UPNs(c); len(upns) > 1 {
		fmt.Fprintf(w, "\nThe certificate has %d UPNs; PrincipalName uses the first.\n", len(upns))
	}
	if n := len(c.EmailAddresses); n > 1 {
		fmt.Fprintf(w, "\nThe certificate has %d e-mail addresses; RFC822Name uses the first.\n", n)
	}
	if alt := pki.IssuerAndSerialNumberBigEndian(c); alt != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Alternative IssuerAndSerialNumber, serial big-endian (as Microsoft's Entra PowerShell module")
		fmt.Fprintln(w, "writes it; the value above follows Entra's documentation, which reverses the serial's bytes):")
		if alt == ids[pki.FieldIssuerAndSerialNumber] {
			fmt.Fprintf(w, "%s  (the same: the serial reads the same in both byte orders)\n", alt)
		} else {
			fmt.Fprintln(w, alt)
		}
	}
}

func absentReason(c *x509.Certificate, field string) string {
	switch field {
	case pki.FieldPrincipalName:
		return "the certificate has no UPN (otherName 1.3.6.1.4.1.311.20.2.3) in its subject alternative names"
	case pki.FieldRFC822Name:
		return "the certificate has no e-mail address (rfc822Name) in its subject alternative names"
	case pki.FieldSubjectKeyIdentifier:
		return "the certificate has no subject key identifier extension"
	case pki.FieldSubject:
		return "the certificate has an empty subject"
	case pki.FieldIssuerAndSubject:
		if pki.SubjectDN(c, pki.EncodedOrder) == "" {
			return "the certificate has an empty subject"
		}
		return "the certificate has an empty issuer"
	case pki.FieldIssuerAndSerialNumber:
		return "the certificate has an empty issuer"
	default:
		return "the certificate has no such field"
	}
}
