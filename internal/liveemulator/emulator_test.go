package liveemulator_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

const (
	testAccessKey = emulatortest.AccessKey
	testSecretKey = emulatortest.SecretKey
	testProjectID = emulatortest.ProjectID
	testKey       = "abcdefghijklmnopqrstuvwxyz012345"
)

var testProjects = []liveemulator.Project{{ID: testProjectID, Name: "cn-north-4"}}

type testEnv struct {
	emulator *liveemulator.Server
	url      string
	client   *liveapi.Client
}

func newTestEnv(t *testing.T, opts liveemulator.Options) testEnv {
	t.Helper()
	e := emulatortest.Start(t, opts)
	return testEnv{emulator: e.Server, url: e.URL, client: newClient(t, e.URL, liveapi.Config{})}
}

// newClient builds the real SDK client; zero fields of override take the test account's values.
func newClient(t *testing.T, endpoint string, override liveapi.Config) *liveapi.Client {
	t.Helper()
	cfg := liveapi.Config{Endpoint: endpoint, ProjectID: testProjectID, AccessKey: testAccessKey, SecretKey: testSecretKey, UserAgent: "liveemulator-test"}
	if override.ProjectID != "" {
		cfg.ProjectID = override.ProjectID
	}
	if override.AccessKey != "" {
		cfg.AccessKey = override.AccessKey
	}
	if override.SecretKey != "" {
		cfg.SecretKey = override.SecretKey
	}
	cfg.SecurityToken = override.SecurityToken
	client, err := liveapi.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-[0-9]{13}-live-emulator$`)

func ptr[T any](v T) *T { return &v }

func validSpec(domain, app string) liveapi.CallbackSpec {
	return liveapi.CallbackSpec{
		PublishDomain:     domain,
		App:               app,
		NotifyCallbackURL: ptr("https://receiver.example.com/notify"),
		Events:            []string{livespec.EventRecordFileComplete, livespec.EventRecordOver},
		SignType:          ptr(livespec.SignTypeMD5),
		Key:               ptr(testKey),
	}
}

// apiError asserts err is the SDK's service error with this status and code, and a request id; it
// returns the error_msg.
func apiError(t *testing.T, err error, status int, code string) (errorMsg string) {
	t.Helper()
	var apiErr *sdkerr.ServiceResponseError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an API error %d %s, got %v", status, code, err)
	}
	if apiErr.StatusCode != status || apiErr.ErrorCode != code {
		t.Fatalf("want %d %s, got %d %s: %s", status, code, apiErr.StatusCode, apiErr.ErrorCode, apiErr.ErrorMessage)
	}
	if !requestIDPattern.MatchString(apiErr.RequestId) {
		t.Fatalf("request id %q is not <uuid>-<timestamp>-<hostname>", apiErr.RequestId)
	}
	return apiErr.ErrorMessage
}

func TestCRUD(t *testing.T) {
	clock := time.Now().UTC().Truncate(time.Second)
	var mu sync.Mutex
	env := newTestEnv(t, liveemulator.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ctx := context.Background()

	created, err := env.client.Create(ctx, validSpec("publish.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.PublishDomain != "publish.example.com" || created.App != "live" ||
		created.NotifyCallbackURL != "https://receiver.example.com/notify" || created.SignType != livespec.SignTypeMD5 ||
		strings.Join(created.Events, ",") != "RECORD_FILE_COMPLETE,RECORD_OVER" ||
		created.CreateTime != clock.Format(livespec.TimeLayout) || created.UpdateTime != created.CreateTime {
		t.Fatalf("unexpected create response %+v", created)
	}
	stored, ok := env.emulator.Callback(created.ID)
	if !ok || stored.Key != testKey {
		t.Fatalf("the emulator did not keep the key: %+v", stored)
	}

	shown, err := env.client.Show(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(shown) != fmt.Sprint(created) {
		t.Fatalf("show %+v differs from create %+v", shown, created)
	}

	advance(time.Minute)
	update := liveapi.CallbackSpec{PublishDomain: "publish.example.com", App: "live"}
	updated, err := env.client.Update(ctx, created.ID, update)
	if err != nil {
		t.Fatal(err)
	}
	// Update is a full replace: what the body leaves out takes the API's defaults.
	if updated.ID != created.ID || updated.NotifyCallbackURL != "" || updated.SignType != livespec.DefaultSignType ||
		strings.Join(updated.Events, ",") != livespec.DefaultEvent ||
		updated.CreateTime != created.CreateTime || updated.UpdateTime != clock.Format(livespec.TimeLayout) {
		t.Fatalf("unexpected update response %+v", updated)
	}
	if stored, _ := env.emulator.Callback(created.ID); stored.Key != "" {
		t.Fatal("a full replace without key must clear the key")
	}

	if err := env.client.Delete(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := env.emulator.Callback(created.ID); ok {
		t.Fatal("the configuration is still stored after delete")
	}
	counts := env.emulator.RequestCounts()
	for _, op := range []string{liveemulator.OperationCreate, liveemulator.OperationShow, liveemulator.OperationUpdate, liveemulator.OperationDelete} {
		if counts[op] != 1 {
			t.Errorf("%s: %d requests, want 1", op, counts[op])
		}
	}
}

func TestNotFound(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	_, err := env.client.Show(ctx, "0000")
	apiError(t, err, http.StatusNotFound, livespec.ErrorCodeCallbackNotExists)
	if !liveapi.IsNotFound(err) {
		t.Fatal("IsNotFound is false for a 404")
	}
	_, err = env.client.Update(ctx, "0000", validSpec("publish.example.com", "live"))
	apiError(t, err, http.StatusNotFound, livespec.ErrorCodeCallbackNotExists)
	err = env.client.Delete(ctx, "0000")
	apiError(t, err, http.StatusNotFound, livespec.ErrorCodeCallbackNotExists)
}

func TestDuplicate(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	if _, err := env.client.Create(ctx, validSpec("publish.example.com", "*")); err != nil {
		t.Fatal(err)
	}
	_, err := env.client.Create(ctx, validSpec("publish.example.com", "*"))
	apiError(t, err, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists)
	if !liveapi.IsAlreadyExists(err) {
		t.Fatal("IsAlreadyExists is false for LIVE.103011018")
	}
	// Another app on the same domain is another configuration.
	if _, err := env.client.Create(ctx, validSpec("publish.example.com", "live")); err != nil {
		t.Fatal(err)
	}
}

func TestValidation(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	cases := map[string]struct {
		change  func(*liveapi.CallbackSpec)
		message string
	}{
		"no domain":         {func(s *liveapi.CallbackSpec) { s.PublishDomain = "" }, "publish_domain is required"},
		"long domain":       {func(s *liveapi.CallbackSpec) { s.PublishDomain = strings.Repeat("abcdefgh.", 29) + "com" }, "publish_domain must be at most 255"},
		"not a domain":      {func(s *liveapi.CallbackSpec) { s.PublishDomain = "not a domain" }, "publish_domain must be a domain name"},
		"no app":            {func(s *liveapi.CallbackSpec) { s.App = "" }, "app is required"},
		"long app":          {func(s *liveapi.CallbackSpec) { s.App = strings.Repeat("a", 129) }, "app must be at most 128"},
		"IDN":               {func(s *liveapi.CallbackSpec) { s.PublishDomain = "例え.jp" }, "punycode"},
		"label with hyphen": {func(s *liveapi.CallbackSpec) { s.PublishDomain = "-a.example.com" }, "publish_domain must be a domain name"},
		"empty label":       {func(s *liveapi.CallbackSpec) { s.PublishDomain = "a..example.com" }, "publish_domain must be a domain name"},
		"ftp url":           {func(s *liveapi.CallbackSpec) { s.NotifyCallbackURL = ptr("ftp://h/x") }, "notify_callback_url must start with http:// or https://"},
		"url with query":    {func(s *liveapi.CallbackSpec) { s.NotifyCallbackURL = ptr("https://h/x?a=1") }, "notify_callback_url must not contain query parameters"},
		"url without host":  {func(s *liveapi.CallbackSpec) { s.NotifyCallbackURL = ptr("https:///x") }, "notify_callback_url must include a host"},
		"unknown event":     {func(s *liveapi.CallbackSpec) { s.Events = []string{"RECORD_START"} }, `notify_event_subscription has "RECORD_START"`},
		"unknown sign type": {func(s *liveapi.CallbackSpec) { s.SignType = ptr("SHA1") }, "sign_type must be one of"},
		"short key":         {func(s *liveapi.CallbackSpec) { s.Key = ptr("short") }, "key must be at least 32 letters and digits"},
		"key with symbols":  {func(s *liveapi.CallbackSpec) { s.Key = ptr(strings.Repeat("a", 31) + "!") }, "key must be at least 32"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := validSpec("publish.example.com", "live")
			tc.change(&spec)
			_, err := env.client.Create(ctx, spec)
			errorMsg := apiError(t, err, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter)
			if !strings.Contains(errorMsg, tc.message) {
				t.Fatalf("error_msg %q does not contain %q", errorMsg, tc.message)
			}
			if spec.Key != nil && strings.Contains(errorMsg, *spec.Key) {
				t.Fatal("the error echoes the key")
			}
		})
	}
	if n := len(env.emulator.Callbacks()); n != 0 {
		t.Fatalf("%d configurations stored from invalid requests", n)
	}
}

// TestWhatTheDocumentationAllows: where the API documentation states no rule, the emulator accepts,
// stricter plan-time rules being the provider's own choice.
func TestWhatTheDocumentationAllows(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	cases := map[string]func(*liveapi.CallbackSpec){
		"upper case domain":  func(s *liveapi.CallbackSpec) { s.PublishDomain = "Upper.Example.com" },
		"single label":       func(s *liveapi.CallbackSpec) { s.PublishDomain = "localhost" },
		"numeric top label":  func(s *liveapi.CallbackSpec) { s.PublishDomain = "10.0.0.1" },
		"app with slash":     func(s *liveapi.CallbackSpec) { s.App = "a/b" },
		"app with U+2028":    func(s *liveapi.CallbackSpec) { s.App = "a\u2028b" },
		"app with NUL":       func(s *liveapi.CallbackSpec) { s.App = "a\x00b" },
		"url with fragment":  func(s *liveapi.CallbackSpec) { s.NotifyCallbackURL = ptr("https://h/x#f") },
		"url with user info": func(s *liveapi.CallbackSpec) { s.NotifyCallbackURL = ptr("https://u:p@h/x") },
		"repeated event":     func(s *liveapi.CallbackSpec) { s.Events = []string{"RECORD_OVER", "RECORD_OVER"} },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			spec := validSpec("publish.example.com", "app-"+strings.ReplaceAll(name, " ", "-"))
			change(&spec)
			created, err := env.client.Create(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			if created.PublishDomain != spec.PublishDomain || created.App != spec.App || !slices.Equal(created.Events, spec.Events) {
				t.Fatalf("the configuration was not kept as sent: %+v", created)
			}
		})
	}
}

// TestDomainNamesIgnoreCase: domain names are case-insensitive (RFC 4343), so a pair that differs only
// by the domain's case is the same pair for duplicates, updates and list filters; apps are not.
func TestDomainNamesIgnoreCase(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	upper, err := env.client.Create(ctx, validSpec("Publish.Example.COM", "live"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.client.Create(ctx, validSpec("publish.example.com", "live"))
	apiError(t, err, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists)
	if _, err := env.client.Create(ctx, validSpec("publish.example.com", "Live")); err != nil {
		t.Fatalf("an app that differs by case is another app: %v", err)
	}
	page, err := env.client.List(ctx, liveapi.ListFilter{PublishDomain: "publish.example.com", App: "live", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Callbacks) != 1 || page.Callbacks[0].ID != upper.ID {
		t.Fatalf("the lower-case filter did not find the configuration: %+v", page.Callbacks)
	}
	other, err := env.client.Create(ctx, validSpec("other.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.client.Update(ctx, other.ID, validSpec("PUBLISH.example.com", "live"))
	apiError(t, err, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists)
}

// TestUpdateReplacesThePair: update is a full replace, publish_domain and app included; the pair it
// leaves is free again, and the one it takes is no longer.
func TestUpdateReplacesThePair(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	created, err := env.client.Create(ctx, validSpec("publish.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	updated, err := env.client.Update(ctx, created.ID, validSpec("publish.example.com", "vod"))
	if err != nil {
		t.Fatal(err)
	}
	if updated.ID != created.ID || updated.App != "vod" {
		t.Fatalf("unexpected update response %+v", updated)
	}
	if _, err := env.client.Create(ctx, validSpec("publish.example.com", "live")); err != nil {
		t.Fatalf("the pair the update left is still taken: %v", err)
	}
	_, err = env.client.Create(ctx, validSpec("publish.example.com", "vod"))
	apiError(t, err, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists)
}

func TestList(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	for _, pair := range [][2]string{{"a.example.com", "*"}, {"a.example.com", "live"}, {"a.example.com", "vod"}, {"b.example.com", "live"}} {
		if _, err := env.client.Create(ctx, validSpec(pair[0], pair[1])); err != nil {
			t.Fatal(err)
		}
	}
	pairs := func(p liveapi.ListPage) string {
		var out []string
		for _, cb := range p.Callbacks {
			out = append(out, cb.PublishDomain+"/"+cb.App)
		}
		return fmt.Sprintf("%d %s", p.Total, strings.Join(out, " "))
	}
	cases := []struct {
		filter liveapi.ListFilter
		want   string
	}{
		{liveapi.ListFilter{}, "4 a.example.com/* a.example.com/live a.example.com/vod b.example.com/live"},
		{liveapi.ListFilter{PublishDomain: "a.example.com"}, "3 a.example.com/* a.example.com/live a.example.com/vod"},
		{liveapi.ListFilter{PublishDomain: "a.example.com", App: "live"}, "2 a.example.com/* a.example.com/live"},
		{liveapi.ListFilter{App: "live"}, "3 a.example.com/* a.example.com/live b.example.com/live"},
		{liveapi.ListFilter{Limit: 2}, "4 a.example.com/* a.example.com/live"},
		{liveapi.ListFilter{Offset: 3, Limit: 2}, "4 b.example.com/live"},
		{liveapi.ListFilter{Offset: 4096}, "4 "},
	}
	for _, tc := range cases {
		page, err := env.client.List(ctx, tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := pairs(page); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.filter, got, tc.want)
		}
	}
	for _, filter := range []liveapi.ListFilter{{Limit: 101}, {Offset: 4097}} {
		_, err := env.client.List(ctx, filter)
		apiError(t, err, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter)
	}
	found, ok, err := env.client.FindByDomainApp(ctx, "a.example.com", "live")
	if err != nil || !ok || found.App != "live" {
		t.Fatalf("FindByDomainApp: %+v %v %v", found, ok, err)
	}
}

func TestAuthentication(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{Credentials: []liveemulator.Credential{
		{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects},
		{AccessKey: "TEMPORARYAK", SecretKey: testSecretKey, SecurityToken: "session-token", Projects: testProjects},
	}})
	ctx := context.Background()
	cases := map[string]struct {
		cfg  liveapi.Config
		code string
	}{
		"unknown access key":    {liveapi.Config{AccessKey: "UNKNOWN"}, livespec.ErrorCodeGatewayAuth},
		"wrong secret key":      {liveapi.Config{SecretKey: "WrongSecretKey0123456789abcdefXYZ"}, livespec.ErrorCodeGatewayAuth},
		"other project":         {liveapi.Config{ProjectID: "ffffffffffffffffffffffffffffffff"}, livespec.ErrorCodeProjectMismatch},
		"missing token":         {liveapi.Config{AccessKey: "TEMPORARYAK"}, livespec.ErrorCodeGatewayAuth},
		"wrong security token":  {liveapi.Config{AccessKey: "TEMPORARYAK", SecurityToken: "other"}, livespec.ErrorCodeGatewayAuth},
		"right security token ": {liveapi.Config{AccessKey: "TEMPORARYAK", SecurityToken: "session-token"}, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := newClient(t, env.url, tc.cfg).List(ctx, liveapi.ListFilter{})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			apiError(t, err, http.StatusUnauthorized, tc.code)
		})
	}
	if counts := env.emulator.RequestCounts(); counts[liveemulator.OperationList] != 1 {
		t.Fatalf("rejected requests were served: %v", counts)
	}
}

func TestClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{16 * time.Minute, -16 * time.Minute} {
		env := newTestEnv(t, liveemulator.Options{Now: func() time.Time { return time.Now().Add(skew) }})
		_, err := env.client.List(context.Background(), liveapi.ListFilter{})
		apiError(t, err, http.StatusUnauthorized, livespec.ErrorCodeGatewayAuth)
	}
	env := newTestEnv(t, liveemulator.Options{Now: func() time.Time { return time.Now().Add(14 * time.Minute) }})
	if _, err := env.client.List(context.Background(), liveapi.ListFilter{}); err != nil {
		t.Fatalf("14 minutes of skew must be accepted: %v", err)
	}
}

// TestClockOffset: the server's clock, set ahead by the option and back by the admin endpoint, is
// what create_time, update_time and the Date header read.
func TestClockOffset(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{ClockOffset: 5 * time.Minute})
	near := func(what string, got, want time.Time) {
		t.Helper()
		if d := got.Sub(want); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("%s is %s, want about %s", what, got, want)
		}
	}
	serverTime := func(what, value string) time.Time {
		t.Helper()
		parsed, err := time.Parse(livespec.TimeLayout, value)
		if err != nil {
			t.Fatalf("%s %q: %v", what, value, err)
		}
		return parsed
	}
	created, err := env.client.Create(context.Background(), validSpec("skew.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	near("create_time", serverTime("create_time", created.CreateTime), time.Now().Add(5*time.Minute))
	status, _, header := do(t, signedRequest(t, http.MethodGet, env.url+"/v1/"+testProjectID+"/record/callbacks", "", nil, testSecretKey))
	date, err := http.ParseTime(header.Get("Date"))
	if status != http.StatusOK || err != nil {
		t.Fatalf("list: %d, Date %q: %v", status, header.Get("Date"), err)
	}
	near("the Date header", date, time.Now().Add(5*time.Minute))

	req, _ := http.NewRequest(http.MethodPut, env.url+liveemulator.AdminPrefix+"clock-offset", strings.NewReader("-5m"))
	if status, body, _ := do(t, req); status != http.StatusNoContent {
		t.Fatalf("setting the offset: %d %s", status, body)
	}
	updated, err := env.client.Update(context.Background(), created.ID, validSpec("skew.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	near("update_time", serverTime("update_time", updated.UpdateTime), time.Now().Add(-5*time.Minute))
	req, _ = http.NewRequest(http.MethodPut, env.url+liveemulator.AdminPrefix+"clock-offset", strings.NewReader("soon"))
	if status, _, _ := do(t, req); status != http.StatusBadRequest {
		t.Fatalf("an unreadable offset: %d, want 400", status)
	}
}

// concurrently runs f(0) to f(n-1) at once and reports every error.
func concurrently(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f(i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// signedRequest builds a request signed the way the official Terraform provider's HTTP library signs:
// over accept;content-type;user-agent;x-sdk-date, which the SDK's signer cannot produce.
func signedRequest(t *testing.T, method, url, projectHeader string, body []byte, secretKey string) *http.Request {
	t.Helper()
	return signedRequestWith(t, method, url, projectHeader, body, testAccessKey, secretKey, "")
}

// signedRequestWith signs with any credentials; securityToken, when set, is sent as temporary
// credentials send it.
func signedRequestWith(t *testing.T, method, url, projectHeader string, body []byte, accessKey, secretKey, securityToken string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "terraform-provider-iac golangsdk/2.0.0")
	req.Header.Set("X-Sdk-Date", time.Now().UTC().Format("20060102T150405Z"))
	if projectHeader != "" {
		req.Header.Set("X-Project-Id", projectHeader)
	}
	if securityToken != "" {
		req.Header.Set("X-Security-Token", securityToken)
	}
	signed := []string{"accept", "content-type", "user-agent", "x-sdk-date"}
	signature := liveemulator.Signature(req, body, signed, secretKey)
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		accessKey, strings.Join(signed, ";"), signature))
	return req
}

func do(t *testing.T, req *http.Request) (int, string, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("%s %s: no X-Request-Id", req.Method, req.URL)
	}
	return resp.StatusCode, string(body), resp.Header
}

func TestSignatureTestVector(t *testing.T) {
	body := `{"app":"*","notify_callback_url":"https://cb.example.com/n","notify_event_subscription":["RECORD_FILE_COMPLETE"],"publish_domain":"o.bars-perf.com"}` + "\n"
	req := httptest.NewRequest(http.MethodPost, "/v1/0123456789abcdef0123456789abcdef/record/callbacks", strings.NewReader(body))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "terraform-provider-iac golangsdk/2.0.0")
	req.Header.Set("X-Sdk-Date", "20261126T195730Z")
	got := liveemulator.Signature(req, []byte(body), []string{"accept", "content-type", "user-agent", "x-sdk-date"}, "BarsSecretKey0123456789abcdefXYZ")
	if want := "7e3e10827845cf054145020b0b1f46bda7ba831b3f4105b72290e0c7c435a76b"; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

func TestOtherClientSignature(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	body := []byte(`{"app":"*","notify_callback_url":"https://cb.example.com/n","notify_event_subscription":["RECORD_FILE_COMPLETE"],"publish_domain":"o.bars-perf.com"}` + "\n")
	url := env.url + "/v1/" + testProjectID + "/record/callbacks"

	status, got, _ := do(t, signedRequest(t, http.MethodPost, url, "", body, testSecretKey))
	if status != http.StatusCreated || !strings.Contains(got, `"publish_domain":"o.bars-perf.com"`) {
		t.Fatalf("a request signed over accept;content-type;user-agent;x-sdk-date: %d %s", status, got)
	}

	tampered := signedRequest(t, http.MethodPost, url, "", body, testSecretKey)
	tampered.Header.Set("Accept", "text/plain") // a signed header changed after signing
	if status, got, _ := do(t, tampered); status != http.StatusUnauthorized || !strings.Contains(got, livespec.ErrorCodeGatewayAuth) {
		t.Fatalf("a tampered request: %d %s", status, got)
	}

	mismatch := signedRequest(t, http.MethodGet, url, "ffffffffffffffffffffffffffffffff", nil, testSecretKey)
	if status, got, _ := do(t, mismatch); status != http.StatusUnauthorized || !strings.Contains(got, livespec.ErrorCodeProjectMismatch) {
		t.Fatalf("X-Project-Id different from the path: %d %s", status, got)
	}
}

// TestPayloadHashHeader: X-Sdk-Content-Sha256 stands for the body's hash only when it is signed. A
// body swapped after signing, with the old body's hash in an unsigned header, is refused.
func TestPayloadHashHeader(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	url := env.url + "/v1/" + testProjectID + "/record/callbacks"
	signedBody := []byte(`{"publish_domain":"signed.example.com","app":"live"}` + "\n")
	swappedBody := []byte(`{"publish_domain":"swapped.example.com","app":"live"}` + "\n")

	swapped := signedRequest(t, http.MethodPost, url, "", signedBody, testSecretKey)
	hash := sha256.Sum256(signedBody)
	swapped.Header.Set("X-Sdk-Content-Sha256", hex.EncodeToString(hash[:]))
	swapped.Body, swapped.ContentLength = io.NopCloser(bytes.NewReader(swappedBody)), int64(len(swappedBody))
	if status, got, _ := do(t, swapped); status != http.StatusUnauthorized || !strings.Contains(got, livespec.ErrorCodeGatewayAuth) {
		t.Fatalf("a body swapped after signing: %d %s", status, got)
	}

	// Signed, the header is the payload's stand-in, as the SDK's UNSIGNED-PAYLOAD is.
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(signedBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Sdk-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
	signed := []string{"x-sdk-content-sha256", "x-sdk-date"}
	canonical := "POST\n/v1/" + testProjectID + "/record/callbacks/\n\nx-sdk-content-sha256:UNSIGNED-PAYLOAD\nx-sdk-date:" +
		req.Header.Get("X-Sdk-Date") + "\n\nx-sdk-content-sha256;x-sdk-date\nUNSIGNED-PAYLOAD"
	canonicalHash := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(testSecretKey))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + req.Header.Get("X-Sdk-Date") + "\n" + hex.EncodeToString(canonicalHash[:])))
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		testAccessKey, strings.Join(signed, ";"), hex.EncodeToString(mac.Sum(nil))))
	if status, got, _ := do(t, req); status != http.StatusCreated {
		t.Fatalf("a signed X-Sdk-Content-Sha256: %d %s", status, got)
	}

	// A signed hash of the payload must match the body that came.
	stated := signedRequest(t, http.MethodPost, url, "", signedBody, testSecretKey)
	stated.Header.Set("X-Sdk-Content-Sha256", hex.EncodeToString(hash[:]))
	signedWithHash := []string{"accept", "content-type", "user-agent", "x-sdk-content-sha256", "x-sdk-date"}
	stated.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		testAccessKey, strings.Join(signedWithHash, ";"), liveemulator.Signature(stated, signedBody, signedWithHash, testSecretKey)))
	stated.Body, stated.ContentLength = io.NopCloser(bytes.NewReader(swappedBody)), int64(len(swappedBody))
	if status, got, _ := do(t, stated); status != http.StatusUnauthorized || !strings.Contains(got, livespec.GatewaySignatureFailed) {
		t.Fatalf("a body swapped under a signed hash: %d %s", status, got)
	}
	if journal := env.emulator.Journal(); journal[len(journal)-1].Reason != "X-Sdk-Content-Sha256 does not match the body" {
		t.Fatalf("the journal does not say why: %+v", journal[len(journal)-1])
	}
}

func TestRobustness(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	url := env.url + "/v1/" + testProjectID + "/record/callbacks"

	for _, body := range []string{`{`, `[]`, `{"publish_domain":1}`, `null`, "\x00\xff"} {
		status, got, _ := do(t, signedRequest(t, http.MethodPost, url, "", []byte(body), testSecretKey))
		if status != http.StatusBadRequest || !strings.Contains(got, livespec.ErrorCodeInvalidParameter) {
			t.Errorf("body %q: %d %s", body, status, got)
		}
	}

	huge := bytes.Repeat([]byte("a"), 1<<20)
	if status, got, _ := do(t, signedRequest(t, http.MethodPost, url, "", huge, testSecretKey)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized body: %d %s", status, got)
	}

	for _, path := range []string{"/", "/v2/x", "/v1/" + testProjectID + "/record/callbacks/a/b"} {
		req, _ := http.NewRequest(http.MethodGet, env.url+path, nil)
		status, got, header := do(t, req)
		if status != http.StatusNotFound || header.Get("Content-Type") != "application/json" || !strings.Contains(got, "error_code") {
			t.Errorf("%s: %d %s", path, status, got)
		}
	}
	unsigned, _ := http.NewRequest(http.MethodGet, url, nil)
	if status, got, _ := do(t, unsigned); status != http.StatusUnauthorized {
		t.Errorf("an unsigned request: %d %s", status, got)
	}
}

func TestConcurrentClients(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every pair is created twice: exactly one of the two must win.
			for range 2 {
				if _, err := env.client.Create(ctx, validSpec(fmt.Sprintf("d%d.example.com", i%(n/2)), "live")); err != nil && !liveapi.IsAlreadyExists(err) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(env.emulator.Callbacks()); got != n/2 {
		t.Fatalf("%d configurations, want %d", got, n/2)
	}
}

// benchmarkRequest serves one signed request through the emulator's handler, without a network.
func benchmarkRequest(b *testing.B, emulator *liveemulator.Server, method, target string, body []byte) int {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sdk-Date", time.Now().UTC().Format("20060102T150405Z"))
	signed := []string{"content-type", "x-sdk-date"}
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		testAccessKey, strings.Join(signed, ";"), liveemulator.Signature(req, body, signed, testSecretKey)))
	recorder := httptest.NewRecorder()
	emulator.ServeHTTP(recorder, req)
	if recorder.Code >= 300 {
		b.Fatalf("%s %s: %d %s", method, target, recorder.Code, recorder.Body)
	}
	return recorder.Code
}

func BenchmarkEmulatorHandlers(b *testing.B) {
	base := "/v1/" + testProjectID + "/record/callbacks"
	newEmulator := func(n int) (*liveemulator.Server, string) {
		emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
		var id string
		for i := range n {
			cb, err := emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: fmt.Sprintf("d%d.example.com", i), App: "live",
				Events: []string{livespec.DefaultEvent}, SignType: livespec.DefaultSignType})
			if err != nil {
				b.Fatal(err)
			}
			id = cb.ID
		}
		return emulator, id
	}
	b.Run("create", func(b *testing.B) {
		emulator, _ := newEmulator(0)
		for i := range b.N {
			benchmarkRequest(b, emulator, http.MethodPost, base, []byte(fmt.Sprintf(`{"publish_domain":"d%d.example.com","app":"live"}`, i)))
		}
	})
	b.Run("show", func(b *testing.B) {
		emulator, id := newEmulator(1000)
		for range b.N {
			benchmarkRequest(b, emulator, http.MethodGet, base+"/"+id, nil)
		}
	})
	b.Run("update", func(b *testing.B) {
		emulator, id := newEmulator(1000)
		for range b.N {
			benchmarkRequest(b, emulator, http.MethodPut, base+"/"+id, []byte(`{"publish_domain":"d999.example.com","app":"live","sign_type":"MD5"}`))
		}
	})
	b.Run("list 100 of 1000", func(b *testing.B) {
		emulator, _ := newEmulator(1000)
		for range b.N {
			benchmarkRequest(b, emulator, http.MethodGet, base+"?limit=100&offset=500", nil)
		}
	})
}
