package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// ImportState accepts the configuration id or publish_domain/app, and checks that it exists so that
// a wrong id is answered with both accepted forms.
func (r *liveRecordCallbackResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	const summary = "Unable to Import Live Record Callback"
	if !r.ready(&resp.Diagnostics, "Importing a recording callback") {
		return
	}
	var importID importID
	if req.ID == "" && req.Identity != nil {
		// An import block with identity (Terraform and OpenTofu 1.12 and later).
		var diags diag.Diagnostics
		importID, diags = r.importedIdentity(ctx, req.Identity)
		if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
			return
		}
	} else {
		var err error
		if importID, err = parseImportID(req.ID); err != nil {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("%s.\n\n%s", err, importIDForms))
			return
		}
	}
	what := req.ID
	if what == "" {
		what = importID.publishDomain + "/" + importID.app
	}
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()

	var callback liveapi.Callback
	var err error
	found := true
	if importID.id != "" {
		callback, err = r.client.Show(ctx, importID.id)
		if liveapi.IsNotFound(err) {
			found, err = false, nil
		}
	} else {
		callback, found, err = r.client.FindByDomainApp(ctx, importID.publishDomain, importID.app)
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Looking up %q failed.\n\n%s", what, liveapi.Describe(err)))
		return
	}
	if !found {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("No recording callback matches %q.\n\n%s", what, importIDForms))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), callback.ID)...)
	// The identity is the found configuration's, in the provider's project; Read writes it again.
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, resp.Private, callbackAttributesModel{
		PublishDomain: types.StringValue(liveapi.CanonicalDomain(callback.PublishDomain)), App: types.StringValue(callback.App)})...)
}

const importIDForms = "The import id is either the configuration id that the API returns (no \"/\"), " +
	"or publish_domain/app, such as publish.example.com/live or publish.example.com/*; with Terraform or OpenTofu 1.12 " +
	"and later, an import block may give the identity instead: publish_domain, app and, optionally, project_id."

// importID is a parsed import id: either id, or publishDomain and app.
type importID struct {
	id, publishDomain, app string
}

func parseImportID(s string) (importID, error) {
	if strings.TrimSpace(s) != s || s == "" {
		return importID{}, fmt.Errorf("the import id %q is empty or has surrounding whitespace", s)
	}
	publishDomain, app, isPair := strings.Cut(s, "/")
	if !isPair {
		return importID{id: s}, nil
	}
	if publishDomain == "" || app == "" || strings.Contains(app, "/") {
		return importID{}, fmt.Errorf("the import id %q is not publish_domain/app: it needs exactly one \"/\" between two non-empty parts", s)
	}
	if err := liveapi.CheckPublishDomain(publishDomain); err != nil {
		return importID{}, fmt.Errorf("the publish_domain of the import id %q %w", s, err)
	}
	if err := liveapi.CheckApp(app); err != nil {
		return importID{}, fmt.Errorf("the app of the import id %q %w", s, err)
	}
	return importID{publishDomain: publishDomain, app: app}, nil
}
