package provider

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// expectIdentity checks the identity of the callback at address: its pair, in the test project.
func expectIdentity(address, publishDomain, app string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(address, map[string]knownvalue.Check{
		"project_id":     knownvalue.StringExact(testProjectID),
		"publish_domain": knownvalue.StringExact(publishDomain),
		"app":            knownvalue.StringExact(app),
	})
}

// identityChecks checks, on CLIs that keep identities, that the callback at address has the identity
// of its state's pair in the test project; older CLIs ignore identities, and the same configuration
// runs on both.
func identityChecks(t *testing.T, address string) []statecheck.StateCheck {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		return nil // no CLI runs
	}
	cli, err := clifeatures.Detect(os.Getenv("TF_ACC_TERRAFORM_PATH"))
	if err != nil {
		t.Fatal(err) // never check nothing silently
	}
	if !cli.Has(clifeatures.Identity) {
		return nil
	}
	return []statecheck.StateCheck{
		statecheck.ExpectIdentityValue(address, tfjsonpath.New("project_id"), knownvalue.StringExact(testProjectID)),
		statecheck.ExpectIdentityValueMatchesState(address, tfjsonpath.New("publish_domain")),
		statecheck.ExpectIdentityValueMatchesState(address, tfjsonpath.New("app")),
	}
}

// TestAccLiveRecordCallbackResource_identity: the identity (project, publish_domain, app) is set at
// create, kept by an update (an update that returned none would be the framework's error) and by a
// refresh, and imports the callback from an import block with identity, with or without project_id.
func TestAccLiveRecordCallbackResource_identity(t *testing.T) {
	e := newTestEmulator(t)
	const domain, app = "publish.example.com", "live"
	// No key: the API never returns it, and the import by identity must plan no change.
	config := func(url string) string {
		return e.providerConfig() + fmt.Sprintf(`
resource "live_record_callback" "test" {
  publish_domain            = %q
  app                       = %q
  notify_callback_url       = %q
  notify_event_subscription = ["RECORD_OVER"]
  sign_type                 = "MD5"
}
`, domain, app, url)
	}
	identity := []statecheck.StateCheck{expectIdentity(testResourceAddress, domain, app)}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.Identity)},
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{Config: config("https://receiver.example.com/a"), ConfigStateChecks: identity},
			{Config: config("https://receiver.example.com/b"), ConfigStateChecks: identity},
			{Config: config("https://receiver.example.com/b"), ConfigStateChecks: identity}, // a refresh and no change
			{
				Config: config("https://receiver.example.com/b"), ResourceName: testResourceAddress,
				ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// TestAccLiveRecordCallbackResource_importByIdentity: an import block with the identity of a
// configuration made elsewhere adopts it in one plan; an identity of another project is refused,
// naming both projects.
func TestAccLiveRecordCallbackResource_importByIdentity(t *testing.T) {
	e := newTestEmulator(t)
	existing, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "imported.example.com", App: "live",
		NotifyCallbackURL: "https://receiver.example.com/a", Events: []string{"RECORD_OVER"}, SignType: "MD5"})
	if err != nil {
		t.Fatal(err)
	}
	block := func(project string) string {
		return fmt.Sprintf(`
import {
  to       = live_record_callback.test
  identity = {
    publish_domain = "imported.example.com"
    app            = "live"
%s  }
}


resource "live_record_callback" "test" {
  publish_domain            = "imported.example.com"
  app                       = "live"
  notify_callback_url       = "https://receiver.example.com/a"
  notify_event_subscription = ["RECORD_OVER"]
  sign_type                 = "MD5"
}
`, project)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.Identity)},
		Steps: []resource.TestStep{
			{
				Config:      e.providerConfig() + block(`    project_id     = "another0123456789abcdef0123456789"`+"\n"),
				ExpectError: wrapped(`(?s)project_id "another0123456789abcdef0123456789" is not the project "` + testProjectID + `"`),
			},
			{
				Config: e.providerConfig() + block(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectIdentity(testResourceAddress, "imported.example.com", "live"),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
				},
			},
		},
	})
}
