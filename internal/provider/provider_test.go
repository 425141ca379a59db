package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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
	cfg, diags := p.resolveConfig(liveProviderModel{
		ProjectID: types.StringValue("config-project"),
		Endpoint:  types.StringNull(),
		Insecure:  types.BoolNull(),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if cfg.ProjectID != "config-project" || cfg.Region != "cn-north-4" || cfg.AccessKey != "sdk-ak" ||
		cfg.SecretKey != "hw-sk" || !cfg.Insecure || cfg.UserAgent != "terraform-provider-live/1.2.3" {
		t.Fatalf("configuration must win over the environment, HW_ over CLOUD_SDK_: %+v", cfg)
	}

	env["HW_INSECURE"] = "maybe"
	if _, diags := p.resolveConfig(liveProviderModel{}); !diags.HasError() {
		t.Fatal("HW_INSECURE=maybe must be an error")
	}
}
