package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TokenTenantID returns the tid claim of a JWT access token: the tenant
// that issued it, which is the tenant Graph serves with it. The token is
// decoded, not verified (Graph verifies it); "" when it is not a JWT or has
// no tid. Nothing of the token is ever logged or returned but the claim.
func TokenTenantID(token string) string {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		TID string `json:"tid"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return strings.TrimSpace(claims.TID)
}

// tidCredential remembers the tid claim of the last token its credential
// returned.
type tidCredential struct {
	azcore.TokenCredential
	mu  sync.Mutex
	tid string
}

func (c *tidCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.TokenCredential.GetToken(ctx, opts)
	if err == nil {
		if tid := TokenTenantID(tok.Token); tid != "" {
			c.mu.Lock()
			c.tid = tid
			c.mu.Unlock()
		}
	}
	return tok, err
}

func (c *tidCredential) tenant() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tid
}
