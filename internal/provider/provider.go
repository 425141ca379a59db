// Package provider implements the Terraform provider "live" for Huawei Cloud Live recording callbacks.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

var _ provider.Provider = (*liveProvider)(nil)

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

func (p *liveProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "live"
	resp.Version = p.version
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
		data := &providerData{unknownSettings: unknown, region: cfg.Region, projectID: cfg.ProjectID}
		resp.ResourceData, resp.DataSourceData = data, data
		return
	}

	// Ctrl-C cuts the project's discovery, the one request Configure may send.
	client, err := liveapi.New(ctx, cfg)
	if errors.Is(err, liveapi.ErrProjectDiscovery) {
		advice := fmt.Sprintf("IAM must list exactly one project named %q for these credentials. Set project_id "+
			"in the provider configuration or the %s environment variable.", cfg.Region, settingEnvs["project_id"][0])
		if apiErr := (*sdkerr.ServiceResponseError)(nil); errors.As(err, &apiErr) {
			// IAM refused or failed the request: the answer (above) says why, not the project list.
			advice = fmt.Sprintf("IAM did not list the projects (above). With project_id set (or %s), the provider does not ask it.",
				settingEnvs["project_id"][0])
		}
		resp.Diagnostics.AddAttributeError(path.Root("project_id"), "Unable to Discover Live Project ID",
			fmt.Sprintf("%s.\n\n%s", liveapi.Describe(err), advice))
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

type assumeRoleModel struct {
	AgencyName types.String `tfsdk:"agency_name"`
	DomainName types.String `tfsdk:"domain_name"`
	DomainID   types.String `tfsdk:"domain_id"`
	Duration   types.Int64  `tfsdk:"duration"`
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
				MarkdownDescription: "Live API base URL, `http://` or `https://`, such as the URL the emulator prints first. " +
					"Overrides the region's default endpoint. " + envHint("endpoint"),
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

func envHint(attr string) string {
	return "Environment: `" + strings.Join(settingEnvs[attr], "`, then `") + "`."
}
