package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

var _ datasource.DataSourceWithConfigure = (*liveRecordCallbacksDataSource)(nil)

// NewLiveRecordCallbacksDataSource returns the live_record_callbacks data source.
func NewLiveRecordCallbacksDataSource() datasource.DataSource {
	return &liveRecordCallbacksDataSource{}
}

type liveRecordCallbacksDataSource struct {
	dataSourceWithProviderData
}

type liveRecordCallbacksDataSourceModel struct {
	PublishDomain types.String `tfsdk:"publish_domain"`
	App           types.String `tfsdk:"app"`
	Callbacks     types.List   `tfsdk:"callbacks"`
	IDs           types.List   `tfsdk:"ids"`
}

func (d *liveRecordCallbacksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_record_callbacks"
}

func (d *liveRecordCallbacksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every recording callback configuration of the project, optionally filtered as the API " +
			"filters: by `publish_domain`, and by `app`, which also returns the `*` configurations. Sorted by " +
			"`publish_domain`, `app` and `id`.",
		Attributes: map[string]schema.Attribute{
			"publish_domain": schema.StringAttribute{
				MarkdownDescription: "Only configurations of this ingest domain, in lower case.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), publishDomain()},
			},
			"app": schema.StringAttribute{
				MarkdownDescription: "Only configurations of this application, and those of every application (`*`).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), appName()},
			},
			"callbacks": schema.ListNestedAttribute{
				MarkdownDescription: "The matching configurations.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: recordCallbackDataSourceAttributes(nil)},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the matching configurations, in the order of `callbacks`.",
				Computed:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *liveRecordCallbacksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.ready(&resp.Diagnostics, "Reading the live_record_callbacks data source") {
		return
	}
	var config liveRecordCallbacksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()

	callbacks, err := d.client.ListAll(ctx, config.PublishDomain.ValueString(), config.App.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Live Record Callbacks",
			fmt.Sprintf("Listing the recording callbacks failed.\n\n%s", liveapi.Describe(err)))
		return
	}
	resp.Diagnostics.Append(config.flatten(ctx, callbacks)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}

func (m *liveRecordCallbacksDataSourceModel) flatten(ctx context.Context, callbacks []liveapi.Callback) diag.Diagnostics {
	var diags diag.Diagnostics
	models := make([]callbackAttributesModel, len(callbacks))
	ids := make([]string, len(callbacks))
	for i, cb := range callbacks {
		diags.Append(models[i].flatten(ctx, cb)...)
		ids[i] = cb.ID
	}
	var d diag.Diagnostics
	m.Callbacks, d = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: callbackAttributesAttrTypes}, models)
	diags.Append(d...)
	m.IDs, d = types.ListValueFrom(ctx, types.StringType, ids)
	diags.Append(d...)
	return diags
}
