package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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
