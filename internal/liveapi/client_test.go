package liveapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

func newClient(t *testing.T, handler http.HandlerFunc) *liveapi.Client {
	t.Helper()
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	client, err := liveapi.New(liveapi.Config{Endpoint: server.URL, ProjectID: "p", AccessKey: "ak", SecretKey: "sk", UserAgent: "test"})
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
	if _, err := liveapi.New(liveapi.Config{Endpoint: "http://127.0.0.1:1", AccessKey: "ak", SecretKey: "sk"}); err == nil {
		t.Fatal("without a project the SDK would send {project_id} literally")
	}
	if _, err := liveapi.New(liveapi.Config{Region: "mars-1", ProjectID: "p", AccessKey: "ak", SecretKey: "sk"}); err == nil {
		t.Fatal("an unknown region without an endpoint must fail")
	}
	if endpoint, err := liveapi.RegionEndpoint("cn-north-4"); err != nil || endpoint != "https://live.cn-north-4.myhuaweicloud.com" {
		t.Fatalf("cn-north-4: %q %v", endpoint, err)
	}
}
