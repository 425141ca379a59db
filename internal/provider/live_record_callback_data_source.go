package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

var (
	_ datasource.DataSourceWithConfigure        = (*liveRecordCallbackDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*liveRecordCallbackDataSource)(nil)
)

// NewLiveRecordCallbackDataSource returns the live_record_callback data source.
func NewLiveRecordCallbackDataSource() datasource.DataSource {
	return &liveRecordCallbackDataSource{}
}

type liveRecordCallbackDataSource struct {
	dataSourceWithProviderData
}

func (d *liveRecordCallbackDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_record_callback"
}

func (d *liveRecordCallbackDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One recording callback configuration, looked up either by `id` or by " +
			"`publish_domain` and `app`. The API never returns the key, so it is not available here.",
		Attributes: recordCallbackDataSourceAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Configuration ID. Set it, or `publish_domain` and `app`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"publish_domain": schema.StringAttribute{
				MarkdownDescription: "Ingest domain name, in lower case. Set it with `app` to look up by both.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), publishDomain()},
			},
			"app": schema.StringAttribute{
				MarkdownDescription: "Application name, exactly as configured (`*` for the wildcard configuration). Set it with `publish_domain`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), appName()},
			},
		}),
	}
}

// recordCallbackDataSourceAttributes returns the computed attributes of a configuration as the data
// sources show it, with overrides replacing some of them.
func recordCallbackDataSourceAttributes(overrides map[string]schema.Attribute) map[string]schema.Attribute {
	attributes := map[string]schema.Attribute{
		"id":                        computedString("Configuration ID."),
		"publish_domain":            computedString("Ingest domain name."),
		"app":                       computedString("Application name; `*` for every application."),
		"notify_callback_url":       computedString("URL that receives the recording notifications; null when none is set."),
		"notify_event_subscription": schema.SetAttribute{MarkdownDescription: "Events notified.", Computed: true, ElementType: types.StringType},
		"sign_type":                 computedString("How notifications are signed: `" + strings.Join(livespec.SignTypes, "` or `") + "`."),
		"create_time":               computedString("Creation time, `yyyy-mm-ddThh:mm:ssZ` (UTC)."),
		"update_time":               computedString("Time of the last change, `yyyy-mm-ddThh:mm:ssZ` (UTC)."),
	}
	maps.Copy(attributes, overrides)
	return attributes
}

func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true}
}

func (d *liveRecordCallbackDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("publish_domain")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("publish_domain"), path.MatchRoot("app")),
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("app")),
	}
}

func (d *liveRecordCallbackDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.ready(&resp.Diagnostics, "Reading the live_record_callback data source") {
		return
	}
	var config callbackAttributesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()

	const summary = "Unable to Read Live Record Callback"
	var (
		callback liveapi.Callback
		found    = true
		lookedUp string
		err      error
	)
	if id := config.ID.ValueString(); id != "" {
		lookedUp = fmt.Sprintf("id %q", id)
		callback, err = d.client.Show(ctx, id)
		if liveapi.IsNotFound(err) {
			found, err = false, nil
		}
	} else {
		lookedUp = fmt.Sprintf("publish_domain %q and app %q", config.PublishDomain.ValueString(), config.App.ValueString())
		callback, found, err = d.client.FindByDomainApp(ctx, config.PublishDomain.ValueString(), config.App.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Looking up the recording callback with %s failed.\n\n%s", lookedUp, liveapi.Describe(err)))
		return
	}
	if !found {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("No recording callback exists with %s.", lookedUp))
		return
	}
	resp.Diagnostics.Append(config.flatten(ctx, callback)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}
