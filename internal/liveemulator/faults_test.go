package liveemulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

func TestParseFault(t *testing.T) {
	valid := map[string]liveemulator.Fault{
		"create:status=500,code=LIVE.100011005,times=2": {Operation: "create", Status: 500, ErrorCode: "LIVE.100011005", Times: 2},
		"update:drop=after,times=1":                     {Operation: "update", Drop: "after", Times: 1},
		"show:latency=2s":                               {Operation: "show", Latency: 2 * time.Second},
		"*:status=429,retry_after=1":                    {Status: 429, RetryAfter: 1},
		"create:status=502,apply,times=1":               {Operation: "create", Status: 502, Apply: true, Times: 1},
		"*:not_published":                               {NotPublished: true},
		"show:not_published=true,times=3":               {Operation: "show", NotPublished: true, Times: 3},
		"update:omit=id+create_time":                    {Operation: "update", Omit: []string{"id", "create_time"}},
		"show:other_body,times=1":                       {Operation: "show", OtherBody: true, Times: 1},
		"token_by_id_token:latency=10m":                 {Operation: "token_by_id_token", Latency: 10 * time.Minute},
		"list_projects:drop=before,times=1":             {Operation: "list_projects", Drop: "before", Times: 1},
		"delete:redirect=https://login.example.com/":    {Operation: "delete", Redirect: "https://login.example.com/"},
		"*:status=503,rate=0.2":                         {Status: 503, Rate: 0.2},
		"federated_token:status=500,rate=1,times=2":     {Operation: "federated_token", Status: 500, Rate: 1, Times: 2},
	}
	for text, want := range valid {
		got, err := liveemulator.ParseFault(text)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %+v %v, want %+v", text, got, err, want)
		}
	}
	for _, text := range []string{"", "create", "create:", "nope:status=500", "create:status=200", "create:status=500,drop=after",
		"create:drop=sideways", "create:times=-1", "create:latency=fast", "create:colour=red", "create:times=2",
		"create:status=400,apply", "create:apply", "*:not_published,status=500", "*:not_published=maybe", "update:omit=id,drop=after",
		"delete:redirect=https://login.example.com/,status=500", "show:other_body,drop=before",
		"*:status=503,rate=0", "*:status=503,rate=1.5", "*:status=503,rate=-0.1", "*:status=503,rate=NaN", "*:status=503,rate=often"} {
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

// TestStatusAfterApply: the change is made (or refused) and the answer is a server error.
func TestStatusAfterApply(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 2, Status: 502, ErrorCode: "APIGW.0502", Apply: true}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"publish_domain":"publish.example.com","app":"live"}`)
	for range 2 { // applied, then refused as a duplicate: both answered 502
		req := signedRequest(t, http.MethodPost, env.url+"/v1/"+testProjectID+"/record/callbacks", "", body, testSecretKey)
		if status, answer, _ := do(t, req); status != http.StatusBadGateway || !strings.Contains(answer, "APIGW.0502") {
			t.Fatalf("want 502 APIGW.0502: %d %s", status, answer)
		}
	}
	if n := len(env.emulator.Callbacks()); n != 1 {
		t.Fatalf("the first create must be applied and the second refused: %d stored", n)
	}
}

func TestNotPublished(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	created, err := env.client.Create(context.Background(), validSpec("publish.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.emulator.InjectFault(liveemulator.Fault{NotPublished: true}); err != nil {
		t.Fatal(err)
	}
	_, err = env.client.Show(context.Background(), created.ID)
	apiError(t, err, http.StatusNotFound, "APIG.0101")
	if liveapi.IsNotFound(err) {
		t.Fatal("the gateway's 404 is not the API's not-found")
	}
	err = env.client.Delete(context.Background(), created.ID)
	apiError(t, err, http.StatusNotFound, "APIG.0101")
	if _, ok := env.emulator.Callback(created.ID); !ok {
		t.Fatal("nothing may be deleted behind the gateway's 404")
	}
}

func TestOmitFields(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Omit: []string{"id", "create_time"}}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"publish_domain":"publish.example.com","app":"live"}`)
	req := signedRequest(t, http.MethodPost, env.url+"/v1/"+testProjectID+"/record/callbacks", "", body, testSecretKey)
	status, answer, _ := do(t, req)
	if status != http.StatusCreated || strings.Contains(answer, `"id"`) || strings.Contains(answer, `"create_time"`) ||
		!strings.Contains(answer, `"update_time"`) {
		t.Fatalf("want a 201 without id and create_time: %d %s", status, answer)
	}
}

// TestRedirectAndOtherBody: a redirect answers 302 with its Location and an empty body, and handles
// nothing; other_body answers with another configuration's body.
func TestRedirectAndOtherBody(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ours, err := env.client.Create(context.Background(), validSpec("ours.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := env.client.Create(context.Background(), validSpec("theirs.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []liveemulator.Fault{
		{Operation: "delete", Times: 1, Redirect: "https://login.example.com/"},
		{Operation: "show", Times: 1, OtherBody: true},
	} {
		if err := env.emulator.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	base := env.url + "/v1/" + testProjectID + "/record/callbacks/"
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(signedRequest(t, http.MethodDelete, base+ours.ID, "", nil, testSecretKey))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, stored := env.emulator.Callback(ours.ID); resp.StatusCode != http.StatusFound ||
		resp.Header.Get("Location") != "https://login.example.com/" || resp.ContentLength != 0 || !stored {
		t.Fatalf("want a 302 to the login page that deletes nothing: %d %q (stored: %v)", resp.StatusCode, resp.Header.Get("Location"), stored)
	}
	status, answer, _ := do(t, signedRequest(t, http.MethodGet, base+ours.ID, "", nil, testSecretKey))
	if status != http.StatusOK || !strings.Contains(answer, theirs.ID) || strings.Contains(answer, ours.ID) {
		t.Fatalf("want their body for ours: %d %s", status, answer)
	}
}

// TestIAMFaults: faults reach IAM's routes by their names, and "*" only the Live API's.
func TestIAMFaults(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	for _, f := range []liveemulator.Fault{
		{Status: 500}, // every Live API operation
		{Operation: liveemulator.OperationListProjects, Times: 1, Status: 503, ErrorCode: "APIGW.0503"},
	} {
		if err := env.emulator.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	projects := env.url + "/v3/projects?name=cn-north-4"
	if status, body, _ := do(t, signedRequest(t, http.MethodGet, projects, "", nil, testSecretKey)); status != http.StatusServiceUnavailable {
		t.Fatalf("the IAM fault: %d %s", status, body)
	}
	if status, body, _ := do(t, signedRequest(t, http.MethodGet, projects, "", nil, testSecretKey)); status != http.StatusOK ||
		!strings.Contains(body, testProjectID) {
		t.Fatalf("after the IAM fault, and under a fault of every Live API operation: %d %s", status, body)
	}
	if n := env.emulator.RequestCounts()[liveemulator.OperationListProjects]; n != 2 {
		t.Fatalf("%d project lists counted, want the 2 received (the one a fault answered included)", n)
	}
	// The Live API's throttle is not IAM's.
	env.emulator.ClearFaults()
	env.emulator.SetThrottle(1)
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationListProjects, Times: 1, Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	held := signedRequest(t, http.MethodGet, projects, "", nil, testSecretKey)
	go func() {
		if resp, err := http.DefaultClient.Do(held); err == nil {
			resp.Body.Close()
		}
	}()
	for env.emulator.InFlight(liveemulator.OperationListProjects) == 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := env.client.List(context.Background(), liveapi.ListFilter{}); err != nil {
		t.Fatalf("a Live API request while IAM is busy: %v", err)
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
				apiError(t, err, http.StatusInternalServerError, livespec.ErrorCodeTooManyRequests)
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
	listed, _ := http.NewRequest(http.MethodGet, env.url+liveemulator.AdminPrefix+"faults", nil)
	if status, body, _ := do(t, listed); status != http.StatusOK ||
		body != `[{"fault":"list:times=1,status=500","remaining":1},{"fault":"show:latency=1ms","remaining":0}]`+"\n" {
		t.Fatalf("GET faults: %d %s", status, body)
	}
	_, err := env.client.List(context.Background(), liveapi.ListFilter{})
	apiError(t, err, http.StatusInternalServerError, livespec.ErrorCodeInternal)
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

// TestFaultsByRate: a fault with a rate applies to about that share of the requests, with times
// counting the requests it applied to; the same seed draws the same requests.
func TestFaultsByRate(t *testing.T) {
	faulted := func(seed uint64, fault liveemulator.Fault, requests int) []int {
		e := emulatortest.Start(t, liveemulator.Options{FaultSeed: seed})
		if err := e.InjectFault(fault); err != nil {
			t.Fatal(err)
		}
		var which []int
		url := e.URL + "/v1/" + testProjectID + "/record/callbacks"
		for i := range requests {
			if status, _, _ := do(t, signedRequest(t, http.MethodGet, url, "", nil, testSecretKey)); status == http.StatusServiceUnavailable {
				which = append(which, i)
			}
		}
		return which
	}
	// 400 draws at 0.25: fewer than 60 or more than 140 is a chance below one in a million.
	first := faulted(7, liveemulator.Fault{Status: 503, Rate: 0.25}, 400)
	if n := len(first); n < 60 || n > 140 {
		t.Fatalf("%d of 400 requests faulted at rate 0.25", n)
	}
	if again := faulted(7, liveemulator.Fault{Status: 503, Rate: 0.25}, 400); !reflect.DeepEqual(first, again) {
		t.Fatal("the same seed faulted other requests")
	}
	if n := len(faulted(0, liveemulator.Fault{Status: 503, Rate: 0.5, Times: 3}, 100)); n != 3 {
		t.Fatalf("times=3 at rate 0.5 faulted %d requests", n)
	}
	if n := len(faulted(0, liveemulator.Fault{Status: 503, Rate: 1}, 20)); n != 20 {
		t.Fatalf("rate 1 faulted %d of 20", n)
	}
}

// TestFaultsAreJournaled: the journal says which fault answered a request, in the --fault syntax,
// so that an injected failure is told from a real one; the throttle too.
func TestFaultsAreJournaled(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	for _, text := range []string{"list:times=1,status=503,code=APIGW.0503", "list:times=1,rate=1,latency=1ms", "list:times=1,drop=before"} {
		fault, err := liveemulator.ParseFault(text)
		if err != nil {
			t.Fatal(err)
		}
		if fault.String() != text {
			t.Fatalf("%q reads back as %q", text, fault.String())
		}
		if err := env.emulator.InjectFault(fault); err != nil {
			t.Fatal(err)
		}
		before := len(env.emulator.Journal())
		do(t, signedRequest(t, http.MethodGet, env.url+"/v1/"+testProjectID+"/record/callbacks", "", nil, testSecretKey))
		// Go's client sends a GET again on its own after a dropped connection, which may be journaled
		// first: one of the entries since, once the dropped request's handler has ended.
		named := func(entry liveemulator.JournalEntry) bool { return entry.Reason == "injected fault: "+text }
		for deadline := time.Now().Add(5 * time.Second); !slices.ContainsFunc(env.emulator.Journal()[before:], named); {
			if time.Now().After(deadline) {
				t.Fatalf("no journal entry names %s: %+v", text, env.emulator.Journal()[before:])
			}
			time.Sleep(time.Millisecond)
		}
	}
	// A body over the bound is journaled as the operation it was for.
	do(t, signedRequest(t, http.MethodPost, env.url+"/v1/"+testProjectID+"/record/callbacks", "", make([]byte, 70<<10), testSecretKey))
	if entry := lastJournalEntry(t, env.emulator); entry.Operation != liveemulator.OperationCreate || entry.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized create: %+v", entry)
	}
}
