package liveemulator_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// The accounts and agencies of the Node.js SDK's conformance test, beside emulatortest's.
const (
	nodeSDKDir = "testdata/nodesdk"
	// What the script adds to the SDK's User-Agent, after the SDK's own prefix.
	nodeSDKUserAgentPrefix = "huaweicloud-usdk-nodejs/3.0"
	nodeSDKUserAgent       = "liveemulator-nodesdk-conformance"
	// A second key of the test account takes the failed signatures, so that they never lock the
	// first; a third is locked on purpose.
	nodeSDKNegativeAccessKey = "NODESDKNEGATIVEKEY"
	nodeSDKNegativeSecretKey = "NodeSDKNegativeSecret0123456789abcdef"
	nodeSDKLockoutAccessKey  = "NODESDKLOCKOUTKEY"
	nodeSDKLockoutSecretKey  = "NodeSDKLockoutSecret0123456789abcdef"
	// Another account, whose project the test account's key may not use.
	nodeSDKOtherAccessKey = "NODESDKOTHERACCOUNT"
	nodeSDKOtherProjectID = "00112233445566778899aabbccddeeff"
	// An agency of the agency's domain that trusts the identity provider's federated users only.
	nodeSDKFederatedAgency = "ci-deployers"
	// The access key the script uses but no account has.
	nodeSDKUnknownAccessKey = "NODESDKUNKNOWNKEY"
)

// TestNodeSDKConformance runs testdata/nodesdk/conformance.js, Huawei Cloud's Node.js SDK (core and
// IAM, from npm), against an emulator: an independent client of the wire protocol, signing with its
// own signer. The script prints one "ok"/"not ok" line per case; then the emulator's journal must show
// that the SDK sent every request and how each refusal was told. make test-node-sdk installs the
// packages (npm ci) and requires this test to run; elsewhere it skips without node or node_modules.
func TestNodeSDKConformance(t *testing.T) {
	unavailable := func(reason string) {
		t.Helper()
		if os.Getenv("LIVE_NODE_SDK") == "required" {
			t.Fatalf("The Node.js SDK conformance test cannot run, though LIVE_NODE_SDK=required: %s.", reason)
		}
		t.Skipf("Skipping the Node.js SDK conformance test: %s (make test-node-sdk installs its packages and runs it where node and npm are).", reason)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(nodeSDKDir, "node_modules", "@huaweicloud", "huaweicloud-sdk-iam", "package.json")); err != nil {
		unavailable(nodeSDKDir + "/node_modules is missing")
	}

	idp := emulatortest.NewIdentityProvider(t)
	account := func(accessKey, secretKey string) liveemulator.Credential {
		return liveemulator.Credential{AccessKey: accessKey, SecretKey: secretKey,
			Projects: []liveemulator.Project{{ID: emulatortest.ProjectID, Name: emulatortest.Region}}, DomainID: emulatortest.DomainID, DomainName: emulatortest.DomainName}
	}
	federatedAgency := emulatortest.Agency()
	federatedAgency.Name, federatedAgency.Trusted, federatedAgency.TrustedIdentityProviders = nodeSDKFederatedAgency, nil, []string{idp.ID}
	e := emulatortest.Start(t, liveemulator.Options{
		Credentials: []liveemulator.Credential{
			account(emulatortest.AccessKey, emulatortest.SecretKey),
			account(nodeSDKNegativeAccessKey, nodeSDKNegativeSecretKey),
			account(nodeSDKLockoutAccessKey, nodeSDKLockoutSecretKey),
			{AccessKey: nodeSDKOtherAccessKey, SecretKey: "NodeSDKOtherSecret0123456789abcdef",
				Projects: []liveemulator.Project{{ID: nodeSDKOtherProjectID, Name: emulatortest.Region}}, DomainID: "0th3r", DomainName: "other-account"},
		},
		IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		Agencies:          []liveemulator.Agency{emulatortest.Agency(), federatedAgency},
	})

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "conformance.js")
	cmd.Dir = nodeSDKDir
	cmd.Env = append(os.Environ(),
		"HOME="+t.TempDir(), // the SDK may keep an application id under $HOME/.huaweicloud
		"CONFORMANCE_ENDPOINT="+e.URL,
		"CONFORMANCE_ACCESS_KEY="+emulatortest.AccessKey,
		"CONFORMANCE_SECRET_KEY="+emulatortest.SecretKey,
		"CONFORMANCE_PROJECT_ID="+emulatortest.ProjectID,
		"CONFORMANCE_REGION="+emulatortest.Region,
		"CONFORMANCE_DOMAIN_ID="+emulatortest.DomainID,
		"CONFORMANCE_DOMAIN_NAME="+emulatortest.DomainName,
		"CONFORMANCE_NEGATIVE_ACCESS_KEY="+nodeSDKNegativeAccessKey,
		"CONFORMANCE_NEGATIVE_SECRET_KEY="+nodeSDKNegativeSecretKey,
		"CONFORMANCE_LOCKOUT_ACCESS_KEY="+nodeSDKLockoutAccessKey,
		"CONFORMANCE_LOCKOUT_SECRET_KEY="+nodeSDKLockoutSecretKey,
		"CONFORMANCE_OTHER_PROJECT_ID="+nodeSDKOtherProjectID,
		"CONFORMANCE_IDP_ID="+idp.ID,
		"CONFORMANCE_ID_TOKEN="+idp.IDToken(t, time.Hour, nil),
		"CONFORMANCE_ID_TOKEN_FILE="+idp.IDTokenFile(t, time.Hour, nil),
		"CONFORMANCE_EXPIRED_ID_TOKEN="+idp.IDToken(t, -time.Minute, nil),
		"CONFORMANCE_AGENCY_NAME="+emulatortest.AgencyName,
		"CONFORMANCE_AGENCY_DOMAIN_NAME="+emulatortest.AgencyDomainName,
		"CONFORMANCE_AGENCY_DOMAIN_ID="+emulatortest.AgencyDomainID,
		"CONFORMANCE_AGENCY_PROJECT_ID="+emulatortest.AgencyProjectID,
		"CONFORMANCE_FEDERATED_AGENCY_NAME="+nodeSDKFederatedAgency,
		"CONFORMANCE_USER_AGENT="+nodeSDKUserAgent,
	)
	out, err := cmd.CombinedOutput()
	t.Logf("node conformance.js:\n%s", out)
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("node conformance.js did not finish in time: %v", ctx.Err())
	case errors.As(err, &exit):
		t.Fatalf("node conformance.js failed (exit status %d): see its not ok lines above", exit.ExitCode())
	case err != nil:
		t.Fatalf("node conformance.js: %v", err)
	}
	if !strings.Contains(string(out), "ok - ") || strings.Contains(string(out), "not ok - ") {
		t.Fatal("node conformance.js exited 0 but did not report its cases as passed")
	}

	// The journal: what the emulator received, and how it answered.
	if dropped := e.JournalDropped(); dropped != 0 {
		t.Fatalf("the journal dropped %d entries", dropped)
	}
	journal := e.Journal()
	// The script saw as many answers as the emulator journaled requests: nothing reached it from
	// elsewhere, and nothing the SDK sent went unjournaled.
	if m := regexp.MustCompile(`over (\d+) requests`).FindStringSubmatch(string(out)); m == nil || m[1] != strconv.Itoa(len(journal)) {
		t.Errorf("the script counted %v answers, the journal has %d entries", m, len(journal))
	}
	custom := 0
	for _, entry := range journal {
		// Every request came from the SDK: the service clients say the script's User-Agent, the
		// core's internal IAM clients (discovery, federation) the SDK's own.
		if !strings.HasPrefix(entry.UserAgent, nodeSDKUserAgentPrefix) {
			t.Errorf("%s %s came from %q, not the Node.js SDK", entry.Method, entry.Path, entry.UserAgent)
		}
		if entry.UserAgent == nodeSDKUserAgentPrefix+"; "+nodeSDKUserAgent {
			custom++
		}
		if entry.RequestID == "" || entry.Status == 0 {
			t.Errorf("%s %s: request id %q, status %d", entry.Method, entry.Path, entry.RequestID, entry.Status)
		}
		// The test account's own key never failed a signature: the failures went to the other keys.
		if entry.AccessKey == emulatortest.AccessKey && entry.ErrorCode == "APIGW.0301" {
			t.Errorf("%s %s: the test account's key was refused by the gateway: %s", entry.Method, entry.Path, entry.Reason)
		}
	}
	if custom == 0 {
		t.Errorf("no request has the User-Agent %q", nodeSDKUserAgentPrefix+"; "+nodeSDKUserAgent)
	}

	count := func(match func(liveemulator.JournalEntry) bool) int {
		n := 0
		for _, entry := range journal {
			if match(entry) {
				n++
			}
		}
		return n
	}
	gateway := func(accessKey, reason string) func(liveemulator.JournalEntry) bool {
		return func(entry liveemulator.JournalEntry) bool {
			return entry.Status == 401 && entry.ErrorCode == "APIGW.0301" && entry.AccessKey == accessKey && strings.Contains(entry.Reason, reason)
		}
	}
	refused := func(status int, code string) func(liveemulator.JournalEntry) bool {
		return func(entry liveemulator.JournalEntry) bool { return entry.Status == status && entry.ErrorCode == code }
	}
	operation := func(name string, status int) func(liveemulator.JournalEntry) bool {
		return func(entry liveemulator.JournalEntry) bool { return entry.Operation == name && entry.Status == status }
	}
	for _, want := range []struct {
		what  string
		match func(liveemulator.JournalEntry) bool
		n     int // at least 1 when 0
	}{
		// The refusals, journaled as the gateway's 401 APIGW.0301 with the emulator's reason.
		{"wrong secret keys (Live, IAM projects, domains, securitytokens)", gateway(nodeSDKNegativeAccessKey, "signature does not verify"), 4},
		{"X-Sdk-Date 20 minutes off", gateway(nodeSDKNegativeAccessKey, "off the server's clock"), 1},
		{"the lockout key's failed signatures", gateway(nodeSDKLockoutAccessKey, "signature does not verify"), 6},
		{"the locked key's good signatures (Live, IAM)", gateway(nodeSDKLockoutAccessKey, "is locked until"), 2},
		{"the unknown key (Live, IAM projects, domains, securitytokens)", gateway(nodeSDKUnknownAccessKey, "unknown access key"), 4},
		{"wrong or missing security tokens (Live, IAM, Live)", func(entry liveemulator.JournalEntry) bool {
			return entry.Status == 401 && entry.ErrorCode == "APIGW.0301" && strings.HasPrefix(entry.AccessKey, "TMP") &&
				strings.Contains(entry.Reason, "X-Security-Token")
		}, 3},
		{"an invalid token for temporary credentials", func(entry liveemulator.JournalEntry) bool {
			return entry.Operation == liveemulator.OperationSecurityToken && entry.Status == 401 && entry.ErrorCode == "APIGW.0301" &&
				strings.Contains(entry.Reason, "token is unknown")
		}, 1},
		{"every gateway refusal", refused(401, "APIGW.0301"), 4 + 1 + 6 + 2 + 4 + 3 + 1},
		{"another account's project, the agency's credentials in the account's project", refused(401, "LIVE.100011015"), 2},
		{"the duplicate", refused(400, "LIVE.103011018"), 1},
		{"the unknown and the deleted ids", refused(404, "LIVE.103011019"), 2},
		{"the expired ID token", refused(401, "IAM.1002"), 1},
		{"the agency not trusting federated users", refused(403, "IAM.0002"), 1},
		// What succeeded, by operation.
		{"creates", operation(liveemulator.OperationCreate, 201), 0},
		{"shows", operation(liveemulator.OperationShow, 200), 0},
		{"lists", operation(liveemulator.OperationList, 200), 0},
		{"updates", operation(liveemulator.OperationUpdate, 200), 1},
		{"deletes", operation(liveemulator.OperationDelete, 204), 1},
		{"IAM project lists (discovery, the IAM SDK)", operation(liveemulator.OperationListProjects, 200), 0},
		{"IAM domain lists (discovery, the IAM SDK)", operation(liveemulator.OperationListDomains, 200), 2},
		{"tokens by ID token (X-Idp-Id)", operation(liveemulator.OperationTokenByIDToken, 201), 1},
		{"tokens by ID token (Bearer, the IAM SDK and the core's federation)", operation(liveemulator.OperationFederatedToken, 201), 2},
		{"temporary credentials (tokens, agencies)", operation(liveemulator.OperationSecurityToken, 201), 0},
	} {
		switch got := count(want.match); {
		case want.n == 0 && got == 0:
			t.Errorf("journal: no entry for %s", want.what)
		case want.n != 0 && got != want.n:
			t.Errorf("journal: %d entries for %s, want %d", got, want.what, want.n)
		}
	}

	// What the SDK stored, key included: the key went through, though no answer carried it.
	var agencyCallbacks int
	for _, cb := range e.Callbacks() {
		if cb.Key != "abcdefghijklmnopqrstuvwxyz0123456789ABCD" {
			t.Errorf("callback %s/%s stored key %q", cb.PublishDomain, cb.App, cb.Key)
		}
		if cb.ProjectID == emulatortest.AgencyProjectID {
			agencyCallbacks++
		}
	}
	if agencyCallbacks != 1 {
		t.Errorf("%d callbacks in the agency's project, want 1", agencyCallbacks)
	}
	if t.Failed() {
		for _, entry := range journal {
			t.Logf("journal: %s %s?%s %s -> %d %s %s (%s)", entry.Method, entry.Path, entry.Query, entry.AccessKey, entry.Status, entry.ErrorCode, entry.Reason, entry.UserAgent)
		}
	}
}
