package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

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
