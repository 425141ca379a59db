package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// identityRoot is an attribute of the identity, for diagnostics.
func identityRoot(name string) path.Path { return path.Root(name) }

var _ resource.ResourceWithIdentity = (*liveRecordCallbackResource)(nil)

// callbackIdentityModel is the resource's identity (Terraform and OpenTofu 1.12 and later): its pair
// in its project, which a user can write without looking up the API's id. It never changes: a new
// pair replaces the callback.
type callbackIdentityModel struct {
	ProjectID     types.String `tfsdk:"project_id"`
	PublishDomain types.String `tfsdk:"publish_domain"`
	App           types.String `tfsdk:"app"`
}

func (r *liveRecordCallbackResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"project_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "The project of the callback; on import, the provider's project when left out.",
			},
			"publish_domain": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The ingest domain of the callback.",
			},
			"app": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The application of the callback, or * for every application.",
			},
		},
	}
}

// setIdentity records the identity of the callback that m holds, in the provider's project, and
// keeps the project in private state for a Read that cannot ask the provider (see keepIdentity).
func (r *liveRecordCallbackResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, private privateState, m callbackAttributesModel) diag.Diagnostics {
	if project, err := json.Marshal(r.client.ProjectID()); err == nil && !isNil(private) {
		if diags := private.SetKey(ctx, identityProjectKey, project); diags.HasError() {
			return diags
		}
	}
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, callbackIdentityModel{
		ProjectID: types.StringValue(r.client.ProjectID()), PublishDomain: m.PublishDomain, App: m.App,
	})
}

// isNil reports whether the private state is missing (a response built by hand, in unit tests).
func isNil(private privateState) bool {
	return private == nil || reflect.ValueOf(private).IsNil()
}

// identityProjectKey keeps, in private state, the project of the identity.
const identityProjectKey = "identity_project_id"

// keepIdentity gives a Read that does not reach the API (the provider's configuration is not known
// yet) the identity it had: the framework refuses a Read without one, and older CLIs keep none, so
// it is rebuilt from the state and the project kept in private state.
func keepIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, private privateState, configuredProject string, m callbackAttributesModel) diag.Diagnostics {
	if identity == nil || !identity.Raw.IsFullyNull() {
		return nil
	}
	project := configuredProject
	if !isNil(private) {
		if raw, diags := private.GetKey(ctx, identityProjectKey); !diags.HasError() && len(raw) > 0 {
			_ = json.Unmarshal(raw, &project) // unreadable: the configured project
		}
	}
	if project == "" {
		// A state from before identities (or a move), with the project not known until apply.
		var diags diag.Diagnostics
		diags.AddError("Live Record Callback Identity Not Known Yet",
			"This callback's state has no identity yet, and its project is not known until apply. Run one plan or apply "+
				"with the provider's configuration known (for example with -target on what it depends on), or set project_id.")
		return diags
	}
	return identity.Set(ctx, callbackIdentityModel{ProjectID: types.StringValue(project), PublishDomain: m.PublishDomain, App: m.App})
}

// importedIdentity reads the identity of an import block with identity, and checks that its project
// is the provider's: a callback of another project is reached with a provider for that project.
func (r *liveRecordCallbackResource) importedIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity) (importID, diag.Diagnostics) {
	var model callbackIdentityModel
	diags := identity.Get(ctx, &model)
	if diags.HasError() {
		return importID{}, diags
	}
	if project := model.ProjectID.ValueString(); project != "" && project != r.client.ProjectID() {
		diags.AddAttributeError(identityRoot("project_id"), "Unable to Import Live Record Callback",
			fmt.Sprintf("The identity's project_id %q is not the project %q that this provider works in: import it with a "+
				"provider configured for that project, or leave project_id out.", project, r.client.ProjectID()))
		return importID{}, diags
	}
	id := importID{publishDomain: model.PublishDomain.ValueString(), app: model.App.ValueString()}
	if err := liveapi.CheckPublishDomain(id.publishDomain); err != nil {
		diags.AddAttributeError(identityRoot("publish_domain"), "Unable to Import Live Record Callback", "The identity's publish_domain "+err.Error()+".")
	}
	if err := liveapi.CheckApp(id.app); err != nil {
		diags.AddAttributeError(identityRoot("app"), "Unable to Import Live Record Callback", "The identity's app "+err.Error()+".")
	}
	return id, diags
}
