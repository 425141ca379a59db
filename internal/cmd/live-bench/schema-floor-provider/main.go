// Command schema-floor-provider is the schema floor of the benchmarks: a terraform-plugin-framework
// provider whose one resource, schemafloor_record_callback, has live_record_callback's exact schema
// (attributes, set, defaults, sensitive key, timeouts) and does no I/O, so that what it costs
// Terraform is what that schema costs, and the difference with live_record_callback is the
// provider's own cost. It is a binary of its own: the plugin floor (noop-provider) must not link
// the provider and its SDK.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	liveprovider "github.com/platform-tools/terraform-provider-live/internal/provider"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return schemaFloorProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/platform-tools/schemafloor", ProtocolVersion: 6})
	if err != nil {
		log.Fatal(err)
	}
}

type schemaFloorProvider struct{}

func (schemaFloorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "schemafloor"
}

func (schemaFloorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerschema.Schema{}
}

func (schemaFloorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (schemaFloorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return recordCallback{} }}
}

func (schemaFloorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// recordCallback has live_record_callback's schema and keeps everything in state: it fills in the
// computed attributes that the live resource gets from the API.
type recordCallback struct{}

func (recordCallback) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_record_callback"
}

func (recordCallback) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	liveprovider.NewLiveRecordCallbackResource().Schema(ctx, req, resp)
}

func (recordCallback) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	var publishDomain, app string
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("publish_domain"), &publishDomain)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("app"), &app)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), publishDomain+"/"+app)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("create_time"), fixedTime)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("update_time"), fixedTime)...)
}

func (recordCallback) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (recordCallback) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("update_time"), fixedTime)...)
}

func (recordCallback) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// fixedTime stands for the API's create_time and update_time.
const fixedTime = "2026-01-01T00:00:00Z"
