package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

var _ resource.ResourceWithMoveState = (*liveRecordCallbackResource)(nil)

// The official provider's resource that a moved block may take state from.
const (
	officialProviderType = "huaweicloud"
	officialResourceType = "huaweicloud_live_record_callback"
)

// officialSchema is huaweicloud_live_record_callback's schema, version 0, as its documentation gives it.
var officialSchema = schema.Schema{
	Attributes: map[string]schema.Attribute{
		"id":          schema.StringAttribute{Computed: true},
		"region":      schema.StringAttribute{Optional: true, Computed: true},
		"domain_name": schema.StringAttribute{Required: true},
		"url":         schema.StringAttribute{Required: true},
		"types":       schema.ListAttribute{Required: true, ElementType: types.StringType},
		"sign_type":   schema.StringAttribute{Optional: true, Computed: true},
		"key":         schema.StringAttribute{Optional: true, Computed: true, Sensitive: true},
	},
}

// officialModel is a huaweicloud_live_record_callback state. States written before the official
// provider's v1.72.0 have no sign_type and no key: they decode as null, as "" does below.
type officialModel struct {
	ID         types.String `tfsdk:"id"`
	Region     types.String `tfsdk:"region"`
	DomainName types.String `tfsdk:"domain_name"`
	URL        types.String `tfsdk:"url"`
	Types      types.List   `tfsdk:"types"`
	SignType   types.String `tfsdk:"sign_type"`
	Key        types.String `tfsdk:"key"`
}

// MoveState accepts the official provider's huaweicloud_live_record_callback (Terraform 1.8 and later,
// with a moved block). Nothing is sent to the API: the refresh that follows reads the rest.
func (r *liveRecordCallbackResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{
		SourceSchema: &officialSchema,
		StateMover:   r.moveFromOfficial,
	}}
}

func (r *liveRecordCallbackResource) moveFromOfficial(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != officialResourceType || !isOfficialProvider(req.SourceProviderAddress) {
		return // another source: another mover, or Terraform's own error
	}
	const summary = "Unable to Move huaweicloud_live_record_callback"
	if req.SourceSchemaVersion != 0 || req.SourceState == nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("live_record_callback moves state of schema version 0 of %s; this state "+
			"has schema version %d or does not match that schema. Import the callback instead.", officialResourceType, req.SourceSchemaVersion))
		return
	}
	var source officialModel
	resp.Diagnostics.Append(req.SourceState.Get(ctx, &source)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The framework does not configure a resource for a move, so the provider's region is unknown
	// here: the refresh that follows checks it against the source region kept in private state.
	target, diags := movedModel(ctx, source)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, target)...)
	encoded, err := json.Marshal(movedFrom{ID: source.ID.ValueString(), Region: source.Region.ValueString()})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Move huaweicloud_live_record_callback", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.TargetPrivate.SetKey(ctx, movedFromKey, encoded)...)
}

// movedFromKey keeps, in private state, where a moved callback came from until a refresh checks
// its region and reads what the move left out.
const movedFromKey = "moved_from"

type movedFrom struct {
	ID     string `json:"id"`
	Region string `json:"region"`
}

// readMovedFrom reads the record that a move leaves in private state; moved is false without one.
func readMovedFrom(ctx context.Context, private privateState) (from movedFrom, moved bool, diags diag.Diagnostics) {
	encoded, diags := private.GetKey(ctx, movedFromKey)
	if diags.HasError() || len(encoded) == 0 {
		return movedFrom{}, false, diags
	}
	if err := json.Unmarshal(encoded, &from); err != nil {
		diags.AddError("Unreadable Record of a Move", "The record that the move from huaweicloud_live_record_callback "+
			"left in private state is unreadable: "+err.Error())
		return movedFrom{}, true, diags
	}
	return from, true, diags
}

// checkMovedRegion fails the refresh that follows a move from a region other than the provider's
// (when it has one), naming both; once checked, the record of the move is dropped.
func checkMovedRegion(ctx context.Context, private privateState, next privateState, configuredRegion string) diag.Diagnostics {
	from, moved, diags := readMovedFrom(ctx, private)
	if !moved || diags.HasError() {
		return diags
	}
	if mismatch := regionMismatch(from.ID, from.Region, configuredRegion); mismatch != "" {
		diags.AddAttributeError(path.Root("id"), "Unable to Move huaweicloud_live_record_callback", mismatch)
		return diags
	}
	return next.SetKey(ctx, movedFromKey, nil)
}

// privateState is the part of the framework's private state data that the move uses.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// regionMismatch explains why a callback of sourceRegion cannot be managed by a provider of
// configuredRegion, or is "" when it can.
func regionMismatch(id, sourceRegion, configuredRegion string) string {
	if sourceRegion == "" || configuredRegion == "" || sourceRegion == configuredRegion {
		return ""
	}
	return fmt.Sprintf("The callback %s was moved from region %q, and this live provider is configured for region %q. "+
		"Move it to a live_record_callback of a live provider configured for %q (a provider alias), or import it there.",
		id, sourceRegion, configuredRegion, sourceRegion)
}

// movedModel maps an official state to live_record_callback's.
func movedModel(ctx context.Context, source officialModel) (callbackResourceModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	if source.ID.ValueString() == "" || source.DomainName.ValueString() == "" {
		diags.AddError("Unable to Move huaweicloud_live_record_callback", "The source state has no id or no domain_name.")
		return callbackResourceModel{}, diags
	}
	var eventList []string
	if !source.Types.IsNull() && !source.Types.IsUnknown() {
		diags.Append(source.Types.ElementsAs(ctx, &eventList, false)...)
	}
	events := types.SetNull(types.StringType)
	if len(eventList) > 0 {
		var d diag.Diagnostics
		events, d = eventSet(ctx, eventList)
		diags.Append(d...)
	}
	return callbackResourceModel{
		callbackAttributesModel: callbackAttributesModel{
			ID:                      source.ID,
			PublishDomain:           types.StringValue(liveapi.CanonicalDomain(source.DomainName.ValueString())),
			App:                     types.StringValue(livespec.AppWildcard), // the official provider always sends "*"
			NotifyCallbackURL:       optionalString(source.URL.ValueString()),
			NotifyEventSubscription: events,
			SignType:                optionalString(source.SignType.ValueString()),
			CreateTime:              types.StringNull(),
			UpdateTime:              types.StringNull(),
		},
		Key:      optionalString(source.Key.ValueString()),
		Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes)},
	}, diags
}

// timeoutsAttrTypes are the attribute types of the resource's timeouts object.
var timeoutsAttrTypes = map[string]attr.Type{
	"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
}

// isOfficialProvider reports whether address (host/namespace/type) is a provider of type
// huaweicloud, as huaweicloud/huaweicloud is on either registry.
func isOfficialProvider(address string) bool {
	parts := strings.Split(address, "/")
	return parts[len(parts)-1] == officialProviderType
}
