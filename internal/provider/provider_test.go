package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
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

// TestAccLiveProvider_unknownAtPlan: the provider's endpoint comes from a resource that is applied in
// the same run. Plan succeeds, apply configures the provider once the endpoint is known, and the next
// plan is empty. When the endpoint is unknown again, the existing callback is kept (not read) and
// left alone.
func TestAccLiveProvider_unknownAtPlan(t *testing.T) {
	e := newTestEmulator(t)
	config := func(revision int) string {
		return fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input            = %[1]q
  triggers_replace = %[5]d
}

provider "live" {
  endpoint   = terraform_data.endpoint.output
  project_id = %[2]q
  access_key = %[3]q
  secret_key = %[4]q
}
`, e.url, testProjectID, testAccessKey, testSecretKey, revision) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
			{
				Config:           config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The endpoint is unknown again: the callback is neither read nor changed.
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("terraform_data.endpoint", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}

// TestAccLiveProvider_credentialsUnknownAtPlan: credentials that another resource gives, known only
// after apply, configure the provider at apply; the next plan is empty.
func TestAccLiveProvider_credentialsUnknownAtPlan(t *testing.T) {
	e := newTestEmulator(t)
	config := fmt.Sprintf(`
resource "terraform_data" "credentials" {
  input = sensitive({ access_key = %[3]q, secret_key = %[4]q })
}

provider "live" {
  endpoint   = %[1]q
  project_id = %[2]q
  access_key = terraform_data.credentials.output.access_key
  secret_key = terraform_data.credentials.output.secret_key
}
`, e.url, testProjectID, testAccessKey, testSecretKey) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionCreate),
				}},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccLiveProvider_settings cannot run in parallel: it clears the environment fallbacks.
func TestAccLiveProvider_settings(t *testing.T) {
	clearProviderEnv(t)
	e := newTestEmulator(t)
	resourceConfig := testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	providerBlock := func(settings string) string { return "provider \"live\" {\n" + settings + "\n}\n" + resourceConfig }
	settings := map[string]string{
		"endpoint":   fmt.Sprintf("endpoint = %q", e.url),
		"project_id": fmt.Sprintf("project_id = %q", testProjectID),
		"access_key": fmt.Sprintf("access_key = %q", testAccessKey),
		"secret_key": fmt.Sprintf("secret_key = %q", testSecretKey),
	}
	without := func(omit string, extra ...string) string {
		var lines []string
		for name, line := range settings {
			if name != omit {
				lines = append(lines, line)
			}
		}
		return providerBlock(strings.Join(append(lines, extra...), "\n"))
	}
	cases := []struct {
		config string
		want   *regexp.Regexp
	}{
		{without("access_key"), wrapped(`(?s)access key is missing.*access_key.*HW_ACCESS_KEY or CLOUD_SDK_AK or HUAWEICLOUD_SDK_AK`)},
		{without("secret_key"), wrapped(`(?s)secret key is missing.*secret_key.*HW_SECRET_KEY or CLOUD_SDK_SK or HUAWEICLOUD_SDK_SK`)},
		{without("project_id"), wrapped(`(?s)project ID is missing.*project_id.*HW_PROJECT_ID`)},
		{without("endpoint"), wrapped(`(?s)cannot choose a Live endpoint.*region.*HW_REGION_NAME.*HW_LIVE_ENDPOINT`)},
		{without("endpoint", `region = "mars-1"`), wrapped(`(?s)region "mars-1".*has no known Live endpoint`)},
		{without("endpoint", `endpoint = "ftp://127.0.0.1:1"`), wrapped(`endpoint "ftp://127.0.0.1:1" \(from the provider configuration\) must start with http:// or https://`)},
		{without("endpoint", `endpoint = "http://127.0.0.1:1/?x=1"`), wrapped(`\(from the provider configuration\) must not contain query parameters`)},
	}
	steps := make([]resource.TestStep, len(cases))
	for i, tc := range cases {
		steps[i] = resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: tc.want}
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})

	// The environment fills in what the configuration leaves out.
	t.Setenv("HW_LIVE_ENDPOINT", e.url)
	t.Setenv("HW_PROJECT_ID", testProjectID)
	t.Setenv("CLOUD_SDK_AK", testAccessKey)
	t.Setenv("HW_SECRET_KEY", testSecretKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: resourceConfig,
			Check:  e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
		}},
	})
	if counts := e.RequestCounts(); counts[liveemulator.OperationCreate] != 1 {
		t.Fatalf("misconfigured providers sent requests: %v", counts)
	}
}

// TestAccLiveProvider_projectDiscovery configures the provider without project_id: it finds the
// project named after the region through IAM, or explains why it cannot.
func TestAccLiveProvider_projectDiscovery(t *testing.T) {
	cases := map[string]struct {
		projects []liveemulator.Project
		want     string
	}{
		"found":   {[]liveemulator.Project{{ID: testProjectID, Name: "cn-north-4"}, {ID: "eastproject", Name: "cn-east-3"}}, ""},
		"none":    {[]liveemulator.Project{{ID: "eastproject", Name: "cn-east-3"}}, `(?s)Unable to Discover Live Project ID.*region "cn-north-4".*Set project_id .* HW_PROJECT_ID`},
		"several": {[]liveemulator.Project{{ID: testProjectID, Name: "cn-north-4"}, {ID: "other", Name: "cn-north-4"}}, `(?s)Unable to Discover Live Project ID.*IAM lists\s+2 projects.*Set project_id`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			accessKey := "DISCOVERYAK" + strings.ToUpper(name)
			e := newTestEmulator(t, liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: accessKey, SecretKey: testSecretKey, Projects: tc.projects}}})
			config := fmt.Sprintf(`
provider "live" {
  region       = "cn-north-4"
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  access_key   = %[2]q
  secret_key   = %[3]q
}
`, e.url, accessKey, testSecretKey) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
			step := resource.TestStep{Config: config}
			if tc.want != "" {
				step.ExpectError = wrapped(tc.want)
			} else {
				step.Check = e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"})
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             e.checkDestroy,
				Steps:                    []resource.TestStep{step},
			})
		})
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

// federationConfig is a provider block that signs in with OIDC federation of the identity provider
// idpID at e's IAM, discovering the project of region unless a setting gives it. Each extra setting
// is one attribute line, as in providerConfig.
func (e testEmulator) federationConfig(idpID, tokenFile string, extraSettings ...string) string {
	return fmt.Sprintf(`
provider "live" {
  endpoint      = %[1]q
  iam_endpoint  = %[1]q
  region        = %[2]q
  idp_id        = %[3]q
  id_token_file = %[4]q
%[5]s}
`, e.url, emulatortest.Region, idpID, tokenFile, settingLines(extraSettings))
}

// TestAccLiveProvider_oidcFederation applies and destroys 50 callbacks signed in with a CI's ID
// token, with temporary credentials that live three seconds: they are renewed during the apply (the
// provider renews them half their life before they expire) and nothing fails.
func TestAccLiveProvider_oidcFederation(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		TemporaryCredentialsTTL: 3 * time.Second})
	config := e.federationConfig(idp.ID, idp.IDTokenFile(t, time.Hour, nil)) + testAccLiveRecordCallbackResourceConfig_count(50)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				if n := len(e.Callbacks()); n != 50 {
					return fmt.Errorf("the emulator holds %d callbacks, want 50", n)
				}
				counts := e.RequestCounts()
				if counts[liveemulator.OperationSecurityToken] < 2 || counts[liveemulator.OperationTokenByIDToken] < 2 {
					return fmt.Errorf("the temporary credentials were not renewed: %v", counts)
				}
				return nil
			},
		}},
	})
}

// TestAccLiveProvider_oidcExpiredIDToken: an expired ID token fails the first request with IAM's
// answer and a hint, and nothing is created.
func TestAccLiveProvider_oidcExpiredIDToken(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	config := e.federationConfig(idp.ID, idp.IDTokenFile(t, -time.Minute, nil), fmt.Sprintf("project_id = %q", testProjectID)) +
		testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrapped(`(?s)HTTP status: 401.*error_code: IAM.1002.*ID token is invalid: it expired at.*id_token_file is fresh`),
		}},
	})
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks were created", n)
	}

	// Without project_id, the project's discovery meets IAM's refusal first: it is told as that, not
	// as a project to set. (Another IdP: the SDK keeps discovered projects by IdP and region.)
	undiscovered := emulatortest.NewIdentityProvider(t)
	undiscovered.ID = "expired-before-discovery"
	config = newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{undiscovered.IdentityProvider}}).federationConfig(undiscovered.ID, undiscovered.IDTokenFile(t, -time.Minute, nil)) +
		testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrapped(`(?s)Unable to Obtain Live API Credentials.*IAM.1002.*expired at.*hint: IAM refused`),
		}},
	})
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

// agencyEmulator is an emulator with an agency of another account that the test account may assume;
// what IAM issues lives ttl.
func agencyEmulator(t *testing.T, ttl time.Duration) testEmulator {
	t.Helper()
	return newTestEmulator(t, liveemulator.Options{TemporaryCredentialsTTL: ttl, Agencies: []liveemulator.Agency{emulatortest.Agency()}})
}

func (e testEmulator) assumeRoleConfig(agency string) string {
	return fmt.Sprintf(`
provider "live" {
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  region       = %[2]q
  access_key   = %[3]q
  secret_key   = %[4]q

  assume_role {
    agency_name = %[5]q
    domain_name = "media-team"
  }
}
`, e.url, emulatortest.Region, testAccessKey, testSecretKey, agency)
}

// TestAccLiveProvider_assumeRole applies and destroys 50 callbacks in another account's project
// through an agency, with temporary credentials that live three seconds and creates that take half a
// second: the credentials are renewed during the apply (half their life before they expire) and
// nothing fails.
func TestAccLiveProvider_assumeRole(t *testing.T) {
	e := agencyEmulator(t, 3*time.Second)
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationCreate, Latency: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: e.assumeRoleConfig("live-admins") + testAccLiveRecordCallbackResourceConfig_count(50),
			Check: func(*terraform.State) error {
				stored := e.Callbacks()
				if len(stored) != 50 || slices.ContainsFunc(stored, func(cb liveemulator.Callback) bool { return cb.ProjectID != emulatortest.AgencyProjectID }) {
					return fmt.Errorf("want 50 callbacks, all in the agency's project: %d", len(stored))
				}
				if n := e.RequestCounts()[liveemulator.OperationSecurityToken]; n < 2 {
					return fmt.Errorf("the agency's credentials were issued %d times, want renewals", n)
				}
				return nil
			},
		}},
	})
}

// TestAccLiveProvider_assumeRoleRefused: an agency that the credentials may not assume fails at
// plan time with IAM's answer and a hint, on the assume_role block.
func TestAccLiveProvider_assumeRoleRefused(t *testing.T) {
	e := agencyEmulator(t, time.Hour)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      e.assumeRoleConfig("other-agency") + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com"),
			ExpectError: wrapped(`(?s)Unable to Assume Agency.*agency "other-agency".*HTTP status: 403.*IAM.0002.*hint: IAM refused.*agency trusts`),
		}},
	})
}

// clearProviderEnv clears every environment variable the provider reads, and points the SDK's
// credentials file at a file that does not exist; the test cannot run in parallel.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, names := range settingEnvs {
		for _, name := range names {
			t.Setenv(name, "")
		}
	}
	t.Setenv(envCredentialsFile, filepath.Join(t.TempDir(), "no-credentials"))
}

// TestAccLiveProvider_credentialsFile: with no credentials in the configuration or the environment,
// the SDK's credentials file gives them (and the project); an unusable file is an error that names
// it. It cannot run in parallel: it sets the environment.
func TestAccLiveProvider_credentialsFile(t *testing.T) {
	clearProviderEnv(t)
	e := newTestEmulator(t)
	file := filepath.Join(t.TempDir(), "credentials")
	t.Setenv(envCredentialsFile, file)
	config := fmt.Sprintf("provider \"live\" {\n  endpoint = %q\n}\n", e.url) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// Named by the variable, yet not there.
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Invalid Live Provider Credentials File.*` + regexp.QuoteMeta(filepath.Base(file)) + `.*cannot\s+be\s+read`),
			},
			{
				PreConfig:   func() { writeFile(t, file, "[basic]\nak = "+testAccessKey+"\n") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Invalid Live Provider Credentials File.*` + regexp.QuoteMeta(filepath.Base(file)) + `.*cannot\s+use`),
			},
			{
				PreConfig: func() {
					writeFile(t, file, fmt.Sprintf("[basic]\nak = %s\nsk = %s\nproject_id = %s\n", testAccessKey, testSecretKey, testProjectID))
				},
				Config: config,
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}

// TestAccLiveProvider_ecsMetadata runs the built provider with no credentials anywhere: the ECS
// metadata service gives the instance's temporary credentials. The service is a loopback server of
// the test, built into the provider in place of 169.254.169.254; without it, the error names every
// source.
func TestAccLiveProvider_ecsMetadata(t *testing.T) {
	const (
		accessKey     = "INSTANCEAGENCYAK"
		secretKey     = "InstanceAgencySecretKey0123456789"
		securityToken = "InstanceAgencySecurityToken0123456789"
	)
	server := emulatortest.Start(t, liveemulator.Options{Credentials: []liveemulator.Credential{{
		AccessKey: accessKey, SecretKey: secretKey, SecurityToken: securityToken,
		Projects: []liveemulator.Project{{ID: testProjectID, Name: emulatortest.Region}},
	}}})
	var metadataRequests atomic.Int32
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		metadataRequests.Add(1)
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
			fmt.Fprint(w, "metadata-session-token")
		case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey" && r.Header.Get("X-Metadata-Token") == "metadata-session-token":
			fmt.Fprintf(w, `{"credential": {"access": %q, "secret": %q, "securitytoken": %q, "expires_at": %q}}`,
				accessKey, secretKey, securityToken, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(metadata.Close)

	configuration := requiredProviders + fmt.Sprintf(`
provider "live" {
  endpoint   = %q
  project_id = %q
}
`, server.URL, testProjectID) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	traceLog := filepath.Join(t.TempDir(), "trace.log")
	h := newCLIHarnessWithMetadata(t, metadata.URL, "TF_LOG=TRACE", "TF_LOG_PATH="+traceLog)
	h.write("main.tf", configuration)
	h.mustRun("apply", "-auto-approve", "-input=false")
	if stored := server.Callbacks(); len(stored) != 1 || metadataRequests.Load() == 0 {
		t.Fatalf("stored %d callbacks after %d metadata requests", len(stored), metadataRequests.Load())
	}
	h.mustRun("destroy", "-auto-approve", "-input=false")
	trace := readTraceLog(t, traceLog)
	if !bytes.Contains(trace, []byte("the ECS metadata service")) {
		t.Fatal("the trace log does not say which credentials were used")
	}
	assertNoSecrets(t, []string{secretKey, securityToken, "metadata-session-token"},
		map[string][]byte{"the trace log": trace, "stdout or stderr": h.outputs.Bytes()})

	// No metadata service: the first request, not Configure, asks it, and says it gave nothing.
	metadata.Close()
	without := newCLIHarnessWithMetadata(t, metadata.URL)
	without.write("main.tf", configuration)
	if _, stderr, err := without.run("apply", "-input=false", "-auto-approve"); err == nil ||
		!regexp.MustCompile(`(?s)Unable to Create Live Record Callback.*ECS\s+metadata\s+service\s+gave\s+no\s+credentials`).MatchString(stderr) {
		t.Fatalf("want the missing credentials error, got %v:\n%s", err, stderr)
	}
}
