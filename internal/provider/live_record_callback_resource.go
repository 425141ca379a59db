package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

var (
	_ resource.ResourceWithConfigure   = (*liveRecordCallbackResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*liveRecordCallbackResource)(nil)
	_ resource.ResourceWithImportState = (*liveRecordCallbackResource)(nil)
)

// NewLiveRecordCallbackResource returns the live_record_callback resource.
func NewLiveRecordCallbackResource() resource.Resource {
	return &liveRecordCallbackResource{}
}

type liveRecordCallbackResource struct {
	resourceWithProviderData
}

func (r *liveRecordCallbackResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_record_callback"
}

func (r *liveRecordCallbackResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A recording callback configuration: where Live sends recording notifications for " +
			"one ingest domain and application, which events it sends, and how it signs them.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Configuration ID assigned by the API.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"publish_domain": schema.StringAttribute{
				MarkdownDescription: "Ingest domain name, 1 to 255 characters, in lower case; an internationalized " +
					"domain name in its punycode (`xn--`) form. Changing it replaces the configuration.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, livespec.PublishDomainMaxLength),
					publishDomain(),
				},
			},
			"app": schema.StringAttribute{
				MarkdownDescription: "Application name, 1 to 128 characters without `/`, whitespace or control " +
					"characters; `*` (the default) matches every application, and an exact name is preferred " +
					"over `*`. Changing it replaces the configuration.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(livespec.AppWildcard),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, livespec.AppMaxLength),
					appName(),
				},
			},
			"notify_callback_url": schema.StringAttribute{
				MarkdownDescription: "URL that receives the recording notifications: absolute `http://` or " +
					"`https://` (recommended), without query parameters or fragment.",
				Optional:   true,
				Validators: []validator.String{httpURL()},
			},
			"notify_event_subscription": schema.SetAttribute{
				MarkdownDescription: "Events to notify, 1 to 4 of `" + strings.Join(livespec.Events, "`, `") +
					"`. Defaults to `[\"" + livespec.DefaultEvent + "\"]`.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType,
					[]attr.Value{types.StringValue(livespec.DefaultEvent)})),
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, len(livespec.Events)),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(livespec.Events...)),
				},
			},
			"sign_type": schema.StringAttribute{
				MarkdownDescription: "How notifications are signed with `key`: `" + strings.Join(livespec.SignTypes, "` or `") +
					"`. Defaults to `" + livespec.DefaultSignType + "`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(livespec.DefaultSignType),
				Validators: []validator.String{stringvalidator.OneOf(livespec.SignTypes...)},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Key that signs the notifications: letters and digits, at least %d "+
					"characters. The API never returns it, so Terraform keeps the configured value in state (in "+
					"plain text) and cannot detect a change made outside Terraform; it is null after import. "+
					"With Terraform or OpenTofu 1.11 or later, prefer `key_wo`, which never enters the plan or state.",
					livespec.KeyMinLength),
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					callbackKey(),
					preferKeyWO(),
				},
			},
			"key_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only form of `key` (Terraform or OpenTofu 1.11 or later), with the same rules: sent to " +
					"the API on create and on every update, never stored in the plan or state. Since Terraform keeps no " +
					"trace of it, changing it alone plans nothing: change `key_wo_version` with it to send the new key. " +
					"Conflicts with `key`.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				Validators: []validator.String{
					callbackKey(),
					stringvalidator.ConflictsWith(path.MatchRoot("key")),
				},
			},
			"key_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number that you change whenever `key_wo` changes: a change of it updates the " +
					"configuration in place with the new `key_wo`. Requires `key_wo`; null after import.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("key_wo"))},
			},
			"create_time": schema.StringAttribute{
				MarkdownDescription: "Creation time, `yyyy-mm-ddThh:mm:ssZ` (UTC).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"update_time": schema.StringAttribute{
				MarkdownDescription: "Time of the last change, `yyyy-mm-ddThh:mm:ssZ` (UTC).",
				Computed:            true,
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// ModifyPlan refuses to plan anything for a moved callback that no refresh has read since the move
// (-refresh=false, or a provider configuration not known yet): its region is unchecked, and its
// state still lacks what the API holds, so a plan could send a change to the wrong region.
func (r *liveRecordCallbackResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	from, moved, diags := readMovedFrom(ctx, req.Private)
	if resp.Diagnostics.Append(diags...); !moved || diags.HasError() {
		return
	}
	if mismatch := regionMismatch(from.ID, from.Region, r.region); mismatch != "" {
		resp.Diagnostics.AddError("Unable to Move huaweicloud_live_record_callback", mismatch)
		return
	}
	detail := fmt.Sprintf("The recording callback %s was moved from huaweicloud_live_record_callback and has not been read "+
		"since, so its region is unchecked and its state lacks what only the API holds. Run the plan with a refresh "+
		"(without -refresh=false)", from.ID)
	if len(r.unknownSettings) > 0 {
		detail += " once the provider's configuration is known: " + notKnownYet(r.unknownSettings)
	}
	resp.Diagnostics.AddError("Live Record Callback Not Refreshed Since Its Move", detail+".")
}

func (r *liveRecordCallbackResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.ready(&resp.Diagnostics, "Creating a recording callback") {
		return
	}
	var plan callbackResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// A write-only value is only in the configuration; the framework keeps it out of state.
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_wo"), &plan.KeyWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	spec, diags := plan.expand(ctx)
	resp.Diagnostics.Append(diags...)
	// The framework nulls write-only values in state only when there is no error: state kept with an
	// error (a tainted callback) must not carry the key, or Terraform refuses it and loses the id.
	plan.KeyWO = types.StringNull()
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	const summary = "Unable to Create Live Record Callback"
	created, err := r.client.Create(ctx, spec)
	if err != nil && created.ID != "" {
		// The configuration is ours although the create failed: keep it in state (tainted), never orphan it.
		resp.Diagnostics.Append(plan.flatten(ctx, created)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, resp.Private, plan.callbackAttributesModel)...)
		resp.Diagnostics.AddError(summary, fmt.Sprintf("The recording callback %s was created for publish_domain %q and app %q, "+
			"but the create did not complete. It is kept in state as tainted: the next apply replaces it.\n\n%s",
			created.ID, spec.PublishDomain, spec.App, liveapi.Describe(err)))
		return
	}
	if err != nil {
		var conflict *liveapi.ConflictError
		switch {
		case errors.Is(err, liveapi.ErrCreateUnsettled):
			resp.Diagnostics.AddError(summary, fmt.Sprintf("A recording callback for publish_domain %q and app %q exists, "+
				"and it may be the one this apply created: an earlier attempt's outcome was unknown, and looking it up "+
				"failed. Check its create_time, then import it rather than creating it again:\n\n"+
				"  terraform import live_record_callback.<name> %s/%s\n\n%s",
				spec.PublishDomain, spec.App, spec.PublishDomain, spec.App, liveapi.Describe(err)))
		case errors.Is(err, liveapi.ErrCreateMayHaveApplied):
			resp.Diagnostics.AddError(summary, fmt.Sprintf("A recording callback for publish_domain %q and app %q may have "+
				"been created by an attempt whose outcome was unknown, and no later request could tell. Look it up (the "+
				"live_record_callback data source), and import it if it exists rather than creating it again:\n\n"+
				"  terraform import live_record_callback.<name> %s/%s\n\n%s",
				spec.PublishDomain, spec.App, spec.PublishDomain, spec.App, liveapi.Describe(err)))
		case errors.As(err, &conflict):
			resp.Diagnostics.AddError(summary, describeExisting(conflict.Existing, err))
		case liveapi.IsAlreadyExists(err):
			resp.Diagnostics.AddError(summary, r.lookUpExisting(ctx, spec.PublishDomain, spec.App, err))
		default:
			resp.Diagnostics.AddError(summary, fmt.Sprintf("Creating the recording callback for publish_domain %q and app %q failed.\n\n%s",
				spec.PublishDomain, spec.App, liveapi.Describe(err)))
		}
		return
	}
	tflog.Debug(ctx, "Created Live record callback", map[string]any{"id": created.ID})

	if incomplete(created) {
		// Keep the id in state first, so that a failed read taints the callback instead of orphaning it.
		id := created.ID
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
		if created, err = r.client.Show(ctx, id); err != nil {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("The recording callback %s was created, but reading it back failed.\n\n%s",
				id, liveapi.Describe(err)))
			return
		}
	}
	resp.Diagnostics.Append(plan.flatten(ctx, created)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, resp.Private, plan.callbackAttributesModel)...)
}

func (r *liveRecordCallbackResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state callbackResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.configured() {
		// Plan with the state as it is: neither fail nor drop the callback.
		resp.Diagnostics.AddWarning("Live Record Callback Not Refreshed",
			fmt.Sprintf("%s The recording callback %s was not read from the Live API; Terraform plans with the state it "+
				"has, and reads it again once the provider's configuration is known.", notKnownYet(r.unknownSettings), state.ID.ValueString()))
		resp.Diagnostics.Append(keepIdentity(ctx, resp.Identity, resp.Private, r.projectID, state.callbackAttributesModel)...)
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if resp.Diagnostics.Append(checkMovedRegion(ctx, req.Private, resp.Private, r.region)...); resp.Diagnostics.HasError() {
		return
	}
	callback, err := r.client.Show(ctx, state.ID.ValueString())
	if liveapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Live Record Callback Not Found",
			fmt.Sprintf("The recording callback %s no longer exists, so Terraform removed it from state. "+
				"The next plan will create it again if the configuration still declares it.", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		// The framework wants an identity after every Read, a removal's included: the one it had
		// (resp.Identity holds it), else this state's.
		if resp.Identity != nil && resp.Identity.Raw.IsFullyNull() {
			resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, resp.Private, state.callbackAttributesModel)...)
		}
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Live Record Callback",
			fmt.Sprintf("Reading the recording callback %s failed.\n\n%s", state.ID.ValueString(), liveapi.Describe(err)))
		return
	}
	resp.Diagnostics.Append(state.flatten(ctx, state.keepKnownTimes(callback))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, resp.Private, state.callbackAttributesModel)...)
}

func (r *liveRecordCallbackResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.ready(&resp.Diagnostics, "Updating a recording callback") {
		return
	}
	var plan callbackResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// Every update replaces the whole configuration: it sends key_wo again, whatever changed.
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_wo"), &plan.KeyWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	spec, diags := plan.expand(ctx)
	resp.Diagnostics.Append(diags...)
	plan.KeyWO = types.StringNull() // as in Create
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	const summary = "Unable to Update Live Record Callback"
	id := plan.ID.ValueString()
	updated, err := r.client.Update(ctx, id, spec)
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Updating the recording callback %s failed.\n\n%s", id, liveapi.Describe(err)))
		return
	}
	// The creation time does not change: a response without it keeps the one in state (the update
	// time is unknown in the plan: without it, the configuration is read back).
	updated = plan.keepKnownTimes(updated)
	if incomplete(updated) {
		if updated, err = r.client.Show(ctx, id); err != nil {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("The recording callback %s was updated, but reading it back failed.\n\n%s",
				id, liveapi.Describe(err)))
			return
		}
	}
	resp.Diagnostics.Append(plan.flatten(ctx, updated)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, resp.Private, plan.callbackAttributesModel)...)
}

func (r *liveRecordCallbackResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.ready(&resp.Diagnostics, "Deleting a recording callback") {
		return
	}
	var state callbackResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.client.Delete(ctx, state.ID.ValueString())
	if err != nil && !liveapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to Delete Live Record Callback",
			fmt.Sprintf("Deleting the recording callback %s failed.\n\n%s", state.ID.ValueString(), liveapi.Describe(err)))
	}
}

// lookUpExisting explains a create refused because (publish_domain, app) is taken, with the id to
// import; err is the API's refusal, shown alone when the lookup fails.
func (r *liveRecordCallbackResource) lookUpExisting(ctx context.Context, publishDomain, app string, err error) string {
	existing, found, lookupErr := r.client.FindByDomainApp(ctx, publishDomain, app)
	if lookupErr != nil || !found {
		return fmt.Sprintf("A recording callback for publish_domain %q and app %q already exists. Import it to "+
			"manage it with Terraform.\n\n%s", publishDomain, app, liveapi.Describe(err))
	}
	return describeExisting(existing, err)
}

// describeExisting explains that the configuration existing, not made by this create, holds
// (publish_domain, app), and how to import it.
func describeExisting(existing liveapi.Callback, err error) string {
	return fmt.Sprintf("A recording callback for publish_domain %q and app %q already exists with id %s. "+
		"Terraform did not change it. To manage it with Terraform, import it instead of creating it:\n\n"+
		"  terraform import live_record_callback.<name> %s\n\n"+
		"or add an import block:\n\n"+
		"  import {\n    to = live_record_callback.<name>\n    id = %q\n  }\n\n%s",
		existing.PublishDomain, existing.App, existing.ID, existing.ID, existing.ID, liveapi.Describe(err))
}
