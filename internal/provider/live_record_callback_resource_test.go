package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

func TestAccLiveRecordCallbackResource_basic(t *testing.T) {
	e := newTestEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("publish_domain"), knownvalue.StringExact("publish.example.com")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("app"), knownvalue.StringExact("*")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_callback_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_event_subscription"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("RECORD_FILE_COMPLETE")})),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("sign_type"), knownvalue.StringExact("HMACSHA256")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("create_time"), knownvalue.StringRegexp(timePattern)),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("update_time"), knownvalue.StringRegexp(timePattern)),
				},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
			{
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/notify", `["RECORD_OVER", "RECORD_NEW_FILE_START"]`, "MD5", testCallbackKey),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("app"), knownvalue.StringExact("live")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_callback_url"), knownvalue.StringExact("https://receiver.example.com/notify")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_event_subscription"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("RECORD_NEW_FILE_START"), knownvalue.StringExact("RECORD_OVER")})),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("sign_type"), knownvalue.StringExact("MD5")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key"), knownvalue.StringExact(testCallbackKey)),
				},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
					NotifyCallbackURL: "https://receiver.example.com/notify",
					Events:            []string{"RECORD_NEW_FILE_START", "RECORD_OVER"}, SignType: "MD5", Key: testCallbackKey}),
			},
			{
				// No drift: the second plan is empty.
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/notify", `["RECORD_OVER", "RECORD_NEW_FILE_START"]`, "MD5", testCallbackKey),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccLiveRecordCallbackResource_update(t *testing.T) {
	e := newTestEmulator(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameCreateTime := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"https://receiver.example.com/a", `["RECORD_FILE_COMPLETE"]`, "HMACSHA256", testCallbackKey),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					sameCreateTime.AddStateValue(testResourceAddress, tfjsonpath.New("create_time")),
				},
			},
			{
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
					"http://receiver.example.com:8080/b", `["RECORD_FAILED", "RECORD_OVER", "RECORD_FILE_COMPLETE", "RECORD_NEW_FILE_START"]`, "MD5", testRotatedKey),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					sameCreateTime.AddStateValue(testResourceAddress, tfjsonpath.New("create_time")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_callback_url"), knownvalue.StringExact("http://receiver.example.com:8080/b")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("sign_type"), knownvalue.StringExact("MD5")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key"), knownvalue.StringExact(testRotatedKey)),
				},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
					NotifyCallbackURL: "http://receiver.example.com:8080/b",
					Events:            []string{"RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE", "RECORD_OVER", "RECORD_FAILED"},
					SignType:          "MD5", Key: testRotatedKey}),
			},
			{
				// Removing optional settings goes back to the API's defaults, in place.
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("publish.example.com", "live"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_callback_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("key"), knownvalue.Null()),
				},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}

func TestAccLiveRecordCallbackResource_replace(t *testing.T) {
	e := newTestEmulator(t)
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("a.example.com", "live"),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
			},
			{
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("b.example.com", "live"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
				Check:             e.checkStored(liveemulator.Callback{PublishDomain: "b.example.com", App: "live", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
			{
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("b.example.com", "vod"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
				Check:             e.checkStored(liveemulator.Callback{PublishDomain: "b.example.com", App: "vod", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}

func TestAccLiveRecordCallbackResource_import(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
		"https://receiver.example.com/notify", `["RECORD_OVER"]`, "MD5", testCallbackKey)
	keyless := e.providerConfig() + `
resource "live_record_callback" "test" {
  publish_domain            = "publish.example.com"
  app                       = "live"
  notify_callback_url       = "https://receiver.example.com/notify"
  notify_event_subscription = ["RECORD_OVER"]
  sign_type                 = "MD5"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// terraform import: the API never returns the key, so it is null after import.
				Config:                  config,
				ResourceName:            testResourceAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"key"},
			},
			{
				// An import block plans no change; the key is left out because the API cannot return it.
				Config:          keyless,
				ResourceName:    testResourceAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("sign_type"), knownvalue.StringExact("MD5")),
				}},
			},
			{
				// terraform import by publish_domain/app.
				Config:                  config,
				ResourceName:            testResourceAddress,
				ImportState:             true,
				ImportStateId:           "publish.example.com/live",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"key"},
			},
			{
				Config:          keyless,
				ResourceName:    testResourceAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "publish.example.com/live",
			},
		},
	})
}

func TestAccLiveRecordCallbackResource_importErrors(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("publish.example.com", "live")
	bothForms := `The import id is either the configuration id that the API returns (no "/"), or publish_domain/app`
	var steps []resource.TestStep
	for _, tc := range []struct{ id, reason string }{
		{"publish.example.com/live/extra", `needs exactly one "/" between two non-empty parts`},
		{"/live", `needs exactly one "/"`},
		{"publish.example.com/", `needs exactly one "/"`},
		{"Publish.example.com/live", `publish_domain of the import id "Publish.example.com/live" must be in lower case`},
		{"publish.example.com/li\u00a0ve", `app of the import id "publish.example.com/li\u00a0ve" must not contain whitespace`},
		{" 0123", `surrounding whitespace`},
		{"00000000000000000000000000000000", `No recording callback matches "00000000000000000000000000000000"`},
		{"publish.example.com/vod", `No recording callback matches "publish.example.com/vod"`},
	} {
		steps = append(steps, resource.TestStep{
			Config:        config,
			ResourceName:  testResourceAddress,
			ImportState:   true,
			ImportStateId: tc.id,
			ExpectError:   wrapped(`(?s)Unable to Import Live Record Callback.*` + regexp.QuoteMeta(tc.reason) + `.*` + regexp.QuoteMeta(bothForms)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps:                    append([]resource.TestStep{{Config: config}}, steps...),
	})
}

func TestAccLiveRecordCallbackResource_disappears(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					return e.DeleteCallback(s.RootModule().Resources[testResourceAddress].Primary.ID)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionCreate),
				}},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*", Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}

func TestAccLiveRecordCallbackResource_outOfBandChange(t *testing.T) {
	e := newTestEmulator(t)
	config := e.providerConfig() + testAccLiveRecordCallbackResourceConfig_full("publish.example.com", "live",
		"https://receiver.example.com/notify", `["RECORD_OVER"]`, "HMACSHA256", testCallbackKey)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					return e.ModifyCallback(s.RootModule().Resources[testResourceAddress].Primary.ID, func(cb *liveemulator.Callback) {
						cb.NotifyCallbackURL = "https://elsewhere.example.com/hook"
						cb.SignType = "MD5"
					})
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testResourceAddress, tfjsonpath.New("notify_callback_url"), knownvalue.StringExact("https://receiver.example.com/notify")),
				}},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "live",
					NotifyCallbackURL: "https://receiver.example.com/notify", Events: []string{"RECORD_OVER"}, SignType: "HMACSHA256", Key: testCallbackKey}),
			},
		},
	})
}

func TestAccLiveRecordCallbackResource_duplicate(t *testing.T) {
	e := newTestEmulator(t)
	var existingID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.url, ProjectID: testProjectID,
						AccessKey: testAccessKey, SecretKey: testSecretKey, UserAgent: "test"})
					if err != nil {
						t.Fatal(err)
					}
					created, err := client.Create(context.Background(), liveapi.CallbackSpec{PublishDomain: "publish.example.com", App: "live"})
					if err != nil {
						t.Fatal(err)
					}
					existingID = created.ID
				},
				Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_app("publish.example.com", "live"),
				ExpectError: wrapped(`(?s)Unable to Create Live Record Callback.*already exists with id [0-9a-f]{32}.*` +
					`terraform import live_record_callback.<name> [0-9a-f]{32}.*LIVE\.103011018`),
			},
		},
	})
	if got := len(e.Callbacks()); got != 1 || e.Callbacks()[0].ID != existingID {
		t.Fatalf("the existing configuration must be left alone: %+v", e.Callbacks())
	}
}

func TestAccLiveRecordCallbackResource_validation(t *testing.T) {
	e := newTestEmulator(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"domain too long", `publish_domain = "` + strings.Repeat("abcdefgh.", 29) + `com"`, wrapped(`publish_domain UTF-8 character count must be between 1 and 255`)},
		{"domain empty", `publish_domain = ""`, wrapped(`publish_domain UTF-8 character count must be between 1 and 255`)},
		{"not a domain", `publish_domain = "not a domain"`, wrapped(`publish_domain must be a domain name`)},
		{"app too long", `publish_domain = "p.example.com"` + "\n" + `app = "` + strings.Repeat("a", 129) + `"`, wrapped(`app UTF-8 character count must be between 1\s+and\s+128`)},
		{"upper case domain", `publish_domain = "Publish.Example.com"`, wrapped(`publish_domain must be in lower case \(domain names are case-insensitive\): use "publish.example.com"`)},
		{"IDN", `publish_domain = "例え.jp"`, wrapped(`publish_domain must be the punycode \(xn--\) form of an internationalized domain name: use "xn--r8jz45g.jp"`)},
		{"app with slash", `publish_domain = "p.example.com"` + "\n" + `app = "a/b"`, wrapped(`app must not contain '/'`)},
		{"app with NBSP", `publish_domain = "p.example.com"` + "\n" + `app = "a\u00a0b"`, wrapped(`app must not contain whitespace or control characters \(found U\+00A0\)`)},
		{"app with U+2028", `publish_domain = "p.example.com"` + "\n" + `app = "a\u2028b"`, wrapped(`app must not contain whitespace or control characters \(found U\+2028\)`)},
		{"app with NUL", `publish_domain = "p.example.com"` + "\n" + `app = "a\u0000b"`, wrapped(`app must not contain whitespace or control characters \(found U\+0000\)`)},
		{"url scheme", `publish_domain = "p.example.com"` + "\n" + `notify_callback_url = "ftp://h.example.com/x"`, wrapped(`notify_callback_url must start with http:// or https://`)},
		{"url query", `publish_domain = "p.example.com"` + "\n" + `notify_callback_url = "https://h.example.com/x?a=1"`, wrapped(`notify_callback_url must not contain query parameters`)},
		{"url fragment", `publish_domain = "p.example.com"` + "\n" + `notify_callback_url = "https://h.example.com/x#f"`, wrapped(`notify_callback_url must not contain a fragment`)},
		{"url host", `publish_domain = "p.example.com"` + "\n" + `notify_callback_url = "https:///x"`, wrapped(`notify_callback_url must include a host`)},
		{"no events", `publish_domain = "p.example.com"` + "\n" + `notify_event_subscription = []`, wrapped(`notify_event_subscription set must contain at least 1 elements`)},
		{"unknown event", `publish_domain = "p.example.com"` + "\n" + `notify_event_subscription = ["RECORD_START"]`, wrapped(`(?s)notify_event_subscription.*value must be one\s+of`)},
		{"sign type", `publish_domain = "p.example.com"` + "\n" + `sign_type = "SHA1"`, wrapped(`sign_type value must be one of`)},
		{"short key", `publish_domain = "p.example.com"` + "\n" + `key = "shortkey"`, wrapped(`key value must be at least 32 letters and digits`)},
		{"key symbols", `publish_domain = "p.example.com"` + "\n" + `key = "` + strings.Repeat("a", 40) + `!"`, wrapped(`key value must be at least 32 letters and digits \(the value is sensitive and not shown\)`)},
		{"short key_wo", `publish_domain = "p.example.com"` + "\n" + `key_wo = "shortkey"`, wrapped(`key_wo value must be at least 32 letters and digits`)},
		{"key and key_wo", `publish_domain = "p.example.com"` + "\n" + `key = "` + testCallbackKey + `"` + "\n" + `key_wo = "` + testCallbackKey + `"`,
			wrapped(`Attribute "key" cannot be specified when "key_wo" is specified`)},
		{"key_wo_version alone", `publish_domain = "p.example.com"` + "\n" + `key_wo_version = 1`, wrapped(`Attribute "key_wo" must be specified when "key_wo_version" is specified`)},
	}
	steps := make([]resource.TestStep, len(cases))
	for i, tc := range cases {
		steps[i] = resource.TestStep{
			Config:      e.providerConfig() + "resource \"live_record_callback\" \"test\" {\n" + tc.body + "\n}\n",
			PlanOnly:    true,
			ExpectError: tc.want,
		}
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	if counts := e.RequestCounts(); len(counts) != 0 {
		t.Fatalf("invalid configurations sent requests: %v", counts)
	}
}

// FuzzParseImportID checks that an accepted import id is exactly one of the two documented forms.
func FuzzParseImportID(f *testing.F) {
	for _, seed := range []string{"0123456789abcdef0123456789abcdef", "publish.example.com/live", "publish.example.com/*", "a/b/c", "/x", "x/", "", " x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := parseImportID(s)
		if err != nil {
			if !strings.Contains(err.Error(), "import id") {
				t.Fatalf("%q: the error does not say what is wrong: %v", s, err)
			}
			return
		}
		switch {
		case parsed.id != "":
			if strings.Contains(parsed.id, "/") || parsed.id != s || parsed.publishDomain != "" || parsed.app != "" {
				t.Fatalf("%q parsed as id %+v", s, parsed)
			}
		case parsed.publishDomain == "" || parsed.app == "" || strings.Contains(parsed.app, "/") || parsed.publishDomain+"/"+parsed.app != s:
			t.Fatalf("%q parsed as pair %+v", s, parsed)
		}
	})
}
