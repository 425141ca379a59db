package liveemulator_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// federatedClient is the real SDK client with an OpenID Connect identity, against the emulator's
// IAM and Live API.
func federatedClient(t *testing.T, url, tokenFile string) (*liveapi.Client, error) {
	t.Helper()
	return liveapi.New(context.Background(), liveapi.Config{Endpoint: url, IAMEndpoint: url, Region: emulatortest.Region, Method: liveapi.MethodOIDC, IdpID: emulatortest.IdpID,
		IDTokenFile: tokenFile, UserAgent: "liveemulator-test"})
}

func TestFederationWithTheSDK(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	// The project is discovered with the temporary credentials, then used.
	client, err := federatedClient(t, e.URL, idp.IDTokenFile(t, time.Hour, nil))
	if err != nil {
		t.Fatal(err)
	}
	if client.ProjectID() != emulatortest.ProjectID {
		t.Fatalf("discovered project %q", client.ProjectID())
	}
	if _, err := client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	counts := e.RequestCounts()
	if counts[liveemulator.OperationTokenByIDToken] == 0 || counts[liveemulator.OperationSecurityToken] == 0 || counts[liveemulator.OperationCreate] != 1 {
		t.Fatalf("requests: %v", counts)
	}
}

// TestFederationRenewsDuringConcurrentRequests: credentials that live a second are renewed while
// many requests run at once; none fails, and none is signed with a mix of two pairs.
func TestFederationRenewsDuringConcurrentRequests(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		TemporaryCredentialsTTL: 2 * time.Second})
	client, err := federatedClient(t, e.URL, idp.IDTokenFile(t, time.Hour, nil))
	if err != nil {
		t.Fatal(err)
	}
	concurrently(t, 40, func(i int) error {
		time.Sleep(time.Duration(i/10) * 700 * time.Millisecond) // bursts of ten, across more than one lifetime
		_, err := client.Create(context.Background(), validSpec(fmt.Sprintf("d%d.example.com", i), "live"))
		return err
	})
	if n := e.RequestCounts()[liveemulator.OperationSecurityToken]; n < 2 {
		t.Fatalf("the credentials were issued %d times, want renewals", n)
	}
}

func TestFederationRefusals(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	other := emulatortest.NewIdentityProvider(t)
	e := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	cases := map[string]struct {
		token      string
		idpID      string
		status     int
		code, want string
	}{
		"expired":        {token: idp.IDToken(t, -time.Minute, nil), status: http.StatusUnauthorized, code: "IAM.1002", want: "expired at"},
		"other audience": {token: idp.IDToken(t, time.Hour, map[string]any{"aud": "someone-else"}), status: http.StatusUnauthorized, code: "IAM.1002", want: "audience"},
		"other issuer":   {token: idp.IDToken(t, time.Hour, map[string]any{"iss": "https://evil.example.com"}), status: http.StatusUnauthorized, code: "IAM.1002", want: "issuer"},
		"other key":      {token: other.IDToken(t, time.Hour, nil), status: http.StatusUnauthorized, code: "IAM.1002", want: "signature"},
		"not a JWT":      {token: "not-a-jwt", status: http.StatusUnauthorized, code: "IAM.1002", want: "not a JWT"},
		"unknown IdP":    {token: idp.IDToken(t, time.Hour, nil), idpID: "nobody", status: http.StatusNotFound, code: "IAM.1001", want: "does not exist"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			body := `{"auth":{"id_token":{"id":"` + tc.token + `"}}}`
			req, err := http.NewRequest(http.MethodPost, e.URL+"/v3.0/OS-AUTH/id-token/tokens", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Idp-Id", cmp.Or(tc.idpID, emulatortest.IdpID))
			status, answer, _ := do(t, req)
			if status != tc.status || !strings.Contains(answer, tc.code) || !strings.Contains(answer, tc.want) {
				t.Fatalf("got %d %s, want %d %s (%s)", status, answer, tc.status, tc.code, tc.want)
			}
		})
	}
	// Through the SDK, the first request fails with IAM's answer.
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.URL, IAMEndpoint: e.URL, ProjectID: testProjectID, Method: liveapi.MethodOIDC, IdpID: emulatortest.IdpID,
		IDTokenFile: idp.IDTokenFile(t, -time.Minute, nil), UserAgent: "liveemulator-test"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Create(context.Background(), validSpec("a.example.com", "live"))
	if msg := apiError(t, err, http.StatusUnauthorized, "IAM.1002"); !strings.Contains(msg, "expired") {
		t.Fatalf("got %q", msg)
	}
	// Without a project ID, the discovery meets IAM's refusal first: it is told as such. (Another
	// identity provider: the SDK keeps the projects it discovered, by IdP and region, for the process.)
	undiscovered := emulatortest.NewIdentityProvider(t)
	undiscovered.ID = "never-discovered"
	e2 := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{undiscovered.IdentityProvider}})
	_, err = liveapi.New(context.Background(), liveapi.Config{Endpoint: e2.URL, IAMEndpoint: e2.URL, Region: emulatortest.Region, Method: liveapi.MethodOIDC, IdpID: undiscovered.ID,
		IDTokenFile: undiscovered.IDTokenFile(t, -time.Minute, nil), UserAgent: "liveemulator-test"})
	if !errors.Is(err, liveapi.ErrCredentialsRefused) || !strings.Contains(liveapi.Describe(err), "IAM.1002") || !strings.Contains(liveapi.Describe(err), "hint:") {
		t.Fatalf("got %v", err)
	}
}

// TestTemporaryCredentialsExpire: the Live API refuses temporary credentials without their security
// token, and once they expire.
func TestTemporaryCredentialsExpire(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		TemporaryCredentialsTTL: time.Minute, Now: clock})
	temporary := issueTemporary(t, e.URL, idp.IDToken(t, time.Hour, nil))
	list := func(token string) int {
		req := signedRequestWithDateAndKeys(t, http.MethodGet, e.URL+"/v1/"+testProjectID+"/record/callbacks", nil, clock(),
			temporary.access, temporary.secret, token)
		status, _, _ := do(t, req)
		return status
	}
	if status := list(temporary.token); status != http.StatusOK {
		t.Fatalf("fresh temporary credentials: %d", status)
	}
	if status := list(""); status != http.StatusUnauthorized {
		t.Fatalf("without the security token: %d", status)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if status := list(temporary.token); status != http.StatusUnauthorized {
		t.Fatalf("expired temporary credentials: %d", status)
	}
	// Still answered as expired once newer credentials were issued (which forgets the long expired).
	issueTemporary(t, e.URL, idp.IDToken(t, time.Hour, nil))
	req := signedRequestWithDateAndKeys(t, http.MethodGet, e.URL+"/v1/"+testProjectID+"/record/callbacks", nil, clock(),
		temporary.access, temporary.secret, temporary.token)
	status, body, header := do(t, req)
	gatewayError(t, status, body, header, livespec.GatewayTokenFailed)
}

type temporaryCredentials struct{ access, secret, token string }

// issueTemporary exchanges an ID token for a token, then the token for temporary credentials, as
// the SDK does.
func issueTemporary(t *testing.T, url, idToken string) temporaryCredentials {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/v3.0/OS-AUTH/id-token/tokens", strings.NewReader(`{"auth":{"id_token":{"id":"`+idToken+`"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Idp-Id", emulatortest.IdpID)
	status, body, header := do(t, req)
	if status != http.StatusCreated || header.Get("X-Subject-Token") == "" {
		t.Fatalf("token: %d %s", status, body)
	}
	return securityTokenOf(t, mustRequest(t, http.MethodPost, url+"/v3.0/OS-CREDENTIAL/securitytokens",
		`{"auth":{"identity":{"methods":["token"],"token":{"id":"`+header.Get("X-Subject-Token")+`"}}}}`))
}

// securityTokenOf sends a request for temporary credentials and returns them.
func securityTokenOf(t *testing.T, req *http.Request) temporaryCredentials {
	t.Helper()
	status, body, _ := do(t, req)
	var answer struct {
		Credential struct {
			Access, Secret string
			SecurityToken  string `json:"securitytoken"`
		} `json:"credential"`
	}
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &answer) != nil {
		t.Fatalf("security token: %d %s", status, body)
	}
	return temporaryCredentials{answer.Credential.Access, answer.Credential.Secret, answer.Credential.SecurityToken}
}

func agencyClient(t *testing.T, url string, role liveapi.AssumeRole, base liveapi.Config) (*liveapi.Client, error) {
	t.Helper()
	base.Endpoint, base.IAMEndpoint, base.Region, base.UserAgent, base.AssumeRole = url, url, emulatortest.Region, "liveemulator-test", &role
	return liveapi.New(context.Background(), base)
}

// TestAgencyWithTheSDK: the test account's keys assume an agency of another account, whose project
// is discovered and used with the agency's temporary credentials, renewed as they expire.
func TestAgencyWithTheSDK(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := emulatortest.Start(t, liveemulator.Options{Agencies: []liveemulator.Agency{emulatortest.Agency()}, TemporaryCredentialsTTL: 2 * time.Second,
		IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects,
			DomainID: emulatortest.DomainID, DomainName: emulatortest.DomainName}}})
	role := liveapi.AssumeRole{AgencyName: emulatortest.AgencyName, DomainName: emulatortest.AgencyDomainName, Duration: time.Hour}
	client, err := agencyClient(t, e.URL, role, liveapi.Config{AccessKey: testAccessKey, SecretKey: testSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if client.ProjectID() != emulatortest.AgencyProjectID {
		t.Fatalf("discovered project %q, want the agency's", client.ProjectID())
	}
	concurrently(t, 20, func(i int) error {
		time.Sleep(time.Duration(i/5) * 700 * time.Millisecond) // bursts of five, across more than one lifetime
		_, err := client.Create(context.Background(), validSpec(fmt.Sprintf("d%d.example.com", i), "live"))
		return err
	})
	if stored := e.Callbacks(); len(stored) != 20 || stored[0].ProjectID != emulatortest.AgencyProjectID {
		t.Fatalf("stored %d callbacks, the first in project %q", len(stored), stored[0].ProjectID)
	}
	if n := e.RequestCounts()[liveemulator.OperationSecurityToken]; n < 2 {
		t.Fatalf("the agency's credentials were issued %d times, want renewals", n)
	}

	// By domain ID, on top of OIDC federation instead of keys: the federated user is not trusted.
	role.DomainName, role.DomainID = "", emulatortest.AgencyDomainID
	_, err = agencyClient(t, e.URL, role, liveapi.Config{Method: liveapi.MethodOIDC, IdpID: emulatortest.IdpID, IDTokenFile: idp.IDTokenFile(t, time.Hour, nil)})
	if msg := apiError(t, err, http.StatusForbidden, "IAM.0002"); !strings.Contains(msg, `"live-admins"`) {
		t.Fatalf("got %q", msg)
	}
	// An agency that does not exist.
	role.AgencyName = "nobody"
	_, err = agencyClient(t, e.URL, role, liveapi.Config{AccessKey: testAccessKey, SecretKey: testSecretKey})
	apiError(t, err, http.StatusForbidden, "IAM.0002")
}

// TestAgencyNeedsTheBaseDomain: when IAM lists no account for the base credentials, assuming an
// agency fails with that, rather than the SDK asking a public STS endpoint.
func TestAgencyNeedsTheBaseDomain(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{Agencies: []liveemulator.Agency{emulatortest.Agency()},
		Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
	_, err := agencyClient(t, e.URL, liveapi.AssumeRole{AgencyName: emulatortest.AgencyName, DomainName: emulatortest.AgencyDomainName, Duration: time.Hour},
		liveapi.Config{AccessKey: testAccessKey, SecretKey: testSecretKey})
	var agencyErr *liveapi.AgencyError
	if !errors.As(err, &agencyErr) || !strings.Contains(err.Error(), "does not list exactly one account") {
		t.Fatalf("got %v", err)
	}
}

// TestAgencyOnMetadataCredentials: the ECS metadata service's credentials (here the test account's)
// assume the agency; without the service, the error is that, not the agency's.
func TestAgencyOnMetadataCredentials(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{Agencies: []liveemulator.Agency{emulatortest.Agency()}})
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/openstack/latest/securitykey" {
			w.WriteHeader(http.StatusNotFound) // no session tokens
			return
		}
		fmt.Fprintf(w, `{"credential": {"access": %q, "secret": %q, "securitytoken": "instance-token", "expires_at": %q}}`,
			testAccessKey, testSecretKey, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	}))
	t.Cleanup(metadata.Close)
	role := liveapi.AssumeRole{AgencyName: emulatortest.AgencyName, DomainName: emulatortest.AgencyDomainName, Duration: time.Hour}
	client, err := agencyClient(t, e.URL, role, liveapi.Config{Method: liveapi.MethodMetadata, MetadataEndpoint: metadata.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if stored := e.Callbacks(); len(stored) != 1 || stored[0].ProjectID != emulatortest.AgencyProjectID {
		t.Fatalf("stored %+v", stored)
	}
	metadata.Close()
	_, err = agencyClient(t, e.URL, role, liveapi.Config{Method: liveapi.MethodMetadata, MetadataEndpoint: metadata.URL})
	var agencyErr *liveapi.AgencyError
	if !errors.Is(err, liveapi.ErrNoMetadataCredentials) || errors.As(err, &agencyErr) {
		t.Fatalf("got %v", err)
	}
}

// TestAgencyTrustingFederatedUsers: an agency that trusts an identity provider may be assumed with
// its federated users' temporary credentials (OIDC plus an agency, as CI jobs do), and by them only.
func TestAgencyTrustingFederatedUsers(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	other := emulatortest.NewIdentityProvider(t)
	other.ID = "another-ci"
	agency := emulatortest.Agency()
	agency.Trusted, agency.TrustedIdentityProviders = nil, []string{emulatortest.IdpID}
	e := emulatortest.Start(t, liveemulator.Options{Agencies: []liveemulator.Agency{agency},
		IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider, other.IdentityProvider}})
	role := liveapi.AssumeRole{AgencyName: emulatortest.AgencyName, DomainName: emulatortest.AgencyDomainName, Duration: time.Hour}
	client, err := agencyClient(t, e.URL, role, liveapi.Config{Method: liveapi.MethodOIDC, IdpID: emulatortest.IdpID, IDTokenFile: idp.IDTokenFile(t, time.Hour, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if stored := e.Callbacks(); len(stored) != 1 || stored[0].ProjectID != emulatortest.AgencyProjectID {
		t.Fatalf("stored %+v", stored)
	}
	// Another identity provider's users, and the account's keys, are not trusted.
	_, err = agencyClient(t, e.URL, role, liveapi.Config{Method: liveapi.MethodOIDC, IdpID: other.ID, IDTokenFile: other.IDTokenFile(t, time.Hour, nil)})
	apiError(t, err, http.StatusForbidden, "IAM.0002")
	_, err = agencyClient(t, e.URL, role, liveapi.Config{AccessKey: testAccessKey, SecretKey: testSecretKey})
	apiError(t, err, http.StatusForbidden, "IAM.0002")
}

// TestFederationRouteOfOtherSDKs: IAM's OS-FEDERATION route takes the ID token as a bearer token and
// answers as the Go SDK's route does; its token is exchanged for working credentials.
func TestFederationRouteOfOtherSDKs(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := emulatortest.Start(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	route := e.URL + "/v3/OS-FEDERATION/identity_providers/" + emulatortest.IdpID + "/protocols/oidc/auth"
	federate := func(url, authorization string) (int, string, http.Header) {
		req := mustRequest(t, http.MethodPost, url, "")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		return do(t, req)
	}
	if status, body, _ := federate(route, "bearer "+idp.IDToken(t, time.Hour, nil)); status != http.StatusCreated {
		t.Fatalf("the scheme's name in lower case: %d %s", status, body)
	}
	status, body, header := federate(route, "Bearer "+idp.IDToken(t, time.Hour, nil))
	if status != http.StatusCreated || header.Get("X-Subject-Token") == "" || !strings.Contains(body, `"expires_at"`) {
		t.Fatalf("got %d %s", status, body)
	}
	req := mustRequest(t, http.MethodPost, e.URL+"/v3.0/OS-CREDENTIAL/securitytokens", `{"auth":{"identity":{"methods":["token"],"token":{"duration_seconds":900}}}}`)
	req.Header.Set("X-Auth-Token", header.Get("X-Subject-Token"))
	issued := securityTokenOf(t, req)
	client := newClient(t, e.URL, liveapi.Config{AccessKey: issued.access, SecretKey: issued.secret, SecurityToken: issued.token})
	if _, err := client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if n := e.RequestCounts()[liveemulator.OperationFederatedToken]; n != 2 {
		t.Fatalf("%d federated_token requests counted", n)
	}

	refusals := map[string]struct {
		url, authorization string
		status             int
		code               string
	}{
		"expired":       {route, "Bearer " + idp.IDToken(t, -time.Minute, nil), http.StatusUnauthorized, "IAM.1002"},
		"no bearer":     {route, "", http.StatusBadRequest, "IAM.0007"},
		"basic":         {route, "Basic dXNlcjpwYXNz", http.StatusBadRequest, "IAM.0007"},
		"unknown IdP":   {strings.Replace(route, emulatortest.IdpID, "nobody", 1), "Bearer " + idp.IDToken(t, time.Hour, nil), http.StatusNotFound, "IAM.1001"},
		"saml protocol": {strings.Replace(route, "/oidc/", "/saml/", 1), "Bearer " + idp.IDToken(t, time.Hour, nil), http.StatusNotFound, "IAM.1003"},
	}
	for name, tc := range refusals {
		if status, body, _ := federate(tc.url, tc.authorization); status != tc.status || !strings.Contains(body, tc.code) {
			t.Errorf("%s: got %d %s, want %d %s", name, status, body, tc.status, tc.code)
		}
	}
}
