package liveapi_test

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

const callbackKey = "RetryTestKey0123456789abcdefXYZ012"

// newFaultyClient returns an emulator with the faults and a client that retries quickly.
func newFaultyClient(t *testing.T, maxRetries int, faults ...liveemulator.Fault) (*liveemulator.Server, *liveapi.Client) {
	t.Helper()
	return newFaultyClientWith(t, liveemulator.Options{}, liveapi.Config{MaxRetries: maxRetries}, faults...)
}

// newFaultyClientWith is newFaultyClient with the emulator's options, and the client's retry and
// timeout settings from cfg.
func newFaultyClientWith(t *testing.T, opts liveemulator.Options, cfg liveapi.Config, faults ...liveemulator.Fault) (*liveemulator.Server, *liveapi.Client) {
	t.Helper()
	e := emulatortest.Start(t, opts)
	for _, f := range faults {
		if err := e.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Endpoint, cfg.ProjectID, cfg.AccessKey, cfg.SecretKey, cfg.UserAgent = e.URL, projectID, accessKey, secretKey, "test"
	cfg.RetryBaseDelay, cfg.RetryMaxDelay = time.Millisecond, 10*time.Millisecond
	client, err := liveapi.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e.Server, client
}

func spec() liveapi.CallbackSpec {
	url, signType, key := "https://receiver.example.com/n", livespec.SignTypeMD5, callbackKey
	return liveapi.CallbackSpec{PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: &url,
		Events: []string{livespec.EventRecordOver}, SignType: &signType, Key: &key}
}

func requests(e *liveemulator.Server) map[string]int { return e.RequestCounts() }

func TestCreateRetries(t *testing.T) {
	cases := map[string]struct {
		fault liveemulator.Fault
		want  map[string]int // requests per operation
	}{
		// A 5xx may have been applied: each is followed by a lookup before the next attempt.
		"500": {liveemulator.Fault{Operation: "create", Times: 2, Status: 500}, map[string]int{"create": 3, "list": 2}},
		"503": {liveemulator.Fault{Operation: "create", Times: 1, Status: 503, ErrorCode: "APIGW.0503"}, map[string]int{"create": 2, "list": 1}},
		// A throttle or a 429 was not applied: no lookup.
		"throttle": {liveemulator.Fault{Operation: "create", Times: 2, Status: 500, ErrorCode: livespec.ErrorCodeTooManyRequests}, map[string]int{"create": 3}},
		"429":      {liveemulator.Fault{Operation: "create", Times: 1, Status: 429, ErrorCode: "APIGW.0308"}, map[string]int{"create": 2}},
		// A connection dropped before the change: the lookup finds nothing, the POST is sent again.
		"reset before apply": {liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropBeforeApply}, map[string]int{"create": 2, "list": 1}},
		// The response to an applied POST is lost: the lookup adopts it, the key is set again, no second POST.
		"response lost": {liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropAfterApply}, map[string]int{"create": 1, "list": 1, "update": 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			emulator, client := newFaultyClient(t, 5, tc.fault)
			created, err := client.Create(context.Background(), spec())
			if err != nil {
				t.Fatal(err)
			}
			stored := emulator.Callbacks()
			if len(stored) != 1 || stored[0].ID != created.ID || stored[0].Key != callbackKey {
				t.Fatalf("want exactly the created callback with its key, got %+v (created %s)", stored, created.ID)
			}
			if got := requests(emulator); !sameCounts(got, tc.want) {
				t.Fatalf("requests %v, want %v", got, tc.want)
			}
		})
	}
}

func sameCounts(got, want map[string]int) bool {
	for op, n := range want {
		if got[op] != n {
			return false
		}
	}
	for op, n := range got {
		if want[op] != n {
			return false
		}
	}
	return true
}

func TestCreateAdoptsOnlyAMatchingConfiguration(t *testing.T) {
	emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "create", Times: 1, Status: 500})
	if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: projectID, PublishDomain: "publish.example.com", App: "live",
		Events: []string{livespec.EventRecordOver}, SignType: livespec.SignTypeHMACSHA256}); err != nil {
		t.Fatal(err)
	}
	_, err := client.Create(context.Background(), spec())
	var conflict *liveapi.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("an existing configuration with other settings must not be adopted: %v", err)
	}
}

// TestCreateNeverAdoptsAPreexistingConfiguration: a colleague's configuration for the same pair,
// created before our create was sent, is never adopted, even when it matches and the clocks agree:
// our POST is refused as a duplicate but answered 502, and the lookup finds theirs.
func TestCreateNeverAdoptsAPreexistingConfiguration(t *testing.T) {
	for _, age := range []time.Duration{time.Hour, 10 * time.Second, 2 * time.Second} {
		t.Run(age.String(), func(t *testing.T) {
			emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "create", Times: 1, Status: 502, Apply: true})
			theirs := addTheirs(t, emulator, time.Now().Add(-age))
			_, err := client.Create(context.Background(), spec())
			var conflict *liveapi.ConflictError
			if !errors.As(err, &conflict) || !conflict.Preexisting || conflict.Existing.ID != theirs.ID {
				t.Fatalf("want a conflict naming %s, got %v", theirs.ID, err)
			}
			if got := requests(emulator); !sameCounts(got, map[string]int{"create": 1, "list": 1}) {
				t.Fatalf("nothing but the lookup may follow: %v", got)
			}
			if stored, _ := emulator.Callback(theirs.ID); stored.Key != theirs.Key {
				t.Fatal("their key must be left alone")
			}
		})
	}
}

// addTheirs stores a colleague's configuration with our spec's settings, created at createTime on
// the server's clock.
func addTheirs(t *testing.T, emulator *liveemulator.Server, createTime time.Time) liveemulator.Callback {
	t.Helper()
	s := spec()
	theirs, err := emulator.AddCallback(liveemulator.Callback{ProjectID: projectID, PublishDomain: s.PublishDomain, App: s.App,
		NotifyCallbackURL: *s.NotifyCallbackURL, Events: s.Events, SignType: *s.SignType, Key: "TheirKey0123456789abcdefXYZ0123456",
		CreateTime: createTime})
	if err != nil {
		t.Fatal(err)
	}
	return theirs
}

// TestCreateAdoptsItsOwnAppliedCreate: applied, then answered 502: adopted, exactly one configuration.
func TestCreateAdoptsItsOwnAppliedCreate(t *testing.T) {
	emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "create", Times: 1, Status: 502, Apply: true})
	created, err := client.Create(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	if stored := emulator.Callbacks(); len(stored) != 1 || stored[0].ID != created.ID || stored[0].Key != callbackKey {
		t.Fatalf("want exactly the adopted callback with its key: %+v", stored)
	}
	if got := requests(emulator); !sameCounts(got, map[string]int{"create": 1, "list": 1, "update": 1}) {
		t.Fatalf("requests %v", got)
	}
}

// TestCreateJudgesAdoptionOnTheServersClock: with the server's clock 5 minutes ahead of ours or
// behind it, a colleague's identical configuration created 40 seconds before our create (refused as
// a duplicate, answered 502) is refused with no PUT, and our own applied create (answered 502) is
// adopted, exactly one configuration.
func TestCreateJudgesAdoptionOnTheServersClock(t *testing.T) {
	for _, offset := range []time.Duration{5 * time.Minute, -5 * time.Minute} {
		opts := liveemulator.Options{ClockOffset: offset}
		fault := liveemulator.Fault{Operation: "create", Times: 1, Status: 502, Apply: true}
		t.Run(offset.String()+"/theirs", func(t *testing.T) {
			emulator, client := newFaultyClientWith(t, opts, liveapi.Config{MaxRetries: 5}, fault)
			theirs := addTheirs(t, emulator, time.Now().Add(offset-40*time.Second))
			_, err := client.Create(context.Background(), spec())
			var conflict *liveapi.ConflictError
			if !errors.As(err, &conflict) || !conflict.Preexisting || conflict.Existing.ID != theirs.ID {
				t.Fatalf("want a conflict naming %s, got %v", theirs.ID, err)
			}
			if n := requests(emulator)["update"]; n != 0 {
				t.Fatalf("%d PUTs to their configuration", n)
			}
		})
		t.Run(offset.String()+"/ours", func(t *testing.T) {
			emulator, client := newFaultyClientWith(t, opts, liveapi.Config{MaxRetries: 5}, fault)
			created, err := client.Create(context.Background(), spec())
			if stored := emulator.Callbacks(); err != nil || len(stored) != 1 || stored[0].ID != created.ID || stored[0].Key != callbackKey {
				t.Fatalf("want ours adopted with its key, exactly one configuration: %+v %v (stored %+v)", created, err, stored)
			}
		})
	}
}

// TestCreateAdoptsNothingWithoutTheServersClock: the lookup's answer has no Date header (a proxy
// dropped it): our own applied create cannot be told from a colleague's, so it is not adopted, and
// the conflict names it.
func TestCreateAdoptsNothingWithoutTheServersClock(t *testing.T) {
	emulator := emulatortest.Start(t, liveemulator.Options{})
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Status: 502, Apply: true}); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emulator.ServeHTTP(rewrittenDate{w, noDate}, r)
	}))
	defer server.Close()
	client := clientThrough(t, server.URL)
	_, err := client.Create(context.Background(), spec())
	stored := emulator.Callbacks()
	var conflict *liveapi.ConflictError
	if len(stored) != 1 || !errors.As(err, &conflict) || !conflict.NoServerClock || conflict.Existing.ID != stored[0].ID {
		t.Fatalf("want a conflict naming %+v, got %v", stored, err)
	}
	if n := emulator.RequestCounts()["update"]; n != 0 {
		t.Fatalf("%d PUTs to a configuration of unknown owner", n)
	}
}

// rewrittenDate answers with the Date header that date gives, none when it gives nil, as a proxy
// that drops or rewrites it (net/http adds its own Date unless the header is set to nil).
type rewrittenDate struct {
	http.ResponseWriter
	date func() []string
}

func (d rewrittenDate) WriteHeader(status int) {
	d.Header()["Date"] = d.date()
	d.ResponseWriter.WriteHeader(status)
}

func (d rewrittenDate) Write(b []byte) (int, error) {
	d.Header()["Date"] = d.date()
	return d.ResponseWriter.Write(b)
}

// noDate drops the Date header; anHourLate gives one an hour behind the server's.
func noDate() []string { return nil }

func anHourLate() []string { return []string{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)} }

// clientThrough is a client of the server at url (a proxy in front of an emulator) that retries
// quickly.
func clientThrough(t *testing.T, url string) *liveapi.Client {
	t.Helper()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: url, ProjectID: projectID, AccessKey: accessKey,
		SecretKey: secretKey, UserAgent: "test", MaxRetries: 3, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestCreateAnsweredWithoutAnIDWhateverTheClocks: a 201 without an id, and the configuration found
// looks older than the create (a clock far off): the 201 says this create made it, so it is this
// create's, not someone else's.
func TestCreateAnsweredWithoutAnIDWhateverTheClocks(t *testing.T) {
	emulator, client := newFaultyClientWith(t, liveemulator.Options{ClockOffset: -10 * time.Minute}, liveapi.Config{MaxRetries: 5},
		liveemulator.Fault{Operation: "create", Times: 1, Omit: []string{"id"}})
	created, err := client.Create(context.Background(), spec())
	stored := emulator.Callbacks()
	if err != nil || len(stored) != 1 || created.ID != stored[0].ID {
		t.Fatalf("want %+v as the created configuration, got %+v, %v", stored, created, err)
	}
}

// TestCreateAnsweredWithoutAnIDNeverTakesOtherSettings: a 201 without an id, and by the time of the
// lookup the configuration for the pair has other settings (changed by someone else): it is named in
// a conflict, not taken.
func TestCreateAnsweredWithoutAnIDNeverTakesOtherSettings(t *testing.T) {
	emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: accessKey, SecretKey: secretKey,
		Projects: []liveemulator.Project{{ID: projectID, Name: "cn-north-4"}}}}})
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Omit: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emulator.ServeHTTP(w, r)
		if r.Method == http.MethodPost {
			for _, cb := range emulator.Callbacks() {
				if err := emulator.ModifyCallback(cb.ID, func(cb *liveemulator.Callback) { cb.NotifyCallbackURL = "https://theirs.example.com/n" }); err != nil {
					t.Error(err)
				}
			}
		}
	}))
	defer server.Close()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, ProjectID: projectID, AccessKey: accessKey, SecretKey: secretKey, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	created, err := client.Create(context.Background(), spec())
	stored := emulator.Callbacks()
	var conflict *liveapi.ConflictError
	if len(stored) != 1 || !errors.As(err, &conflict) || conflict.Existing.ID != stored[0].ID || created.ID != "" {
		t.Fatalf("want a conflict naming %+v and no id, got %+v, %v", stored, created, err)
	}
}

// TestDeleteLookupTrustsOnlyTheAPIsNotFound: a delete's outcome is unknown (502), and the lookup that
// follows meets the gateway's 404 APIG.0101: that says nothing about the configuration, so the delete
// is sent again rather than reported done while the configuration still exists.
func TestDeleteLookupTrustsOnlyTheAPIsNotFound(t *testing.T) {
	emulator, client := newFaultyClient(t, 5,
		liveemulator.Fault{Operation: "delete", Times: 1, Status: 502},
		liveemulator.Fault{Operation: "show", Times: 1, NotPublished: true})
	created, err := emulator.AddCallback(liveemulator.Callback{ProjectID: projectID, PublishDomain: "publish.example.com", App: "live"})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Delete(context.Background(), created.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := emulator.Callback(created.ID); ok {
		t.Fatal("the delete was reported done, and the configuration still exists")
	}
	if got := requests(emulator); !sameCounts(got, map[string]int{"delete": 2, "show": 1}) {
		t.Fatalf("requests %v", got)
	}
}

// TestCreateKeepsTheAdoptedIDWhenSettingTheKeyFails: the id comes back with the error, never lost.
func TestCreateKeepsTheAdoptedIDWhenSettingTheKeyFails(t *testing.T) {
	emulator, client := newFaultyClient(t, 5,
		liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropAfterApply},
		liveemulator.Fault{Operation: "update", Times: 1, Status: 403, ErrorCode: "APIGW.0305"})
	created, err := client.Create(context.Background(), spec())
	stored := emulator.Callbacks()
	if err == nil || len(stored) != 1 || created.ID != stored[0].ID {
		t.Fatalf("want an error with the adopted id %v: %+v, %v", stored, created, err)
	}
}

// TestCreateAnsweredWithoutAnID: a 201 without an id is completed by a lookup, never stored empty.
func TestCreateAnsweredWithoutAnID(t *testing.T) {
	emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "create", Times: 1, Omit: []string{"id"}})
	created, err := client.Create(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	if stored := emulator.Callbacks(); len(stored) != 1 || created.ID == "" || stored[0].ID != created.ID {
		t.Fatalf("want the stored id, got %q (%+v)", created.ID, stored)
	}
}

func TestNoRetryOn4xx(t *testing.T) {
	emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "create", Times: 1, Status: 403, ErrorCode: "APIGW.0305"})
	_, err := client.Create(context.Background(), spec())
	if err == nil || requests(emulator)["create"] != 1 {
		t.Fatalf("a 403 is final: %v after %v", err, requests(emulator))
	}
	if strings.Contains(err.Error(), "attempts") {
		t.Fatalf("one attempt is not worth counting: %v", err)
	}
}

func TestRetriesExhausted(t *testing.T) {
	emulator, client := newFaultyClient(t, 2, liveemulator.Fault{Operation: "show", Status: 503})
	_, err := client.Show(context.Background(), "id")
	var attempts *liveapi.AttemptsError
	if !errors.As(err, &attempts) || attempts.Attempts != 3 || requests(emulator)["show"] != 3 {
		t.Fatalf("want 3 attempts, got %v (%v)", err, requests(emulator))
	}
	if d := liveapi.Describe(err); !strings.Contains(d, "HTTP status: 503") || !strings.Contains(d, "attempts: 3 (retries exhausted)") {
		t.Fatalf("Describe: %s", d)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	fault := liveemulator.Fault{Operation: "show", Times: 1, Status: 429, RetryAfter: 2}
	emulator, client := newFaultyClient(t, 5, fault)
	// The API asks for 2 s; with 1 s left the client gives up rather than retry early.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := client.Show(ctx, "id")
	if err == nil || !strings.Contains(err.Error(), "would come after the operation's timeout") || requests(emulator)["show"] != 1 {
		t.Fatalf("want no early retry, got %v (%v)", err, requests(emulator))
	}

	emulator, client = newFaultyClient(t, 5, fault)
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.Show(ctx, "id"); !liveapi.IsNotFound(err) || requests(emulator)["show"] != 2 {
		t.Fatalf("want a retry after 2 s: %v (%v)", err, requests(emulator))
	}
}

func TestUpdateAndDeleteWithLostResponses(t *testing.T) {
	emulator, client := newFaultyClient(t, 5)
	ctx := context.Background()
	created, err := client.Create(ctx, spec())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []liveemulator.Fault{
		{Operation: "update", Times: 1, Drop: liveemulator.DropAfterApply},
		{Operation: "delete", Times: 1, Drop: liveemulator.DropAfterApply},
	} {
		if err := emulator.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	changed := spec()
	changed.Events = []string{livespec.EventRecordFailed}
	updated, err := client.Update(ctx, created.ID, changed)
	if err != nil || updated.ID != created.ID || updated.Events[0] != livespec.EventRecordFailed {
		t.Fatalf("update: %+v %v", updated, err)
	}
	if err := client.Delete(ctx, created.ID); err != nil {
		t.Fatalf("a delete whose response was lost is settled by a lookup: %v", err)
	}
	if n := len(emulator.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks left", n)
	}
	if got := requests(emulator); got["update"] != 2 || got["delete"] != 1 || got["show"] != 1 {
		t.Fatalf("requests %v", got)
	}
}

func TestSlowCreateResponseIsSettled(t *testing.T) {
	emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "create", Times: 1, Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	// The change is made but its response outlives the timeout: the lookup after the deadline
	// finds it, so nothing is orphaned.
	created, err := client.Create(ctx, spec())
	if err != nil {
		t.Fatal(err)
	}
	if stored := emulator.Callbacks(); len(stored) != 1 || stored[0].ID != created.ID {
		t.Fatalf("stored %+v, created %s", stored, created.ID)
	}
}

func TestCancelStopsAtOnce(t *testing.T) {
	emulator, client := newFaultyClient(t, 5, liveemulator.Fault{Operation: "show", Latency: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := client.Show(ctx, "id")
	if !errors.Is(err, context.Canceled) || requests(emulator)["show"] != 1 {
		t.Fatalf("want the cancellation after one attempt, got %v (%v)", err, requests(emulator))
	}
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + listener.Addr().String()
	listener.Close()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: url, ProjectID: projectID, AccessKey: accessKey, SecretKey: secretKey,
		UserAgent: "test", MaxRetries: 2, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Show(context.Background(), "id")
	var attempts *liveapi.AttemptsError
	if !errors.As(err, &attempts) || attempts.Attempts != 3 {
		t.Fatalf("want 3 attempts on a refused connection, got %v", err)
	}
}

// newTimeoutClient is newFaultyClient with a short per-request timeout.
func newTimeoutClient(t *testing.T, faults ...liveemulator.Fault) (*liveemulator.Server, *liveapi.Client) {
	t.Helper()
	return newFaultyClientWith(t, liveemulator.Options{}, liveapi.Config{MaxRetries: 3, RequestTimeout: 300 * time.Millisecond}, faults...)
}

// TestRequestTimeoutIsRetried: an attempt that outlives the per-request timeout is retried while the
// operation has time left, as the README says.
func TestRequestTimeoutIsRetried(t *testing.T) {
	emulator, client := newTimeoutClient(t)
	created, err := client.Create(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "show", Times: 1, Latency: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	shown, err := client.Show(ctx, created.ID)
	if err != nil || shown.ID != created.ID {
		t.Fatalf("a timed-out attempt must be retried: %+v %v", shown, err)
	}
	if n := requests(emulator)["show"]; n != 2 {
		t.Fatalf("%d show requests, want 2", n)
	}
}

// TestCreateTimeoutIsSettled: a POST that times out may have been applied: the lookup adopts it
// rather than sending a second POST.
func TestCreateTimeoutIsSettled(t *testing.T) {
	emulator, client := newTimeoutClient(t, liveemulator.Fault{Operation: "create", Times: 1, Latency: 30 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	created, err := client.Create(ctx, spec())
	if err != nil {
		t.Fatal(err)
	}
	if stored := emulator.Callbacks(); len(stored) != 1 || stored[0].ID != created.ID {
		t.Fatalf("stored %+v, created %s", stored, created.ID)
	}
	if got := requests(emulator); !sameCounts(got, map[string]int{"create": 1, "list": 1, "update": 1}) {
		t.Fatalf("requests %v", got)
	}
}

// TestHandshakeTimeoutIsAPlainRetry: a server that accepts connections and never completes the TLS
// handshake. Each attempt times out before its request is written, so nothing was sent: the create
// is retried without lookups in between.
func TestHandshakeTimeoutIsAPlainRetry(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn) // held open, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, conn := range conns {
			conn.Close()
		}
	}()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: "https://" + listener.Addr().String(), ProjectID: projectID,
		AccessKey: accessKey, SecretKey: secretKey, UserAgent: "test", MaxRetries: 2,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond, RequestTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Create(context.Background(), spec())
	var attempts *liveapi.AttemptsError
	if !errors.As(err, &attempts) || attempts.Attempts != 3 {
		t.Fatalf("want 3 attempts, got %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(conns) != 3 {
		t.Fatalf("%d connections, want 3: one per attempt and no lookups", len(conns))
	}
}

// TestCreateWithAnUnreadableAnswerIsSettled: the POST is applied but its 201 cannot be decoded. The
// lookup adopts it rather than failing and orphaning it.
func TestCreateWithAnUnreadableAnswerIsSettled(t *testing.T) {
	emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: accessKey, SecretKey: secretKey,
		Projects: []liveemulator.Project{{ID: projectID, Name: "cn-north-4"}}}}})
	var truncated atomic.Bool
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !truncated.CompareAndSwap(false, true) {
			emulator.ServeHTTP(w, r)
			return
		}
		recorder := httptest.NewRecorder()
		emulator.ServeHTTP(recorder, r)
		maps.Copy(w.Header(), recorder.Header())
		w.WriteHeader(recorder.Code)
		_, _ = w.Write(recorder.Body.Bytes()[:10]) // cut short, as a broken proxy might
	}))
	defer server.Close()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, ProjectID: projectID, AccessKey: accessKey, SecretKey: secretKey,
		UserAgent: "test", MaxRetries: 3, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	created, err := client.Create(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	if stored := emulator.Callbacks(); len(stored) != 1 || stored[0].ID != created.ID || stored[0].Key != callbackKey {
		t.Fatalf("want the adopted callback with its key: %+v (created %s)", stored, created.ID)
	}
}

// TestCreateAdoptedWithAnIncompleteKeyAnswer: after adopting its own create, the PUT that sets the
// key is answered without an id: the adopted id is kept, never returned empty.
func TestCreateAdoptedWithAnIncompleteKeyAnswer(t *testing.T) {
	emulator, client := newFaultyClient(t, 5,
		liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropAfterApply},
		liveemulator.Fault{Operation: "update", Times: 1, Omit: []string{"id", "create_time"}})
	created, err := client.Create(context.Background(), spec())
	stored := emulator.Callbacks()
	if err != nil || len(stored) != 1 || created.ID != stored[0].ID || created.CreateTime == "" {
		t.Fatalf("want the adopted id and create_time: %+v %v (stored %+v)", created, err, stored)
	}
}

// TestCreateNeverAdoptsWhatAppearedAfterALookupFoundNothing: the first attempt's response is lost,
// and the lookup finds nothing: it was not applied. Seconds later the next attempt is refused as a
// duplicate, because someone else created the pair in between: theirs is not adopted, though it was
// created after the first attempt and matches.
func TestCreateNeverAdoptsWhatAppearedAfterALookupFoundNothing(t *testing.T) {
	emulator := emulatortest.Start(t, liveemulator.Options{})
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropBeforeApply}); err != nil {
		t.Fatal(err)
	}
	var theirs liveemulator.Callback
	var posts atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 2 {
			// At least 2.5 s after the first attempt (the backoff), 2 s before this one.
			theirs = addTheirs(t, emulator.Server, time.Now().Add(-2*time.Second))
		}
		emulator.ServeHTTP(w, r)
	}))
	defer server.Close()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, ProjectID: projectID, AccessKey: accessKey, SecretKey: secretKey,
		UserAgent: "test", MaxRetries: 3, RetryBaseDelay: 5 * time.Second, RetryMaxDelay: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Create(context.Background(), spec())
	var conflict *liveapi.ConflictError
	if !errors.As(err, &conflict) || !conflict.Preexisting || conflict.Existing.ID != theirs.ID {
		t.Fatalf("want a conflict naming theirs (%s), got %v", theirs.ID, err)
	}
	if stored, _ := emulator.Callback(theirs.ID); stored.Key != theirs.Key || emulator.RequestCounts()["update"] != 0 {
		t.Fatal("theirs must be left alone")
	}
}

// TestCreateRefusedAfterAnUnknownOutcome: the first POST is applied and its answer lost; the
// lookups fail, and the next POST is refused as a duplicate. A last lookup decides: ours, adopted;
// or, when no lookup works, an error that says the configuration may be ours.
func TestCreateRefusedAfterAnUnknownOutcome(t *testing.T) {
	t.Run("the last lookup adopts it", func(t *testing.T) {
		emulator, client := newFaultyClient(t, 5,
			liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropAfterApply},
			liveemulator.Fault{Operation: "list", Times: 2, Status: 503})
		created, err := client.Create(context.Background(), spec())
		if stored := emulator.Callbacks(); err != nil || len(stored) != 1 || stored[0].ID != created.ID || stored[0].Key != callbackKey {
			t.Fatalf("want ours adopted with its key: %+v %v (stored %+v)", created, err, stored)
		}
	})
	t.Run("no lookup works", func(t *testing.T) {
		emulator, client := newFaultyClient(t, 5,
			liveemulator.Fault{Operation: "create", Times: 1, Drop: liveemulator.DropAfterApply},
			liveemulator.Fault{Operation: "list", Status: 503})
		_, err := client.Create(context.Background(), spec())
		if !errors.Is(err, liveapi.ErrCreateUnsettled) || !liveapi.IsAlreadyExists(err) {
			t.Fatalf("want ErrCreateUnsettled over the refusal, got %v", err)
		}
		if n := requests(emulator)["update"]; n != 0 {
			t.Fatalf("%d updates: nothing may be written to a configuration of unknown owner", n)
		}
	})
}

// TestShowDistrustsIncompleteAnswers: an answer without publish_domain or app is an error; one
// without an id is about the id asked for.
func TestShowDistrustsIncompleteAnswers(t *testing.T) {
	emulator, client := newFaultyClient(t, 0)
	created, err := client.Create(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []liveemulator.Fault{
		{Operation: "show", Times: 1, Omit: []string{"id"}},
		{Operation: "show", Times: 1, Omit: []string{"publish_domain"}},
	} {
		if err := emulator.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	if shown, err := client.Show(context.Background(), created.ID); err != nil || shown.ID != created.ID {
		t.Fatalf("an answer without id: %+v %v", shown, err)
	}
	if shown, err := client.Show(context.Background(), created.ID); err == nil || !strings.Contains(err.Error(), "cannot be trusted") {
		t.Fatalf("an answer without publish_domain: %+v %v", shown, err)
	}
}

// TestOnlyTheExpectedSuccessIsASuccess: a redirect (a proxy or a login page in the way) is never
// taken for a success: a delete so answered fails, names the status and the endpoint hint, and the
// configuration stays; nothing is retried through the same proxy.
func TestOnlyTheExpectedSuccessIsASuccess(t *testing.T) {
	emulator, client := newFaultyClient(t, 5)
	created, err := client.Create(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	for _, operation := range []string{"delete", "show", "update", "list", "create"} {
		t.Run(operation, func(t *testing.T) {
			emulator.ClearFaults()
			if err := emulator.InjectFault(liveemulator.Fault{Operation: operation, Redirect: "https://login.example.com/"}); err != nil {
				t.Fatal(err)
			}
			before := requests(emulator)[operation]
			ctx := context.Background()
			switch operation {
			case "delete":
				err = client.Delete(ctx, created.ID)
			case "show":
				_, err = client.Show(ctx, created.ID)
			case "update":
				_, err = client.Update(ctx, created.ID, spec())
			case "list":
				_, err = client.ListAll(ctx, "", "")
			case "create":
				other := spec()
				other.App = "other"
				_, err = client.Create(ctx, other)
			}
			var unexpected *liveapi.UnexpectedStatusError
			if !errors.As(err, &unexpected) || unexpected.StatusCode != http.StatusFound {
				t.Fatalf("want the 302 as an error, got %v", err)
			}
			if d := liveapi.Describe(err); !strings.Contains(d, "HTTP status: 302") || !strings.Contains(d, "https://login.example.com/") ||
				!strings.Contains(d, "Check the provider's endpoint and region") {
				t.Fatalf("the error must name the status, the redirect and the hint:\n%s", d)
			}
			if n := requests(emulator)[operation] - before; n != 1 {
				t.Fatalf("%d requests: a redirect is not retried", n)
			}
			if stored := emulator.Callbacks(); len(stored) != 1 || stored[0].ID != created.ID {
				t.Fatalf("the store changed: %+v", stored)
			}
		})
	}
}

// TestAnswersAboutAnotherConfigurationAreRefused: a show or an update answered with another
// configuration's body fails naming both ids; a create so answered is settled by a lookup, which
// finds its own configuration.
func TestAnswersAboutAnotherConfigurationAreRefused(t *testing.T) {
	emulator, client := newFaultyClient(t, 5)
	theirs := addTheirs(t, emulator, time.Now().Add(-time.Hour))
	ours := spec()
	ours.App = "ours"
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, OtherBody: true}); err != nil {
		t.Fatal(err)
	}
	created, err := client.Create(context.Background(), ours)
	if err != nil || created.ID == theirs.ID || created.App != "ours" {
		t.Fatalf("want our own configuration, got %+v %v", created, err)
	}
	for _, operation := range []string{"show", "update"} {
		if err := emulator.InjectFault(liveemulator.Fault{Operation: operation, Times: 1, OtherBody: true}); err != nil {
			t.Fatal(err)
		}
		if operation == "show" {
			_, err = client.Show(context.Background(), created.ID)
		} else {
			_, err = client.Update(context.Background(), created.ID, ours)
		}
		var other *liveapi.OtherConfigurationError
		if !errors.As(err, &other) || !strings.Contains(err.Error(), created.ID) || !strings.Contains(err.Error(), theirs.ID) {
			t.Fatalf("%s: want an error naming %s and %s, got %v", operation, created.ID, theirs.ID, err)
		}
	}
	if stored, _ := emulator.Callback(theirs.ID); stored.Key != theirs.Key || stored.App != theirs.App {
		t.Fatalf("theirs changed: %+v", stored)
	}
}

// TestCreateWindowOpensAtTheFirstAttemptThatMayHaveMadeIt: the first attempt is answered 429 (made
// nothing), a colleague then creates the identical configuration, and the second attempt is refused
// as a duplicate but answered 502: theirs was made before any attempt that may have made ours, so it
// is refused, with no PUT.
func TestCreateWindowOpensAtTheFirstAttemptThatMayHaveMadeIt(t *testing.T) {
	emulator := emulatortest.Start(t, liveemulator.Options{})
	for _, f := range []liveemulator.Fault{
		{Operation: "create", Times: 1, Status: 429, ErrorCode: "APIGW.0308", RetryAfter: 3},
		{Operation: "create", Times: 1, Status: 502, Apply: true},
	} {
		if err := emulator.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	var theirs liveemulator.Callback
	var posts atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emulator.ServeHTTP(w, r)
		if r.Method == http.MethodPost && posts.Add(1) == 1 {
			theirs = addTheirs(t, emulator.Server, time.Now())
		}
	}))
	defer server.Close()
	client := clientThrough(t, server.URL)
	_, err := client.Create(context.Background(), spec())
	var conflict *liveapi.ConflictError
	if !errors.As(err, &conflict) || !conflict.Preexisting || conflict.Existing.ID != theirs.ID {
		t.Fatalf("want a conflict naming theirs (%s), got %v", theirs.ID, err)
	}
	if stored, _ := emulator.Callback(theirs.ID); stored.Key != theirs.Key || emulator.RequestCounts()["update"] != 0 {
		t.Fatal("theirs must be left alone")
	}
}

// TestCreateDistrustsADateBehindTheConfiguration: a proxy answers with a Date an hour behind the
// server's; a colleague's identical configuration created 40 seconds before our create (refused as
// a duplicate, answered 502) has a create_time later than that Date, which no server clock can give:
// the Date is not the server's, and nothing is adopted or written to.
func TestCreateDistrustsADateBehindTheConfiguration(t *testing.T) {
	emulator := emulatortest.Start(t, liveemulator.Options{})
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Status: 502, Apply: true}); err != nil {
		t.Fatal(err)
	}
	theirs := addTheirs(t, emulator.Server, time.Now().Add(-40*time.Second))
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emulator.ServeHTTP(rewrittenDate{w, anHourLate}, r)
	}))
	defer server.Close()
	client := clientThrough(t, server.URL)
	_, err := client.Create(context.Background(), spec())
	var conflict *liveapi.ConflictError
	if !errors.As(err, &conflict) || !conflict.NoServerClock || conflict.Existing.ID != theirs.ID {
		t.Fatalf("want a conflict naming theirs (%s), got %v", theirs.ID, err)
	}
	if stored, _ := emulator.Callback(theirs.ID); stored.Key != theirs.Key || emulator.RequestCounts()["update"] != 0 {
		t.Fatal("theirs must be left alone")
	}
}
