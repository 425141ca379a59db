package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// TestAccAdoptingEveryCallbackInOnePlan runs the guide's configuration
// (examples/guides/adopting-every-callback) against an emulator that holds 25 configurations made
// elsewhere: one plan imports all 25, creates, updates and destroys nothing, and the next plan is
// empty.
func TestAccAdoptingEveryCallbackInOnePlan(t *testing.T) {
	e := newTestEmulator(t)
	for i := range 25 {
		events := []string{"RECORD_FILE_COMPLETE"}
		if i%3 == 0 {
			events = []string{"RECORD_NEW_FILE_START", "RECORD_OVER"}
		}
		if _, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: fmt.Sprintf("d%d.example.com", i%5),
			App: fmt.Sprintf("app%d", i/5), NotifyCallbackURL: fmt.Sprintf("https://hooks.example.com/%d", i), Events: events,
			SignType: []string{"MD5", "HMACSHA256"}[i%2]}); err != nil {
			t.Fatal(err)
		}
	}
	guide, err := os.ReadFile("../../examples/guides/adopting-every-callback/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.ImportForEach)},
		Steps: []resource.TestStep{{
			Config:           e.providerConfig() + string(guide),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{importsOnly{want: 25}}},
		}},
	})
	if n := len(e.Callbacks()); n != 25 {
		t.Fatalf("the emulator holds %d configurations, want the 25 adopted", n)
	}
}

// importsOnly checks that a plan imports want resources and changes nothing.
type importsOnly struct{ want int }

func (c importsOnly) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	imported := 0
	for _, rc := range req.Plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() {
			resp.Error = fmt.Errorf("%s is planned to %v: the adoption must change nothing", rc.Address, rc.Change.Actions)
			return
		}
		if rc.Change.Importing != nil {
			imported++
		}
	}
	if imported != c.want {
		resp.Error = fmt.Errorf("the plan imports %d callbacks, want %d", imported, c.want)
	}
}
