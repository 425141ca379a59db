package provider

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// metadataEndpoint is the ECS metadata service, the last source of credentials; a string variable
// so that the CLI tests can build the provider with a server of theirs (ldflags -X).
var metadataEndpoint = liveapi.DefaultMetadataEndpoint

// settingEnvs is, for each setting (assume_role's by their path), the environment variables it falls
// back to, in order, when the configuration omits it. The schema's descriptions, resolveConfig and
// the docs' test all read this one table.
var settingEnvs = map[string][]string{
	"region":         {"HW_REGION_NAME"},
	"project_id":     {"HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"},
	"access_key":     {"HW_ACCESS_KEY", "CLOUD_SDK_AK", "HUAWEICLOUD_SDK_AK"},
	"secret_key":     {"HW_SECRET_KEY", "CLOUD_SDK_SK", "HUAWEICLOUD_SDK_SK"},
	"security_token": {"HW_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN"},
	"idp_id":         {"HW_IDP_ID", "HUAWEICLOUD_SDK_IDP_ID"},
	"id_token_file":  {"HW_ID_TOKEN_FILE", "HUAWEICLOUD_SDK_ID_TOKEN_FILE"},
	"endpoint":       {"HW_LIVE_ENDPOINT"},
	"iam_endpoint":   {"HW_IAM_ENDPOINT", "HUAWEICLOUD_SDK_IAM_ENDPOINT"},
	"insecure":       {"HW_INSECURE"},
	"max_retries":    {"HW_MAX_RETRIES"},

	"assume_role.agency_name": {"HW_ASSUME_ROLE_AGENCY_NAME"},
	"assume_role.domain_name": {"HW_ASSUME_ROLE_DOMAIN_NAME"},
	"assume_role.domain_id":   {"HW_ASSUME_ROLE_DOMAIN_ID"},
	"assume_role.duration":    {"HW_ASSUME_ROLE_DURATION"},
}

// EnvironmentVariables lists every environment variable the provider reads by name, sorted: what
// scripts and make test clear so that a developer's own settings never reach a test or the demo. The
// SDK also reads its region overrides, by prefix (EnvironmentPrefix).
func EnvironmentVariables() []string {
	names := []string{envCredentialsFile}
	for _, envs := range settingEnvs {
		names = append(names, envs...)
	}
	slices.Sort(names)
	return names
}

// EnvironmentPrefix starts the names of the SDK's region overrides, such as
// HUAWEICLOUD_SDK_REGION_LIVE_CN_NORTH_4, which change the endpoint of a region.
const EnvironmentPrefix = "HUAWEICLOUD_SDK_REGION_"

// resolveConfig applies the environment fallbacks and reports every missing or invalid setting as an
// error on its attribute, naming its environment variables. A setting whose value is not known until
// apply is returned in unknown, and only what can be checked without it is checked. It sends no
// request. credentials says which kind of credentials is used and where they came from, without a
// secret.
func (p *liveProvider) resolveConfig(config liveProviderModel) (cfg liveapi.Config, unknown []string, credentials string, diags diag.Diagnostics) {
	r := settingsResolver{getenv: p.getenv, isUnknown: map[string]bool{}, metadataEndpoint: p.metadataEndpoint}
	cfg = liveapi.Config{
		Region:         r.string("region", config.Region),
		ProjectID:      r.string("project_id", config.ProjectID),
		AccessKey:      r.string("access_key", config.AccessKey),
		SecretKey:      r.string("secret_key", config.SecretKey),
		SecurityToken:  r.string("security_token", config.SecurityToken),
		IdpID:          r.string("idp_id", config.IdpID),
		IDTokenFile:    r.string("id_token_file", config.IDTokenFile),
		Endpoint:       r.string("endpoint", config.Endpoint),
		IAMEndpoint:    r.string("iam_endpoint", config.IAMEndpoint),
		Insecure:       r.insecure(config.Insecure),
		MaxRetries:     r.maxRetries(config.MaxRetries),
		UserAgent:      "terraform-provider-live/" + p.version,
		RetryBaseDelay: p.retryBaseDelay,
	}
	if r.source["iam_endpoint"] == settingEnvs["iam_endpoint"][1] && !strings.Contains(cfg.IAMEndpoint, "://") {
		cfg.IAMEndpoint = "https://" + cfg.IAMEndpoint // as the SDK reads its own variable
	}
	cfg.AssumeRole = r.assumeRole(config.AssumeRole)
	if !r.diags.HasError() {
		r.chooseCredentials(&cfg)
		r.fromCredentialsFile(&cfg)
		if !r.credentialsNamed() {
			cfg.MetadataEndpoint = r.metadataEndpoint
		}
		r.checkRequired(cfg)
		r.checkEndpoints(cfg)
	}
	// The one place that decides how the client signs in.
	switch {
	case cfg.MetadataEndpoint != "":
		cfg.Method = liveapi.MethodMetadata
		credentials = "the ECS metadata service (the instance's agency)" //nolint:gosec // a description, not a credential
	case cfg.IdpID != "" || cfg.IDTokenFile != "":
		cfg.Method = liveapi.MethodOIDC
		credentials = fmt.Sprintf("OIDC federation (idp_id from %s, id_token_file from %s)", r.source["idp_id"], r.source["id_token_file"])
	default:
		cfg.Method = liveapi.MethodAccessKey
		credentials = fmt.Sprintf("access key (access_key from %s)", r.source["access_key"])
	}
	if cfg.AssumeRole != nil {
		credentials += fmt.Sprintf(", assuming agency %s (agency_name from %s)", cfg.AssumeRole.AgencyName, r.source["assume_role.agency_name"])
	}
	return cfg, r.unknown, credentials, r.diags
}

// settingsResolver resolves the provider's settings one by one, collecting the unknown ones and the
// diagnostics.
type settingsResolver struct {
	getenv    func(string) string
	isUnknown map[string]bool
	unknown   []string
	diags     diag.Diagnostics
	// source of each setting that is set: configurationSource, or the environment variable.
	source           map[string]string
	metadataEndpoint string
}

// configurationSource is the source of a setting given in the provider's configuration.
const configurationSource = "the provider configuration"

func (r *settingsResolver) markUnknown(attr string) {
	r.isUnknown[attr] = true
	r.unknown = append(r.unknown, attr)
}

// string is the configured value, else the first of its environment variables set, else "".
func (r *settingsResolver) string(attr string, value types.String) string {
	return r.stringFrom(attr, value, settingEnvs[attr])
}

// stringFrom is the configured value, else the first of envs set, else "".
func (r *settingsResolver) stringFrom(attr string, value types.String, envs []string) string {
	if value.IsUnknown() {
		r.markUnknown(attr)
		r.setSource(attr, configurationSource)
		return ""
	}
	if !isBlank(value) {
		r.setSource(attr, configurationSource)
		return value.ValueString()
	}
	for _, name := range envs {
		if v := r.getenv(name); v != "" {
			r.setSource(attr, name)
			return v
		}
	}
	return ""
}

func (r *settingsResolver) setSource(attr, source string) {
	if r.source == nil {
		r.source = map[string]string{}
	}
	r.source[attr] = source
}

// isBlank reports a string setting left out: null, or empty (such as a module variable that
// defaults to ""). An unknown value is not blank.
func isBlank(value types.String) bool {
	return value.IsNull() || (!value.IsUnknown() && value.ValueString() == "")
}

func (r *settingsResolver) insecure(value types.Bool) bool {
	env := r.getenv(settingEnvs["insecure"][0])
	switch {
	case value.IsUnknown():
		r.markUnknown("insecure")
	case !value.IsNull():
		return value.ValueBool()
	case env != "":
		parsed, err := strconv.ParseBool(env)
		if err != nil {
			r.diags.AddAttributeError(path.Root("insecure"), "Invalid Live Provider Setting",
				fmt.Sprintf("The %s environment variable must be true or false.", settingEnvs["insecure"][0]))
		}
		return parsed
	}
	return false
}

func (r *settingsResolver) maxRetries(value types.Int64) int {
	env := r.getenv(settingEnvs["max_retries"][0])
	switch {
	case value.IsUnknown():
		r.markUnknown("max_retries")
	case !value.IsNull():
		return int(value.ValueInt64())
	case env != "":
		n, err := strconv.Atoi(env)
		if err != nil || n < 0 || n > 100 {
			r.diags.AddAttributeError(path.Root("max_retries"), "Invalid Live Provider Setting",
				fmt.Sprintf("The %s environment variable must be an integer from 0 to 100.", settingEnvs["max_retries"][0]))
		}
		return n
	}
	return liveapi.DefaultMaxRetries
}

// checkEndpoints checks the endpoint URLs, and that the region chooses an endpoint when none is set.
func (r *settingsResolver) checkEndpoints(cfg liveapi.Config) {
	for _, endpoint := range []struct{ attr, value string }{
		{"endpoint", cfg.Endpoint},
		{"iam_endpoint", cfg.IAMEndpoint},
	} {
		if endpoint.value == "" {
			continue
		}
		if err := liveapi.CheckCallbackURL(endpoint.value); err != nil {
			r.diags.AddAttributeError(path.Root(endpoint.attr), "Invalid Live Provider Setting",
				fmt.Sprintf("The %s %q (from %s) %s.", endpoint.attr, endpoint.value, r.source[endpoint.attr], err))
		}
	}
	switch {
	case cfg.Endpoint != "" || r.isUnknown["endpoint"]:
	case cfg.Region == "":
		if !r.isUnknown["region"] {
			r.diags.AddAttributeError(path.Root("region"), "Missing Live Provider Setting",
				fmt.Sprintf("The provider cannot choose a Live endpoint. Set region (or the %s environment variable) "+
					"to a Live region, or endpoint (or %s) to a Live API base URL.", settingEnvs["region"][0], settingEnvs["endpoint"][0]))
		}
	default:
		if _, err := liveapi.RegionEndpoint(cfg.Region); err != nil {
			r.diags.AddAttributeError(path.Root("region"), "Invalid Live Provider Setting",
				fmt.Sprintf("The region %q (from region or %s) has no known Live endpoint: %s. "+
					"Set endpoint (or %s) to use it.", cfg.Region, settingEnvs["region"][0], err, settingEnvs["endpoint"][0]))
		}
	}
}
