package provider

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
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
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// TestAccLiveRecordCallbackResource_faults runs create, update and destroy while the emulator
// misbehaves on each of them; every apply and destroy must succeed, and the emulator must hold
// exactly what state says.
func TestAccLiveRecordCallbackResource_faults(t *testing.T) {
	cases := map[string]liveemulator.Fault{
		"500":                  {Times: 2, Status: 500},
		"503":                  {Times: 2, Status: 503, ErrorCode: "APIGW.0503"},
		"429 with Retry-After": {Times: 1, Status: 429, ErrorCode: "APIGW.0308", RetryAfter: 1},
		"throttle":             {Times: 2, Status: 500, ErrorCode: livespec.ErrorCodeTooManyRequests},
		"reset before apply":   {Times: 1, Drop: liveemulator.DropBeforeApply},
		"response lost":        {Times: 1, Drop: liveemulator.DropAfterApply},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEmulator(t)
			inject := func(operation string) {
				f := fault
				f.Operation = operation
				if err := e.InjectFault(f); err != nil {
					t.Fatal(err)
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             resource.ComposeTestCheckFunc(e.checkDestroy, e.checkFaultsUsed()),
				Steps: []resource.TestStep{
					{
						PreConfig: func() { inject(liveemulator.OperationCreate) },
						Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
							"https://receiver.example.com/a", `["RECORD_OVER"]`, "MD5", testCallbackKey),
						Check: resource.ComposeTestCheckFunc(
							e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
								NotifyCallbackURL: "https://receiver.example.com/a", Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testCallbackKey}),
							e.checkFaultsUsed(),
						),
					},
					{
						PreConfig: func() { inject(liveemulator.OperationUpdate) },
						Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
							"https://receiver.example.com/b", `["RECORD_OVER"]`, "MD5", testRotatedKey),
						Check: resource.ComposeTestCheckFunc(
							e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
								NotifyCallbackURL: "https://receiver.example.com/b", Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testRotatedKey}),
							e.checkFaultsUsed(),
							// The destroy that follows this step meets the fault too.
							func(*terraform.State) error { inject(liveemulator.OperationDelete); return nil },
						),
					},
				},
			})
		})
	}
}

// TestAccLiveRecordCallbackResource_slowResponses: responses slower than the timeouts. The create
// and the delete were applied, and the provider finds that out instead of orphaning anything.
func TestAccLiveRecordCallbackResource_slowResponses(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + `
resource "live_record_callback" "test" {
  publish_domain = "publish.example.com"
  timeouts = {
    create = "500ms"
    delete = "500ms"
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				for _, operation := range []string{liveemulator.OperationCreate, liveemulator.OperationDelete} {
					if err := e.InjectFault(liveemulator.Fault{Operation: operation, Times: 1, Latency: 5 * time.Second}); err != nil {
						t.Fatal(err)
					}
				}
			},
			Config: config,
			Check:  e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
		}},
	})
}

// TestAccLiveRecordCallbackResource_retriesExhausted: a fault that outlasts the retries fails the
// apply with the API's error and the number of attempts, and creates nothing.
func TestAccLiveRecordCallbackResource_retriesExhausted(t *testing.T) {
	e := newTestEmulator(t)
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationCreate, Status: 503, ErrorCode: "APIGW.0503"}); err != nil {
		t.Fatal(err)
	}
	config := e.providerConfig("max_retries = 2") +
		testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrapped(`(?s)Unable to Create Live Record Callback.*HTTP status: 503.*error_code: APIGW.0503.*request id: \S+.*attempts: 3 \(retries exhausted\)`),
		}},
	})
	if n := e.RequestCounts()[liveemulator.OperationCreate]; n != 3 {
		t.Fatalf("%d create requests, want 3", n)
	}
}

// TestAccLiveRecordCallbackResource_stress: 100 callbacks at -parallelism=20 against an emulator
// that throttles above 5 concurrent requests. Not parallel: it sets TF_CLI_ARGS.
func TestAccLiveRecordCallbackResource_stress(t *testing.T) {
	t.Setenv("TF_CLI_ARGS_apply", "-parallelism=20")
	t.Setenv("TF_CLI_ARGS_destroy", "-parallelism=20")
	e := newTestEmulator(t)
	e.SetThrottle(5)
	// Slow responses make the requests overlap as they do over a real network.
	if err := e.InjectFault(liveemulator.Fault{Latency: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_count(100)
	resource.Test(t, resource.TestCase{
		// The provider's own backoff, not the tests' shortened one: throttling is what it is for.
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"live": providerserver.NewProtocol6WithError(&liveProvider{version: "test", getenv: os.Getenv}),
		},
		CheckDestroy: e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				stored := map[string]bool{}
				for _, cb := range e.Callbacks() {
					stored[cb.ID] = true
				}
				inState := 0
				for _, rs := range s.RootModule().Resources {
					if rs.Type == "live_record_callback" {
						inState++
						if !stored[rs.Primary.ID] {
							return fmt.Errorf("%s is in state but not in the emulator", rs.Primary.ID)
						}
					}
				}
				if inState != 100 || len(stored) != 100 {
					return fmt.Errorf("%d in state, %d in the emulator, want 100 each", inState, len(stored))
				}
				if e.ThrottledCount() == 0 {
					return fmt.Errorf("no request was throttled: the requests did not run in parallel")
				}
				return nil
			},
		}},
	})
}

// TestAccLiveRecordCallbackResource_gatewayNotFound: the API gateway's 404 APIG.0101 (a wrong
// endpoint or region, a proxy in the way) is not the Live API's "does not exist". Plan and destroy
// fail with it, and state and the emulator keep every callback.
func TestAccLiveRecordCallbackResource_gatewayNotFound(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_count(2)
	notPublished := func(operation string) func() {
		return func() {
			e.ClearFaults()
			if err := e.InjectFault(liveemulator.Fault{Operation: operation, NotPublished: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	gatewayError := wrapped(`(?s)HTTP status: 404.*error_code: APIG.0101.*request id: \S+.*Check the provider's endpoint and region`)
	var ids []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					ids = idsInState(s)
					return nil
				},
			},
			{PreConfig: notPublished(""), Config: config, PlanOnly: true, ExpectError: gatewayError},
			{PreConfig: notPublished(""), Config: config, Destroy: true, ExpectError: gatewayError},
			{PreConfig: notPublished(liveemulator.OperationDelete), Config: config, Destroy: true, ExpectError: gatewayError},
			{
				PreConfig:        e.ClearFaults,
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					if got := idsInState(s); !slices.Equal(got, ids) {
						return fmt.Errorf("state holds %v, want %v", got, ids)
					}
					var stored []string
					for _, cb := range e.Callbacks() {
						stored = append(stored, cb.ID)
					}
					slices.Sort(stored)
					if !slices.Equal(stored, ids) {
						return fmt.Errorf("the emulator holds %v, want %v", stored, ids)
					}
					return nil
				},
			},
		},
	})
}

// TestAccLiveRecordCallbackResource_neverAdoptsAnotherConfiguration: a colleague's configuration for
// the same pair exists; our create is refused as a duplicate but answered 502. The apply fails naming
// their id, and nothing is sent to their configuration.
func TestAccLiveRecordCallbackResource_neverAdoptsAnotherConfiguration(t *testing.T) {
	e := newTestEmulator(t)
	theirs, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live",
		NotifyCallbackURL: "https://receiver.example.com/a", Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testRotatedKey,
		CreateTime: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationCreate, Times: 1, Status: 502, Apply: true}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
				"https://receiver.example.com/a", `["RECORD_OVER"]`, "MD5", testCallbackKey),
			ExpectError: wrapped(`(?s)Unable to Create Live Record Callback.*already exists with id ` + theirs.ID +
				`.*did not change it.*terraform import live_record_callback.<name> ` + theirs.ID),
		}},
	})
	if counts := e.RequestCounts(); counts[liveemulator.OperationUpdate] != 0 || counts[liveemulator.OperationDelete] != 0 {
		t.Fatalf("their configuration was written to: %v", counts)
	}
	if stored := e.Callbacks(); len(stored) != 1 || stored[0].ID != theirs.ID || stored[0].Key != testRotatedKey {
		t.Fatalf("their configuration must be left as it was: %+v", stored)
	}
}

// TestAccLiveRecordCallbackResource_adoptsItsOwnCreate: our create is applied, then answered 502:
// adopted, with exactly one configuration, its key set.
func TestAccLiveRecordCallbackResource_adoptsItsOwnCreate(t *testing.T) {
	e := newTestEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationCreate, Times: 1, Status: 502, Apply: true}); err != nil {
					t.Fatal(err)
				}
			},
			Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
				"https://receiver.example.com/a", `["RECORD_OVER"]`, "MD5", testCallbackKey),
			Check: resource.ComposeTestCheckFunc(e.checkFaultsUsed(), e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
				NotifyCallbackURL: "https://receiver.example.com/a", Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testCallbackKey})),
		}},
	})
}

// TestAccLiveRecordCallbackResource_adoptedKeyFails: the create's response is lost and the PUT that
// sets the key after adopting it fails. The callback is in state, tainted, and the next apply
// replaces it: nothing is orphaned.
func TestAccLiveRecordCallbackResource_adoptedKeyFails(t *testing.T) {
	const url = "https://receiver.example.com/a"
	cases := map[string]struct {
		config   string
		stored   liveemulator.Callback
		versions []tfversion.TerraformVersionCheck
	}{
		"key": {
			config: testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live", url, `["RECORD_OVER"]`, "MD5", testCallbackKey),
			stored: liveemulator.Callback{PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: url,
				Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testCallbackKey},
		},
		// The state kept after the failure must not carry the write-only value, or Terraform refuses it.
		"key_wo": {
			config: writeOnlyKeyConfig(url, testCallbackKey, 1),
			stored: liveemulator.Callback{PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: url,
				Events: []string{"RECORD_NEW_FILE_START"}, SignType: "HMACSHA256", Key: testCallbackKey},
			versions: []tfversion.TerraformVersionCheck{needs(clifeatures.WriteOnly)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEmulator(t)
			config := e.providerConfig() + tc.config
			var adoptedID string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   tc.versions,
				CheckDestroy:             e.checkDestroy,
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							for _, f := range []liveemulator.Fault{
								{Operation: liveemulator.OperationCreate, Times: 1, Drop: liveemulator.DropAfterApply},
								{Operation: liveemulator.OperationUpdate, Times: 1, Status: 403, ErrorCode: "APIGW.0305"},
							} {
								if err := e.InjectFault(f); err != nil {
									t.Fatal(err)
								}
							}
						},
						Config:      config,
						ExpectError: wrapped(`(?s)was created for publish_domain "publish.example.com" and app "live".*kept in state as tainted.*APIGW.0305`),
					},
					{
						// The tainted callback is in state: the plan replaces it rather than creating a second one.
						PreConfig: func() {
							stored := e.Callbacks()
							if len(stored) != 1 {
								t.Fatalf("want the adopted callback alone, got %+v", stored)
							}
							adoptedID = stored[0].ID
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionDestroyBeforeCreate),
						}},
						Check: resource.ComposeTestCheckFunc(
							e.checkStored(tc.stored),
							func(s *terraform.State) error {
								if s.RootModule().Resources[testResourceAddress].Primary.ID == adoptedID {
									return fmt.Errorf("the tainted callback %s was not replaced", adoptedID)
								}
								return nil
							},
						),
					},
				},
			})
		})
	}
}

// TestAccLiveRecordCallbackResource_incompleteResponses: a 201 without id and a 200 without id and
// create_time still leave state complete and consistent.
func TestAccLiveRecordCallbackResource_incompleteResponses(t *testing.T) {
	e := newTestEmulator(t)
	inject := func(operation string, fields ...string) func() {
		return func() {
			if err := e.InjectFault(liveemulator.Fault{Operation: operation, Times: 1, Omit: fields}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameCreateTime := statecheck.CompareValue(compare.ValuesSame())
	var before map[string]int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				PreConfig: inject(liveemulator.OperationCreate, "id"),
				Config:    e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("publish.example.com", "live"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					sameCreateTime.AddStateValue(testResourceAddress, tfjsonpath.New("create_time")),
				},
				Check: resource.ComposeTestCheckFunc(e.checkFaultsUsed(), e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com",
					App: "live", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"})),
			},
			{
				// id and create_time come from state: no read-back, only the apply's refresh reads.
				PreConfig: func() { inject(liveemulator.OperationUpdate, "id", "create_time")(); before = e.RequestCounts() },
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/a", `["RECORD_OVER"]`, "MD5", testCallbackKey),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					sameCreateTime.AddStateValue(testResourceAddress, tfjsonpath.New("create_time")),
				},
				Check: resource.ComposeTestCheckFunc(e.checkFaultsUsed(), e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com",
					App: "live", NotifyCallbackURL: "https://receiver.example.com/a", Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testCallbackKey}),
					func(*terraform.State) error {
						after := e.RequestCounts()
						shows, updates := after[liveemulator.OperationShow]-before[liveemulator.OperationShow],
							after[liveemulator.OperationUpdate]-before[liveemulator.OperationUpdate]
						if shows != 1 || updates != 1 {
							return fmt.Errorf("the apply sent %d reads and %d updates, want the refresh's read and one update", shows, updates)
						}
						return nil
					}),
			},
			{
				PreConfig: inject(liveemulator.OperationUpdate, "update_time"),
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/b", `["RECORD_OVER"]`, "MD5", testCallbackKey),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("update_time"), knownvalue.StringRegexp(timePattern)),
				},
				Check: e.checkFaultsUsed(),
			},
			{
				// A refresh answered without publish_domain and app (a proxy's empty object) fails
				// instead of writing nonsense into state.
				PreConfig: func() {
					e.ClearFaults()
					if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationShow, Omit: []string{"publish_domain", "app"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/b", `["RECORD_OVER"]`, "MD5", testCallbackKey),
				PlanOnly:    true,
				ExpectError: wrapped(`(?s)Unable to Read Live Record Callback.*has no publish_domain or app: it cannot be trusted`),
			},
			{
				// A refresh answered without id and times keeps them: the plan is empty.
				PreConfig: func() {
					e.ClearFaults()
					if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationShow, Omit: []string{"id", "create_time", "update_time"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/b", `["RECORD_OVER"]`, "MD5", testCallbackKey),
				PlanOnly: true,
			},
		},
	})
}

// TestAccLiveRecordCallbackResource_adoptionOnTheServersClock: with the server's clock 5 minutes
// ahead of ours or behind it, (a) a colleague's identical configuration created 40 seconds before our
// create, which is refused as a duplicate and answered 502, is refused, with no PUT; (b) our own
// create, applied and answered 502, is adopted: exactly one configuration.
func TestAccLiveRecordCallbackResource_adoptionOnTheServersClock(t *testing.T) {
	const domain, app, url = "skew.example.com", "live", "https://receiver.example.com/a"
	config := func(e testEmulator) string {
		return e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full(domain, app, url, `["RECORD_OVER"]`, "MD5", testCallbackKey)
	}
	applied502 := liveemulator.Fault{Operation: liveemulator.OperationCreate, Times: 1, Status: 502, Apply: true}
	for _, offset := range []time.Duration{5 * time.Minute, -5 * time.Minute} {
		t.Run(offset.String()+"/theirs", func(t *testing.T) {
			e := newTestEmulator(t, liveemulator.Options{ClockOffset: offset})
			theirs, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: domain, App: app,
				NotifyCallbackURL: url, Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testRotatedKey,
				CreateTime: time.Now().Add(offset - 40*time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.InjectFault(applied502); err != nil {
				t.Fatal(err)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      config(e),
					ExpectError: wrapped(`(?s)Unable to Create Live Record Callback.*already exists with id ` + theirs.ID + `.*terraform import`),
				}},
			})
			if n := e.RequestCounts()[liveemulator.OperationUpdate]; n != 0 {
				t.Fatalf("%d PUTs to their configuration", n)
			}
			if stored := e.Callbacks(); len(stored) != 1 || stored[0].Key != testRotatedKey {
				t.Fatalf("their configuration must be left as it was: %+v", stored)
			}
		})
		t.Run(offset.String()+"/ours", func(t *testing.T) {
			e := newTestEmulator(t, liveemulator.Options{ClockOffset: offset})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             e.checkDestroy,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						if err := e.InjectFault(applied502); err != nil {
							t.Fatal(err)
						}
					},
					Config: config(e),
					Check: resource.ComposeTestCheckFunc(e.checkFaultsUsed(), e.checkStored(liveemulator.Callback{PublishDomain: domain, App: app,
						NotifyCallbackURL: url, Events: []string{"RECORD_OVER"}, SignType: "MD5", Key: testCallbackKey})),
				}},
			})
		})
	}
}

// TestAccLiveRecordCallbackResource_untrustedAnswers: a delete answered 302 (a proxy or a login page
// in the way) fails the destroy with the status and the endpoint hint, and the callback stays in
// state and in the API; a refresh or an update answered with another configuration's body fails
// naming both ids, and state keeps our id. Without the fault, the next apply settles on ours and the
// plan after it is empty.
func TestAccLiveRecordCallbackResource_untrustedAnswers(t *testing.T) {
	e := newTestEmulator(t)
	theirs, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "theirs.example.com", App: "live",
		Events: []string{"RECORD_OVER"}, SignType: "MD5"})
	if err != nil {
		t.Fatal(err)
	}
	config := func(url string) string {
		return e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("ours.example.com", "live", url, `["RECORD_OVER"]`, "MD5", testCallbackKey)
	}
	fault := func(f liveemulator.Fault) func() {
		return func() {
			e.ClearFaults()
			if err := e.InjectFault(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	var ours string
	keepsOurs := func(s *terraform.State) error {
		if got := idsInState(s); len(got) != 1 || got[0] != ours {
			return fmt.Errorf("state holds %v, want %s", got, ours)
		}
		if _, ok := e.Callback(ours); !ok {
			return fmt.Errorf("the configuration %s is gone", ours)
		}
		if stored, _ := e.Callback(theirs.ID); stored.PublishDomain != "theirs.example.com" || stored.NotifyCallbackURL != "" {
			return fmt.Errorf("theirs was changed: %+v", stored)
		}
		return nil
	}
	otherID := wrapped(`(?s)configuration \S+ is about the configuration ` + theirs.ID + `.*cannot be trusted`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, ok := e.Callback(ours); ok {
				return fmt.Errorf("%s was not deleted", ours)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("https://receiver.example.com/a"),
				Check: func(s *terraform.State) error {
					ours = idsInState(s)[0]
					return nil
				},
			},
			{
				PreConfig: fault(liveemulator.Fault{Operation: liveemulator.OperationDelete, Redirect: "https://login.example.com/"}),
				Config:    config("https://receiver.example.com/a"), Destroy: true,
				ExpectError: wrapped(`(?s)HTTP status: 302.*https://login.example.com/.*Check the provider's endpoint and region`),
			},
			{PreConfig: fault(liveemulator.Fault{Operation: liveemulator.OperationShow, OtherBody: true}),
				Config: config("https://receiver.example.com/a"), PlanOnly: true, ExpectError: otherID},
			{PreConfig: fault(liveemulator.Fault{Operation: liveemulator.OperationUpdate, OtherBody: true}),
				Config: config("https://receiver.example.com/b"), ExpectError: otherID},
			{PreConfig: e.ClearFaults, Config: config("https://receiver.example.com/b"), Check: keepsOurs},
			{Config: config("https://receiver.example.com/b"), PlanOnly: true},
		},
	})
}
