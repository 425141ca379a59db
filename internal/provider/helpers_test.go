package provider

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

const (
	testAccessKey = emulatortest.AccessKey
	testSecretKey = emulatortest.SecretKey
	testProjectID = emulatortest.ProjectID
)

// The tests' provider backs off for milliseconds, not seconds, between retries.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"live": providerserver.NewProtocol6WithError(&liveProvider{version: "test", getenv: os.Getenv, retryBaseDelay: 10 * time.Millisecond}),
}

// testEmulator is an emulator on loopback for one test.
type testEmulator struct {
	*liveemulator.Server
	url string
}

// newTestEmulator starts an emulator for one test, with the options given (identity providers,
// agencies, a clock offset), else the defaults.
func newTestEmulator(t testing.TB, opts ...liveemulator.Options) testEmulator {
	t.Helper()
	var options liveemulator.Options
	if len(opts) > 0 {
		options = opts[0]
	}
	e := emulatortest.Start(t, options)
	return testEmulator{Server: e.Server, url: e.URL}
}

// providerConfig points the provider at this emulator in HCL, so that tests can run in parallel.
// Each extra setting is one attribute line of the provider block, such as "max_retries = 2".
func (e testEmulator) providerConfig(extraSettings ...string) string {
	return fmt.Sprintf(`
provider "live" {
  endpoint   = %[1]q
  project_id = %[2]q
  access_key = %[3]q
  secret_key = %[4]q
%[5]s}
`, e.url, testProjectID, testAccessKey, testSecretKey, settingLines(extraSettings))
}

// settingLines writes each setting as one attribute line of a provider block.
func settingLines(settings []string) string {
	var lines strings.Builder
	for _, setting := range settings {
		lines.WriteString("  " + setting + "\n")
	}
	return lines.String()
}

const (
	testResourceAddress = "live_record_callback.test"
	testCallbackKey     = "K3yK3yK3yK3yK3yK3yK3yK3yK3yK3yK3y0"
	testRotatedKey      = "R0tatedR0tatedR0tatedR0tatedR0tated"
)

var timePattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// checkStored asserts the emulator holds exactly one configuration, the one in state, equal to want
// in every field but the id and times.
func (e testEmulator) checkStored(want liveemulator.Callback) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		stored := e.Callbacks()
		if len(stored) != 1 {
			return fmt.Errorf("the emulator holds %d configurations, want 1", len(stored))
		}
		got := stored[0]
		if id := s.RootModule().Resources[testResourceAddress].Primary.ID; got.ID != id {
			return fmt.Errorf("the emulator holds %s, state says %s", got.ID, id)
		}
		if got.ProjectID != testProjectID || storedFields(got) != storedFields(want) {
			return fmt.Errorf("stored %s\nwant   %s", storedFields(got), storedFields(want))
		}
		return nil
	}
}

// wrapped compiles an ExpectError pattern whose spaces also match Terraform's line breaks.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

func storedFields(cb liveemulator.Callback) string {
	return fmt.Sprintf("publish_domain=%s app=%s url=%s events=%v sign_type=%s key=%s",
		cb.PublishDomain, cb.App, cb.NotifyCallbackURL, cb.Events, cb.SignType, cb.Key)
}

func (e testEmulator) checkDestroy(*terraform.State) error {
	if stored := e.Callbacks(); len(stored) != 0 {
		return fmt.Errorf("%d configurations remain after destroy: %+v", len(stored), stored)
	}
	return nil
}

// testAccLiveRecordCallbackResourceConfig_count is n callbacks, for the domains d0.example.com and on.
func testAccLiveRecordCallbackResourceConfig_count(n int) string {
	return fmt.Sprintf(`
resource "live_record_callback" "test" {
  count          = %d
  publish_domain = "d${count.index}.example.com"
}
`, n)
}

func testAccLiveRecordCallbackResourceConfig_minimal(publishDomain string) string {
	return fmt.Sprintf(`
resource "live_record_callback" "test" {
  publish_domain = %[1]q
}
`, publishDomain)
}

func testAccLiveRecordCallbackResourceConfig_app(publishDomain, app string) string {
	return fmt.Sprintf(`
resource "live_record_callback" "test" {
  publish_domain = %[1]q
  app            = %[2]q
}
`, publishDomain, app)
}

func testAccLiveRecordCallbackResourceConfig_full(publishDomain, app, url, events, signType, key string) string {
	return fmt.Sprintf(`
resource "live_record_callback" "test" {
  publish_domain            = %[1]q
  app                       = %[2]q
  notify_callback_url       = %[3]q
  notify_event_subscription = %[4]s
  sign_type                 = %[5]q
  key                       = %[6]q
}
`, publishDomain, app, url, events, signType, key)
}

// checkFaultsUsed asserts that the injected faults were met: each was used up by a request.
func (e testEmulator) checkFaultsUsed() resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := e.PendingFaults(); n != 0 {
			return fmt.Errorf("%d injected faults were never met", n)
		}
		return nil
	}
}

// idsInState returns the sorted ids of every live_record_callback in state.
func idsInState(s *terraform.State) []string {
	var ids []string
	for _, rs := range s.RootModule().Resources {
		if rs.Type == "live_record_callback" {
			ids = append(ids, rs.Primary.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// resourceWith is the resource as Configure leaves it with the provider's data.
func resourceWith(data providerData) *liveRecordCallbackResource {
	r := &liveRecordCallbackResource{}
	r.providerData = data
	return r
}
