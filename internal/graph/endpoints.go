package graph

import (
	"strconv"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// The Graph operations cbactl uses, in one place: each is an HTTP method and
// an RFC 6570 URL template below the base URL ({+baseurl}, Kiota's), with
// its path parameters in braces and the query options it may carry. Kiota's
// abstractions expand the template, so ids are percent-encoded and query
// options spelled exactly as Graph's SDKs spell them ($top, $select, ...).
// graph-api.md and Graph's v1.0 reference document each URL; endpoints_test
// checks them.
type endpoint struct {
	method   abs.HttpMethod
	template string
}

const (
	x509Path         = "{+baseurl}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate"
	pkisPath         = "{+baseurl}/directory/publicKeyInfrastructure/certificateBasedAuthConfigurations"
	pkiPath          = pkisPath + "/{pkiId}"
	casPath          = pkiPath + "/certificateAuthorities"
	caPath           = casPath + "/{caId}"
	strengthsPath    = "{+baseurl}/policies/authenticationStrengthPolicies"
	strengthItemPath = strengthsPath + "/{strengthId}"
	configsPath      = strengthItemPath + "/combinationConfigurations"
)

var (
	// The x509Certificate authentication method configuration.
	getX509   = endpoint{abs.GET, x509Path}
	patchX509 = endpoint{abs.PATCH, x509Path}

	// The trust store: PKI containers and their certificate authorities.
	listPKIs  = endpoint{abs.GET, pkisPath + "{?%24top}"}
	createPKI = endpoint{abs.POST, pkisPath}
	getPKI    = endpoint{abs.GET, pkiPath}
	patchPKI  = endpoint{abs.PATCH, pkiPath}
	deletePKI = endpoint{abs.DELETE, pkiPath}
	uploadPKI = endpoint{abs.POST, pkiPath + "/upload"}
	listCAs   = endpoint{abs.GET, casPath + "{?%24top}"}
	createCA  = endpoint{abs.POST, casPath}
	patchCA   = endpoint{abs.PATCH, caPath}
	deleteCA  = endpoint{abs.DELETE, caPath}

	// The tenant, its classic trust store and groups.
	listOrganizations = endpoint{abs.GET, "{+baseurl}/organization{?%24select}"}
	getLegacy         = endpoint{abs.GET, "{+baseurl}/organization/{organizationId}/certificateBasedAuthConfiguration"}
	listGroups        = endpoint{abs.GET, "{+baseurl}/groups{?%24filter,%24select,%24top}"}
	getGroup          = endpoint{abs.GET, "{+baseurl}/groups/{groupId}{?%24select}"}

	// Authentication strengths and their combination configurations.
	listStrengths        = endpoint{abs.GET, strengthsPath}
	createStrength       = endpoint{abs.POST, strengthsPath}
	patchStrength        = endpoint{abs.PATCH, strengthItemPath}
	deleteStrength       = endpoint{abs.DELETE, strengthItemPath}
	updateAllowedCombos  = endpoint{abs.POST, strengthItemPath + "/updateAllowedCombinations"}
	getStrengthUsage     = endpoint{abs.GET, strengthItemPath + "/usage()"}
	listStrengthConfigs  = endpoint{abs.GET, configsPath}
	createStrengthConfig = endpoint{abs.POST, configsPath}
	patchStrengthConfig  = endpoint{abs.PATCH, configsPath + "/{configId}"}
	deleteStrengthConfig = endpoint{abs.DELETE, configsPath + "/{configId}"}

	// Users' certificateUserIds: the paged read, a user's PATCH, and the
	// JSON $batch the PATCHes go through.
	listUsers = endpoint{abs.GET, "{+baseurl}/users{?%24select,%24top}"}
	patchUser = endpoint{abs.PATCH, "{+baseurl}/users/{userId}"}
	postBatch = endpoint{abs.POST, "{+baseurl}/$batch"}
)

// query holds the OData query options of a request; zero values are left
// out.
type query struct {
	filter string
	fields []string
	top    int32
}

// params names the path parameters of a request ("pkiId": id, ...).
type params map[string]string

// request is a request to endpoint e with its path parameters, query
// options and JSON body (nil: none). Every request asks for JSON.
func (e endpoint) request(p params, q query, body []byte) *abs.RequestInformation {
	path := make(map[string]string, len(p)+1)
	for k, v := range p {
		path[k] = v
	}
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(e.method, e.template, path)
	if q.filter != "" {
		ri.QueryParameters["%24filter"] = q.filter
	}
	if len(q.fields) > 0 {
		list := make([]any, len(q.fields))
		for i, s := range q.fields {
			list[i] = s
		}
		ri.QueryParametersAny["%24select"] = list
	}
	if q.top > 0 {
		ri.QueryParameters["%24top"] = strconv.FormatInt(int64(q.top), 10)
	}
	ri.Headers.TryAdd("Accept", "application/json")
	if body != nil {
		ri.SetStreamContentAndContentType(body, "application/json")
	}
	return ri
}
