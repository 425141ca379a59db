package provider

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// TestAccSecretsNeverLeak runs plan, apply, import and destroy with TF_LOG=TRACE through the real
// CLI and the built provider binary (a separate process, as in production, so that its logs reach
// Terraform's), and looks for the secret key, the security token and the callback key in every
// log line, every output and every error.
func TestAccSecretsNeverLeak(t *testing.T) {
	const (
		accessKey     = "SECRETSTESTAK"
		secretKey     = "SecretKeyMustNotLeak0123456789XYZ"
		securityToken = "SecurityTokenMustNotLeak0123456789"
		callbackKey   = "CallbackKeyMustNotLeak0123456789XYZ"
	)
	secrets := []string{secretKey, securityToken, callbackKey}

	server := emulatortest.Start(t, liveemulator.Options{Credentials: []liveemulator.Credential{{
		AccessKey: accessKey, SecretKey: secretKey, SecurityToken: securityToken,
		Projects: []liveemulator.Project{{ID: testProjectID, Name: emulatortest.Region}},
	}}})

	traceLog := filepath.Join(t.TempDir(), "trace.log")
	h := newCLIHarness(t, "TF_LOG=TRACE", "TF_LOG_PATH="+traceLog)
	h.write("main.tf", requiredProviders+fmt.Sprintf(`
provider "live" {
  endpoint       = %q
  project_id     = %q
  access_key     = %q
  secret_key     = %q
  security_token = %q
}

resource "live_record_callback" "test" {
  publish_domain      = "publish.example.com"
  notify_callback_url = "https://receiver.example.com/notify"
  key                 = %q
}
`, server.URL, testProjectID, accessKey, secretKey, securityToken, callbackKey))

	terraformRun, run := h.run, h.mustRun

	plan := run("plan", "-input=false")
	if !regexp.MustCompile(`key\s+= \(sensitive value\)`).MatchString(plan) {
		t.Fatalf("the plan does not show the key as sensitive:\n%s", plan)
	}
	// An error, with the API's answer in it.
	if err := server.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Status: 400, ErrorCode: "LIVE.100011001"}); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := terraformRun("apply", "-auto-approve", "-input=false"); err == nil || !strings.Contains(stderr, "LIVE.100011001") {
		t.Fatalf("want the injected error, got %v:\n%s", err, stderr)
	}
	run("apply", "-auto-approve", "-input=false")
	stored := server.Callbacks()
	if len(stored) != 1 || stored[0].Key != callbackKey {
		t.Fatalf("the emulator does not hold the callback with its key: %+v", stored)
	}
	run("state", "rm", "live_record_callback.test")
	run("import", "-input=false", "live_record_callback.test", "publish.example.com/*")
	if plan := run("plan", "-input=false"); !strings.Contains(plan, "(sensitive value)") {
		t.Fatalf("after import the plan sets the key again, shown as sensitive:\n%s", plan)
	}
	run("apply", "-auto-approve", "-input=false")
	run("destroy", "-auto-approve", "-input=false")
	if n := len(server.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks left after destroy", n)
	}
	// With a User-Agent set, the SDK writes nothing into $HOME.
	if _, err := os.Stat(filepath.Join(h.home, ".huaweicloud")); !os.IsNotExist(err) {
		t.Fatalf("the SDK wrote into $HOME: %v", err)
	}
	// The version set by ldflags reaches the User-Agent.
	if agents := server.UserAgents(); !slices.ContainsFunc(agents, func(ua string) bool {
		return strings.Contains(ua, "terraform-provider-live/"+cliVersion)
	}) {
		t.Fatalf("no request carried terraform-provider-live/%s: %q", cliVersion, agents)
	}

	assertNoSecrets(t, secrets, map[string][]byte{"the trace log": readTraceLog(t, traceLog), "stdout or stderr": h.outputs.Bytes()})
}

// TestAccSecretsNeverLeakWithFederation runs plan, apply and destroy with OIDC federation from the
// environment and TF_LOG=TRACE, and looks for the ID token and every token, secret key and security
// token that IAM issued in every log line and every output.
func TestAccSecretsNeverLeakWithFederation(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	server := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	tokenFile := idp.IDTokenFile(t, time.Hour, nil)
	idToken, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	traceLog := filepath.Join(t.TempDir(), "trace.log")
	h := newCLIHarness(t, "TF_LOG=TRACE", "TF_LOG_PATH="+traceLog, "HW_IDP_ID="+emulatortest.IdpID, "HW_ID_TOKEN_FILE="+tokenFile)
	h.write("main.tf", requiredProviders+fmt.Sprintf(`
provider "live" {
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  region       = %[2]q
}
`, server.URL, emulatortest.Region)+testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com"))
	h.mustRun("plan", "-input=false")
	h.mustRun("apply", "-auto-approve", "-input=false")
	secrets := append(server.IssuedSecrets(), string(idToken))
	h.mustRun("destroy", "-auto-approve", "-input=false")
	secrets = append(secrets, server.IssuedSecrets()...)
	if len(secrets) < 4 {
		t.Fatalf("IAM issued too little to test: %d secrets", len(secrets))
	}
	trace := readTraceLog(t, traceLog)
	if !bytes.Contains(trace, []byte("OIDC federation (idp_id from HW_IDP_ID, id_token_file from HW_ID_TOKEN_FILE)")) {
		t.Fatal("the trace log does not say which credentials were used")
	}
	assertNoSecrets(t, secrets, map[string][]byte{"the trace log": trace, "stdout or stderr": h.outputs.Bytes()})
}

// readTraceLog reads a TF_LOG_PATH file, which must hold the provider's log lines, else the test
// could not see a leak in them.
func readTraceLog(t *testing.T, path string) []byte {
	t.Helper()
	trace, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(trace, []byte("Live API request")) {
		t.Fatal("the trace log holds no provider log line: the test would not see a leak")
	}
	return trace
}

// assertNoSecrets reports each text that contains one of the secrets, without printing the secret.
func assertNoSecrets(t *testing.T, secrets []string, texts map[string][]byte) {
	t.Helper()
	for _, secret := range secrets {
		for name, text := range texts {
			if bytes.Contains(text, []byte(secret)) {
				t.Errorf("%s contains a secret (%d characters)", name, len(secret))
			}
		}
	}
}

// TestAccSecretsNeverLeakWithAgency: the same with keys from the environment assuming an agency;
// the agency's temporary secret keys and security tokens appear nowhere.
func TestAccSecretsNeverLeakWithAgency(t *testing.T) {
	e := agencyEmulator(t, time.Hour)
	traceLog := filepath.Join(t.TempDir(), "trace.log")
	h := newCLIHarness(t, "TF_LOG=TRACE", "TF_LOG_PATH="+traceLog, "HW_ACCESS_KEY="+testAccessKey, "HW_SECRET_KEY="+testSecretKey,
		"HW_ASSUME_ROLE_AGENCY_NAME="+emulatortest.AgencyName, "HW_ASSUME_ROLE_DOMAIN_ID="+emulatortest.AgencyDomainID)
	h.write("main.tf", requiredProviders+fmt.Sprintf(`
provider "live" {
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  region       = %[2]q
}
`, e.url, emulatortest.Region)+testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com"))
	h.mustRun("apply", "-auto-approve", "-input=false")
	secrets := append(e.IssuedSecrets(), testSecretKey)
	h.mustRun("destroy", "-auto-approve", "-input=false")
	secrets = append(secrets, e.IssuedSecrets()...)
	if len(secrets) < 3 {
		t.Fatalf("IAM issued too little to test: %d secrets", len(secrets))
	}
	trace := readTraceLog(t, traceLog)
	if !bytes.Contains(trace, []byte("assuming agency live-admins (agency_name from HW_ASSUME_ROLE_AGENCY_NAME)")) {
		t.Fatal("the trace log does not say which credentials were used")
	}
	assertNoSecrets(t, secrets, map[string][]byte{"the trace log": trace, "stdout or stderr": h.outputs.Bytes()})
}
