package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeQuickstart runs the README's Quickstart: its configuration,
// with the example's CA certificates, must validate with exactly the output
// the README shows, and so must the variant without the root CA's crl_url.
func TestReadmeQuickstart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)\n   ```(hcl)?\n(.*?)\n   ```\n").FindAllStringSubmatch(string(readme), -1)
	unindent := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(l, "   ")
		}
		return strings.Join(lines, "\n") + "\n"
	}
	var config, success, warning string
	for i, b := range blocks {
		if b[1] == "hcl" && strings.Contains(b[2], `pki "contoso"`) && i+2 < len(blocks) {
			config, success, warning = unindent(b[2]), unindent(blocks[i+1][2]), unindent(blocks[i+2][2])
			break
		}
	}
	if config == "" {
		t.Fatal("no Quickstart configuration in README.md")
	}

	dir := t.TempDir()
	files := map[string][]byte{"cba/main.hcl": []byte(config)}
	for name, src := range map[string]string{"root.pem": "contoso-root.pem", "issuing.pem": "contoso-issuing.pem"} {
		data, err := os.ReadFile(filepath.Join("../../examples/contoso/certs", src))
		if err != nil {
			t.Fatal(err)
		}
		files["cba/certs/"+name] = data
	}
	writeFiles(t, dir, files)
	t.Chdir(dir)

	code, out, errOut := run(t, "validate", "--chdir", "cba")
	if code != 0 || out != success || errOut != "" {
		t.Errorf("validate: exit %d\nstdout:\n%s\nstderr:\n%s\nREADME shows:\n%s", code, out, errOut, success)
	}
	code, out, _ = run(t, "fmt", "--check", "cba")
	if code != 0 || out != "" {
		t.Errorf("the Quickstart configuration is not formatted: exit %d\n%s", code, out)
	}

	noCRL := regexp.MustCompile(`(?m)^    crl_url     = "http://crl.contoso.com/root.crl"\n`)
	if !noCRL.MatchString(config) {
		t.Fatal("the Quickstart's root CA has no crl_url line")
	}
	writeFiles(t, dir, map[string][]byte{"cba/main.hcl": []byte(noCRL.ReplaceAllString(config, ""))})
	code, out, errOut = run(t, "validate", "--chdir", "cba")
	if code != 0 || out != "Success! The configuration is valid, with 1 warning.\n" || errOut != warning+"\n" {
		t.Errorf("validate without crl_url: exit %d\nstdout:\n%s\nstderr:\n%s\nREADME shows:\n%s", code, out, errOut, warning)
	}
}
