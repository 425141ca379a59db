package provider

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

func TestAccLiveRecordCallbackDataSource_basic(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
		"https://receiver.example.com/notify", `["RECORD_OVER", "RECORD_FAILED"]`, "MD5", testCallbackKey) + `
data "live_record_callback" "by_id" {
  id = live_record_callback.test.id
}

# publish_domain and app are known at plan time: depends_on defers the read until the callback exists.
data "live_record_callback" "by_pair" {
  publish_domain = "publish.example.com"
  app            = "live"
  depends_on     = [live_record_callback.test]
}
`
	var checks []statecheck.StateCheck
	for _, name := range []string{"data.live_record_callback.by_id", "data.live_record_callback.by_pair"} {
		for _, attribute := range []string{"id", "publish_domain", "app", "notify_callback_url", "notify_event_subscription", "sign_type", "create_time", "update_time"} {
			checks = append(checks, statecheck.CompareValuePairs(testResourceAddress, tfjsonpath.New(attribute), name, tfjsonpath.New(attribute), compare.ValuesSame()))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append(checks,
				statecheck.ExpectKnownValue("data.live_record_callback.by_pair", tfjsonpath.New("sign_type"), knownvalue.StringExact("MD5")),
				statecheck.ExpectKnownValue("data.live_record_callback.by_pair", tfjsonpath.New("notify_event_subscription"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("RECORD_OVER"), knownvalue.StringExact("RECORD_FAILED")})),
			),
		}},
	})
}

func TestAccLiveRecordCallbackDataSource_errors(t *testing.T) {
	e := newTestEmulator(t)
	if _, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "*"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ body, want string }{
		{`id = "00000000000000000000000000000000"`, `No recording callback exists with id "00000000000000000000000000000000"`},
		// An exact app does not fall back to the "*" configuration.
		{`publish_domain = "publish.example.com"` + "\n" + `app = "live"`, `No recording callback exists with publish_domain "publish.example.com" and app "live"`},
		{``, `Exactly one of these attributes must be configured: [id,publish_domain]`},
		{`id = "x"` + "\n" + `publish_domain = "publish.example.com"` + "\n" + `app = "*"`, `Exactly one of these attributes must be configured: [id,publish_domain]`},
		{`publish_domain = "publish.example.com"`, `These attributes must be configured together: [publish_domain,app]`},
		{`id = "x"` + "\n" + `app = "*"`, `These attributes cannot be configured together: [id,app]`},
	}
	steps := make([]resource.TestStep, len(cases))
	for i, tc := range cases {
		steps[i] = resource.TestStep{
			Config:      e.providerConfig() + "data \"live_record_callback\" \"test\" {\n" + tc.body + "\n}\n",
			ExpectError: wrapped(regexp.QuoteMeta(tc.want)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

func TestAccLiveRecordCallbacksDataSource_basic(t *testing.T) {
	e := newTestEmulator(t)
	// 300 configurations on 100 domains, so that listing them all walks three pages.
	for i := range 300 {
		app := [...]string{"*", "live", "vod"}[i%3]
		if _, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: fmt.Sprintf("d%03d.example.com", i/3),
			App: app, Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}); err != nil {
			t.Fatal(err)
		}
	}
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("d042.example.com", "sports") + `
data "live_record_callbacks" "all" {
  depends_on = [live_record_callback.test]
}

data "live_record_callbacks" "domain" {
  publish_domain = "d042.example.com"
  depends_on     = [live_record_callback.test]
}

# An app filter also returns the "*" configurations.
data "live_record_callbacks" "domain_app" {
  publish_domain = "d042.example.com"
  app            = "live"
}

data "live_record_callbacks" "app" {
  app = "vod"
}
`
	byDomain := []knownvalue.Check{}
	for _, app := range []string{"*", "live", "sports", "vod"} {
		byDomain = append(byDomain, knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"publish_domain": knownvalue.StringExact("d042.example.com"), "app": knownvalue.StringExact(app),
		}))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := len(e.Callbacks()); n != 300 {
				return fmt.Errorf("%d configurations after destroy, want the 300 seeded", n)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.live_record_callbacks.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(301)),
				statecheck.ExpectKnownValue("data.live_record_callbacks.all", tfjsonpath.New("callbacks"), knownvalue.ListSizeExact(301)),
				statecheck.ExpectKnownValue("data.live_record_callbacks.all", tfjsonpath.New("callbacks").AtSliceIndex(0),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"publish_domain": knownvalue.StringExact("d000.example.com"), "app": knownvalue.StringExact("*")})),
				statecheck.ExpectKnownValue("data.live_record_callbacks.domain", tfjsonpath.New("callbacks"), knownvalue.ListExact(byDomain)),
				statecheck.ExpectKnownValue("data.live_record_callbacks.domain_app", tfjsonpath.New("callbacks"), knownvalue.ListExact(
					[]knownvalue.Check{byDomain[0], byDomain[1]})),
				statecheck.ExpectKnownValue("data.live_record_callbacks.app", tfjsonpath.New("ids"), knownvalue.ListSizeExact(200)),
				statecheck.CompareValuePairs("data.live_record_callbacks.domain", tfjsonpath.New("ids").AtSliceIndex(2),
					testResourceAddress, tfjsonpath.New("id"), compare.ValuesSame()),
			},
		}},
	})
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
		"several": {[]liveemulator.Project{{ID: testProjectID, Name: "cn-north-4"}, {ID: "other", Name: "cn-north-4"}}, `(?s)Unable to Discover Live Project ID.*multiple project ids.*Set project_id`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The SDK caches discovered projects by access key and region: one access key per case.
			accessKey := "DISCOVERYAK" + strings.ToUpper(name)
			emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: accessKey, SecretKey: testSecretKey, Projects: tc.projects}}})
			server := httptest.NewServer(emulator)
			t.Cleanup(server.Close)
			e := testEmulator{Server: emulator, url: server.URL}
			config := fmt.Sprintf(`
provider "live" {
  region       = "cn-north-4"
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  access_key   = %[2]q
  secret_key   = %[3]q
}
`, server.URL, accessKey, testSecretKey) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
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

// TestAccLiveRecordCallbackDataSource_gatewayNotFound: behind the gateway's 404 APIG.0101, a lookup by
// id, a list and an import fail with the gateway's error instead of reporting "no such callback".
func TestAccLiveRecordCallbackDataSource_gatewayNotFound(t *testing.T) {
	e := newTestEmulator(t)
	existing, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.InjectFault(liveemulator.Fault{NotPublished: true}); err != nil {
		t.Fatal(err)
	}
	gatewayError := wrapped(`(?s)HTTP status: 404.*error_code: APIG.0101.*Check the provider's endpoint and region`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: e.providerConfig() + fmt.Sprintf("data \"live_record_callback\" \"test\" {\n  id = %q\n}\n", existing.ID), ExpectError: gatewayError},
			{Config: e.providerConfig() + "data \"live_record_callback\" \"test\" {\n  publish_domain = \"publish.example.com\"\n  app = \"live\"\n}\n", ExpectError: gatewayError},
			{Config: e.providerConfig() + "data \"live_record_callbacks\" \"test\" {}\n", ExpectError: gatewayError},
			{
				Config:        e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("publish.example.com", "live"),
				ResourceName:  testResourceAddress,
				ImportState:   true,
				ImportStateId: existing.ID,
				ExpectError:   gatewayError,
			},
		},
	})
	if len(e.Callbacks()) != 1 {
		t.Fatal("the callback must be left alone")
	}
}
