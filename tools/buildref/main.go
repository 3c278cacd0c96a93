// Command buildref is the reference program of issue 12's build acceptance:
// the smallest honest Graph CLI of cbactl's design, linking everything such a
// CLI needs and nothing cbactl adds on top. It reads an HCL file whose
// expressions may call the cty standard library's functions (hclparse,
// hclsyntax, cty/function/stdlib), is a cobra command, authenticates with
// azidentity's DefaultAzureCredential and sends one Graph request through a
// Kiota request adapter built by msgraph-sdk-go-core with its default Graph
// middleware and kiota-authentication-azure-go's provider.
//
// measure.sh builds it and cbactl cold, back to back, and compares build time
// and binary size. cbactl never links it (a main package cannot be
// imported).
//
//	buildref [--offline] FILE.hcl
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	abs "github.com/microsoft/kiota-abstractions-go"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

func main() {
	if err := command(os.Stdout).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func command(out io.Writer) *cobra.Command {
	var offline bool
	cmd := &cobra.Command{
		Use:           "buildref [--offline] FILE.hcl",
		Short:         "Evaluate an HCL file's attributes, then read the tenant's organization from Microsoft Graph",
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			attrs, err := evaluate(args[0])
			if err != nil {
				return err
			}
			names := make([]string, 0, len(attrs))
			for n := range attrs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(out, "%s = %s\n", n, attrs[n].GoString())
			}
			if offline {
				return nil
			}
			body, err := organization(cmd.Context())
			if err != nil {
				return err
			}
			_, err = out.Write(append(body, '\n'))
			return err
		},
	}
	cmd.Flags().BoolVar(&offline, "offline", false, "only evaluate the file")
	return cmd
}

// functions is a sample of the cty standard library, as an HCL
// configuration language offers it.
var functions = map[string]function.Function{
	"upper":      stdlib.UpperFunc,
	"lower":      stdlib.LowerFunc,
	"join":       stdlib.JoinFunc,
	"split":      stdlib.SplitFunc,
	"format":     stdlib.FormatFunc,
	"concat":     stdlib.ConcatFunc,
	"length":     stdlib.LengthFunc,
	"distinct":   stdlib.DistinctFunc,
	"sort":       stdlib.SortFunc,
	"merge":      stdlib.MergeFunc,
	"regex":      stdlib.RegexFunc,
	"jsonencode": stdlib.JSONEncodeFunc,
	"jsondecode": stdlib.JSONDecodeFunc,
}

// evaluate parses an HCL file and evaluates its top-level attributes.
func evaluate(path string) (map[string]cty.Value, error) {
	p := hclparse.NewParser()
	f, diags := p.ParseHCLFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		return nil, diags
	}
	ctx := &hcl.EvalContext{Functions: functions}
	out := map[string]cty.Value{}
	for name, a := range attrs {
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		out[name] = v
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return out, nil
}

// organization GETs /organization through the Graph runtime: azidentity's
// default chain, the Azure authentication provider, the Graph middleware.
func organization(ctx context.Context) ([]byte, error) {
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, err
	}
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopes(cred, []string{"https://graph.microsoft.com/.default"})
	if err != nil {
		return nil, err
	}
	opts := core.GraphClientOptions{}
	client := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(http.DefaultTransport, core.GetDefaultMiddlewaresWithOptions(&opts)...),
		Timeout:   100 * time.Second,
	}
	adapter, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, opts, nil, nil, client)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl("https://graph.microsoft.com/v1.0")
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.GET, "{+baseurl}/organization{?%24select}", map[string]string{})
	ri.QueryParameters["%24select"] = "id,displayName"
	ri.Headers.Add("Accept", "application/json")
	v, err := adapter.SendPrimitive(ctx, ri, "[]byte", nil)
	if err != nil {
		return nil, err
	}
	b, ok := v.([]byte)
	if !ok {
		return nil, errors.New("Graph returned no body")
	}
	return b, nil
}
