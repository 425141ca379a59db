package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// providerData is what Configure hands to resources and data sources: the client, or, while some
// settings are not known until apply, their names.
type providerData struct {
	client          *liveapi.Client
	unknownSettings []string
	region          string // as configured (HCL or environment), "" when none is
	projectID       string // as configured, while the client waits for unknown settings; "" when not known
}

// withProviderData is embedded in every resource and data source: it keeps what the provider's
// Configure handed over, and tells in one place whether the Live API can be used yet.
type withProviderData struct {
	providerData
}

// take keeps the provider's data; it is nil until the provider is configured.
func (w *withProviderData) take(data any, diags *diag.Diagnostics) {
	if data == nil {
		return
	}
	configured, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *providerData, got: %T. Please report this issue to the provider developers.", data))
		return
	}
	w.providerData = *configured
}

// configured reports whether the Live API can be used.
func (w *withProviderData) configured() bool {
	return w.client != nil
}

// ready reports whether the Live API can be used; when it cannot, it adds the error that says why
// what needs it cannot run yet.
func (w *withProviderData) ready(diags *diag.Diagnostics, what string) bool {
	if w.configured() {
		return true
	}
	addNotConfiguredError(diags, w.unknownSettings, what)
	return false
}

// resourceWithProviderData is withProviderData with a resource's Configure.
type resourceWithProviderData struct{ withProviderData }

func (r *resourceWithProviderData) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.take(req.ProviderData, &resp.Diagnostics)
}

// dataSourceWithProviderData is withProviderData with a data source's Configure.
type dataSourceWithProviderData struct{ withProviderData }

func (d *dataSourceWithProviderData) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.take(req.ProviderData, &resp.Diagnostics)
}

// notKnownYet explains that some settings of the provider are not known until apply.
func notKnownYet(unknownSettings []string) string {
	switch len(unknownSettings) {
	case 0:
		return "The provider is not configured yet."
	case 1:
		return fmt.Sprintf("The provider's %s is not known until apply.", unknownSettings[0])
	}
	return fmt.Sprintf("The provider's %s are not known until apply.", strings.Join(unknownSettings, ", "))
}

// addNotConfiguredError reports that what needs the Live API cannot run before the provider's
// configuration is known.
func addNotConfiguredError(diags *diag.Diagnostics, unknownSettings []string, what string) {
	diags.AddError("Live Provider Configuration Not Known",
		fmt.Sprintf("%s %s needs the Live API, so it cannot run before then. Apply the resources that the "+
			"provider configuration depends on first (for example with -target), or configure the provider from "+
			"values known at plan time.", notKnownYet(unknownSettings), what))
}
