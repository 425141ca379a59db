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
	for _, entry := range e.Journal() {
		wantKey := testAccessKey
		if strings.Contains(entry.Path, sportsProjectID) {
			wantKey = sportsAccessKey
		}
		if entry.Operation == liveemulator.OperationCreate && (entry.AccessKey != wantKey || entry.Status != http.StatusCreated) {
			t.Errorf("a create signed by %s answered %d: %+v", entry.AccessKey, entry.Status, entry)
		}
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
				for _, entry := range e.Journal() {
					if entry.Operation == liveemulator.OperationCreate && entry.Account != emulatortest.AgencyDomainName {
						return fmt.Errorf("a create was signed for %q, not the agency's account: %+v", entry.Account, entry)
					}
				}
				return nil
			},
		}},
	})
}
