package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

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
