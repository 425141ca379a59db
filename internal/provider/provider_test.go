package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

const (
	testAccessKey = "TESTACCESSKEY"
	testSecretKey = "TestSecretKey0123456789abcdefXYZ"
	testProjectID = "0123456789abcdef0123456789abcdef"
)

var testProjects = []liveemulator.Project{{ID: testProjectID, Name: "cn-north-4"}}

// The tests' provider backs off for milliseconds, not seconds, between retries.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"live": providerserver.NewProtocol6WithError(&liveProvider{version: "test", getenv: os.Getenv, retryBaseDelay: 10 * time.Millisecond}),
}

// testEmulator is an emulator on loopback for one test.
type testEmulator struct {
	*liveemulator.Server
	url string
}

func newTestEmulator(t testing.TB) testEmulator {
	t.Helper()
	server := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{
		{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects},
	}})
	httpServer := httptest.NewServer(server)
	t.Cleanup(httpServer.Close)
	return testEmulator{Server: server, url: httpServer.URL}
}

// providerConfig points the provider at this emulator in HCL, so that tests can run in parallel.
func (e testEmulator) providerConfig() string {
	return fmt.Sprintf(`
provider "live" {
  endpoint   = %[1]q
  project_id = %[2]q
  access_key = %[3]q
  secret_key = %[4]q
}
`, e.url, testProjectID, testAccessKey, testSecretKey)
}

func TestResolveConfig(t *testing.T) {
	env := map[string]string{
		"HW_REGION_NAME": "cn-north-4",
		"HW_PROJECT_ID":  "env-project",
		"CLOUD_SDK_AK":   "sdk-ak",
		"HW_SECRET_KEY":  "hw-sk",
		"CLOUD_SDK_SK":   "sdk-sk",
		"HW_INSECURE":    "true",
	}
	p := &liveProvider{version: "1.2.3", getenv: func(name string) string { return env[name] }}
	cfg, unknown, diags := p.resolveConfig(liveProviderModel{
		ProjectID: types.StringValue("config-project"),
		Endpoint:  types.StringNull(),
		Insecure:  types.BoolNull(),
	})
	if diags.HasError() || len(unknown) != 0 {
		t.Fatal(diags, unknown)
	}
	if cfg.ProjectID != "config-project" || cfg.Region != "cn-north-4" || cfg.AccessKey != "sdk-ak" ||
		cfg.SecretKey != "hw-sk" || !cfg.Insecure || cfg.UserAgent != "terraform-provider-live/1.2.3" {
		t.Fatalf("configuration must win over the environment, HW_ over CLOUD_SDK_: %+v", cfg)
	}

	env["HW_INSECURE"] = "maybe"
	if _, _, diags := p.resolveConfig(liveProviderModel{}); !diags.HasError() {
		t.Fatal("HW_INSECURE=maybe must be an error")
	}
}

// TestResolveConfigWithUnknownValues: settings known only after apply are no error at plan time;
// what is known is still checked, and what is missing stays an error.
func TestResolveConfigWithUnknownValues(t *testing.T) {
	p := &liveProvider{version: "test", getenv: func(string) string { return "" }}
	known := liveProviderModel{
		ProjectID: types.StringValue(testProjectID),
		AccessKey: types.StringValue(testAccessKey),
		SecretKey: types.StringValue(testSecretKey),
	}

	config := known
	config.Endpoint = types.StringUnknown()
	config.MaxRetries = types.Int64Unknown()
	_, unknown, diags := p.resolveConfig(config)
	if diags.HasError() || !slices.Equal(unknown, []string{"endpoint", "max_retries"}) {
		t.Fatalf("an unknown endpoint needs no region: %v %v", diags, unknown)
	}

	config = known
	config.AccessKey = types.StringUnknown()
	config.Region = types.StringUnknown()
	config.ProjectID = types.StringNull()
	if _, unknown, diags := p.resolveConfig(config); diags.HasError() || len(unknown) != 2 {
		t.Fatalf("unknown credentials and region: %v %v", diags, unknown)
	}

	for name, change := range map[string]func(*liveProviderModel){
		"a known invalid iam_endpoint": func(m *liveProviderModel) { m.IAMEndpoint = types.StringValue("ftp://iam.example.com") },
		"a missing secret key":         func(m *liveProviderModel) { m.SecretKey = types.StringNull() },
		"a known unknown region":       func(m *liveProviderModel) { m.Endpoint = types.StringNull(); m.Region = types.StringValue("mars-1") },
	} {
		config := known
		config.SecurityToken = types.StringUnknown()
		change(&config)
		if _, _, diags := p.resolveConfig(config); !diags.HasError() {
			t.Errorf("%s must still be an error while another setting is unknown", name)
		}
	}
}

// TestAccLiveProvider_unknownAtPlan: the provider's endpoint comes from a resource that is applied in
// the same run. Plan succeeds, apply configures the provider once the endpoint is known, and the next
// plan is empty. When the endpoint is unknown again, the existing callback is kept (not read) and
// left alone.
func TestAccLiveProvider_unknownAtPlan(t *testing.T) {
	e := newTestEmulator(t)
	config := func(revision int) string {
		return fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input            = %[1]q
  triggers_replace = %[5]d
}

provider "live" {
  endpoint   = terraform_data.endpoint.output
  project_id = %[2]q
  access_key = %[3]q
  secret_key = %[4]q
}
`, e.url, testProjectID, testAccessKey, testSecretKey, revision) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
			{
				Config:           config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The endpoint is unknown again: the callback is neither read nor changed.
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("terraform_data.endpoint", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction(testResourceAddress, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResourceAddress, tfjsonpath.New("id"))},
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}
