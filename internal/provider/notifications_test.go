package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
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

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livereceiver"
)

// TestAccLiveRecordCallbackResource_notifications applies a callback that points at a receiver of
// the test, has the emulator record a stream, and checks with the receiver (an implementation of
// the documented algorithm apart from the emulator's) that every notification verifies, that
// exactly the subscribed events arrive, and that a wrong key is detected. Then it rotates the key
// in Terraform and checks that only the new key verifies.
func TestAccLiveRecordCallbackResource_notifications(t *testing.T) {
	for _, signType := range []string{"MD5", "HMACSHA256"} {
		t.Run(signType, func(t *testing.T) {
			e := newTestEmulator(t)
			receiver := &livereceiver.Receiver{SignType: signType, Key: testCallbackKey}
			server := httptest.NewServer(receiver)
			t.Cleanup(server.Close)
			config := func(key string) string {
				return e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					server.URL+"/notify", `["RECORD_NEW_FILE_START", "RECORD_OVER"]`, signType, key)
			}
			record := func() error {
				_, err := e.Record(context.Background(), liveemulator.Recording{PublishDomain: "publish.example.com", App: "live", Stream: "match", Files: 2})
				return err
			}
			// verified checks the notifications received since the last check, with the receiver's key.
			seen := 0
			verified := func(wantErr error) resource.TestCheckFunc {
				return func(*terraform.State) error {
					if err := record(); err != nil {
						return err
					}
					received := receiver.Received()[seen:]
					seen += len(received)
					var events []string
					for _, r := range received {
						events = append(events, r.Event.EventType)
						if !errors.Is(r.Err, wantErr) {
							return fmt.Errorf("%s: verification gave %q, want %q", r.Event.EventType, fmt.Sprint(r.Err), fmt.Sprint(wantErr))
						}
					}
					if got := strings.Join(events, " "); got != "RECORD_NEW_FILE_START RECORD_NEW_FILE_START RECORD_OVER" {
						return fmt.Errorf("received %q: not exactly the subscribed events in recording order", got)
					}
					return nil
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             e.checkDestroy,
				Steps: []resource.TestStep{
					{
						Config: config(testCallbackKey),
						Check: resource.ComposeTestCheckFunc(
							verified(nil),
							// A receiver that holds another key detects it.
							func(*terraform.State) error { receiver.Key = testRotatedKey; return nil },
							verified(livereceiver.ErrBadSignature),
						),
					},
					{
						// Key rotation: the receiver already expects the new key; after the apply
						// it accepts every notification again.
						Config: config(testRotatedKey),
						Check:  verified(nil),
					},
				},
			})
		})
	}
}

// writeOnlyKeyConfig is a callback of the "live" app whose key comes from key_wo.
func writeOnlyKeyConfig(url, keyWO string, version int) string {
	return fmt.Sprintf(`
resource "live_record_callback" "test" {
  publish_domain      = "publish.example.com"
  app                 = "live"
  notify_callback_url       = %q
  notify_event_subscription = ["RECORD_NEW_FILE_START"]
  sign_type                 = "HMACSHA256"
  key_wo                    = %q
  key_wo_version            = %d
}
`, url, keyWO, version)
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
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
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
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
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
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
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
