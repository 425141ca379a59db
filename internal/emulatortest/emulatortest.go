// Package emulatortest serves a Live API emulator on loopback for one test, with a test account,
// the way terraform-provider-random's randomtest serves its tests. The provider's, the client's and
// the emulator's tests and benchmarks start their emulators here.
package emulatortest

import (
	"net/http/httptest"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// The test account: the emulator's default account, whose project IAM names after Region.
const (
	AccessKey  = liveemulator.DefaultAccessKey
	SecretKey  = liveemulator.DefaultSecretKey
	ProjectID  = liveemulator.DefaultProjectID
	Region     = liveemulator.DefaultRegion
	DomainID   = liveemulator.DefaultDomainID
	DomainName = liveemulator.DefaultDomainName
)

// Emulator is an emulator served on 127.0.0.1 until the test ends.
type Emulator struct {
	*liveemulator.Server
	URL string
}

// Start serves a new emulator with opts; with no credentials in opts, it accepts the test account.
func Start(tb testing.TB, opts liveemulator.Options) *Emulator {
	tb.Helper()
	if opts.Credentials == nil {
		opts.Credentials = []liveemulator.Credential{{AccessKey: AccessKey, SecretKey: SecretKey,
			Projects: []liveemulator.Project{{ID: ProjectID, Name: Region}}, DomainID: DomainID, DomainName: DomainName}}
	}
	server := liveemulator.New(opts)
	httpServer := httptest.NewServer(server) // binds 127.0.0.1
	tb.Cleanup(httpServer.Close)
	return &Emulator{Server: server, URL: httpServer.URL}
}

// The agency of the tests: an agency of another account (domain), whose project the test account
// may act in.
const (
	AgencyName       = "live-admins"
	AgencyDomainName = "media-team"
	AgencyDomainID   = "m3d1a"
	AgencyProjectID  = "fedcba9876543210fedcba9876543210"
)

// Agency is the agency of the tests, trusting the test account's access key.
func Agency() liveemulator.Agency {
	return liveemulator.Agency{Name: AgencyName, DomainName: AgencyDomainName, DomainID: AgencyDomainID, Trusted: []string{AccessKey},
		Projects: []liveemulator.Project{{ID: AgencyProjectID, Name: Region}}}
}
