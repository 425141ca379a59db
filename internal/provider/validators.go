package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// httpURL accepts an absolute http:// or https:// URL with a host and no query or fragment.
func httpURL() validator.String { return httpURLValidator{} }

type httpURLValidator struct{}

func (v httpURLValidator) Description(_ context.Context) string {
	return "value must be an absolute http:// or https:// URL with a host, without query parameters or fragment"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := liveapi.CheckCallbackURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("Attribute %s %s, got: %q.", req.Path, err, req.ConfigValue.ValueString()))
	}
}

// callbackKey checks the callback key without ever echoing it: framework validators such as
// RegexMatches print the offending value.
func callbackKey() validator.String { return callbackKeyValidator{} }

type callbackKeyValidator struct{}

func (v callbackKeyValidator) Description(_ context.Context) string {
	return fmt.Sprintf("value must be at least %d letters and digits", liveapi.KeyMinLength)
}

func (v callbackKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v callbackKeyValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !liveapi.KeyPattern.MatchString(req.ConfigValue.ValueString()) {
		// Not an attribute error: Terraform would print the configuration line, and so the key.
		resp.Diagnostics.AddError("Invalid Callback Key",
			fmt.Sprintf("Attribute %s %s (the value is sensitive and not shown).", req.Path, v.Description(ctx)))
	}
}
