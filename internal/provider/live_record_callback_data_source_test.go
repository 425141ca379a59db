package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
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
