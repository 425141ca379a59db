package liveapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

func newClient(t *testing.T, handler http.HandlerFunc) *liveapi.Client {
	t.Helper()
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, ProjectID: "p", AccessKey: "ak", SecretKey: "sk", UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestContextCancelsTheRequest(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	client := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.Show(ctx, "id")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the context's deadline error, got %v", err)
	}
}

func TestErrorClassification(t *testing.T) {
	cases := []struct {
		status                  int
		body                    string
		notFound, alreadyExists bool
		describe                string
	}{
		{404, `{"error_code":"LIVE.103011019","error_msg":"gone"}`, true, false, "HTTP status: 404\nerror_code: LIVE.103011019\nerror_msg: gone\nrequest id: rid-1"},
		{400, `{"error_code":"LIVE.103011019","error_msg":"gone"}`, true, false, "HTTP status: 400"},
		{400, `{"error_code":"LIVE.103011018","error_msg":"exists"}`, false, true, "error_code: LIVE.103011018"},
		{400, `{"error_code":"LIVE.100011001","error_msg":"Request Illegal"}`, false, false, "error_msg: Request Illegal"},
		{500, `not json`, false, false, "HTTP status: 500"},
		// Only the Live API's code means gone: the gateway's 404 (wrong endpoint or region) and a
		// proxy's 404 page do not, and say where to look.
		{404, `{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}`, false, false,
			"error_code: APIG.0101\nerror_msg: The API does not exist or has not been published in the environment\nrequest id: rid-1\nhint: "},
		{404, `<html>Not Found</html>`, false, false, "Check the provider's endpoint and region"},
		{500, `{"error_code":"LIVE.103011019","error_msg":"gone"}`, false, false, "HTTP status: 500"},
		// The gateway's refusal of the credentials says what to check, and that a locked key waits.
		{401, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: AK access failed to reach the limit,forbidden","request_id":"rid-1"}`,
			false, false, "error_code: APIGW.0301\nerror_msg: Incorrect IAM authentication information: AK access failed to reach the limit,forbidden\nrequest id: rid-1\n" +
				"hint: the API gateway refused the request's credentials"},
	}
	for _, tc := range cases {
		client := newClient(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Request-Id", "rid-1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(tc.body))
		})
		_, err := client.Show(context.Background(), "id")
		if liveapi.IsNotFound(err) != tc.notFound || liveapi.IsAlreadyExists(err) != tc.alreadyExists {
			t.Errorf("%d %s: IsNotFound=%v IsAlreadyExists=%v", tc.status, tc.body, liveapi.IsNotFound(err), liveapi.IsAlreadyExists(err))
		}
		if got := liveapi.Describe(err); !strings.Contains(got, tc.describe) || !strings.Contains(got, "request id: rid-1") {
			t.Errorf("%d %s: Describe gave %q", tc.status, tc.body, got)
		}
	}
}

func TestNewNeedsAProject(t *testing.T) {
	if _, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: "http://127.0.0.1:1", AccessKey: "ak", SecretKey: "sk"}); err == nil {
		t.Fatal("without a project the SDK would send {project_id} literally")
	}
	if _, err := liveapi.New(context.Background(), liveapi.Config{Region: "mars-1", ProjectID: "p", AccessKey: "ak", SecretKey: "sk"}); err == nil {
		t.Fatal("an unknown region without an endpoint must fail")
	}
	if endpoint, err := liveapi.RegionEndpoint("cn-north-4"); err != nil || endpoint != "https://live.cn-north-4.myhuaweicloud.com" {
		t.Fatalf("cn-north-4: %q %v", endpoint, err)
	}
}

func TestCheckPublishDomain(t *testing.T) {
	cases := map[string]string{ // value: what the error says, "" when valid
		"publish.example.com":       "",
		"xn--r8jz45g.jp":            "",
		"a-1.b2.example.xn--p1ai":   "",
		"Publish.Example.com":       `must be in lower case (domain names are case-insensitive): use "publish.example.com"`,
		"例え.jp":                     `punycode (xn--) form of an internationalized domain name: use "xn--r8jz45g.jp"`,
		"Bücher.example.com":        `use "xn--bcher-kva.example.com"`,
		"\u00a0.example.com":        "punycode (xn--) form",
		"localhost":                 "must be a domain name such as publish.example.com",
		"-a.example.com":            "must be a domain name",
		"publish.example.com.":      "must be a domain name",
		"publish..example.com":      "must be a domain name",
		"publish.example.com/live":  "must be a domain name",
		"publish_1.example.com":     "must be a domain name",
		"publish.example.c0m":       "must be a domain name",
		"publish.example.com\u2028": "punycode",
	}
	for value, want := range cases {
		err := liveapi.CheckPublishDomain(value)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: got %v, want %q", value, err, want)
		}
	}
}

func TestCheckApp(t *testing.T) {
	for _, valid := range []string{"live", "*", "app-1_x.y", "直播", "a:b"} {
		if err := liveapi.CheckApp(valid); err != nil {
			t.Errorf("%q: %v", valid, err)
		}
	}
	for value, want := range map[string]string{
		"a/b":        "must not contain '/'",
		"a b":        "U+0020",
		"a\tb":       "U+0009",
		"a\x00b":     "U+0000",
		"a\u00a0b":   "U+00A0",
		"a\u2028b":   "U+2028",
		"a\u3000b":   "U+3000",
		"a\u200bb":   "U+200B",
		"a\u007fb":   "U+007F",
		"a\u0085b":   "U+0085",
		"a\xffb":     "valid UTF-8",
		"live\ufeff": "U+FEFF",
	} {
		if err := liveapi.CheckApp(value); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", value, err, want)
		}
	}
}

// TestDiscoveryObeysItsContext: the project's discovery, the one request New may send, against an
// IAM that accepts and never answers, ends when its context does (Ctrl-C during Configure).
func TestDiscoveryObeysItsContext(t *testing.T) {
	hung := make(chan struct{})
	defer close(hung)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hung:
		case <-r.Context().Done():
		}
	}))
	defer server.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := liveapi.New(ctx, liveapi.Config{Endpoint: server.URL, IAMEndpoint: server.URL, Region: "cn-north-4",
		AccessKey: "ak", SecretKey: "sk", UserAgent: "test", MaxRetries: 5})
	if !errors.Is(err, liveapi.ErrProjectDiscovery) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the discovery ended by its context, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("the discovery outlived its context by %s", elapsed)
	}
}

// TestProxyPagesAreNotSuccesses: a redirect with an HTML body, or a login page's 200 to a delete,
// is an UnexpectedStatusError with the endpoint hint, sent once; a page with the expected status
// but no JSON is an unreadable answer.
func TestProxyPagesAreNotSuccesses(t *testing.T) {
	for _, tc := range []struct {
		status   int
		location string
	}{{http.StatusFound, "https://login.example.com/"}, {http.StatusOK, ""}} {
		var deletes atomic.Int32
		client := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			deletes.Add(1)
			if tc.location != "" {
				w.Header().Set("Location", tc.location)
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(tc.status)
			fmt.Fprint(w, "<html><body>Please sign in</body></html>")
		})
		err := client.Delete(context.Background(), "id")
		var unexpected *liveapi.UnexpectedStatusError
		if !errors.As(err, &unexpected) || unexpected.StatusCode != tc.status || !strings.Contains(liveapi.Describe(err), "Check the provider's endpoint") {
			t.Fatalf("a %d page to a delete: %v", tc.status, err)
		}
		if n := deletes.Load(); n != 2 { // the DELETE, and the lookup that settles it
			t.Fatalf("%d requests: a proxy's page is not retried", n)
		}
	}
}

// TestUnreadableAnswersQuoteNoBody: a success whose body the SDK cannot decode (here IAM's
// temporary credentials with an expiry of the wrong type) is described without the body, which
// holds the secret key.
func TestUnreadableAnswersQuoteNoBody(t *testing.T) {
	const secret = "SUPERSECRETTEMPORARYKEY0123456789"
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/id-token/tokens") {
			w.Header().Set("X-Subject-Token", "a-token")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"token": {"expires_at": "2099-01-01T00:00:00.000000Z"}}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"credential": {"access": "TMPAK", "secret": %q, "securitytoken": "token", "expires_at": 1735689600}}`, secret)
	}))
	defer server.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("an.id.token"), 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, IAMEndpoint: server.URL, ProjectID: "p",
		Method: liveapi.MethodOIDC, IdpID: "idp", IDTokenFile: tokenFile, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Show(context.Background(), "id")
	if err == nil || !strings.Contains(liveapi.Describe(err), "could not be read") || strings.Contains(liveapi.Describe(err), secret) || strings.Contains(err.Error(), secret) {
		t.Fatalf("the error quotes the secret key: %v\n%s", err, liveapi.Describe(err))
	}
}

// TestIAMRedirectsGetIAMsHint: an IAM request answered with a redirect fails naming IAM and
// iam_endpoint, not the Live API's endpoint, and keeps the credentials' prefix.
func TestIAMRedirectsGetIAMsHint(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://login.example.com/")
		w.WriteHeader(http.StatusFound)
	}))
	defer server.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("an.id.token"), 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, IAMEndpoint: server.URL, ProjectID: "p",
		Method: liveapi.MethodOIDC, IdpID: "idp", IDTokenFile: tokenFile, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Show(context.Background(), "id")
	d := liveapi.Describe(err)
	if !strings.Contains(d, "which IAM never answers a POST with") || !strings.Contains(d, "iam_endpoint") ||
		strings.Contains(d, "Check the provider's endpoint and region") || !strings.Contains(d, "obtaining temporary credentials") {
		t.Fatalf("want IAM's redirect described as IAM's, with the credentials' prefix:\n%s", d)
	}
}
