package liveapi_test

import (
	"context"
	"errors"
	"net/http"
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

// concurrentLists runs n lists at once and returns their errors.
func concurrentLists(client *liveapi.Client, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = client.List(context.Background(), liveapi.ListFilter{})
		}()
	}
	wg.Wait()
	return errs
}

// TestARefusedKeyIsNotSentAgain: with a wrong secret key, twenty requests at once (a refresh of
// twenty resources) send one: the gateway's refusal fails the others unsent, so that the client never
// locks its own access key (more than five refusals in a row); right keys then work at once.
func TestARefusedKeyIsNotSentAgain(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{})
	wrong, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.URL, ProjectID: projectID, AccessKey: accessKey,
		SecretKey: "WrongSecretKey0123456789abcdefXYZ", UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	unsent := 0
	for _, err := range concurrentLists(wrong, 20) {
		var apiErr *sdkerr.ServiceResponseError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.ErrorMessage != livespec.GatewaySignatureFailed {
			t.Fatalf("want the gateway's refusal, got %v", err)
		}
		if strings.HasPrefix(liveapi.Describe(err), "Not sent: the API gateway refused these credentials in an earlier request") {
			unsent++
		}
	}
	if sent := len(e.Journal()); sent != 1 || unsent != 19 {
		t.Fatalf("%d requests sent and %d failed unsent, want 1 and 19", sent, unsent)
	}
	right, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.URL, ProjectID: projectID, AccessKey: accessKey,
		SecretKey: secretKey, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range concurrentLists(right, 20) {
		if err != nil {
			t.Fatalf("the right keys after one refusal: %v", err)
		}
	}
}

// TestTheGateOpensOnAnyOutcome: the first request waits for no one, the others for its outcome: an
// answer, or none (a dropped connection, retried), opens the gate to every request.
func TestTheGateOpensOnAnyOutcome(t *testing.T) {
	e, client := newFaultyClient(t, 3, liveemulator.Fault{Operation: liveemulator.OperationList, Times: 2, Drop: liveemulator.DropBeforeApply},
		liveemulator.Fault{Operation: liveemulator.OperationList, Times: 1, Status: 400, ErrorCode: livespec.ErrorCodeInvalidParameter})
	errs := concurrentLists(client, 10)
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != 1 || e.PendingFaults() != 0 {
		t.Fatalf("%d of 10 lists failed (want the one answered 400), %d faults unmet", failed, e.PendingFaults())
	}
	// Answered, the keys are accepted: requests go at once, held by nothing.
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationList, Times: 5, Latency: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	go concurrentLists(client, 5)
	deadline := time.Now().Add(5 * time.Second)
	for e.InFlight(liveemulator.OperationList) < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("%d lists in flight at once, want 5", e.InFlight(liveemulator.OperationList))
		}
		time.Sleep(time.Millisecond)
	}
}

// TestALaterRefusalClosesTheGate: keys accepted, then refused (revoked, or expired temporary keys),
// fail the requests that follow unsent.
func TestALaterRefusalClosesTheGate(t *testing.T) {
	e, client := newFaultyClient(t, 0)
	if _, err := client.List(context.Background(), liveapi.ListFilter{}); err != nil {
		t.Fatal(err)
	}
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationList, Times: 1, Status: http.StatusUnauthorized,
		ErrorCode: livespec.ErrorCodeGatewayAuth}); err != nil {
		t.Fatal(err)
	}
	before := len(e.Journal())
	for _, err := range []error{concurrentLists(client, 1)[0], concurrentLists(client, 1)[0]} {
		var apiErr *sdkerr.ServiceResponseError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode != livespec.ErrorCodeGatewayAuth {
			t.Fatalf("want the gateway's refusal, got %v", err)
		}
	}
	if sent := len(e.Journal()) - before; sent != 1 {
		t.Fatalf("%d requests sent after the keys were refused, want the one refused", sent)
	}
}

// TestACreateWhoseKeysAreRefusedAfterAnUnknownOutcome: the first attempt's outcome is unknown (it
// made the configuration), the lookup's keys are refused, and the retry is not sent: the create fails
// saying the configuration may exist, not that nothing was sent.
func TestACreateWhoseKeysAreRefusedAfterAnUnknownOutcome(t *testing.T) {
	e, client := newFaultyClient(t, 3,
		liveemulator.Fault{Operation: liveemulator.OperationCreate, Times: 1, Status: http.StatusBadGateway, Apply: true},
		liveemulator.Fault{Operation: liveemulator.OperationList, Times: 1, Status: http.StatusUnauthorized, ErrorCode: livespec.ErrorCodeGatewayAuth})
	_, err := client.Create(context.Background(), spec())
	if !errors.Is(err, liveapi.ErrCreateMayHaveApplied) || !strings.HasPrefix(liveapi.Describe(err), "The last attempt was not sent") {
		t.Fatalf("got %v\n%s", err, liveapi.Describe(err))
	}
	if n := len(e.Callbacks()); n != 1 {
		t.Fatalf("the emulator holds %d configurations, want the one the first attempt made", n)
	}
}

// TestUnsentRequestsHandTheirTurnOn: requests that cannot be sent at all (nothing listens) end, each
// with its own error, none waiting for ever behind another.
func TestUnsentRequestsHandTheirTurnOn(t *testing.T) {
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: "http://127.0.0.1:1", ProjectID: projectID, AccessKey: accessKey,
		SecretKey: secretKey, UserAgent: "test", MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := client.List(ctx, liveapi.ListFilter{})
			errs <- err
		}()
	}
	for range 10 {
		if err := <-errs; err == nil || ctx.Err() != nil || strings.Contains(err.Error(), "waiting for the first request") {
			t.Fatalf("an unsent request: %v (context: %v)", err, ctx.Err())
		}
	}
}
