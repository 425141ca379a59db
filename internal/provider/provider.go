// Package provider implements the Terraform provider "live" for Huawei Cloud Live recording callbacks.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

var _ provider.Provider = (*liveProvider)(nil)

// metadataEndpoint is the ECS metadata service, the last source of credentials; a string variable
// so that the CLI tests can build the provider with a server of theirs (ldflags -X).
var metadataEndpoint = "http://169.254.169.254"

// New returns the provider factory for this version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &liveProvider{version: version, getenv: os.Getenv, metadataEndpoint: metadataEndpoint}
	}
}

type liveProvider struct {
	version string
	getenv  func(string) string
	// retryBaseDelay shortens the backoff in tests; zero means the client's default.
	retryBaseDelay time.Duration
	// metadataEndpoint, the ECS metadata service, gives credentials when nothing else does. Empty (off)
	// in the in-process tests, which must never reach 169.254.169.254; the built binary has it.
	metadataEndpoint string
}

type liveProviderModel struct {
	Region        types.String `tfsdk:"region"`
	ProjectID     types.String `tfsdk:"project_id"`
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
	IdpID         types.String `tfsdk:"idp_id"`
	IDTokenFile   types.String `tfsdk:"id_token_file"`
	Endpoint      types.String `tfsdk:"endpoint"`
	IAMEndpoint   types.String `tfsdk:"iam_endpoint"`
	Insecure      types.Bool   `tfsdk:"insecure"`
	MaxRetries    types.Int64  `tfsdk:"max_retries"`
	AssumeRole    types.Object `tfsdk:"assume_role"`
}

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

func (p *liveProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "live"
	resp.Version = p.version
}

func (p *liveProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Huawei Cloud Live recording callbacks. Every setting can also come from " +
			"an environment variable; a value in the configuration wins over the environment.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				MarkdownDescription: "Region whose Live endpoint to use, such as `cn-north-4`. " + envHint("region") +
					" Not needed when `endpoint` is set.",
				Optional: true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project ID the recording callbacks belong to. When unset, the provider " +
					"discovers the project named after `region` from IAM. " + envHint("project_id"),
				Optional: true,
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "Access key (AK). With `secret_key`, unless `idp_id` and `id_token_file` are used, " +
					"or the credentials come from the SDK's credentials file or the ECS metadata service. " + envHint("access_key"),
				Optional: true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "Secret key (SK). Required with `access_key`. " + envHint("secret_key"),
				Optional:            true,
				Sensitive:           true,
			},
			"idp_id": schema.StringAttribute{
				MarkdownDescription: "ID of the IAM identity provider that federates an OpenID Connect identity, such " +
					"as a CI system's (OIDC federation): used with `id_token_file` instead of `access_key` and " +
					"`secret_key`; IAM exchanges the ID token for temporary credentials, which the provider renews " +
					"before they expire. " + envHint("idp_id"),
				Optional: true,
			},
			"id_token_file": schema.StringAttribute{
				MarkdownDescription: "Path of a file that holds the OpenID Connect ID token (a JWT) for `idp_id`, read " +
					"each time the credentials are renewed. " + envHint("id_token_file"),
				Optional: true,
			},
			"security_token": schema.StringAttribute{
				MarkdownDescription: "Security token of temporary credentials. " + envHint("security_token"),
				Optional:            true,
				Sensitive:           true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Live API base URL, `http://` or `https://`, such as the emulator's " +
					"`http://127.0.0.1:8080`. Overrides the region's default endpoint. " + envHint("endpoint"),
				Optional: true,
			},
			"iam_endpoint": schema.StringAttribute{
				MarkdownDescription: "IAM base URL used to discover `project_id`, for private or test deployments; " +
					"the SDK's IAM endpoint for the region by default. " + envHint("iam_endpoint"),
				Optional: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a failed request is retried: 429, 5xx (the API's "+
					"throttle `LIVE.100011007` included), refused or reset connections and client timeouts, with "+
					"exponential backoff and jitter, honouring `Retry-After`, and never past the operation's "+
					"`timeouts`. Defaults to `%d`. ", liveapi.DefaultMaxRetries) + envHint("max_retries"),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip TLS certificate verification. Defaults to `false`. " + envHint("insecure"),
				Optional:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "An agency to act as, in this account or another: the credentials above (an " +
					"access key, OIDC federation, the credentials file or the metadata service) obtain the agency's temporary credentials from IAM, every Live " +
					"request uses them, and they are renewed before they expire. Each setting also comes from the " +
					"environment.",
				Attributes: map[string]schema.Attribute{
					"agency_name": schema.StringAttribute{
						MarkdownDescription: "Name of the agency. " + envHint("assume_role.agency_name"),
						Optional:            true,
					},
					"domain_name": schema.StringAttribute{
						MarkdownDescription: "Name of the account (domain) that created the agency; this or `domain_id`. " +
							envHint("assume_role.domain_name"),
						Optional: true,
					},
					"domain_id": schema.StringAttribute{
						MarkdownDescription: "ID of the account (domain) that created the agency; this or `domain_name`. " +
							envHint("assume_role.domain_id"),
						Optional: true,
					},
					"duration": schema.Int64Attribute{
						MarkdownDescription: fmt.Sprintf("Life of each set of temporary credentials, in seconds, %d to %d. "+
							"Defaults to `%d`. ", minAgencyDuration, maxAgencyDuration, defaultAgencyDuration) + envHint("assume_role.duration"),
						Optional:   true,
						Validators: []validator.Int64{int64validator.Between(minAgencyDuration, maxAgencyDuration)},
					},
				},
			},
		},
	}
}

// The life of an agency's temporary credentials, in seconds, as IAM allows it.
const (
	minAgencyDuration     = 900
	maxAgencyDuration     = 86400
	defaultAgencyDuration = 3600
)

type assumeRoleModel struct {
	AgencyName types.String `tfsdk:"agency_name"`
	DomainName types.String `tfsdk:"domain_name"`
	DomainID   types.String `tfsdk:"domain_id"`
	Duration   types.Int64  `tfsdk:"duration"`
}

func envHint(attr string) string {
	return "Environment: `" + strings.Join(settingEnvs[attr], "`, then `") + "`."
}

func (p *liveProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config liveProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg, unknown, credentials, diags := p.resolveConfig(config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(unknown) > 0 {
		// During plan, settings may come from resources not applied yet: the client is built once
		// apply knows them. Resources and data sources say what they cannot do until then.
		tflog.Debug(ctx, "Live provider settings are not known until apply", map[string]any{"settings": unknown})
		data := &providerData{unknownSettings: unknown, region: cfg.Region}
		resp.ResourceData, resp.DataSourceData = data, data
		return
	}

	// Ctrl-C cuts the project's discovery, the one request Configure may send.
	client, err := liveapi.New(ctx, cfg)
	if errors.Is(err, liveapi.ErrProjectDiscovery) {
		resp.Diagnostics.AddAttributeError(path.Root("project_id"), "Unable to Discover Live Project ID",
			fmt.Sprintf("%s.\n\nIAM must list exactly one project named %q for these credentials. Set project_id "+
				"in the provider configuration or the %s environment variable.", liveapi.Describe(err), cfg.Region, settingEnvs["project_id"][0]))
		return
	}
	if err != nil {
		if errors.Is(err, liveapi.ErrNoMetadataCredentials) {
			resp.Diagnostics.AddError("No Live Provider Credentials",
				fmt.Sprintf("No credentials are set: not in the provider configuration (access_key and secret_key, or idp_id and "+
					"id_token_file), nor in their environment variables (%s; %s), nor in the SDK's credentials file (%s, "+
					"else ~/.huaweicloud/credentials). The last resort, the ECS metadata service of an instance with an agency, "+
					"failed too: %v.", strings.Join(slices.Concat(settingEnvs["access_key"], settingEnvs["secret_key"]), ", "),
					strings.Join(slices.Concat(settingEnvs["idp_id"], settingEnvs["id_token_file"]), ", "), envCredentialsFile, err))
			return
		}
		if errors.Is(err, liveapi.ErrCredentialsRefused) {
			resp.Diagnostics.AddError("Unable to Obtain Live API Credentials", liveapi.Describe(err))
			return
		}
		var agencyErr *liveapi.AgencyError
		if errors.As(err, &agencyErr) {
			resp.Diagnostics.AddAttributeError(path.Root("assume_role").AtName("agency_name"), "Unable to Assume Agency",
				fmt.Sprintf("IAM did not give the temporary credentials of the agency %q.\n\n%s", agencyErr.Agency, liveapi.Describe(err)))
			return
		}
		resp.Diagnostics.AddError("Unable to Create Live API Client", liveapi.Describe(err))
		return
	}
	tflog.Debug(ctx, "Configured the Live API client", map[string]any{
		"endpoint": cfg.Endpoint, "region": cfg.Region, "project_id": client.ProjectID(), "credentials": credentials,
	})
	data := &providerData{client: client, region: cfg.Region}
	resp.ResourceData, resp.DataSourceData = data, data
}

// defaultTimeout bounds each operation unless a resource's timeouts attribute says otherwise.
const defaultTimeout = 5 * time.Minute

// providerData is what Configure hands to resources and data sources: the client, or, while some
// settings are not known until apply, their names.
type providerData struct {
	client          *liveapi.Client
	unknownSettings []string
	region          string // as configured (HCL or environment), "" when none is
}

// clientFrom takes the client that the provider's Configure hands to resources and data sources; it
// is nil, with the settings not known yet, before apply knows the whole configuration.
func clientFrom(data any, diags interface{ AddError(string, string) }) (*liveapi.Client, []string) {
	if data == nil {
		return nil, nil
	}
	configured, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *providerData, got: %T. Please report this issue to the provider developers.", data))
		return nil, nil
	}
	return configured.client, configured.unknownSettings
}

// notKnownYet explains that some settings of the provider are not known until apply.
func notKnownYet(unknownSettings []string) string {
	switch len(unknownSettings) {
	case 0:
		return "The provider is not configured yet."
	case 1:
		return fmt.Sprintf("The provider's %s is not known until apply.", unknownSettings[0])
	}
	return fmt.Sprintf("The provider's %s are not known until apply.", strings.Join(unknownSettings, ", "))
}

// addNotConfiguredError reports that what needs the Live API cannot run before the provider's
// configuration is known.
func addNotConfiguredError(diags *diag.Diagnostics, unknownSettings []string, what string) {
	diags.AddError("Live Provider Configuration Not Known",
		fmt.Sprintf("%s %s needs the Live API, so it cannot run before then. Apply the resources that the "+
			"provider configuration depends on first (for example with -target), or configure the provider from "+
			"values known at plan time.", notKnownYet(unknownSettings), what))
}

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

// credentialMethods are the two ways of signing in, by their settings.
// A security token belongs to an access key, but alone it names no credentials.
var credentialMethods = [2][]string{{"access_key", "secret_key"}, {"idp_id", "id_token_file"}}

// precedence is the best sourceRank of the attrs that are set; -1 when none is.
func (r *settingsResolver) precedence(attrs []string) int {
	best := -1
	for _, attr := range attrs {
		source, set := r.source[attr]
		if !set {
			continue
		}
		if rank := sourceRank(source); best == -1 || rank < best {
			best = rank
		}
	}
	return best
}

// sourceRank ranks where a setting came from: 0 the configuration, 1 an HW_ variable, 2 the SDK's
// (its variables, the CLOUD_SDK_ ones, its credentials file).
func sourceRank(source string) int {
	switch {
	case source == configurationSource:
		return 0
	case strings.HasPrefix(source, "HW_"):
		return 1
	}
	return 2
}

// chooseCredentials keeps one way of signing in: AK/SK, or OIDC federation (idp_id and
// id_token_file), whichever is set with the higher precedence. Both with the same precedence is an
// error on the attributes.
func (r *settingsResolver) chooseCredentials(cfg *liveapi.Config) {
	keys, federation := r.precedence(credentialMethods[0]), r.precedence(credentialMethods[1])
	switch {
	case keys == -1 || federation == -1:
	case keys == federation:
		describe := func(attrs []string) string {
			var set []string
			for _, attr := range attrs {
				if source, ok := r.source[attr]; ok {
					set = append(set, fmt.Sprintf("%s (from %s)", attr, source))
				}
			}
			return strings.Join(set, ", ")
		}
		r.diags.AddAttributeError(path.Root("idp_id"), "Conflicting Live Provider Credentials",
			fmt.Sprintf("The provider signs in either with an access key (access_key, secret_key) or with "+
				"OIDC federation (idp_id, id_token_file), not both: %s and %s are set. Remove one of them.",
				describe(credentialMethods[0]), describe(credentialMethods[1])))
	case federation < keys:
		cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = "", "", ""
	default:
		cfg.IdpID, cfg.IDTokenFile = "", ""
	}
}

// assumeRole resolves the assume_role block and its environment variables; nil when no agency is set.
func (r *settingsResolver) assumeRole(value types.Object) *liveapi.AssumeRole {
	block := assumeRoleModel{}
	switch {
	case value.IsUnknown():
		// A dynamic block whose for_each is not known yet.
		r.markUnknown("assume_role")
		return nil
	case !value.IsNull():
		r.diags.Append(value.As(context.Background(), &block, basetypes.ObjectAsOptions{})...)
	}
	attribute := path.Root("assume_role").AtName
	role := liveapi.AssumeRole{
		AgencyName: r.string("assume_role.agency_name", block.AgencyName),
		Duration:   defaultAgencyDuration * time.Second,
	}
	// The agency's account is one setting, by name or by ID: the block's, else the environment's.
	nameEnv, idEnv := settingEnvs["assume_role.domain_name"], settingEnvs["assume_role.domain_id"]
	if !isBlank(block.DomainName) || !isBlank(block.DomainID) {
		nameEnv, idEnv = nil, nil
	}
	role.DomainName = r.stringFrom("assume_role.domain_name", block.DomainName, nameEnv)
	role.DomainID = r.stringFrom("assume_role.domain_id", block.DomainID, idEnv)
	_, named := r.source["assume_role.agency_name"]
	_, byName := r.source["assume_role.domain_name"]
	_, byID := r.source["assume_role.domain_id"]
	if !named && !byName && !byID {
		return nil
	}
	switch {
	case !named:
		r.diags.AddAttributeError(attribute("agency_name"), "Missing Live Provider Setting",
			fmt.Sprintf("To assume an agency, set its name: agency_name in the assume_role block or the %s environment variable.", settingEnvs["assume_role.agency_name"][0]))
	case !byName && !byID:
		r.diags.AddAttributeError(attribute("domain_name"), "Missing Live Provider Setting",
			fmt.Sprintf("To assume the agency %q, set the account that created it: domain_name or domain_id in the assume_role "+
				"block, or the %s or %s environment variable.", role.AgencyName, settingEnvs["assume_role.domain_name"][0], settingEnvs["assume_role.domain_id"][0]))
	case byName && byID:
		r.diags.AddAttributeError(attribute("domain_id"), "Conflicting Live Provider Settings",
			fmt.Sprintf("The agency's account is set twice, as domain_name (from %s) and domain_id (from %s): set one of them.",
				r.source["assume_role.domain_name"], r.source["assume_role.domain_id"]))
	}
	env := r.getenv(settingEnvs["assume_role.duration"][0])
	switch {
	case block.Duration.IsUnknown():
		r.markUnknown("assume_role.duration")
	case !block.Duration.IsNull():
		role.Duration = time.Duration(block.Duration.ValueInt64()) * time.Second
	case env != "":
		seconds, err := strconv.Atoi(env)
		if err != nil || seconds < minAgencyDuration || seconds > maxAgencyDuration {
			r.diags.AddAttributeError(attribute("duration"), "Invalid Live Provider Setting",
				fmt.Sprintf("The %s environment variable must be a number of seconds from %d to %d.", settingEnvs["assume_role.duration"][0], minAgencyDuration, maxAgencyDuration))
		}
		role.Duration = time.Duration(seconds) * time.Second
	}
	return &role
}

// checkReadableFile reports why path is not a regular file that can be opened for reading.
func checkReadableFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	return file.Close()
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

// envCredentialsFile names the SDK's credentials file, ~/.huaweicloud/credentials by default.
const envCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE" //nolint:gosec // the name of a variable

// fromCredentialsFile takes the credentials from the SDK's credentials file, read by the SDK, when
// no setting names any: its [basic] section's ak and sk (and security_token), or idp_id and
// id_token_file, with its project_id and iam_endpoint for those left unset.
func (r *settingsResolver) fromCredentialsFile(cfg *liveapi.Config) {
	if r.credentialsNamed() {
		return
	}
	file := r.getenv(envCredentialsFile)
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return
		}
		file = filepath.Join(home, ".huaweicloud", "credentials")
	}
	if _, err := os.Stat(file); err != nil {
		if r.getenv(envCredentialsFile) != "" {
			// Named, yet missing: never fall through to another identity, such as the instance's.
			r.diags.AddError("Invalid Live Provider Credentials File",
				fmt.Sprintf("%s names the credentials file %s, which cannot be read: %v.", envCredentialsFile, file, err))
		}
		return
	}
	fromFile, err := liveapi.ReadCredentialsFile()
	if err != nil {
		r.diags.AddError("Invalid Live Provider Credentials File",
			fmt.Sprintf("No credentials are set, so the provider read the SDK's credentials file %s, which it cannot use: %v. "+
				"Fix its [basic] section (ak and sk, or idp_id and id_token_file), or set credentials.", file, err))
		return
	}
	source := "the SDK's credentials file " + file
	if fromFile.IdpID != "" {
		cfg.IdpID, cfg.IDTokenFile = fromFile.IdpID, fromFile.IDTokenFile
		r.setSource("idp_id", source)
		r.setSource("id_token_file", source)
	} else {
		cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = fromFile.AccessKey, fromFile.SecretKey, fromFile.SecurityToken
		r.setSource("access_key", source)
	}
	if cfg.ProjectID == "" && fromFile.ProjectID != "" {
		cfg.ProjectID = fromFile.ProjectID
		r.setSource("project_id", source)
	}
	if cfg.IAMEndpoint == "" && fromFile.IAMEndpoint != "" {
		cfg.IAMEndpoint = fromFile.IAMEndpoint
		r.setSource("iam_endpoint", source)
	}
}

// credentialsNamed reports whether any source (configuration, variable or credentials file) names
// credentials.
func (r *settingsResolver) credentialsNamed() bool {
	for _, attr := range slices.Concat(credentialMethods[0], credentialMethods[1]) {
		if _, set := r.source[attr]; set {
			return true
		}
	}
	return false
}

// checkRequired reports the credentials and the project that are missing, not merely unknown.
func (r *settingsResolver) checkRequired(cfg liveapi.Config) {
	type requiredSetting struct{ attr, value, what string }
	required := []requiredSetting{
		{"access_key", cfg.AccessKey, "access key"},
		{"secret_key", cfg.SecretKey, "secret key"},
	}
	if cfg.MetadataEndpoint != "" {
		required = nil // the metadata service's, or an error when the client is built
	}
	if cfg.IdpID != "" || cfg.IDTokenFile != "" || r.isUnknown["idp_id"] || r.isUnknown["id_token_file"] {
		required = []requiredSetting{
			{"idp_id", cfg.IdpID, "identity provider ID (OIDC federation)"},
			{"id_token_file", cfg.IDTokenFile, "ID token file (OIDC federation)"},
		}
		if cfg.IDTokenFile != "" {
			if err := checkReadableFile(cfg.IDTokenFile); err != nil {
				r.diags.AddAttributeError(path.Root("id_token_file"), "Invalid Live Provider Setting",
					fmt.Sprintf("The ID token file (id_token_file, from %s) cannot be read: %s.", r.source["id_token_file"], err))
			}
		}
	}
	for _, required := range required {
		if required.value == "" && !r.isUnknown[required.attr] {
			r.diags.AddAttributeError(path.Root(required.attr), "Missing Live Provider Setting",
				fmt.Sprintf("The provider cannot create the Live API client because the %s is missing. "+
					"Set %s in the provider configuration or the %s environment variable.",
					required.what, required.attr, strings.Join(settingEnvs[required.attr], " or ")))
		}
	}
	if cfg.ProjectID == "" && cfg.Region == "" && !r.isUnknown["project_id"] && !r.isUnknown["region"] {
		r.diags.AddAttributeError(path.Root("project_id"), "Missing Live Provider Setting",
			fmt.Sprintf("The provider cannot create the Live API client because the project ID is missing. "+
				"Set project_id in the provider configuration or the %s environment variable, or set region "+
				"(or %s) so that the provider discovers the region's project from IAM.", settingEnvs["project_id"][0], settingEnvs["region"][0]))
	}
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

func (p *liveProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewLiveRecordCallbackResource,
	}
}

func (p *liveProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewLiveRecordCallbackDataSource,
		NewLiveRecordCallbacksDataSource,
	}
}
