package provider

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// The organisation of these tests: the test account in two regions, and a second account.
const (
	eastRegion        = "cn-east-3"
	eastProjectID     = "ea57ea57ea57ea57ea57ea57ea57ea57"
	sportsAccessKey   = "SPORTSACCESSKEY"
	sportsSecretKey   = "SportsSecretKey0123456789abcdefXY"
	sportsRegion      = "ap-southeast-3"
	sportsProjectID   = "5905755905755905755905755905755a"
	sportsDomainName  = "sports"
	organisationAlias = `
provider "live" {
  alias        = %[1]q
  endpoint     = %[2]q
  iam_endpoint = %[2]q
  region       = %[3]q
  access_key   = %[4]q
  secret_key   = %[5]q
}
`
)

// TestAccLiveProvider_severalAccountsAndRegions: one configuration, three provider aliases (an
// account in two regions, another account), the same pair in each: three configurations, each in
// the project IAM gives its alias's region, each signed by its own account; the next plan is empty
// and destroy removes all three. With the real CLI and the provider's binary: in-process test
// providers share one configuration between aliases.
func TestAccLiveProvider_severalAccountsAndRegions(t *testing.T) {
	h := newCLIHarness(t)
	e := newTestEmulator(t, liveemulator.Options{Credentials: []liveemulator.Credential{
		{AccessKey: testAccessKey, SecretKey: testSecretKey, DomainID: emulatortest.DomainID, DomainName: emulatortest.DomainName,
			Projects: []liveemulator.Project{{ID: testProjectID, Name: emulatortest.Region}, {ID: eastProjectID, Name: eastRegion}}},
		{AccessKey: sportsAccessKey, SecretKey: sportsSecretKey, DomainID: "5p0r75", DomainName: sportsDomainName,
			Projects: []liveemulator.Project{{ID: sportsProjectID, Name: sportsRegion}}},
	}})
	config := requiredProviders + fmt.Sprintf(organisationAlias, "north", e.url, emulatortest.Region, testAccessKey, testSecretKey) +
		fmt.Sprintf(organisationAlias, "east", e.url, eastRegion, testAccessKey, testSecretKey) +
		fmt.Sprintf(organisationAlias, "sports", e.url, sportsRegion, sportsAccessKey, sportsSecretKey)
	want := map[string]string{"north": testProjectID, "east": eastProjectID, "sports": sportsProjectID}
	for alias := range want {
		config += fmt.Sprintf(`
resource "live_record_callback" %[1]q {
  provider       = live.%[1]s
  publish_domain = "publish.example.com"
  app            = "live"
}

output %[1]q {
  value = live_record_callback.%[1]s.id
}
`, alias)
	}
	h.write("main.tf", config)
	h.mustRun("apply", "-auto-approve")

	stored := e.Callbacks()
	if len(stored) != len(want) {
		t.Fatalf("the emulator holds %d configurations, want %d", len(stored), len(want))
	}
	for alias, project := range want {
		id := strings.TrimSpace(h.mustRun("output", "-raw", alias))
		if cb, ok := e.Callback(id); !ok || cb.ProjectID != project {
			t.Errorf("%s's configuration %s is in project %q, want %q", alias, id, cb.ProjectID, project)
		}
	}
	creates := 0
	for _, entry := range e.Journal() {
		if entry.Operation != liveemulator.OperationCreate {
			continue
		}
		creates++
		wantKey := testAccessKey
		if strings.Contains(entry.Path, sportsProjectID) {
			wantKey = sportsAccessKey
		}
		if entry.AccessKey != wantKey || entry.Status != http.StatusCreated {
			t.Errorf("a create signed by %s answered %d: %+v", entry.AccessKey, entry.Status, entry)
		}
	}
	if creates != len(want) {
		t.Errorf("the journal holds %d creates, want %d", creates, len(want))
	}
	if _, _, err := h.run("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("the next plan is not empty: %v\n%s", err, h.outputs.String())
	}
	h.mustRun("destroy", "-auto-approve")
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("%d configurations remain after destroy", n)
	}
}

// TestAccLiveProvider_oidcWithAssumeRole: the common CI setup, OIDC federation with an agency of
// another account on top (the agency trusts the identity provider's federated users), applies and
// destroys; every Live request is signed with the agency's temporary credentials.
func TestAccLiveProvider_oidcWithAssumeRole(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	agency := emulatortest.Agency()
	agency.Trusted, agency.TrustedIdentityProviders = nil, []string{idp.ID}
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		Agencies: []liveemulator.Agency{agency}, TemporaryCredentialsTTL: time.Hour})
	config := e.federationConfig(idp.ID, idp.IDTokenFile(t, time.Hour, nil), fmt.Sprintf(`
  assume_role {
    agency_name = %q
    domain_name = %q
  }`, emulatortest.AgencyName, emulatortest.AgencyDomainName)) + testAccLiveRecordCallbackResourceConfig_count(3)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				stored := e.Callbacks()
				if len(stored) != 3 || slices.ContainsFunc(stored, func(cb liveemulator.Callback) bool { return cb.ProjectID != emulatortest.AgencyProjectID }) {
					return fmt.Errorf("want 3 callbacks, all in the agency's project: %+v", stored)
				}
				creates := 0
				for _, entry := range e.Journal() {
					if entry.Operation != liveemulator.OperationCreate {
						continue
					}
					creates++
					if entry.Account != emulatortest.AgencyDomainName || entry.Status != http.StatusCreated {
						return fmt.Errorf("a create was signed for %q, not the agency's account: %+v", entry.Account, entry)
					}
				}
				if creates != 3 {
					return fmt.Errorf("the journal holds %d creates, want 3", creates)
				}
				return nil
			},
		}},
	})
}

// TestAccLiveProvider_wrongKeyNeverLocksTheAccessKey: a wrong secret key on a configuration of 20
// callbacks (refreshed at once) sends one request: the gateway's refusal fails the others unsent, so
// that the access key is not locked for five minutes, and the right key works again at once. The
// error says what to check.
func TestAccLiveProvider_wrongKeyNeverLocksTheAccessKey(t *testing.T) {
	e := newTestEmulator(t)
	wrongKey := strings.Replace(e.providerConfig(), fmt.Sprintf("secret_key = %q", testSecretKey), `secret_key = "WrongSecretKey0123456789abcdefXYZ"`, 1)
	if !strings.Contains(wrongKey, "WrongSecretKey") {
		t.Fatal("the provider block has no secret_key to replace")
	}
	journalBefore := 0
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{Config: e.providerConfig() + testAccLiveRecordCallbackResourceConfig_count(20)},
			{
				PreConfig: func() { journalBefore = len(e.Journal()) },
				Config:    wrongKey + testAccLiveRecordCallbackResourceConfig_count(20),
				ExpectError: wrapped(`(?s)HTTP status: 401.*error_code: APIGW.0301.*verify aksk signature fail.*` +
					`hint: the API gateway refused the request's credentials`),
			},
			{
				PreConfig: func() {
					refused := 0
					for _, entry := range e.Journal()[journalBefore:] {
						if entry.Status == http.StatusUnauthorized {
							refused++
						}
					}
					if refused != 1 {
						t.Errorf("%d requests were refused, want 1: the others must not be sent", refused)
					}
				},
				Config:   e.providerConfig() + testAccLiveRecordCallbackResourceConfig_count(20),
				PlanOnly: true, // the right key at once: not locked
			},
		},
	})
}

// TestAccLiveProvider_refusedDiscoverySaysWhy: without project_id, a wrong secret key meets the
// gateway's refusal at the project's discovery, told as that, not as a project list to fix.
func TestAccLiveProvider_refusedDiscoverySaysWhy(t *testing.T) {
	e := newTestEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(organisationAlias, "north", e.url, emulatortest.Region, testAccessKey, "WrongSecretKey0123456789abcdefXYZ") + `
resource "live_record_callback" "test" {
  provider       = live.north
  publish_domain = "publish.example.com"
}
`,
			ExpectError: wrapped(`(?s)Unable to Discover Live Project ID.*APIGW.0301.*hint: the API gateway refused.*IAM did not list the projects`),
		}},
	})
}
