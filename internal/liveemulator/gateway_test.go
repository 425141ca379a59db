package liveemulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// gatewayError asserts an answer is the API gateway's 401 with this message and the request id of
// its X-Request-Id in the body too.
func gatewayError(t *testing.T, status int, body string, header http.Header, message string) {
	t.Helper()
	var answer struct {
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
		RequestID string `json:"request_id"`
	}
	if status != http.StatusUnauthorized || json.Unmarshal([]byte(body), &answer) != nil || answer.ErrorCode != livespec.ErrorCodeGatewayAuth ||
		answer.ErrorMsg != message {
		t.Fatalf("want 401 %s %q, got %d %s", livespec.ErrorCodeGatewayAuth, message, status, body)
	}
	if answer.RequestID == "" || answer.RequestID != header.Get("X-Request-Id") {
		t.Fatalf("the body's request_id %q is not X-Request-Id %q", answer.RequestID, header.Get("X-Request-Id"))
	}
}

// TestGatewayRefusals: a wrong signature, an unknown access key, a skewed clock and a bad or
// expired token are the gateway's answers, the same on the Live API's routes and IAM's.
func TestGatewayRefusals(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	idp := emulatortest.NewIdentityProvider(t)
	e := emulatortest.Start(t, liveemulator.Options{Now: clock, IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		Agencies: []liveemulator.Agency{emulatortest.Agency()}, TemporaryCredentialsTTL: time.Hour, AccessKeyLockout: -1})
	temporary := issueTemporary(t, e.URL, idp.IDToken(t, time.Hour, nil))
	routes := map[string]struct{ method, path, body string }{
		"list callbacks": {http.MethodGet, "/v1/" + testProjectID + "/record/callbacks", ""},
		"create":         {http.MethodPost, "/v1/" + testProjectID + "/record/callbacks", `{"publish_domain":"a.example.com","app":"live"}`},
		"list projects":  {http.MethodGet, "/v3/projects?name=cn-north-4", ""},
		"list domains":   {http.MethodGet, "/v3/auth/domains", "{}"},
		"assume role": {http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens",
			`{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"live-admins","domain_name":"media-team"}}}}`},
	}
	for name, route := range routes {
		t.Run(name, func(t *testing.T) {
			request := func(accessKey, secretKey, securityToken string) *http.Request {
				return signedRequestWith(t, route.method, e.URL+route.path, "", []byte(route.body), accessKey, secretKey, securityToken)
			}
			status, body, header := do(t, request(testAccessKey, "WrongSecretKey0123456789abcdefXYZ", ""))
			gatewayError(t, status, body, header, livespec.GatewaySignatureFailed)
			status, body, header = do(t, request("NOSUCHKEY", testSecretKey, ""))
			gatewayError(t, status, body, header, "Incorrect IAM authentication information: Get secretKey failed,ak:NOSUCHKEY,err:ak not exist")
			status, body, header = do(t, request(temporary.access, temporary.secret, "another-token"))
			gatewayError(t, status, body, header, livespec.GatewayTokenFailed)

			skewed := signedRequestWithDate(t, route.method, e.URL+route.path, []byte(route.body), now.Add(-16*time.Minute))
			status, body, header = do(t, skewed)
			gatewayError(t, status, body, header, livespec.GatewaySignatureFailed)
			if entry := lastJournalEntry(t, e.Server); !strings.Contains(entry.Reason, "more than 15 minutes") || entry.AccessKey != testAccessKey {
				t.Fatalf("the journal does not say why: %+v", entry)
			}

			if status, body, _ := do(t, request(temporary.access, temporary.secret, temporary.token)); status >= 400 && route.path != "/v3.0/OS-CREDENTIAL/securitytokens" {
				t.Fatalf("the temporary credentials themselves: %d %s", status, body)
			}
		})
	}
	// Expired temporary credentials are a token the gateway cannot decrypt.
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	status, body, header := do(t, signedRequestWithDateAndKeys(t, http.MethodGet, e.URL+"/v1/"+testProjectID+"/record/callbacks", nil, clock(),
		temporary.access, temporary.secret, temporary.token))
	gatewayError(t, status, body, header, livespec.GatewayTokenFailed)
	// So is an expired token exchanged for credentials.
	req, err := http.NewRequest(http.MethodPost, e.URL+"/v3.0/OS-CREDENTIAL/securitytokens",
		strings.NewReader(`{"auth":{"identity":{"methods":["token"],"token":{"id":"no-such-token"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	status, body, header = do(t, req)
	gatewayError(t, status, body, header, livespec.GatewayTokenFailed)
}

// signedRequestWithDate signs with the test account at another X-Sdk-Date.
func signedRequestWithDate(t *testing.T, method, url string, body []byte, date time.Time) *http.Request {
	t.Helper()
	return signedRequestWithDateAndKeys(t, method, url, body, date, testAccessKey, testSecretKey, "")
}

func signedRequestWithDateAndKeys(t *testing.T, method, url string, body []byte, date time.Time, accessKey, secretKey, securityToken string) *http.Request {
	t.Helper()
	req := signedRequestWith(t, method, url, "", body, accessKey, secretKey, securityToken)
	req.Header.Set("X-Sdk-Date", date.UTC().Format("20060102T150405Z"))
	signed := []string{"accept", "content-type", "user-agent", "x-sdk-date"}
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		accessKey, strings.Join(signed, ";"), liveemulator.Signature(req, body, signed, secretKey)))
	return req
}

func lastJournalEntry(t *testing.T, e *liveemulator.Server) liveemulator.JournalEntry {
	t.Helper()
	journal := e.Journal()
	if len(journal) == 0 {
		t.Fatal("the journal is empty")
	}
	return journal[len(journal)-1]
}

// TestGatewayLocksAnAccessKey: more than five failed signatures in a row lock the access key for five
// minutes, a correct signature included; one that verifies in between starts the count again.
func TestGatewayLocksAnAccessKey(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := emulatortest.Start(t, liveemulator.Options{Now: clock})
	url := e.URL + "/v1/" + testProjectID + "/record/callbacks"
	fail := func(n int) {
		t.Helper()
		for range n {
			status, body, header := do(t, signedRequestWithDate(t, http.MethodGet, url, nil, clock().Add(-time.Hour)))
			gatewayError(t, status, body, header, livespec.GatewaySignatureFailed)
		}
	}
	good := func() (int, string, http.Header) {
		return do(t, signedRequestWithDate(t, http.MethodGet, url, nil, clock()))
	}

	fail(livespec.GatewayLockoutFailures)
	if status, body, _ := good(); status != http.StatusOK {
		t.Fatalf("after %d failures: %d %s", livespec.GatewayLockoutFailures, status, body)
	}
	fail(livespec.GatewayLockoutFailures) // counted from zero again
	if status, body, _ := good(); status != http.StatusOK {
		t.Fatalf("a verified signature did not start the count again: %d %s", status, body)
	}
	fail(livespec.GatewayLockoutFailures + 1)
	status, body, header := good()
	gatewayError(t, status, body, header, livespec.GatewayAccessKeyLocked)
	// The SDK's requests with the key are refused alike.
	_, err := newClient(t, e.URL, liveapi.Config{}).List(context.Background(), liveapi.ListFilter{})
	if apiError(t, err, http.StatusUnauthorized, livespec.ErrorCodeGatewayAuth) != livespec.GatewayAccessKeyLocked {
		t.Fatalf("the SDK's request is not refused as locked: %v", err)
	}

	mu.Lock()
	now = now.Add(livespec.GatewayLockout - time.Second)
	mu.Unlock()
	if status, _, _ := good(); status != http.StatusUnauthorized {
		t.Fatalf("unlocked before %s: %d", livespec.GatewayLockout, status)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if status, body, _ := good(); status != http.StatusOK {
		t.Fatalf("still locked after %s: %d %s", livespec.GatewayLockout, status, body)
	}

	// Turned off, the lockout never comes; shortened, it ends sooner.
	off := emulatortest.Start(t, liveemulator.Options{AccessKeyLockout: -1})
	offURL := off.URL + "/v1/" + testProjectID + "/record/callbacks"
	for range 20 {
		do(t, signedRequestWithDate(t, http.MethodGet, offURL, nil, time.Now().Add(-time.Hour)))
	}
	if status, body, _ := do(t, signedRequestWithDate(t, http.MethodGet, offURL, nil, time.Now())); status != http.StatusOK {
		t.Fatalf("with the lockout off: %d %s", status, body)
	}
}

// TestSignedGETBodies: a body sent with a GET is part of the signature, on every route, as the
// Node.js SDK sends {} with its IAM lookups.
func TestSignedGETBodies(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{})
	for _, path := range []string{"/v3/auth/domains", "/v3/projects?name=cn-north-4", "/v1/" + testProjectID + "/record/callbacks",
		"/v1/" + testProjectID + "/record/callbacks/00000000000000000000000000000000"} {
		status, body, _ := do(t, signedRequest(t, http.MethodGet, e.URL+path, "", []byte("{}"), testSecretKey))
		if status == http.StatusUnauthorized {
			t.Errorf("GET %s with a signed body {}: %d %s", path, status, body)
		}
		// The same signature over no body does not verify the body that came.
		swapped := signedRequest(t, http.MethodGet, e.URL+path, "", nil, testSecretKey)
		swapped.Body, swapped.ContentLength = http.NoBody, 0
		withBody := signedRequest(t, http.MethodGet, e.URL+path, "", []byte("{}"), testSecretKey)
		withBody.Header.Set("Authorization", swapped.Header.Get("Authorization"))
		withBody.Header.Set("X-Sdk-Date", swapped.Header.Get("X-Sdk-Date"))
		status, body, header := do(t, withBody)
		gatewayError(t, status, body, header, livespec.GatewaySignatureFailed)
	}
}

// TestEveryErrorCarriesARequestID: the Live API's, the gateway's, IAM's and the emulator's own
// errors all name their request in the body as in X-Request-Id.
func TestEveryErrorCarriesARequestID(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{emulatortest.NewIdentityProvider(t).IdentityProvider}})
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationList, Times: 1, Status: 503, ErrorCode: "APIGW.0503"}); err != nil {
		t.Fatal(err)
	}
	base := e.URL + "/v1/" + testProjectID + "/record/callbacks"
	requests := map[string]*http.Request{
		"a fault":          signedRequest(t, http.MethodGet, base, "", nil, testSecretKey),
		"not found":        signedRequest(t, http.MethodGet, base+"/00000000000000000000000000000000", "", nil, testSecretKey),
		"invalid":          signedRequest(t, http.MethodPost, base, "", []byte(`{"app":"live"}`), testSecretKey),
		"other project":    signedRequest(t, http.MethodGet, e.URL+"/v1/ffffffffffffffffffffffffffffffff/record/callbacks", "", nil, testSecretKey),
		"no such API":      signedRequest(t, http.MethodGet, e.URL+"/v2/nothing", "", nil, testSecretKey),
		"IAM's own":        mustRequest(t, http.MethodPost, e.URL+"/v3.0/OS-AUTH/id-token/tokens", `{"auth":{"id_token":{"id":"x.y.z"}}}`),
		"the gateway's":    signedRequest(t, http.MethodGet, base, "", nil, "WrongSecretKey0123456789abcdefXYZ"),
		"unreadable token": mustRequest(t, http.MethodPost, e.URL+"/v3/OS-FEDERATION/identity_providers/test-ci-oidc/protocols/oidc/auth", ""),
	}
	for name, req := range requests {
		status, body, header := do(t, req)
		var answer struct {
			RequestID string `json:"request_id"`
		}
		if status < 400 || json.Unmarshal([]byte(body), &answer) != nil || answer.RequestID != header.Get("X-Request-Id") {
			t.Errorf("%s: %d %s (X-Request-Id %s)", name, status, body, header.Get("X-Request-Id"))
		}
	}
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}
