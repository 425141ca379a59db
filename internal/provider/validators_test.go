package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

func runStringValidator(v validator.String, value string) validator.StringResponse {
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(value)}, &resp)
	return resp
}

func TestHTTPURLValidator(t *testing.T) {
	for value, wantErr := range map[string]string{
		"https://h.example.com/notify":   "",
		"http://127.0.0.1:8080":          "",
		"http://[::1]:8080/x":            "",
		"HTTPS://H.EXAMPLE.COM/x":        "",
		"ftp://h.example.com/x":          "must start with http:// or https://",
		"h.example.com/x":                "must start with http:// or https://",
		"https://":                       "must include a host",
		"https://:80/x":                  "must include a host",
		"https://h.example.com/x?":       "must not contain query parameters",
		"https://h.example.com/x?a=b":    "must not contain query parameters",
		"https://h.example.com/x#frag":   "must not contain a fragment",
		"https://h.example.com/x#":       "must not contain a fragment",
		"https://user:pw@h.example.com/": "must not contain user information",
		"https://h.example.com/%zz":      "must be a valid URL",
	} {
		resp := runStringValidator(httpURL(), value)
		if wantErr == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%q: unexpected %v", value, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), wantErr) {
			t.Errorf("%q: want %q, got %v", value, wantErr, resp.Diagnostics)
		}
	}
	var resp validator.StringResponse
	httpURL().ValidateString(context.Background(), validator.StringRequest{ConfigValue: types.StringUnknown()}, &resp)
	httpURL().ValidateString(context.Background(), validator.StringRequest{ConfigValue: types.StringNull()}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal("null and unknown values are not validated")
	}
}

func TestCallbackKeyValidator(t *testing.T) {
	for value, valid := range map[string]bool{
		strings.Repeat("a", 32):                true,
		"ABCDEFabcdef0123456789XYZxyz01234567": true,
		strings.Repeat("a", 31):                false,
		strings.Repeat("a", 31) + "-":          false,
		strings.Repeat("a", 40) + " ":          false,
		"":                                     false,
	} {
		resp := runStringValidator(callbackKey(), value)
		if resp.Diagnostics.HasError() == valid {
			t.Errorf("%d characters: valid=%v, diagnostics %v", len(value), valid, resp.Diagnostics)
		}
		for _, d := range resp.Diagnostics {
			if value != "" && (strings.Contains(d.Detail(), value) || strings.Contains(d.Summary(), value)) {
				t.Errorf("the diagnostic echoes the key: %s", d.Detail())
			}
			if _, hasPath := d.(interface{ Path() path.Path }); hasPath {
				t.Errorf("an attribute diagnostic would make Terraform print the configuration line holding the key")
			}
		}
	}
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

// FuzzValidatorsAgreeWithEmulator is the differential test of the two readings of the API
// documentation: for each request field, the resource's plan-time validators accept exactly the
// values that the emulator, with its own rules, accepts in a create request. The differences listed
// are deliberate, and checked to still be differences; any other is a bug on one side. (A set holds
// no duplicates, so the provider cannot send an event twice, which the emulator accepts.)
func FuzzValidatorsAgreeWithEmulator(f *testing.F) {
	for _, seed := range []struct {
		domain, app, url, key, signType, event string
		events                                 uint8
	}{
		{"publish.example.com", "live", "https://h.example.com/n", strings.Repeat("k", 32), "MD5", "RECORD_OVER", 1},
		{"Publish.example.com", "*", "http://127.0.0.1:8080", "", "", "", 0},
		{"例え.jp", "a/b", "ftp://h/x", "short", "md5", "RECORD_START", 31},
		{"xn--r8jz45g.jp", "a\u00a0b", "https://h/x?a", strings.Repeat("a", 31) + "!", "HMACSHA256", "RECORD_FAILED", 8},
		{"a.xn--p1ai-", strings.Repeat("直播", 60), "https://h/#x", "", "SHA256", "", 18},
		{"a.xn---a", "a\u2028", "https://user@h/", "", "HMACSHA256 ", "", 4},
		{"-a.example.com", strings.Repeat("a", 129), "https://:80/x", "", "", "", 16},
		{"a.b", "app", "HTTPS://H.EXAMPLE.COM/x", strings.Repeat("Z9", 20), "MD5", "RECORD_FILE_COMPLETE", 2},
	} {
		f.Add(seed.domain, seed.app, seed.url, seed.key, seed.signType, seed.event, seed.events)
	}
	var schemaResp resource.SchemaResponse
	NewLiveRecordCallbackResource().Schema(context.Background(), resource.SchemaRequest{}, &schemaResp)
	attributes := schemaResp.Schema.Attributes

	f.Fuzz(func(t *testing.T, domain, app, callbackURL, key, signType, event string, eventMask uint8) {
		for _, s := range []string{domain, app, callbackURL, key, signType, event} {
			if !utf8.ValidString(s) {
				return // Terraform's strings are UTF-8
			}
		}
		events := []string{}
		for i, e := range livespec.Events {
			if eventMask&(1<<i) != 0 {
				events = append(events, e)
			}
		}
		if eventMask&(1<<len(livespec.Events)) != 0 && !slices.Contains(events, event) {
			events = append(events, event)
		}
		fields := []struct {
			name       string
			value      any
			planOK     bool
			deliberate string // why the verdicts differ for this value, or ""
		}{
			{"publish_domain", domain, stringAccepted(t, attributes["publish_domain"], "publish_domain", domain), stricterDomain(t, domain)},
			{"app", app, stringAccepted(t, attributes["app"], "app", app), stricterApp(t, app)},
			{"notify_callback_url", callbackURL, stringAccepted(t, attributes["notify_callback_url"], "notify_callback_url", callbackURL),
				cmp.Or(emptyMeansNone(callbackURL), stricterURL(t, callbackURL))},
			{"key", key, stringAccepted(t, attributes["key"], "key", key), emptyMeansNone(key)},
			{"sign_type", signType, stringAccepted(t, attributes["sign_type"], "sign_type", signType), emptyMeansDefault(signType == "")},
			{"notify_event_subscription", events, setAccepted(t, attributes["notify_event_subscription"], "notify_event_subscription", events),
				emptyMeansDefault(len(events) == 0)},
		}
		for _, field := range fields {
			emulatorErr := emulatorVerdict(t, field.name, field.value)
			agree := field.planOK == (emulatorErr == nil)
			switch {
			case !agree && field.deliberate == "":
				t.Fatalf("%s %q: the plan-time validators accept it: %v; the emulator: %v", field.name, field.value, field.planOK, emulatorErr)
			case agree && field.deliberate != "":
				t.Fatalf("%s %q: the deliberate difference (%s) no longer holds: both sides say %v", field.name, field.value,
					field.deliberate, field.planOK)
			}
		}
	})
}

// emulatorVerdict is the emulator's answer to a create request whose field name has value.
func emulatorVerdict(t *testing.T, name string, value any) error {
	encoded, err := json.Marshal(map[string]any{"publish_domain": "publish.example.com", "app": "live", name: value})
	if err != nil {
		t.Fatal(err)
	}
	return liveemulator.ValidateCallbackBody(encoded)
}

// stricterDomain names the deliberate differences for a publish_domain that the API takes: the
// provider takes domain names in lower case only, so that every comparison (duplicate lookup, import,
// adoption) is exact and no plan differs by case; and, as an ingest domain is a public name, only a
// fully qualified one, whose top-level label is alphabetic or an IDN label.
func stricterDomain(t *testing.T, domain string) string {
	if emulatorVerdict(t, "publish_domain", domain) != nil {
		return ""
	}
	if strings.ToLower(domain) != domain {
		return "the provider takes a domain name in lower case only"
	}
	labels := strings.Split(domain, ".")
	top := labels[len(labels)-1]
	alphabetic := len(top) >= 2 && strings.IndexFunc(top, func(r rune) bool { return r < 'a' || r > 'z' }) < 0
	if len(labels) < 2 || (!alphabetic && !strings.HasPrefix(top, "xn--")) {
		return "the provider takes only a fully qualified domain name with an alphabetic or IDN top-level label"
	}
	return ""
}

// stricterApp names the deliberate difference for an app that the API takes: '/' separates
// publish_domain and app in import ids, and whitespace, control and invisible format characters would
// make apps that look alike but differ.
func stricterApp(t *testing.T, app string) string {
	if emulatorVerdict(t, "app", app) != nil {
		return ""
	}
	if strings.IndexFunc(app, func(r rune) bool {
		return r == '/' || unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
	}) >= 0 {
		return "the provider refuses '/', whitespace and control characters in app"
	}
	return ""
}

// stricterURL names the deliberate difference for a notify_callback_url that the API takes: a fragment
// never reaches the receiver, and user information would be sent to it as credentials in clear.
func stricterURL(t *testing.T, callbackURL string) string {
	if callbackURL == "" || emulatorVerdict(t, "notify_callback_url", callbackURL) != nil {
		return ""
	}
	if u, err := url.Parse(callbackURL); err == nil && (strings.Contains(callbackURL, "#") || u.User != nil) {
		return "the provider refuses a fragment or user information in notify_callback_url"
	}
	return ""
}

// emptyMeansDefault is the deliberate difference for an empty sign_type or event set: the API
// applies its default, while a configuration leaves the attribute out to get the default.
func emptyMeansDefault(empty bool) string {
	if empty {
		return "the API applies its default to an empty value; a configuration leaves the attribute out, so that no plan shows the empty value against the default"
	}
	return ""
}

// emptyMeansNone is the deliberate difference for an optional string: the API takes "" as none,
// while in a configuration none is said by leaving the attribute out.
func emptyMeansNone(value string) string {
	if value == "" {
		return "the API takes an empty value as none; a configuration leaves the attribute out (null), so that no plan shows \"\" against none"
	}
	return ""
}

// stringAccepted runs the attribute's plan-time validators on value.
func stringAccepted(t *testing.T, attribute resourceschema.Attribute, name, value string) bool {
	stringAttribute, ok := attribute.(resourceschema.StringAttribute)
	if !ok {
		t.Fatalf("%s is a %T, not a string attribute", name, attribute)
	}
	var resp validator.StringResponse
	for _, v := range stringAttribute.Validators {
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root(name), ConfigValue: types.StringValue(value)}, &resp)
	}
	return !resp.Diagnostics.HasError()
}

// setAccepted runs the set attribute's plan-time validators on values.
func setAccepted(t *testing.T, attribute resourceschema.Attribute, name string, values []string) bool {
	setAttribute, ok := attribute.(resourceschema.SetAttribute)
	if !ok {
		t.Fatalf("%s is a %T, not a set attribute", name, attribute)
	}
	set, diags := types.SetValueFrom(context.Background(), types.StringType, values)
	if diags.HasError() {
		return false
	}
	var resp validator.SetResponse
	for _, v := range setAttribute.Validators {
		v.ValidateSet(context.Background(), validator.SetRequest{Path: path.Root(name), ConfigValue: set}, &resp)
	}
	return !resp.Diagnostics.HasError()
}
