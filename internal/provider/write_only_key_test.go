package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livereceiver"
)

// TestAccLiveRecordCallbackResource_writeOnlyKeyNeedsNewerCLI: before Terraform 1.11 (and on
// OpenTofu 1.6), key_wo fails at validation with the framework's message, before any request.
func TestAccLiveRecordCallbackResource_writeOnlyKeyNeedsNewerCLI(t *testing.T) {
	e := newTestEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			without(clifeatures.WriteOnly),
		},
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + `
resource "live_record_callback" "test" {
  publish_domain = "p.example.com"
  key_wo         = "` + testCallbackKey + `"
}
`,
			PlanOnly:    true,
			ExpectError: wrapped(`(?s)WriteOnly Attribute Not Allowed.*key_wo.*only supported in Terraform 1.11 and later`),
		}},
	})
	if counts := e.RequestCounts(); len(counts) != 0 {
		t.Fatalf("the configuration sent requests: %v", counts)
	}
}

// TestAccLiveRecordCallbackResource_writeOnlyKey follows key_wo through its life: created with it
// (the key is in the API, not in state), an update of the URL alone (the same key is sent again),
// a new key_wo alone (nothing planned), and key_wo_version bumped with a new key (an update in
// place after which only the new key verifies notifications).
func TestAccLiveRecordCallbackResource_writeOnlyKey(t *testing.T) {
	e := newTestEmulator(t)
	receiver := &livereceiver.Receiver{SignType: "HMACSHA256", Key: testCallbackKey}
	server := httptest.NewServer(receiver)
	t.Cleanup(server.Close)
	seen := 0
	// verifiedWith has the emulator record a stream and checks that the notifications it sends
	// since the last check verify with key, and only with key.
	verifiedWith := func(key string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for _, receiverKey := range []string{key, testCallbackKey + "Other"} {
				receiver.Key = receiverKey
				if _, err := e.Record(context.Background(), liveemulator.Recording{PublishDomain: "publish.example.com", App: "live", Stream: "s", Files: 1}); err != nil {
					return err
				}
				received := receiver.Received()[seen:]
				seen += len(received)
				if len(received) == 0 {
					return errors.New("no notification arrived")
				}
				want := error(nil)
				if receiverKey != key {
					want = livereceiver.ErrBadSignature
				}
				for _, r := range received {
					if !errors.Is(r.Err, want) {
						return fmt.Errorf("with the receiver's key %s…: verification gave %q, want %q", receiverKey[:4], fmt.Sprint(r.Err), fmt.Sprint(want))
					}
				}
			}
			return nil
		}
	}
	stored := func(url, key string) resource.TestCheckFunc {
		return e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: url,
			Events: []string{"RECORD_NEW_FILE_START"}, SignType: "HMACSHA256", Key: key})
	}
	noKeyInState := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key"), knownvalue.Null()),
		statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key_wo"), knownvalue.Null()),
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	first, second := server.URL+"/first", server.URL+"/second"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.WriteOnly)},
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            e.providerConfig() + writeOnlyKeyConfig(first, testCallbackKey, 1),
				Check:             resource.ComposeTestCheckFunc(stored(first, testCallbackKey), verifiedWith(testCallbackKey)),
				ConfigStateChecks: append(noKeyInState, sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))),
			},
			{
				// A new URL alone: the update sends the key again, it never clears it.
				Config: e.providerConfig() + writeOnlyKeyConfig(second, testCallbackKey, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
				}},
				Check:             resource.ComposeTestCheckFunc(stored(second, testCallbackKey), verifiedWith(testCallbackKey)),
				ConfigStateChecks: append(noKeyInState, sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))),
			},
			{
				// A new key_wo alone leaves no trace in the plan: nothing changes.
				Config:           e.providerConfig() + writeOnlyKeyConfig(second, testRotatedKey, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(stored(second, testCallbackKey), verifiedWith(testCallbackKey)),
			},
			{
				// The version bump sends the new key, in place.
				Config: e.providerConfig() + writeOnlyKeyConfig(second, testRotatedKey, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(stored(second, testRotatedKey), verifiedWith(testRotatedKey)),
				ConfigStateChecks: append(noKeyInState, sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key_wo_version"), knownvalue.Int64Exact(2))),
			},
		},
	})
}

// TestAccLiveRecordCallbackResource_keyToWriteOnlyAndBack moves a callback from key to key_wo and
// back: the API holds the configured key after every step (a move elsewhere from password to
// password_wo cleared the password), key leaves state while key_wo is used, each step is an update
// in place, and the plan after each step is empty.
func TestAccLiveRecordCallbackResource_keyToWriteOnlyAndBack(t *testing.T) {
	e := newTestEmulator(t)
	const url = "https://receiver.example.com/notify"
	withKey := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live", url,
		`["RECORD_NEW_FILE_START"]`, "HMACSHA256", testCallbackKey)
	stored := e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: url,
		Events: []string{"RECORD_NEW_FILE_START"}, SignType: "HMACSHA256", Key: testCallbackKey})
	inPlace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
	}}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	keyInState := func(want knownvalue.Check) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key"), want),
			statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key_wo"), knownvalue.Null()),
			sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.WriteOnly)},
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{Config: withKey, Check: stored, ConfigStateChecks: keyInState(knownvalue.StringExact(testCallbackKey))},
			{
				Config:            e.providerConfig() + writeOnlyKeyConfig(url, testCallbackKey, 1),
				ConfigPlanChecks:  inPlace,
				Check:             stored,
				ConfigStateChecks: keyInState(knownvalue.Null()),
			},
			{
				Config:            withKey,
				ConfigPlanChecks:  inPlace,
				Check:             stored,
				ConfigStateChecks: keyInState(knownvalue.StringExact(testCallbackKey)),
			},
		},
	})
}

// TestAccLiveRecordCallbackResource_importWithWriteOnlyKey adopts a callback made outside Terraform
// with an import block and key_wo: import leaves key_wo_version null, so the same apply updates
// the callback in place with the configured key.
func TestAccLiveRecordCallbackResource_importWithWriteOnlyKey(t *testing.T) {
	e := newTestEmulator(t)
	const url = "https://receiver.example.com/notify"
	existing, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live",
		NotifyCallbackURL: url, Events: []string{"RECORD_NEW_FILE_START"}, SignType: "HMACSHA256", Key: testRotatedKey})
	if err != nil {
		t.Fatal(err)
	}
	importBlock := `
import {
  to = live_record_callback.test
  id = "publish.example.com/live"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.WriteOnly)},
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + importBlock + writeOnlyKeyConfig(url, testCallbackKey, 1),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
			}},
			Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: url,
				Events: []string{"RECORD_NEW_FILE_START"}, SignType: "HMACSHA256", Key: testCallbackKey}),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
				statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key_wo_version"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}

// TestAccWriteOnlyKeyNeverStored applies a callback whose key_wo comes from an ephemeral variable,
// with TF_LOG=TRACE: the emulator holds the key, and neither the plan, the state file, `terraform
// show -json` nor the trace log contains it. A configuration that sets key instead gets the
// warning that suggests key_wo, and the warning does not show the key.
func TestAccWriteOnlyKeyNeverStored(t *testing.T) {
	const (
		callbackKey = "WriteOnlyKeyMustNotLeak0123456789XYZ"
		literalKey  = "LiteralKeyInTheWarningMustNotLeak012"
	)
	e := newTestEmulator(t)
	traceLog := filepath.Join(t.TempDir(), "trace.log")
	h := newCLIHarness(t, "TF_LOG=TRACE", "TF_LOG_PATH="+traceLog, "TF_VAR_callback_key="+callbackKey)
	h.skipWithout(clifeatures.WriteOnly) // write-only attributes and ephemeral variables
	const preferWriteOnly = "Available Write-Only Attribute Alternative"
	h.write("main.tf", requiredProviders+e.providerConfig()+`
variable "callback_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "live_record_callback" "test" {
  publish_domain = "publish.example.com"
  key_wo         = var.callback_key
  key_wo_version = 1
}
`)
	if plan := h.mustRun("plan", "-input=false"); strings.Contains(plan, preferWriteOnly) {
		t.Fatalf("key_wo is used, yet the plan suggests it:\n%s", plan)
	}
	h.mustRun("apply", "-auto-approve", "-input=false")
	if stored := e.Callbacks(); len(stored) != 1 || stored[0].Key != callbackKey {
		t.Fatalf("the emulator does not hold the callback with its key: %+v", stored)
	}
	if plan := h.mustRun("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(plan, "No changes") {
		t.Fatalf("the plan after apply is not empty:\n%s", plan)
	}
	stateFile, err := os.ReadFile(filepath.Join(h.work, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(stateFile, []byte(`"key_wo_version": 1`)) {
		t.Fatalf("the state file holds no key_wo_version: the test would not see the key in it:\n%s", stateFile)
	}
	shown := h.mustRun("show", "-json")

	// The same callback configured with a literal key: the plan suggests key_wo.
	h.write("main.tf", requiredProviders+e.providerConfig()+fmt.Sprintf(`
resource "live_record_callback" "test" {
  publish_domain = "publish.example.com"
  key            = %q
}
`, literalKey))
	if plan := h.mustRun("plan", "-input=false"); !strings.Contains(plan, preferWriteOnly) || !strings.Contains(plan, "key_wo") {
		t.Fatalf("the plan of a configuration with key does not suggest key_wo:\n%s", plan)
	}
	h.mustRun("destroy", "-auto-approve", "-input=false")

	assertNoSecrets(t, []string{callbackKey}, map[string][]byte{"the trace log": readTraceLog(t, traceLog),
		"stdout or stderr": h.outputs.Bytes(), "the state file": stateFile, "terraform show -json": []byte(shown)})
	assertNoSecrets(t, []string{literalKey}, map[string][]byte{"stdout or stderr": h.outputs.Bytes()})
}
