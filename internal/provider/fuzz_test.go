package provider

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// FuzzParseImportID checks that an accepted import id is exactly one of the two documented forms.
func FuzzParseImportID(f *testing.F) {
	for _, seed := range []string{"0123456789abcdef0123456789abcdef", "publish.example.com/live", "publish.example.com/*", "a/b/c", "/x", "x/", "", " x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := parseImportID(s)
		if err != nil {
			if !strings.Contains(err.Error(), "import id") {
				t.Fatalf("%q: the error does not say what is wrong: %v", s, err)
			}
			return
		}
		switch {
		case parsed.id != "":
			if strings.Contains(parsed.id, "/") || parsed.id != s || parsed.publishDomain != "" || parsed.app != "" {
				t.Fatalf("%q parsed as id %+v", s, parsed)
			}
		case parsed.publishDomain == "" || parsed.app == "" || strings.Contains(parsed.app, "/") || parsed.publishDomain+"/"+parsed.app != s:
			t.Fatalf("%q parsed as pair %+v", s, parsed)
		}
	})
}

// FuzzValidators checks that the custom validators never panic, that what httpURL accepts is an
// absolute http(s) URL without query or fragment, and that the key validator never echoes the key.
func FuzzValidators(f *testing.F) {
	for _, seed := range []string{"https://h.example.com/n", "http://127.0.0.1:8080", "ftp://x", "https://h/x?a", "https://h/#", "abcdefghijklmnopqrstuvwxyz012345", "%zz"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		request := validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(s)}
		var urlResp validator.StringResponse
		httpURL().ValidateString(context.Background(), request, &urlResp)
		if !urlResp.Diagnostics.HasError() {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.RawQuery != "" || strings.Contains(s, "#") {
				t.Fatalf("httpURL accepted %q", s)
			}
		}
		// An invalid key gets the same words whatever its value: the value is never echoed.
		var keyResp, referenceResp validator.StringResponse
		callbackKey().ValidateString(context.Background(), request, &keyResp)
		callbackKey().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue("!")}, &referenceResp)
		if keyResp.Diagnostics.HasError() && keyResp.Diagnostics[0].Detail() != referenceResp.Diagnostics[0].Detail() {
			t.Fatalf("the key validator's message depends on the value: %q", keyResp.Diagnostics[0].Detail())
		}
	})
}
