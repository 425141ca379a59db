package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// httpURL accepts an absolute http:// or https:// URL with a host and no query or fragment.
func httpURL() validator.String {
	return ruleValidator{description: "value must be an absolute http:// or https:// URL with a host, without query parameters or fragment",
		summary: "Invalid URL", check: liveapi.CheckCallbackURL}
}

// publishDomain accepts a domain name in lower case, an internationalized one in punycode.
func publishDomain() validator.String {
	return ruleValidator{description: "value must be a domain name in lower case, in punycode (xn--) when internationalized",
		summary: "Invalid Domain Name", check: liveapi.CheckPublishDomain}
}

// appName accepts an application name without '/', whitespace or control characters.
func appName() validator.String {
	return ruleValidator{description: "value must not contain '/', whitespace or control characters",
		summary: "Invalid Application Name", check: liveapi.CheckApp}
}

// ruleValidator applies one of the API's field rules from liveapi; check says why a value fails.
type ruleValidator struct {
	description, summary string
	check                func(string) error
}

func (v ruleValidator) Description(_ context.Context) string {
	return v.description
}

func (v ruleValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v ruleValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary,
			fmt.Sprintf("Attribute %s %s, got: %q.", req.Path, err, req.ConfigValue.ValueString()))
	}
}

// callbackKey checks the callback key without ever echoing it: framework validators such as
// RegexMatches print the offending value.
func callbackKey() validator.String { return callbackKeyValidator{} }

type callbackKeyValidator struct{}

func (v callbackKeyValidator) Description(_ context.Context) string {
	return fmt.Sprintf("value must be at least %d letters and digits", livespec.KeyMinLength)
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

// preferKeyWO suggests key_wo when the CLI supports write-only attributes. Not
// stringvalidator.PreferWriteOnlyAttribute: its warning is attached to key, so Terraform prints the
// configuration line, and so the key.
func preferKeyWO() validator.String { return preferKeyWOValidator{} }

type preferKeyWOValidator struct{}

func (v preferKeyWOValidator) Description(_ context.Context) string {
	return "key_wo is preferred where the CLI supports write-only attributes"
}

func (v preferKeyWOValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v preferKeyWOValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ClientCapabilities.WriteOnlyAttributesAllowed || req.ConfigValue.IsNull() {
		return
	}
	resp.Diagnostics.AddWarning("Available Write-Only Attribute Alternative",
		fmt.Sprintf("Attribute %s keeps the key in state, in plain text. This Terraform version supports write-only "+
			"attributes: key_wo (with key_wo_version) sends the same key without storing it in the plan or state.", req.Path))
}
