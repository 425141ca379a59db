package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

func TestResolveConfig(t *testing.T) {
	env := map[string]string{
		"HW_REGION_NAME": "cn-north-4",
		"HW_PROJECT_ID":  "env-project",
		"CLOUD_SDK_AK":   "sdk-ak",
		"HW_SECRET_KEY":  "hw-sk",
		"CLOUD_SDK_SK":   "sdk-sk",
		"HW_INSECURE":    "true",
	}
	p := &liveProvider{version: "1.2.3", getenv: func(name string) string { return env[name] }}
	cfg, unknown, _, diags := p.resolveConfig(liveProviderModel{
		ProjectID: types.StringValue("config-project"),
		Endpoint:  types.StringNull(),
		Insecure:  types.BoolNull(),
	})
	if diags.HasError() || len(unknown) != 0 {
		t.Fatal(diags, unknown)
	}
	if cfg.ProjectID != "config-project" || cfg.Region != "cn-north-4" || cfg.AccessKey != "sdk-ak" ||
		cfg.SecretKey != "hw-sk" || !cfg.Insecure || cfg.UserAgent != "terraform-provider-live/1.2.3" {
		t.Fatalf("configuration must win over the environment, HW_ over CLOUD_SDK_: %+v", cfg)
	}

	// An empty string in the configuration is unset; the SDK's IAM variable may omit the scheme.
	env["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = "iam.example.com"
	cfg, _, _, diags = p.resolveConfig(liveProviderModel{ProjectID: types.StringValue(""), Endpoint: types.StringValue("")})
	if diags.HasError() || cfg.ProjectID != "env-project" || cfg.IAMEndpoint != "https://iam.example.com" {
		t.Fatalf("empty settings must fall back to the environment: %+v %v", cfg, diags)
	}
	delete(env, "HUAWEICLOUD_SDK_IAM_ENDPOINT")

	env["HW_INSECURE"] = "maybe"
	if _, _, _, diags := p.resolveConfig(liveProviderModel{}); !diags.HasError() {
		t.Fatal("HW_INSECURE=maybe must be an error")
	}
}

// TestResolveConfigWithUnknownValues: settings known only after apply are no error at plan time;
// what is known is still checked, and what is missing stays an error.
func TestResolveConfigWithUnknownValues(t *testing.T) {
	p := &liveProvider{version: "test", getenv: func(string) string { return "" }}
	known := liveProviderModel{
		ProjectID: types.StringValue(testProjectID),
		AccessKey: types.StringValue(testAccessKey),
		SecretKey: types.StringValue(testSecretKey),
	}

	config := known
	config.Endpoint = types.StringUnknown()
	config.MaxRetries = types.Int64Unknown()
	_, unknown, _, diags := p.resolveConfig(config)
	if diags.HasError() || !slices.Equal(unknown, []string{"endpoint", "max_retries"}) {
		t.Fatalf("an unknown endpoint needs no region: %v %v", diags, unknown)
	}

	config = known
	config.AccessKey = types.StringUnknown()
	config.Region = types.StringUnknown()
	config.ProjectID = types.StringNull()
	if _, unknown, _, diags := p.resolveConfig(config); diags.HasError() || len(unknown) != 2 {
		t.Fatalf("unknown credentials and region: %v %v", diags, unknown)
	}

	for name, change := range map[string]func(*liveProviderModel){
		"a known invalid iam_endpoint": func(m *liveProviderModel) { m.IAMEndpoint = types.StringValue("ftp://iam.example.com") },
		"a missing secret key":         func(m *liveProviderModel) { m.SecretKey = types.StringNull() },
		"a known unknown region":       func(m *liveProviderModel) { m.Endpoint = types.StringNull(); m.Region = types.StringValue("mars-1") },
	} {
		config := known
		config.SecurityToken = types.StringUnknown()
		change(&config)
		if _, _, _, diags := p.resolveConfig(config); !diags.HasError() {
			t.Errorf("%s must still be an error while another setting is unknown", name)
		}
	}
}

// TestResolveConfigChoosesOneWayToSignIn: AK/SK or OIDC federation, whichever has the higher
// precedence (configuration, then HW_ variables, then the SDK's); both at the same one is an error
// that names every setting and where it came from.
func TestResolveConfigChoosesOneWayToSignIn(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "id-token")
	writeFile(t, tokenFile, "header.claims.signature")
	base := liveProviderModel{ProjectID: types.StringValue(testProjectID), Endpoint: types.StringValue("http://127.0.0.1:1")}
	withKeys := base
	withKeys.AccessKey, withKeys.SecretKey = types.StringValue("ak"), types.StringValue("sk")
	withFederation := base
	withFederation.IdpID, withFederation.IDTokenFile = types.StringValue("idp"), types.StringValue(tokenFile)
	withEmptyKeys := base
	withEmptyKeys.AccessKey, withEmptyKeys.SecretKey = types.StringValue(""), types.StringValue("")
	withBoth := withKeys
	withBoth.IdpID, withBoth.IDTokenFile = withFederation.IdpID, withFederation.IDTokenFile
	cases := map[string]struct {
		config        liveProviderModel
		env           map[string]string
		wantFederated bool
		wantError     string
	}{
		"keys in the configuration":        {config: withKeys},
		"federation in the configuration":  {config: withFederation, wantFederated: true},
		"both in the configuration":        {config: withBoth, wantError: "access_key (from the provider configuration), secret_key (from the provider configuration) and idp_id (from the provider configuration), id_token_file (from the provider configuration)"},
		"configuration over HW_ variables": {config: withFederation, env: map[string]string{"HW_ACCESS_KEY": "ak", "HW_SECRET_KEY": "sk"}, wantFederated: true},
		"HW_ variables over the SDK's":     {config: base, env: map[string]string{"HW_ACCESS_KEY": "ak", "HW_SECRET_KEY": "sk", "HUAWEICLOUD_SDK_IDP_ID": "idp", "HUAWEICLOUD_SDK_ID_TOKEN_FILE": tokenFile}},
		"federation from HW_ variables":    {config: base, env: map[string]string{"HW_IDP_ID": "idp", "HW_ID_TOKEN_FILE": tokenFile, "CLOUD_SDK_AK": "ak", "CLOUD_SDK_SK": "sk"}, wantFederated: true},
		"both from HW_ variables":          {config: base, env: map[string]string{"HW_ACCESS_KEY": "ak", "HW_SECRET_KEY": "sk", "HW_ID_TOKEN_FILE": tokenFile}, wantError: "id_token_file (from HW_ID_TOKEN_FILE)"},
		"federation without a token file":  {config: base, env: map[string]string{"HW_IDP_ID": "idp"}, wantError: "the ID token file (OIDC federation) is missing"},
		"a token file that is not there":   {config: base, env: map[string]string{"HW_IDP_ID": "idp", "HW_ID_TOKEN_FILE": tokenFile + ".missing"}, wantError: "cannot be read"},
		"a security token alone is no key": {config: base, env: map[string]string{"HW_SECURITY_TOKEN": "t", "HW_IDP_ID": "idp", "HW_ID_TOKEN_FILE": tokenFile}, wantFederated: true},
		"an empty access key is no key":    {config: withEmptyKeys, env: map[string]string{"HW_IDP_ID": "idp", "HW_ID_TOKEN_FILE": tokenFile}, wantFederated: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &liveProvider{version: "test", getenv: func(name string) string { return tc.env[name] }}
			cfg, _, credentials, diags := p.resolveConfig(tc.config)
			if tc.wantError != "" {
				if !diags.HasError() || !strings.Contains(fmt.Sprint(diags), tc.wantError) {
					t.Fatalf("got %v, want an error with %q", diags, tc.wantError)
				}
				return
			}
			if diags.HasError() {
				t.Fatal(diags)
			}
			if want := map[bool]string{true: "OIDC federation", false: "access key"}[tc.wantFederated]; !strings.HasPrefix(credentials, want) {
				t.Fatalf("credentials described as %q, want %s", credentials, want)
			}
			federated := cfg.IdpID != "" && cfg.IDTokenFile != "" && cfg.AccessKey == "" && cfg.SecretKey == ""
			keys := cfg.AccessKey != "" && cfg.SecretKey != "" && cfg.IdpID == "" && cfg.IDTokenFile == ""
			if federated != tc.wantFederated || keys == tc.wantFederated {
				t.Fatalf("federated %v, keys %v: %+v", federated, keys, cfg)
			}
		})
	}
}

func TestResolveConfigAssumeRole(t *testing.T) {
	base := liveProviderModel{ProjectID: types.StringValue(testProjectID), Endpoint: types.StringValue("http://127.0.0.1:1"),
		AccessKey: types.StringValue("ak"), SecretKey: types.StringValue("sk")}
	attrTypes := map[string]attr.Type{"agency_name": types.StringType, "domain_name": types.StringType, "domain_id": types.StringType,
		"duration": types.Int64Type}
	block := func(agency, domainName string, duration int64) types.Object {
		m := assumeRoleModel{AgencyName: types.StringNull(), DomainName: types.StringNull(), DomainID: types.StringNull(), Duration: types.Int64Null()}
		if agency != "" {
			m.AgencyName = types.StringValue(agency)
		}
		if domainName != "" {
			m.DomainName = types.StringValue(domainName)
		}
		if duration != 0 {
			m.Duration = types.Int64Value(duration)
		}
		value, diags := types.ObjectValueFrom(context.Background(), attrTypes, m)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return value
	}
	withBothDomains := func() types.Object {
		attrs := block("live-admins", "media-team", 0).Attributes()
		attrs["domain_id"] = types.StringValue("m3d1a")
		return types.ObjectValueMust(attrTypes, attrs)
	}
	cases := map[string]struct {
		block     types.Object
		env       map[string]string
		want      *liveapi.AssumeRole
		wantError string
	}{
		"none":            {},
		"an empty block":  {block: block("", "", 0)},
		"the block":       {block: block("live-admins", "media-team", 1800), want: &liveapi.AssumeRole{AgencyName: "live-admins", DomainName: "media-team", Duration: 30 * time.Minute}},
		"the environment": {env: map[string]string{"HW_ASSUME_ROLE_AGENCY_NAME": "live-admins", "HW_ASSUME_ROLE_DOMAIN_ID": "m3d1a"}, want: &liveapi.AssumeRole{AgencyName: "live-admins", DomainID: "m3d1a", Duration: time.Hour}},
		"the block over the environment": {block: block("live-admins", "", 0), env: map[string]string{"HW_ASSUME_ROLE_AGENCY_NAME": "other", "HW_ASSUME_ROLE_DOMAIN_NAME": "media-team", "HW_ASSUME_ROLE_DURATION": "900"},
			want: &liveapi.AssumeRole{AgencyName: "live-admins", DomainName: "media-team", Duration: 15 * time.Minute}},
		"no domain":                 {block: block("live-admins", "", 0), wantError: "set the account that created it"},
		"both domains in the block": {block: withBothDomains(), wantError: "set one of them"},
		"the block's domain, not the environment's": {block: block("live-admins", "media-team", 0), env: map[string]string{"HW_ASSUME_ROLE_DOMAIN_ID": "other"},
			want: &liveapi.AssumeRole{AgencyName: "live-admins", DomainName: "media-team", Duration: time.Hour}},
		"an unknown block":              {block: types.ObjectUnknown(attrTypes)},
		"a bad duration, but no agency": {env: map[string]string{"HW_ASSUME_ROLE_DURATION": "soon"}},
		"no agency name":                {env: map[string]string{"HW_ASSUME_ROLE_DOMAIN_NAME": "media-team"}, wantError: "set its name"},
		"a duration out of range":       {block: block("live-admins", "media-team", 0), env: map[string]string{"HW_ASSUME_ROLE_DURATION": "60"}, wantError: "from 900 to 86400"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			config := base
			config.AssumeRole = tc.block
			p := &liveProvider{version: "test", getenv: func(name string) string { return tc.env[name] }}
			cfg, _, credentials, diags := p.resolveConfig(config)
			if tc.wantError != "" {
				if !strings.Contains(fmt.Sprint(diags), tc.wantError) {
					t.Fatalf("got %v, want an error with %q", diags, tc.wantError)
				}
				return
			}
			if diags.HasError() {
				t.Fatal(diags)
			}
			if fmt.Sprint(cfg.AssumeRole) != fmt.Sprint(tc.want) {
				t.Fatalf("got %+v, want %+v", cfg.AssumeRole, tc.want)
			}
			if (tc.want != nil) != strings.Contains(credentials, "assuming agency") {
				t.Fatalf("credentials described as %q", credentials)
			}
		})
	}
}
