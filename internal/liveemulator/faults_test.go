package liveemulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

func TestParseFault(t *testing.T) {
	valid := map[string]liveemulator.Fault{
		"create:status=500,code=LIVE.100011005,times=2": {Operation: "create", Status: 500, ErrorCode: "LIVE.100011005", Times: 2},
		"update:drop=after,times=1":                     {Operation: "update", Drop: "after", Times: 1},
		"show:latency=2s":                               {Operation: "show", Latency: 2 * time.Second},
		"*:status=429,retry_after=1":                    {Status: 429, RetryAfter: 1},
	}
	for text, want := range valid {
		got, err := liveemulator.ParseFault(text)
		if err != nil || got != want {
			t.Errorf("%q: got %+v %v, want %+v", text, got, err, want)
		}
	}
	for _, text := range []string{"", "create", "create:", "nope:status=500", "create:status=200", "create:status=500,drop=after",
		"create:drop=sideways", "create:times=-1", "create:latency=fast", "create:colour=red", "create:times=2"} {
		if _, err := liveemulator.ParseFault(text); err == nil {
			t.Errorf("%q: want an error", text)
		}
	}
}

func TestFaultsApplyTimesThenStop(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: "list", Times: 2, Status: 503, ErrorCode: "APIGW.0503"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		_, err := env.client.List(ctx, liveapi.ListFilter{})
		apiError(t, err, http.StatusServiceUnavailable, "APIGW.0503")
	}
	if _, err := env.client.List(ctx, liveapi.ListFilter{}); err != nil {
		t.Fatalf("the fault applies twice only: %v", err)
	}
	// Other operations are not affected.
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: "delete", Status: 500}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.Create(ctx, validSpec("publish.example.com", "live")); err != nil {
		t.Fatal(err)
	}
}

func TestDropAfterApplyMakesTheChange(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropAfterApply}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"publish_domain":"publish.example.com","app":"live"}`)
	req := signedRequest(t, http.MethodPost, env.url+"/v1/"+testProjectID+"/record/callbacks", "", body, testSecretKey)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the response must be lost, got %d", resp.StatusCode)
	}
	if n := len(env.emulator.Callbacks()); n != 1 {
		t.Fatalf("the change must be made: %d stored", n)
	}
}

func TestThrottle(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	env.emulator.SetThrottle(2)
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: "list", Latency: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	throttled := 0
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := env.client.List(context.Background(), liveapi.ListFilter{})
			if err != nil {
				apiError(t, err, http.StatusInternalServerError, liveapi.ErrorCodeTooManyRequests)
				mu.Lock()
				throttled++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if throttled == 0 || throttled > 4 {
		t.Fatalf("%d of 6 concurrent requests throttled, want 1 to 4 with at most 2 in flight", throttled)
	}
}

func TestAdminEndpoint(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	post := func(path, method, body string) int {
		req, _ := http.NewRequest(method, env.url+liveemulator.AdminPrefix+path, strings.NewReader(body))
		status, _, _ := do(t, req)
		return status
	}
	if status := post("faults", http.MethodPost, "list:status=500,times=1\nshow:latency=1ms"); status != http.StatusNoContent {
		t.Fatalf("POST faults: %d", status)
	}
	_, err := env.client.List(context.Background(), liveapi.ListFilter{})
	apiError(t, err, http.StatusInternalServerError, liveapi.ErrorCodeInternal)
	if status := post("faults", http.MethodPost, "list:status=99"); status != http.StatusBadRequest {
		t.Fatalf("a bad fault: %d", status)
	}
	if status := post("faults", http.MethodDelete, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE faults: %d", status)
	}
	if status := post("throttle", http.MethodPut, "3"); status != http.StatusNoContent {
		t.Fatalf("PUT throttle: %d", status)
	}
	req, _ := http.NewRequest(http.MethodGet, env.url+liveemulator.AdminPrefix+"requests", nil)
	if status, body, _ := do(t, req); status != http.StatusOK || !strings.Contains(body, `"list":1`) {
		t.Fatalf("GET requests: %d %s", status, body)
	}

	// A client that is not on loopback is refused.
	remote := httptest.NewRequest(http.MethodPost, liveemulator.AdminPrefix+"faults", strings.NewReader("list:status=500"))
	remote.RemoteAddr = "192.0.2.10:40000"
	recorder := httptest.NewRecorder()
	env.emulator.ServeHTTP(recorder, remote)
	if recorder.Code != http.StatusForbidden {
		t.Fatalf("a remote client: %d", recorder.Code)
	}
}
