package liveemulator_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livereceiver"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

func eventTypes(received []livereceiver.Received) string {
	var types []string
	for _, r := range received {
		types = append(types, r.Event.EventType)
	}
	return strings.Join(types, " ")
}

func TestRecordPicksTheExactAppAndSubscribedEvents(t *testing.T) {
	emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
	exact := &livereceiver.Receiver{SignType: "MD5", Key: testKey}
	wildcard := &livereceiver.Receiver{SignType: "HMACSHA256", Key: testKey}
	exactServer, wildcardServer := httptest.NewServer(exact), httptest.NewServer(wildcard)
	defer exactServer.Close()
	defer wildcardServer.Close()
	for _, cb := range []liveemulator.Callback{
		{App: "live", NotifyCallbackURL: exactServer.URL, SignType: "MD5", Key: testKey,
			Events: []string{livespec.EventRecordNewFileStart, livespec.EventRecordOver, livespec.EventRecordFailed}},
		{App: "*", NotifyCallbackURL: wildcardServer.URL, SignType: "HMACSHA256", Key: testKey, Events: livespec.Events},
	} {
		cb.ProjectID, cb.PublishDomain = testProjectID, "publish.example.com"
		if _, err := emulator.AddCallback(cb); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()

	if _, err := emulator.Record(ctx, liveemulator.Recording{PublishDomain: "publish.example.com", App: "live", Stream: "s1", Files: 2}); err != nil {
		t.Fatal(err)
	}
	if got := eventTypes(exact.Received()); got != "RECORD_NEW_FILE_START RECORD_NEW_FILE_START RECORD_OVER" {
		t.Fatalf("the exact app's receiver got %q", got)
	}
	if _, err := emulator.Record(ctx, liveemulator.Recording{PublishDomain: "publish.example.com", App: "sports", Stream: "s2", FailWith: "disk full"}); err != nil {
		t.Fatal(err)
	}
	received := wildcard.Received()
	if got := eventTypes(received); got != "RECORD_NEW_FILE_START RECORD_FAILED" {
		t.Fatalf("the wildcard's receiver got %q", got)
	}
	if failed := received[1].Event; failed.ErrorMessage != "disk full" || failed.App != "sports" || failed.Stream != "s2" {
		t.Fatalf("the failure notification: %+v", failed)
	}
	for _, r := range append(exact.Received(), received...) {
		if r.Err != nil {
			t.Fatalf("%s does not verify: %v", r.Event.EventType, r.Err)
		}
	}
	if deliveries, dropped := emulator.Deliveries(), emulator.DeliveriesDropped(); len(deliveries) != 5 || dropped != 0 {
		t.Fatalf("the delivery log holds %d deliveries (%d dropped), want 5", len(deliveries), dropped)
	}
	if _, err := emulator.Record(ctx, liveemulator.Recording{PublishDomain: "other.example.com", App: "live", Stream: "s"}); err == nil {
		t.Fatal("a recording that no configuration applies to must be an error")
	}
}

// TestRecordSignsEachNotificationWhenSent: a recording's deliveries take time; each notification is
// stamped and signed when sent, so a receiver that refuses replays older than 5 minutes takes them all.
func TestRecordSignsEachNotificationWhenSent(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	receiver := &livereceiver.Receiver{SignType: "MD5", Key: testKey, Now: now,
		// Each delivery takes two minutes on the shared clock.
		OnReceive: func(livereceiver.Received) { mu.Lock(); clock = clock.Add(2 * time.Minute); mu.Unlock() }}
	server := httptest.NewServer(receiver)
	defer server.Close()
	emulator := liveemulator.New(liveemulator.Options{Now: now,
		Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
	if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live",
		NotifyCallbackURL: server.URL, SignType: "MD5", Key: testKey, Events: livespec.Events}); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.Record(context.Background(), liveemulator.Recording{PublishDomain: "publish.example.com", App: "live", Stream: "s", Files: 3}); err != nil {
		t.Fatal(err)
	}
	received := receiver.Received()
	if len(received) != 7 {
		t.Fatalf("the receiver got %d notifications, want 7", len(received))
	}
	for _, r := range received {
		if r.Err != nil {
			t.Fatalf("%s sent %s after the recording began is refused: %v", r.Event.EventType,
				time.Unix(r.Event.AuthTimestamp, 0).Sub(time.Unix(received[0].Event.AuthTimestamp, 0)), r.Err)
		}
	}
}

// TestRecordStopsWhenItsCallerGoesAway: a cancelled recording sends nothing more.
func TestRecordStopsWhenItsCallerGoesAway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	receiver := &livereceiver.Receiver{SignType: "MD5", Key: testKey, OnReceive: func(livereceiver.Received) { cancel() }}
	server := httptest.NewServer(receiver)
	defer server.Close()
	emulator := liveemulator.New(liveemulator.Options{
		Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
	if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live",
		NotifyCallbackURL: server.URL, SignType: "MD5", Key: testKey, Events: livespec.Events}); err != nil {
		t.Fatal(err)
	}
	deliveries, err := emulator.Record(ctx, liveemulator.Recording{PublishDomain: "publish.example.com", App: "live", Stream: "s", Files: 1000})
	if !errors.Is(err, context.Canceled) || len(deliveries) != 1 || len(receiver.Received()) != 1 {
		t.Fatalf("want one delivery and the cancellation, got %d deliveries, %d received, %v", len(deliveries), len(receiver.Received()), err)
	}
}

func TestRecordReportsReceiversThatAreDownOrSlow(t *testing.T) {
	emulator := liveemulator.New(liveemulator.Options{DeliveryTimeout: 100 * time.Millisecond,
		Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + listener.Addr().String()
	listener.Close()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	for app, url := range map[string]string{"down": downURL, "slow": slow.URL} {
		if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: app,
			NotifyCallbackURL: url, Events: []string{livespec.EventRecordOver}, SignType: "MD5"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, app := range []string{"down", "slow"} {
		deliveries, err := emulator.Record(context.Background(), liveemulator.Recording{PublishDomain: "publish.example.com", App: app, Stream: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if len(deliveries) != 1 || deliveries[0].Error == "" || deliveries[0].Status != 0 {
			t.Fatalf("%s receiver: %+v", app, deliveries)
		}
	}
}

// TestDeliveryLogIsBounded: an emulator left running keeps the last MaxDeliveries deliveries and
// counts the others; a recording has 1 to MaxRecordingFiles files.
func TestDeliveryLogIsBounded(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	accept := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer accept.Close()
	if _, err := env.emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "*",
		NotifyCallbackURL: accept.URL, Events: []string{livespec.EventRecordNewFileStart, livespec.EventRecordFileComplete}, SignType: "MD5"}); err != nil {
		t.Fatal(err)
	}
	record := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, env.url+liveemulator.AdminPrefix+"recordings", strings.NewReader(body))
		status, answer, _ := do(t, req)
		return status, answer
	}
	for _, files := range []string{"0", "-1", "1001"} {
		if status, answer := record(`{"publish_domain":"publish.example.com","app":"live","stream":"s","files":` + files + `}`); status != http.StatusBadRequest {
			t.Fatalf("files=%s: %d %s", files, status, answer)
		}
	}
	// 2 events per file: 5 recordings of 1000 files and one of 3 make 10,006 deliveries.
	for _, files := range []int{1000, 1000, 1000, 1000, 1000, 3} {
		if status, answer := record(fmt.Sprintf(`{"publish_domain":"publish.example.com","app":"live","stream":"s","files":%d}`, files)); status != http.StatusOK {
			t.Fatalf("files=%d: %d %.200s", files, status, answer)
		}
	}
	deliveries, dropped := env.emulator.Deliveries(), env.emulator.DeliveriesDropped()
	if len(deliveries) != liveemulator.MaxDeliveries || dropped != 6 {
		t.Fatalf("the log holds %d deliveries and dropped %d, want %d and 6", len(deliveries), dropped, liveemulator.MaxDeliveries)
	}
	req, _ := http.NewRequest(http.MethodGet, env.url+liveemulator.AdminPrefix+"deliveries", nil)
	if _, _, header := do(t, req); header.Get(liveemulator.DeliveriesDroppedHeader) != "6" {
		t.Fatalf("%s: %q", liveemulator.DeliveriesDroppedHeader, header.Get(liveemulator.DeliveriesDroppedHeader))
	}
}

// TestDeliveriesTellWhetherTheSignatureVerifies: each delivery says whether the signature it carried
// verifies with the key the callback has when it is sent: verified, unsigned without a key, and a
// mismatch once the key was rotated during the recording.
func TestDeliveriesTellWhetherTheSignatureVerifies(t *testing.T) {
	emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
	var mu sync.Mutex
	rotate := "" // the callback whose first notification rotates its key before it is answered
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		id := rotate
		rotate = ""
		mu.Unlock()
		if id != "" {
			if err := emulator.ModifyCallback(id, func(cb *liveemulator.Callback) { cb.Key = "RotatedKeyRotatedKeyRotatedKey0123" }); err != nil {
				t.Error(err)
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()
	verdicts := func(app string) []string {
		t.Helper()
		deliveries, err := emulator.Record(context.Background(), liveemulator.Recording{PublishDomain: "publish.example.com", App: app, Stream: "s"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range deliveries {
			if d.ProjectID != testProjectID || d.CallbackID == "" || d.Stream != "s" {
				t.Errorf("a delivery without its project, callback or stream: %+v", d)
			}
			out = append(out, d.Signature)
		}
		return out
	}
	events := []string{livespec.EventRecordNewFileStart, livespec.EventRecordOver}
	var rotatedID string
	for _, cb := range []liveemulator.Callback{
		{App: "signed", Key: testKey}, {App: "unsigned"}, {App: "rotated", Key: testKey},
	} {
		cb.ProjectID, cb.PublishDomain, cb.NotifyCallbackURL, cb.SignType, cb.Events = testProjectID, "publish.example.com", receiver.URL, livespec.SignTypeHMACSHA256, events
		stored, err := emulator.AddCallback(cb)
		if err != nil {
			t.Fatal(err)
		}
		if cb.App == "rotated" {
			rotatedID = stored.ID
		}
	}
	want := map[string][]string{
		"signed":   {liveemulator.SignatureVerified, liveemulator.SignatureVerified},
		"unsigned": {liveemulator.SignatureUnsigned, liveemulator.SignatureUnsigned},
		// A recording signs with the key its callback had when it started.
		"rotated": {liveemulator.SignatureMismatch, liveemulator.SignatureMismatch},
	}
	for _, app := range []string{"signed", "unsigned", "rotated"} {
		if app == "rotated" {
			mu.Lock()
			rotate = rotatedID
			mu.Unlock()
		}
		if got := verdicts(app); !slices.Equal(got, want[app]) {
			t.Errorf("%s: %v, want %v", app, got, want[app])
		}
	}
}
