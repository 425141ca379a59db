package provider

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// federationConfig is a provider block that signs in with OIDC federation of the identity provider
// idpID at e's IAM, discovering the project of region unless a setting gives it. Each extra setting
// is one attribute line, as in providerConfig.
func (e testEmulator) federationConfig(idpID, tokenFile string, extraSettings ...string) string {
	return fmt.Sprintf(`
provider "live" {
  endpoint      = %[1]q
  iam_endpoint  = %[1]q
  region        = %[2]q
  idp_id        = %[3]q
  id_token_file = %[4]q
%[5]s}
`, e.url, emulatortest.Region, idpID, tokenFile, settingLines(extraSettings))
}

// TestAccLiveProvider_oidcFederation applies and destroys 50 callbacks signed in with a CI's ID
// token, with temporary credentials that live three seconds: they are renewed during the apply (the
// provider renews them half their life before they expire) and nothing fails.
func TestAccLiveProvider_oidcFederation(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		TemporaryCredentialsTTL: 3 * time.Second})
	config := e.federationConfig(idp.ID, idp.IDTokenFile(t, time.Hour, nil)) + testAccLiveRecordCallbackResourceConfig_count(50)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				if n := len(e.Callbacks()); n != 50 {
					return fmt.Errorf("the emulator holds %d callbacks, want 50", n)
				}
				counts := e.RequestCounts()
				if counts[liveemulator.OperationSecurityToken] < 2 || counts[liveemulator.OperationTokenByIDToken] < 2 {
					return fmt.Errorf("the temporary credentials were not renewed: %v", counts)
				}
				return nil
			},
		}},
	})
}

// TestAccLiveProvider_oidcExpiredIDToken: an expired ID token fails the first request with IAM's
// answer and a hint, and nothing is created.
func TestAccLiveProvider_oidcExpiredIDToken(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	config := e.federationConfig(idp.ID, idp.IDTokenFile(t, -time.Minute, nil), fmt.Sprintf("project_id = %q", testProjectID)) +
		testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrapped(`(?s)HTTP status: 401.*error_code: IAM.1002.*ID token is invalid: it expired at.*id_token_file is fresh`),
		}},
	})
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks were created", n)
	}

	// Without project_id, the project's discovery meets IAM's refusal first: it is told as that, not
	// as a project to set. (Another IdP: the SDK keeps discovered projects by IdP and region.)
	undiscovered := emulatortest.NewIdentityProvider(t)
	undiscovered.ID = "expired-before-discovery"
	config = newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{undiscovered.IdentityProvider}}).federationConfig(undiscovered.ID, undiscovered.IDTokenFile(t, -time.Minute, nil)) +
		testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrapped(`(?s)Unable to Obtain Live API Credentials.*IAM.1002.*expired at.*hint: IAM refused`),
		}},
	})
}

// agencyEmulator is an emulator with an agency of another account that the test account may assume;
// what IAM issues lives ttl.
func agencyEmulator(t *testing.T, ttl time.Duration) testEmulator {
	t.Helper()
	return newTestEmulator(t, liveemulator.Options{TemporaryCredentialsTTL: ttl, Agencies: []liveemulator.Agency{emulatortest.Agency()}})
}

func (e testEmulator) assumeRoleConfig(agency string) string {
	return fmt.Sprintf(`
provider "live" {
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  region       = %[2]q
  access_key   = %[3]q
  secret_key   = %[4]q

  assume_role {
    agency_name = %[5]q
    domain_name = "media-team"
  }
}
`, e.url, emulatortest.Region, testAccessKey, testSecretKey, agency)
}

// TestAccLiveProvider_assumeRole applies and destroys 50 callbacks in another account's project
// through an agency, with temporary credentials that live three seconds and creates that take half a
// second: the credentials are renewed during the apply (half their life before they expire) and
// nothing fails.
func TestAccLiveProvider_assumeRole(t *testing.T) {
	e := agencyEmulator(t, 3*time.Second)
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationCreate, Latency: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: e.assumeRoleConfig("live-admins") + testAccLiveRecordCallbackResourceConfig_count(50),
			Check: func(*terraform.State) error {
				stored := e.Callbacks()
				if len(stored) != 50 || slices.ContainsFunc(stored, func(cb liveemulator.Callback) bool { return cb.ProjectID != emulatortest.AgencyProjectID }) {
					return fmt.Errorf("want 50 callbacks, all in the agency's project: %d", len(stored))
				}
				if n := e.RequestCounts()[liveemulator.OperationSecurityToken]; n < 2 {
					return fmt.Errorf("the agency's credentials were issued %d times, want renewals", n)
				}
				return nil
			},
		}},
	})
}

// TestAccLiveProvider_assumeRoleRefused: an agency that the credentials may not assume fails at
// plan time with IAM's answer and a hint, on the assume_role block.
func TestAccLiveProvider_assumeRoleRefused(t *testing.T) {
	e := agencyEmulator(t, time.Hour)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      e.assumeRoleConfig("other-agency") + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com"),
			ExpectError: wrapped(`(?s)Unable to Assume Agency.*agency "other-agency".*HTTP status: 403.*IAM.0002.*hint: IAM refused.*agency trusts`),
		}},
	})
}

// clearProviderEnv clears every environment variable the provider reads, and points the SDK's
// credentials file at a file that does not exist; the test cannot run in parallel.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, names := range settingEnvs {
		for _, name := range names {
			t.Setenv(name, "")
		}
	}
	t.Setenv(envCredentialsFile, filepath.Join(t.TempDir(), "no-credentials"))
}

// TestAccLiveProvider_credentialsFile: with no credentials in the configuration or the environment,
// the SDK's credentials file gives them (and the project); an unusable file is an error that names
// it. It cannot run in parallel: it sets the environment.
func TestAccLiveProvider_credentialsFile(t *testing.T) {
	clearProviderEnv(t)
	e := newTestEmulator(t)
	file := filepath.Join(t.TempDir(), "credentials")
	t.Setenv(envCredentialsFile, file)
	config := fmt.Sprintf("provider \"live\" {\n  endpoint = %q\n}\n", e.url) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// Named by the variable, yet not there.
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Invalid Live Provider Credentials File.*` + regexp.QuoteMeta(filepath.Base(file)) + `.*cannot\s+be\s+read`),
			},
			{
				PreConfig:   func() { writeFile(t, file, "[basic]\nak = "+testAccessKey+"\n") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Invalid Live Provider Credentials File.*` + regexp.QuoteMeta(filepath.Base(file)) + `.*cannot\s+use`),
			},
			{
				PreConfig: func() {
					writeFile(t, file, fmt.Sprintf("[basic]\nak = %s\nsk = %s\nproject_id = %s\n", testAccessKey, testSecretKey, testProjectID))
				},
				Config: config,
				Check: e.checkStored(liveemulator.Callback{PublishDomain: "publish.example.com", App: "*",
					Events: []string{"RECORD_FILE_COMPLETE"}, SignType: "HMACSHA256"}),
			},
		},
	})
}

// TestAccLiveProvider_ecsMetadata runs the built provider with no credentials anywhere: the ECS
// metadata service gives the instance's temporary credentials. The service is a loopback server of
// the test, built into the provider in place of 169.254.169.254; without it, the error names every
// source.
func TestAccLiveProvider_ecsMetadata(t *testing.T) {
	const (
		accessKey     = "INSTANCEAGENCYAK"
		secretKey     = "InstanceAgencySecretKey0123456789"
		securityToken = "InstanceAgencySecurityToken0123456789"
	)
	server := emulatortest.Start(t, liveemulator.Options{Credentials: []liveemulator.Credential{{
		AccessKey: accessKey, SecretKey: secretKey, SecurityToken: securityToken,
		Projects: []liveemulator.Project{{ID: testProjectID, Name: emulatortest.Region}},
	}}})
	var metadataRequests atomic.Int32
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		metadataRequests.Add(1)
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
			fmt.Fprint(w, "metadata-session-token")
		case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey" && r.Header.Get("X-Metadata-Token") == "metadata-session-token":
			fmt.Fprintf(w, `{"credential": {"access": %q, "secret": %q, "securitytoken": %q, "expires_at": %q}}`,
				accessKey, secretKey, securityToken, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(metadata.Close)

	configuration := requiredProviders + fmt.Sprintf(`
provider "live" {
  endpoint   = %q
  project_id = %q
}
`, server.URL, testProjectID) + testAccLiveRecordCallbackResourceConfig_minimal("publish.example.com")
	traceLog := filepath.Join(t.TempDir(), "trace.log")
	h := newCLIHarnessWithMetadata(t, metadata.URL, "TF_LOG=TRACE", "TF_LOG_PATH="+traceLog)
	h.write("main.tf", configuration)
	h.mustRun("apply", "-auto-approve", "-input=false")
	if stored := server.Callbacks(); len(stored) != 1 || metadataRequests.Load() == 0 {
		t.Fatalf("stored %d callbacks after %d metadata requests", len(stored), metadataRequests.Load())
	}
	h.mustRun("destroy", "-auto-approve", "-input=false")
	trace := readTraceLog(t, traceLog)
	if !bytes.Contains(trace, []byte("the ECS metadata service")) {
		t.Fatal("the trace log does not say which credentials were used")
	}
	assertNoSecrets(t, []string{secretKey, securityToken, "metadata-session-token"},
		map[string][]byte{"the trace log": trace, "stdout or stderr": h.outputs.Bytes()})

	// No metadata service: the first request, not Configure, asks it once, and says it gave nothing and
	// where else credentials are looked for.
	metadata.Close()
	without := newCLIHarnessWithMetadata(t, metadata.URL)
	without.write("main.tf", configuration)
	if _, stderr, err := without.run("apply", "-input=false", "-auto-approve"); err == nil ||
		!regexp.MustCompile(`(?s)Unable to Create Live Record Callback.*ECS\s+metadata\s+service\s+gave\s+no\s+credentials.*ECS\s+instance\s+with\s+an\s+agency.*access_key\s+and\s+secret_key.*credentials\s+file`).MatchString(stderr) {
		t.Fatalf("want the missing credentials error, got %v:\n%s", err, stderr)
	}
}
