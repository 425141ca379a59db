package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// moveFactories serves the live provider and the stand-in of the official one.
func moveFactories(standIn officialStandIn) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"live":        testAccProtoV6ProviderFactories["live"],
		"huaweicloud": providerserver.NewProtocol6WithError(standIn),
	}
}

// officialProviderConfig points the stand-in at this emulator, in region.
func (e testEmulator) officialProviderConfig(region string) string {
	return fmt.Sprintf(`
provider "huaweicloud" {
  endpoint   = %[1]q
  project_id = %[2]q
  access_key = %[3]q
  secret_key = %[4]q
  region     = %[5]q
}
`, e.url, testProjectID, testAccessKey, testSecretKey, region)
}

// officialStandIn is the test's stand-in of the official provider; with beforeV172, its resource
// has no sign_type and no key, as before the official provider's v1.72.0.
type officialStandIn struct {
	beforeV172 bool
}

type officialStandInModel struct {
	Endpoint  types.String `tfsdk:"endpoint"`
	ProjectID types.String `tfsdk:"project_id"`
	AccessKey types.String `tfsdk:"access_key"`
	SecretKey types.String `tfsdk:"secret_key"`
	Region    types.String `tfsdk:"region"`
}

// officialStandInData is what the stand-in's resource needs: a client and the region.
type officialStandInData struct {
	client *liveapi.Client
	region string
}

func (p officialStandIn) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "huaweicloud"
}

func (p officialStandIn) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerschema.Schema{Attributes: map[string]providerschema.Attribute{
		"endpoint":   providerschema.StringAttribute{Required: true},
		"project_id": providerschema.StringAttribute{Required: true},
		"access_key": providerschema.StringAttribute{Required: true},
		"secret_key": providerschema.StringAttribute{Required: true, Sensitive: true},
		"region":     providerschema.StringAttribute{Required: true},
	}}
}

func (p officialStandIn) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config officialStandInModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: config.Endpoint.ValueString(), ProjectID: config.ProjectID.ValueString(),
		AccessKey: config.AccessKey.ValueString(), SecretKey: config.SecretKey.ValueString(), UserAgent: "official-stand-in"})
	if err != nil {
		resp.Diagnostics.AddError("stand-in", err.Error())
		return
	}
	resp.ResourceData = officialStandInData{client: client, region: config.Region.ValueString()}
}

func (p officialStandIn) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &officialStandInResource{beforeV172: p.beforeV172} }}
}

func (p officialStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }

type officialStandInResource struct {
	beforeV172 bool
	data       officialStandInData
}

func (r *officialStandInResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_live_record_callback"
}

func (r *officialStandInResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = officialSchema
	if r.beforeV172 {
		resp.Schema = resourceschema.Schema{Attributes: maps.Clone(officialSchema.Attributes)}
		delete(resp.Schema.Attributes, "sign_type")
		delete(resp.Schema.Attributes, "key")
	}
}

func (r *officialStandInResource) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if data, ok := req.ProviderData.(officialStandInData); ok {
		r.data = data
	}
}

// Create sends what the official provider sends: app "*", and sign_type and key only when set.
func (r *officialStandInResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var domain, url string
	var events []string
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("domain_name"), &domain)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("url"), &url)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("types"), &events)...)
	spec := liveapi.CallbackSpec{PublishDomain: domain, App: livespec.AppWildcard, NotifyCallbackURL: &url, Events: events}
	var signType, key types.String
	if !r.beforeV172 {
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("sign_type"), &signType)...)
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("key"), &key)...)
		if signType.ValueString() != "" {
			spec.SignType = signType.ValueStringPointer()
		}
		if key.ValueString() != "" {
			spec.Key = key.ValueStringPointer()
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := r.data.client.Create(ctx, spec)
	if err != nil {
		resp.Diagnostics.AddError("stand-in create", err.Error())
		return
	}
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), created.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), r.data.region)...)
	if !r.beforeV172 {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("sign_type"), created.SignType)...)
		if key.IsUnknown() {
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("key"), types.StringNull())...)
		}
	}
}

func (r *officialStandInResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

func (r *officialStandInResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("stand-in", "the stand-in does not update")
}

func (r *officialStandInResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id string
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if err := r.data.client.Delete(ctx, id); err != nil && !liveapi.IsNotFound(err) {
		resp.Diagnostics.AddError("stand-in delete", err.Error())
	}
}
