package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// callbackAttributesModel is the Terraform model of a configuration's attributes, which both data
// sources show and the resource's model embeds. Mapping to and from the API is by hand in expand and
// flatten.
type callbackAttributesModel struct {
	ID                      types.String `tfsdk:"id"`
	PublishDomain           types.String `tfsdk:"publish_domain"`
	App                     types.String `tfsdk:"app"`
	NotifyCallbackURL       types.String `tfsdk:"notify_callback_url"`
	NotifyEventSubscription types.Set    `tfsdk:"notify_event_subscription"`
	SignType                types.String `tfsdk:"sign_type"`
	CreateTime              types.String `tfsdk:"create_time"`
	UpdateTime              types.String `tfsdk:"update_time"`
}

// callbackAttributesAttrTypes are the attribute types of callbackAttributesModel as an object; a test checks
// them against the data sources' schema.
var callbackAttributesAttrTypes = map[string]attr.Type{
	"id":                        types.StringType,
	"publish_domain":            types.StringType,
	"app":                       types.StringType,
	"notify_callback_url":       types.StringType,
	"notify_event_subscription": types.SetType{ElemType: types.StringType},
	"sign_type":                 types.StringType,
	"create_time":               types.StringType,
	"update_time":               types.StringType,
}

// callbackResourceModel is the resource's model: the API's fields, the key the API never returns
// (key in state, or key_wo from the configuration only), and the timeouts.
type callbackResourceModel struct {
	callbackAttributesModel
	Key          types.String   `tfsdk:"key"`
	KeyWO        types.String   `tfsdk:"key_wo"`
	KeyWOVersion types.Int64    `tfsdk:"key_wo_version"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// expand builds the full request body for create and update from a plan whose KeyWO was read from
// the configuration.
func (m callbackResourceModel) expand(ctx context.Context) (liveapi.CallbackSpec, diag.Diagnostics) {
	spec := liveapi.CallbackSpec{
		PublishDomain:     m.PublishDomain.ValueString(),
		App:               m.App.ValueString(),
		NotifyCallbackURL: m.NotifyCallbackURL.ValueStringPointer(),
		SignType:          m.SignType.ValueStringPointer(),
		Key:               m.Key.ValueStringPointer(),
	}
	if m.Key.IsNull() {
		spec.Key = m.KeyWO.ValueStringPointer()
	}
	var diags diag.Diagnostics
	if !m.NotifyEventSubscription.IsNull() && !m.NotifyEventSubscription.IsUnknown() {
		diags = m.NotifyEventSubscription.ElementsAs(ctx, &spec.Events, false)
		// A set has no order: send the events in the order a recording produces them.
		slices.SortFunc(spec.Events, func(a, b string) int {
			return slices.Index(livespec.Events, a) - slices.Index(livespec.Events, b)
		})
	}
	return spec, diags
}

// flatten copies what the API returned into the model. In the resource the key, never returned, is
// left as it is: the configured value after create or update, null after import.
func (m *callbackAttributesModel) flatten(ctx context.Context, cb liveapi.Callback) diag.Diagnostics {
	m.ID = types.StringValue(cb.ID)
	m.PublishDomain = types.StringValue(liveapi.CanonicalDomain(cb.PublishDomain))
	m.App = types.StringValue(cb.App)
	m.NotifyCallbackURL = optionalString(cb.NotifyCallbackURL)
	m.SignType = types.StringValue(cb.SignType)
	if cb.SignType == "" {
		m.SignType = types.StringValue(livespec.DefaultSignType)
	}
	events := cb.Events
	if len(events) == 0 {
		events = []string{livespec.DefaultEvent}
	}
	var diags diag.Diagnostics
	m.NotifyEventSubscription, diags = eventSet(ctx, events)
	m.CreateTime = types.StringValue(cb.CreateTime)
	m.UpdateTime = types.StringValue(cb.UpdateTime)
	return diags
}

// eventSet is the set of events, an event listed twice (which the API does not refuse) once.
func eventSet(ctx context.Context, events []string) (types.Set, diag.Diagnostics) {
	return types.SetValueFrom(ctx, types.StringType, slices.Compact(slices.Sorted(slices.Values(events))))
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// keepKnownTimes fills the times that an answer left out with those the model knows: an answer never
// blanks them.
func (m callbackAttributesModel) keepKnownTimes(cb liveapi.Callback) liveapi.Callback {
	return cb.WithKnownTimes(m.CreateTime.ValueString(), m.UpdateTime.ValueString()) // "" when unknown
}

// incomplete reports whether a create or update response lacks a field that state needs.
func incomplete(cb liveapi.Callback) bool {
	return cb.ID == "" || cb.PublishDomain == "" || cb.App == "" || cb.CreateTime == "" || cb.UpdateTime == ""
}
