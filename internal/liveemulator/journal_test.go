package liveemulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// TestJournal: every request the API received is journaled with its account, operation, status,
// error code, request id and user agent; the admin endpoint's are not.
func TestJournal(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{})
	ctx := context.Background()
	created, err := env.client.Create(ctx, validSpec("a.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.Create(ctx, validSpec("a.example.com", "live")); !liveapi.IsAlreadyExists(err) {
		t.Fatalf("a duplicate: %v", err)
	}
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationShow, Times: 1, Drop: liveemulator.DropBeforeApply}); err != nil {
		t.Fatal(err)
	}
	_, _ = env.client.Show(ctx, created.ID) // dropped once, then retried
	do(t, signedRequest(t, http.MethodGet, env.url+"/v1/"+testProjectID+"/record/callbacks", "", nil, "WrongSecretKey0123456789abcdefXYZ"))
	do(t, mustRequest(t, http.MethodGet, env.url+"/nowhere", ""))
	do(t, mustRequest(t, http.MethodGet, env.url+liveemulator.AdminPrefix+"journal", ""))

	type seen struct {
		method, operation string
		status            int
		code              string
	}
	var got []seen
	for _, entry := range env.emulator.Journal() {
		got = append(got, seen{entry.Method, entry.Operation, entry.Status, entry.ErrorCode})
		if !requestIDPattern.MatchString(entry.RequestID) || entry.Time.IsZero() || entry.Latency <= 0 {
			t.Errorf("entry without its request id, time or latency: %+v", entry)
		}
		if entry.Operation == liveemulator.OperationCreate && (entry.Account != emulatortest.DomainName || entry.AccessKey != testAccessKey ||
			!strings.HasSuffix(entry.UserAgent, "liveemulator-test") || entry.Path != "/v1/"+testProjectID+"/record/callbacks") {
			t.Errorf("a create's entry: %+v", entry)
		}
	}
	want := []seen{
		{http.MethodPost, liveemulator.OperationCreate, http.StatusCreated, ""},
		{http.MethodPost, liveemulator.OperationCreate, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists},
		{http.MethodGet, liveemulator.OperationShow, 0, ""},
		{http.MethodGet, liveemulator.OperationShow, http.StatusOK, ""},
		{http.MethodGet, liveemulator.OperationList, http.StatusUnauthorized, livespec.ErrorCodeGatewayAuth},
		{http.MethodGet, "", http.StatusNotFound, livespec.ErrorCodeAPINotPublished},
	}
	if len(got) != len(want) {
		t.Fatalf("journal %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	// The same as JSON, with how many entries were dropped.
	status, body, header := do(t, mustRequest(t, http.MethodGet, env.url+liveemulator.AdminPrefix+"journal", ""))
	var journal []liveemulator.JournalEntry
	if status != http.StatusOK || json.Unmarshal([]byte(body), &journal) != nil || len(journal) != len(want) ||
		header.Get(liveemulator.JournalDroppedHeader) != "0" {
		t.Fatalf("GET journal: %d %s %v", status, body, header)
	}
}

// TestJournalAccounts: the journal names the account of each request, a federated user's included.
func TestJournalAccounts(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{Credentials: []liveemulator.Credential{
		{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects, DomainName: "media"},
	}})
	if _, err := env.client.List(context.Background(), liveapi.ListFilter{}); err != nil {
		t.Fatal(err)
	}
	if entry := lastJournalEntry(t, env.emulator); entry.Account != "media" {
		t.Fatalf("%+v", entry)
	}
}

// TestReset: one admin request empties the configurations of every project, the deliveries, the
// journal, the counts and the faults, and saves the emptied store to --data; the emulator goes on
// serving without a restart.
func TestReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.json")
	env := newPersistentEnv(t, path)
	ctx := context.Background()
	if _, err := env.client.Create(ctx, validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if _, err := env.emulator.AddCallback(liveemulator.Callback{ProjectID: "ffffffffffffffffffffffffffffffff", PublishDomain: "b.example.com", App: "live",
		Events: []string{livespec.EventRecordOver}, SignType: livespec.SignTypeMD5}); err != nil {
		t.Fatal(err)
	}
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationShow, Status: 500, Times: 5}); err != nil {
		t.Fatal(err)
	}
	env.emulator.SetThrottle(1)
	env.emulator.SetClockOffset(time.Hour)

	status, body, _ := do(t, mustRequest(t, http.MethodPost, env.url+liveemulator.AdminPrefix+"reset", ""))
	if status != http.StatusNoContent {
		t.Fatalf("POST reset: %d %s", status, body)
	}
	if n := len(env.emulator.Callbacks()); n != 0 {
		t.Fatalf("%d configurations left", n)
	}
	if len(env.emulator.Journal()) != 0 || len(env.emulator.RequestCounts()) != 0 || env.emulator.PendingFaults() != 0 {
		t.Fatalf("journal %v, counts %v, faults %d", env.emulator.Journal(), env.emulator.RequestCounts(), env.emulator.PendingFaults())
	}
	saved, err := os.ReadFile(path)
	var data struct {
		Callbacks []json.RawMessage `json:"callbacks"`
	}
	if err != nil || json.Unmarshal(saved, &data) != nil || len(data.Callbacks) != 0 {
		t.Fatalf("the data file after reset: %s %v", saved, err)
	}
	// The faults, the throttle and the clock offset are gone: the next calls are served as new.
	created, err := env.client.Create(ctx, validSpec("a.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.Show(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if created, _ := time.Parse(livespec.TimeLayout, created.CreateTime); time.Since(created) > time.Minute {
		t.Fatalf("the clock offset was kept: created at %s", created)
	}
}

// TestResetKeepsTheStoreWhenItCannotSave: a reset that cannot be saved changes nothing.
func TestResetKeepsTheStoreWhenItCannotSave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	env := newPersistentEnv(t, filepath.Join(dir, "live.json"))
	if _, err := env.client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil { // the next save cannot create its temporary file
		t.Fatal(err)
	}
	status, body, _ := do(t, mustRequest(t, http.MethodPost, env.url+liveemulator.AdminPrefix+"reset", ""))
	if status != http.StatusInternalServerError || len(env.emulator.Callbacks()) != 1 {
		t.Fatalf("reset: %d %s, %d configurations", status, body, len(env.emulator.Callbacks()))
	}
}

// TestResetPutsBackTheStart: the faults, throttle and clock offset the emulator started with come
// back whole at a reset, and what was added since goes.
func TestResetPutsBackTheStart(t *testing.T) {
	env := newTestEnv(t, liveemulator.Options{Faults: []liveemulator.Fault{{Operation: liveemulator.OperationList, Times: 1, Status: 503}},
		ClockOffset: -time.Minute})
	ctx := context.Background()
	list := func() error {
		_, err := newClient(t, env.url, liveapi.Config{}).List(ctx, liveapi.ListFilter{})
		return err
	}
	if err := list(); err == nil {
		t.Fatal("the start's fault was not met")
	}
	env.emulator.SetThrottle(1)
	env.emulator.SetClockOffset(time.Hour)
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationList, Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := env.emulator.Reset(); err != nil {
		t.Fatal(err)
	}
	if n := env.emulator.PendingFaults(); n != 1 {
		t.Fatalf("%d counted faults after reset, want the start's one", n)
	}
	if err := list(); err == nil {
		t.Fatal("the start's fault was not put back")
	}
	// No throttle at the start: concurrent requests held by a latency are all served.
	if err := env.emulator.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationList, Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	concurrently(t, 3, func(int) error { return list() })
	if n := env.emulator.ThrottledCount(); n != 0 {
		t.Fatalf("%d requests throttled after reset", n)
	}
	created, err := env.client.Create(ctx, validSpec("a.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := time.Parse(livespec.TimeLayout, created.CreateTime); time.Since(at) < 30*time.Second {
		t.Fatalf("the start's clock offset of -1m was not put back: created at %s", at)
	}
}
