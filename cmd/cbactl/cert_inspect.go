package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cbactl/cbactl/internal/jsonout"
	"github.com/cbactl/cbactl/internal/pki"
)

// --- cert inspect ---

type certInspectOptions struct {
	json bool
}

func newCertInspectCmd(env *Env, g *globalOptions) *cobra.Command {
	o := &certInspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect [--json] FILE...",
		Short: "Summarize certificates (PEM, DER or PKCS #7)",
		Long: `Inspect prints every certificate in each FILE: a PEM file (one certificate or a bundle), a DER
certificate, or a PKCS #7 bundle (.p7b, DER or PEM). "-" reads standard input.

For each certificate it shows the attributes of the configuration function certificate()
(subject and issuer as Entra writes them in rules, key identifiers, thumbprint, serial
number, validity, CA and self-signed flags), then the key, signature algorithm, path length,
key usage, extended key usage, certificate policies, CRL distribution points and subject
alternative names, and findings:

  warning  an RSA key shorter than 2048 bits; a SHA-1 (or MD5) signature
  error    a CA that has expired; a CA certificate over Entra's 8 KB (8192 bytes) limit
           per CA object
  warning  a CA that expires within 35 days (the notice Entra gives for expiring
           federation certificates), more urgently within 15 days
  warning  an expired user certificate; a certificate not yet valid; a CA without a subject
           key identifier; a certificate that is not self-signed without an authority key
           identifier (Entra builds chains by key identifier)

Files that cannot be read or parsed are reported and skipped; the exit status is then 1, as
it is for a file that holds a private key (which is never printed), and for any error
finding. Warnings do not change the exit status.

--json prints an array with one object per certificate: the keys of certificate(), plus
file (the FILE argument), index (1-based, within the file), path_length, key_type,
key_bits, key_curve, signature_algorithm, key_usage, extended_key_usage, policies,
crl_distribution_points, sans {upn, email, dns, uri, ip} and findings [{severity, message}].`,
		Example: `  cbactl cert inspect certs/contoso-root.pem
  cbactl cert inspect certs/*.pem certs/FabrikamPKI.p7b
  cbactl cert inspect --json certs/FabrikamPKI.p7b | jq -r '.[] | [.thumbprint, .subject] | @tsv'`,
		Args: fileArgs(1, -1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runCertInspect(env, g, o, args)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON array, one object per certificate")
	return cmd
}

// inspected is one certificate of one file.
type inspected struct {
	file  string
	index int // 1-based within the file
	in    pki.Inspection
}

func runCertInspect(env *Env, g *globalOptions, o *certInspectOptions, paths []string) error {
	now := env.Now()
	var all []inspected
	failed := false
	for _, path := range paths {
		data, err := readCertFile(env, path)
		if err != nil {
			fmt.Fprintf(env.Err, "Error: %s\n", err)
			failed = true
			continue
		}
		certs, err := pki.ParseCertificates(data)
		if err != nil {
			fmt.Fprintf(env.Err, "Error: %s: %s\n", displayName(path), err)
			failed = true
			continue
		}
		for i, c := range certs {
			in := pki.Inspect(c, now)
			for _, f := range in.Findings {
				failed = failed || f.Severity == pki.SeverityError
			}
			all = append(all, inspected{file: path, index: i + 1, in: in})
		}
	}
	var err error
	if o.json {
		out := make([]inspectJSON, 0, len(all))
		for _, x := range all {
			out = append(out, toInspectJSON(x))
		}
		err = jsonout.Write(env.Out, out)
	} else {
		color := env.color(g.noColor)
		for i, x := range all {
			if i > 0 {
				fmt.Fprintln(env.Out)
			}
			writeInspection(env.Out, x, color)
		}
	}
	if err != nil {
		return err
	}
	if failed {
		return exitCode(exitError)
	}
	return nil
}

type inspectJSON struct {
	File  string `json:"file"`
	Index int    `json:"index"`

	// The attributes of certificate() (contract §1), with the same values.
	Subject                string `json:"subject"`
	Issuer                 string `json:"issuer"`
	SubjectKeyIdentifier   string `json:"subject_key_identifier"`
	AuthorityKeyIdentifier string `json:"authority_key_identifier"`
	Thumbprint             string `json:"thumbprint"`
	SHA256                 string `json:"sha256"`
	SerialNumber           string `json:"serial_number"`
	NotBefore              string `json:"not_before"`
	NotAfter               string `json:"not_after"`
	IsCA                   bool   `json:"is_ca"`
	SelfSigned             bool   `json:"self_signed"`

	PathLength            *int          `json:"path_length"`
	KeyType               string        `json:"key_type"`
	KeyBits               int           `json:"key_bits"`
	KeyCurve              *string       `json:"key_curve"`
	SignatureAlgorithm    string        `json:"signature_algorithm"`
	KeyUsage              []string      `json:"key_usage"`
	ExtendedKeyUsage      []string      `json:"extended_key_usage"`
	Policies              []string      `json:"policies"`
	CRLDistributionPoints []string      `json:"crl_distribution_points"`
	SANs                  sansJSON      `json:"sans"`
	Findings              []findingJSON `json:"findings"`
}

type sansJSON struct {
	UPN   []string `json:"upn"`
	Email []string `json:"email"`
	DNS   []string `json:"dns"`
	URI   []string `json:"uri"`
	IP    []string `json:"ip"`
}

type findingJSON struct {
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// nonNil makes empty lists [] rather than null in JSON.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toInspectJSON(x inspected) inspectJSON {
	in := x.in
	j := inspectJSON{
		File:                   x.file,
		Index:                  x.index,
		Subject:                in.Subject,
		Issuer:                 in.Issuer,
		SubjectKeyIdentifier:   in.SubjectKeyIdentifier,
		AuthorityKeyIdentifier: in.AuthorityKeyIdentifier,
		Thumbprint:             in.Thumbprint,
		SHA256:                 in.SHA256,
		SerialNumber:           in.SerialNumber,
		NotBefore:              in.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:               in.NotAfter.UTC().Format(time.RFC3339),
		IsCA:                   in.IsCA,
		SelfSigned:             in.SelfSigned,
		PathLength:             in.PathLength,
		KeyType:                in.KeyType,
		KeyBits:                in.KeyBits,
		SignatureAlgorithm:     in.SignatureAlgorithm,
		KeyUsage:               nonNil(in.KeyUsage),
		ExtendedKeyUsage:       nonNil(in.ExtendedKeyUsage),
		Policies:               nonNil(in.Policies),
		CRLDistributionPoints:  nonNil(in.CRLDistributionPoints),
		SANs: sansJSON{
			UPN:   nonNil(in.SANs.UPN),
			Email: nonNil(in.SANs.Email),
			DNS:   nonNil(in.SANs.DNS),
			URI:   nonNil(in.SANs.URI),
			IP:    nonNil(in.SANs.IP),
		},
		Findings: make([]findingJSON, 0, len(in.Findings)),
	}
	if in.KeyCurve != "" {
		curve := in.KeyCurve
		j.KeyCurve = &curve
	}
	for _, f := range in.Findings {
		j.Findings = append(j.Findings, findingJSON{Severity: string(f.Severity), Message: f.Message})
	}
	return j
}

// inspectLabelWidth aligns the values of the text output.
const inspectLabelWidth = len("authority_key_identifier:")

func writeInspection(w io.Writer, x inspected, color bool) {
	in := x.in
	fmt.Fprintf(w, "%s (#%d)\n", displayName(x.file), x.index)
	line := func(label string, values ...string) {
		if len(values) == 0 {
			values = []string{"(none)"}
		}
		for i, v := range values {
			l := label + ":"
			if i > 0 {
				l = ""
			}
			fmt.Fprintf(w, "  %-*s %s\n", inspectLabelWidth, l, v)
		}
	}
	orNone := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	joined := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return []string{strings.Join(s, ", ")}
	}
	line("subject", orNone(in.Subject)...)
	line("issuer", orNone(in.Issuer)...)
	line("serial_number", in.SerialNumber)
	line("not_before", in.NotBefore.UTC().Format(time.RFC3339))
	line("not_after", in.NotAfter.UTC().Format(time.RFC3339))
	line("thumbprint", in.Thumbprint)
	line("sha256", in.SHA256)
	line("subject_key_identifier", orNone(in.SubjectKeyIdentifier)...)
	line("authority_key_identifier", orNone(in.AuthorityKeyIdentifier)...)
	ca := "false"
	if in.IsCA {
		ca = "true (no path length limit)"
		if in.PathLength != nil {
			ca = fmt.Sprintf("true (path length %d)", *in.PathLength)
		}
	}
	line("is_ca", ca)
	line("self_signed", fmt.Sprint(in.SelfSigned))
	line("key", in.Key())
	line("signature_algorithm", in.SignatureAlgorithm)
	line("key_usage", joined(in.KeyUsage)...)
	line("extended_key_usage", joined(in.ExtendedKeyUsage)...)
	line("policies", joined(in.Policies)...)
	line("crl_distribution_points", in.CRLDistributionPoints...)
	s := in.SANs
	if len(s.UPN)+len(s.Email)+len(s.DNS)+len(s.URI)+len(s.IP) == 0 {
		line("sans")
	}
	for _, kind := range []struct {
		label  string
		values []string
	}{{"sans.upn", s.UPN}, {"sans.email", s.Email}, {"sans.dns", s.DNS}, {"sans.uri", s.URI}, {"sans.ip", s.IP}} {
		if len(kind.values) > 0 {
			line(kind.label, kind.values...)
		}
	}
	for _, f := range in.Findings {
		label, c := "Warning", ansiYellow
		if f.Severity == pki.SeverityError {
			label, c = "Error", ansiRed
		}
		if color {
			fmt.Fprintf(w, "  %s%s%s:%s %s\n", ansiBold, c, label, ansiReset, f.Message)
		} else {
			fmt.Fprintf(w, "  %s: %s\n", label, f.Message)
		}
	}
}
