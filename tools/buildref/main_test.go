package main

import (
	"bytes"
	"testing"
)

func TestEvaluateOffline(t *testing.T) {
	var out bytes.Buffer
	cmd := command(&out)
	cmd.SetArgs([]string{"--offline", "testdata/sample.hcl"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := `issuers = cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")})
name = cty.StringVal("CONTOSO")
summary = cty.StringVal("contoso has 3 issuers")
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
