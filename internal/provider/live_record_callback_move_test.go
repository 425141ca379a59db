package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	testresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// moveFrom runs the state mover on a state of huaweicloud_live_record_callback as JSON, as Terraform
// hands it over.
func moveFrom(t *testing.T, providerAddress, typeName string, version int64, stateJSON string) resource.MoveStateResponse {
	t.Helper()
	ctx := context.Background()
	r := &liveRecordCallbackResource{}
	var schemaResp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	raw, err := (&tfprotov6.RawState{JSON: []byte(stateJSON)}).UnmarshalWithOpts(officialSchema.Type().TerraformType(ctx),
		tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		t.Fatal(err)
	}
	req := resource.MoveStateRequest{SourceProviderAddress: providerAddress, SourceTypeName: typeName, SourceSchemaVersion: version,
		SourceState: &tfsdk.State{Raw: raw, Schema: officialSchema}}
	resp := resource.MoveStateResponse{TargetState: tfsdk.State{Schema: schemaResp.Schema,
		Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}}
	// The framework hands the mover an empty private state, of a type of its own internal package.
	target := reflect.ValueOf(&resp.TargetPrivate).Elem()
	target.Set(reflect.New(target.Type().Elem()))
	r.moveFromOfficial(ctx, req, &resp)
	return resp
}

const officialAddress = "registry.terraform.io/huaweicloud/huaweicloud"

func TestMoveFromOfficialMapsEveryForm(t *testing.T) {
	cases := map[string]struct {
		state                      string
		signType, key, url, domain string // "" for null
		events                     []string
	}{
		"v1.72 or later, MD5 and a key (the documented sample)": {
			state: `{"domain_name": "m1.example.com", "id": "eef6e813d842e8ecec3183ec6d90e2a2", "key": "d4a3345fd2f5b76fdb91f6ae4fe924cb",
				"region": "cn-north-4", "sign_type": "MD5", "types": ["RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE"], "url": "https://cb.example.com/one"}`,
			signType: "MD5", key: "d4a3345fd2f5b76fdb91f6ae4fe924cb", url: "https://cb.example.com/one", domain: "m1.example.com",
			events: []string{"RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE"},
		},
		"v1.72 or later, neither set (the documented sample)": {
			state: `{"domain_name": "m2.example.com", "id": "7ecf798dd10b8ebfb7a2ed25e3eaa772", "key": null,
				"region": "cn-north-4", "sign_type": "HMACSHA256", "types": ["RECORD_OVER"], "url": "https://cb.example.com/two"}`,
			signType: "HMACSHA256", url: "https://cb.example.com/two", domain: "m2.example.com", events: []string{"RECORD_OVER"},
		},
		"before v1.72: no sign_type, no key": {
			state: `{"domain_name": "m3.example.com", "id": "id3", "region": "cn-north-4", "types": ["RECORD_OVER"], "url": "https://cb.example.com/3"}`,
			url:   "https://cb.example.com/3", domain: "m3.example.com", events: []string{"RECORD_OVER"},
		},
		"no region, no types, no url": {
			state:  `{"domain_name": "m5.example.com", "id": "id5", "types": [], "url": ""}`,
			domain: "m5.example.com",
		},
		"types listed twice, null url and region": {
			state:  `{"domain_name": "m6.example.com", "id": "id6", "region": null, "types": ["RECORD_OVER", "RECORD_OVER", "RECORD_FAILED"], "url": null}`,
			domain: "m6.example.com", events: []string{"RECORD_FAILED", "RECORD_OVER"},
		},
		"an internationalized domain in Unicode": {
			state:  `{"domain_name": "直播.例え.jp", "id": "id7", "region": "cn-north-4", "types": ["RECORD_OVER"], "url": "https://cb.example.com/7"}`,
			domain: "xn--z6ut02b.xn--r8jz45g.jp", url: "https://cb.example.com/7", events: []string{"RECORD_OVER"},
		},
		"unset optional strings written as empty": {
			state: `{"domain_name": "M4.Example.com", "id": "id4", "key": "", "region": "", "sign_type": "", "types": ["RECORD_FAILED", "RECORD_OVER"], "url": "https://cb.example.com/4"}`,
			url:   "https://cb.example.com/4", domain: "m4.example.com", events: []string{"RECORD_FAILED", "RECORD_OVER"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := moveFrom(t, officialAddress, officialResourceType, 0, tc.state)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			var got callbackResourceModel
			if diags := resp.TargetState.Get(context.Background(), &got); diags.HasError() {
				t.Fatal(diags)
			}
			var events []string
			got.NotifyEventSubscription.ElementsAs(context.Background(), &events, false)
			nullable := func(s string) string {
				if s == "" {
					return "<null>"
				}
				return s
			}
			for _, check := range []struct{ attr, got, want string }{
				{"publish_domain", got.PublishDomain.String(), `"` + tc.domain + `"`},
				{"app", got.App.ValueString(), "*"},
				{"notify_callback_url", nullable(got.NotifyCallbackURL.ValueString()), nullable(tc.url)},
				{"sign_type", nullable(got.SignType.ValueString()), nullable(tc.signType)},
				{"key", nullable(got.Key.ValueString()), nullable(tc.key)},
				{"notify_event_subscription", strings.Join(slices.Sorted(slices.Values(events)), ","), strings.Join(slices.Sorted(slices.Values(tc.events)), ",")},
			} {
				if check.got != check.want {
					t.Errorf("%s: got %s, want %s", check.attr, check.got, check.want)
				}
			}
			if want := jsonString(t, tc.state, "id"); got.ID.ValueString() != want {
				t.Errorf("id: got %s, want %q", got.ID, want)
			}
			if (len(tc.events) == 0) != got.NotifyEventSubscription.IsNull() {
				t.Errorf("notify_event_subscription must be null exactly when types is empty: %s", got.NotifyEventSubscription)
			}
			if got.ID.IsNull() || !got.CreateTime.IsNull() || !got.UpdateTime.IsNull() || !got.Timeouts.IsNull() {
				t.Errorf("id must be kept, create_time, update_time and timeouts null: %+v", got)
			}
			if got.SignType.IsNull() != (tc.signType == "") || got.Key.IsNull() != (tc.key == "") {
				t.Errorf("an empty or absent sign_type or key must be null: %+v", got)
			}
		})
	}
}

// jsonString is the string field name of the JSON object doc.
func jsonString(t *testing.T, doc, name string) string {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal([]byte(doc), &fields); err != nil {
		t.Fatal(err)
	}
	value, _ := fields[name].(string)
	return value
}

func TestMoveFromOfficialRefusesAStateWithoutIdOrDomain(t *testing.T) {
	for _, state := range []string{
		`{"domain_name": "m.example.com", "id": "", "types": ["RECORD_OVER"]}`,
		`{"domain_name": "", "id": "id8", "types": ["RECORD_OVER"]}`,
		`{"id": "id9"}`,
	} {
		resp := moveFrom(t, officialAddress, officialResourceType, 0, state)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "no id or no domain_name") {
			t.Errorf("%s: want the error naming the missing id or domain_name, got %v", state, resp.Diagnostics)
		}
	}
}

// TestMoveFromOfficialChecksTheRegionAtTheRefresh: the framework does not configure a resource for a
// move, so the move keeps the source region, and the refresh that follows refuses it when the
// provider is configured for another region, naming both.
func TestMoveFromOfficialChecksTheRegionAtTheRefresh(t *testing.T) {
	ctx := context.Background()
	state := `{"domain_name": "m.example.com", "id": "id5", "region": "cn-east-3", "types": ["RECORD_OVER"], "url": "https://cb.example.com/n"}`
	resp := moveFrom(t, officialAddress, officialResourceType, 0, state)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	for configuredRegion, wantError := range map[string]bool{"cn-north-4": true, "cn-east-3": false, "": false} {
		next := fakePrivate{}
		diags := checkMovedRegion(ctx, resp.TargetPrivate, next, configuredRegion)
		if diags.HasError() != wantError {
			t.Fatalf("provider region %q: %v", configuredRegion, diags)
		}
		if wantError && (!strings.Contains(diags[0].Detail(), `region "cn-east-3"`) || !strings.Contains(diags[0].Detail(), `region "cn-north-4"`)) {
			t.Fatalf("the error must name both regions: %s", diags[0].Detail())
		}
		if !wantError {
			if kept, _ := next.GetKey(ctx, movedFromKey); len(kept) != 0 {
				t.Fatalf("provider region %q: the record of the move must be dropped once checked", configuredRegion)
			}
		}
	}
}

func TestMoveFromOfficialOnlyFromTheOfficialResource(t *testing.T) {
	state := `{"domain_name": "m.example.com", "id": "id", "types": ["RECORD_OVER"], "url": "https://cb.example.com/n"}`
	for _, tc := range []struct{ address, typeName string }{
		{"registry.terraform.io/hashicorp/random", officialResourceType},
		{"registry.terraform.io/huaweicloud/huaweicloudstack", officialResourceType},
		{officialAddress, "huaweicloud_live_domain"},
		{officialAddress, "huaweicloud_live_record_callback_v2"},
	} {
		resp := moveFrom(t, tc.address, tc.typeName, 0, state)
		if resp.Diagnostics.HasError() || !resp.TargetState.Raw.IsNull() {
			t.Errorf("%s %s: want no move (Terraform reports it), got %v", tc.address, tc.typeName, resp.Diagnostics)
		}
	}
	// OpenTofu may send the bare implied name.
	for _, address := range []string{officialAddress, "registry.opentofu.org/huaweicloud/huaweicloud", "huaweicloud"} {
		if resp := moveFrom(t, address, officialResourceType, 0, state); resp.Diagnostics.HasError() || resp.TargetState.Raw.IsNull() {
			t.Errorf("%s: want a move, got %v", address, resp.Diagnostics)
		}
	}
	if resp := moveFrom(t, officialAddress, officialResourceType, 1, state); !resp.Diagnostics.HasError() {
		t.Error("schema version 1 is not the documented one: want an error")
	}
}

// The acceptance tests below move callbacks that a stand-in of the official provider made: a
// test-only framework provider of type huaweicloud whose huaweicloud_live_record_callback has the
// official schema (version 0) and creates through the emulator, as the official one does (app "*").

// TestAccLiveRecordCallbackResource_moveFromOfficial: two callbacks made with the stand-in, one with
// sign_type and key and one with neither, move to live_record_callback with moved blocks: the plan
// shows only moves, the ids stay, nothing is written to the API, and the next plan is empty.
func TestAccLiveRecordCallbackResource_moveFromOfficial(t *testing.T) {
	e := newTestEmulator(t)
	official := e.officialProviderConfig("cn-north-4") + `
resource "huaweicloud_live_record_callback" "signed" {
  domain_name = "m1.example.com"
  url         = "https://cb.example.com/one"
  types       = ["RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE"]
  sign_type   = "MD5"
  key         = "` + testCallbackKey + `"
}

resource "huaweicloud_live_record_callback" "plain" {
  domain_name = "m2.example.com"
  url         = "https://cb.example.com/two"
  types       = ["RECORD_OVER"]
}
`
	moved := e.officialProviderConfig("cn-north-4") + e.providerConfig(`region = "cn-north-4"`) + `
moved {
  from = huaweicloud_live_record_callback.signed
  to   = live_record_callback.signed
}

moved {
  from = huaweicloud_live_record_callback.plain
  to   = live_record_callback.plain
}

resource "live_record_callback" "signed" {
  publish_domain            = "m1.example.com"
  notify_callback_url       = "https://cb.example.com/one"
  notify_event_subscription = ["RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE"]
  sign_type                 = "MD5"
  key                       = "` + testCallbackKey + `"
}

resource "live_record_callback" "plain" {
  publish_domain            = "m2.example.com"
  notify_callback_url       = "https://cb.example.com/two"
  notify_event_subscription = ["RECORD_OVER"]
}
`
	testAccMove(t, e, officialStandIn{}, official, moved, []string{"signed", "plain"})
}

// TestAccLiveRecordCallbackResource_moveFromOfficialBeforeV172: a state written before the official
// provider's v1.72.0, without sign_type and key, moves and plans no change.
func TestAccLiveRecordCallbackResource_moveFromOfficialBeforeV172(t *testing.T) {
	e := newTestEmulator(t)
	official := e.officialProviderConfig("cn-north-4") + `
resource "huaweicloud_live_record_callback" "old" {
  domain_name = "m3.example.com"
  url         = "https://cb.example.com/three"
  types       = ["RECORD_OVER", "RECORD_FAILED"]
}
`
	moved := e.officialProviderConfig("cn-north-4") + e.providerConfig() + `
moved {
  from = huaweicloud_live_record_callback.old
  to   = live_record_callback.old
}

resource "live_record_callback" "old" {
  publish_domain            = "m3.example.com"
  notify_callback_url       = "https://cb.example.com/three"
  notify_event_subscription = ["RECORD_OVER", "RECORD_FAILED"]
}
`
	testAccMove(t, e, officialStandIn{beforeV172: true}, official, moved, []string{"old"})
}

// TestAccLiveRecordCallbackResource_moveFromOfficialOtherRegion: a source in another region than
// the live provider's fails the move with both regions named, and state keeps the source.
func TestAccLiveRecordCallbackResource_moveFromOfficialOtherRegion(t *testing.T) {
	e := newTestEmulator(t)
	official := e.officialProviderConfig("cn-east-3") + `
resource "huaweicloud_live_record_callback" "east" {
  domain_name = "m4.example.com"
  url         = "https://cb.example.com/four"
  types       = ["RECORD_OVER"]
}
`
	moved := e.officialProviderConfig("cn-east-3") + e.providerConfig(`region = "cn-north-4"`) + `
moved {
  from = huaweicloud_live_record_callback.east
  to   = live_record_callback.east
}

resource "live_record_callback" "east" {
  publish_domain            = "m4.example.com"
  notify_callback_url       = "https://cb.example.com/four"
  notify_event_subscription = ["RECORD_OVER"]
}
`
	testresource.ParallelTest(t, testresource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.MoveAcross)},
		ProtoV6ProviderFactories: moveFactories(officialStandIn{}),
		CheckDestroy:             e.checkDestroy,
		Steps: []testresource.TestStep{
			{Config: official},
			{Config: moved, ExpectError: wrapped(`(?s)region "cn-east-3".*region "cn-north-4"`)},
			{Config: official, ConfigPlanChecks: testresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// testAccMove creates the callbacks of official with the stand-in, then applies moved: each of
// names moves (no create, update or destroy) with its id, no request writes to the API, and the
// next plan is empty.
func testAccMove(t *testing.T, e testEmulator, standIn officialStandIn, official, moved string, names []string) {
	t.Helper()
	ids := map[string]string{}
	stored := map[string]liveemulator.Callback{}
	var writes int
	noOps := []plancheck.PlanCheck{}
	for _, name := range names {
		noOps = append(noOps, plancheck.ExpectResourceAction("live_record_callback."+name, plancheck.ResourceActionNoop))
	}
	// After the move and its refresh, each callback has its identity (on CLIs that keep them).
	var identities []statecheck.StateCheck
	for _, name := range names {
		identities = append(identities, identityChecks(t, "live_record_callback."+name)...)
	}
	testresource.ParallelTest(t, testresource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.MoveAcross)},
		ProtoV6ProviderFactories: moveFactories(standIn),
		CheckDestroy:             e.checkDestroy,
		Steps: []testresource.TestStep{
			{
				Config: official,
				Check: func(s *terraform.State) error {
					for _, name := range names {
						ids[name] = s.RootModule().Resources["huaweicloud_live_record_callback."+name].Primary.ID
						stored[name], _ = e.Callback(ids[name])
					}
					writes = writeRequests(e)
					return nil
				},
			},
			{
				Config:            moved,
				ConfigPlanChecks:  testresource.ConfigPlanChecks{PreApply: noOps},
				ConfigStateChecks: identities,
				Check: func(s *terraform.State) error {
					for _, name := range names {
						rs, ok := s.RootModule().Resources["live_record_callback."+name]
						if !ok || rs.Primary.ID != ids[name] {
							return fmt.Errorf("live_record_callback.%s: want the id %s in state, got %v", name, ids[name], rs)
						}
						if now, ok := e.Callback(ids[name]); !ok || !reflect.DeepEqual(now, stored[name]) {
							return fmt.Errorf("%s changed in the emulator: %+v, before the move %+v", ids[name], now, stored[name])
						}
						// The refresh that follows the move fills in the times the move leaves null.
						for attr, want := range map[string]time.Time{"create_time": stored[name].CreateTime, "update_time": stored[name].UpdateTime} {
							if got := rs.Primary.Attributes[attr]; got != want.Format(livespec.TimeLayout) {
								return fmt.Errorf("live_record_callback.%s: %s is %q, the API's is %s", name, attr, got, want.Format(livespec.TimeLayout))
							}
						}
					}
					if len(e.Callbacks()) != len(names) {
						return fmt.Errorf("the emulator holds %d configurations, want %d", len(e.Callbacks()), len(names))
					}
					if n := writeRequests(e); n != writes {
						return fmt.Errorf("the move wrote to the API: %d write requests, %d before", n, writes)
					}
					return nil
				},
			},
			{Config: moved, ConfigPlanChecks: testresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// writeRequests counts the requests that change configurations.
func writeRequests(e testEmulator) int {
	counts := e.RequestCounts()
	return counts[liveemulator.OperationCreate] + counts[liveemulator.OperationUpdate] + counts[liveemulator.OperationDelete]
}

// fakePrivate is a private state of the refresh that follows a move.
type fakePrivate map[string][]byte

func (p fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p fakePrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(p, key)
	} else {
		p[key] = value
	}
	return nil
}

// TestModifyPlanRefusesAMoveNotRefreshed: a moved callback that no refresh has read since the move
// (-refresh=false, or the provider's configuration unknown) plans nothing: another region is named,
// and otherwise the plan asks for a refresh.
func TestModifyPlanRefusesAMoveNotRefreshed(t *testing.T) {
	ctx := context.Background()
	state := `{"domain_name": "m.example.com", "id": "id6", "region": "cn-east-3", "types": ["RECORD_OVER"], "url": "https://cb.example.com/n"}`
	moved := moveFrom(t, officialAddress, officialResourceType, 0, state)
	cases := []struct {
		resource *liveRecordCallbackResource
		want     string
	}{
		{resourceWith(providerData{region: "cn-north-4"}), `moved from region "cn-east-3", and this live provider is configured for region "cn-north-4"`},
		{resourceWith(providerData{region: "cn-east-3"}), `has not been read since`},
		{resourceWith(providerData{unknownSettings: []string{"region"}}), `once the provider's configuration is known: The provider's region is not known until apply`},
	}
	for _, tc := range cases {
		var resp resource.ModifyPlanResponse
		tc.resource.ModifyPlan(ctx, resource.ModifyPlanRequest{Private: moved.TargetPrivate}, &resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), tc.want) {
			t.Errorf("want an error saying %q, got %v", tc.want, resp.Diagnostics)
		}
	}
	// Once a refresh has checked it, the record is gone and the plan goes on.
	empty := moveFrom(t, officialAddress, "huaweicloud_live_domain", 0, state).TargetPrivate
	var resp resource.ModifyPlanResponse
	resourceWith(providerData{region: "cn-north-4"}).ModifyPlan(ctx, resource.ModifyPlanRequest{Private: empty}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
}

// TestAccLiveRecordCallbackResource_moveWithoutRefresh: applying a move with -refresh=false would
// leave the moved callback unchecked and unread: the plan refuses, and state keeps the source.
func TestAccLiveRecordCallbackResource_moveWithoutRefresh(t *testing.T) {
	e := newTestEmulator(t)
	official := e.officialProviderConfig("cn-north-4") + `
resource "huaweicloud_live_record_callback" "old" {
  domain_name = "m5.example.com"
  url         = "https://cb.example.com/five"
  types       = ["RECORD_OVER"]
}
`
	moved := e.officialProviderConfig("cn-north-4") + e.providerConfig(`region = "cn-north-4"`) + `
moved {
  from = huaweicloud_live_record_callback.old
  to   = live_record_callback.old
}

resource "live_record_callback" "old" {
  publish_domain            = "m5.example.com"
  notify_callback_url       = "https://cb.example.com/five"
  notify_event_subscription = ["RECORD_OVER"]
}
`
	testresource.ParallelTest(t, testresource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needs(clifeatures.MoveAcross)},
		ProtoV6ProviderFactories: moveFactories(officialStandIn{beforeV172: true}),
		AdditionalCLIOptions:     &testresource.AdditionalCLIOptions{Plan: testresource.PlanOptions{NoRefresh: true}},
		CheckDestroy:             e.checkDestroy,
		Steps: []testresource.TestStep{
			{Config: official},
			{Config: moved, ExpectError: wrapped(`(?s)Not Refreshed Since Its Move.*without -refresh=false`)},
			{Config: official, PlanOnly: true},
		},
	})
	if n := writeRequests(e); n != 2 { // the create of step 1 and the destroy at the end
		t.Fatalf("%d write requests: the refused move wrote to the API", n)
	}
}
