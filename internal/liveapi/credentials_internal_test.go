package liveapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
)

// fakeIssuer issues keys numbered from 1 that live for life, on a clock the test moves.
type fakeIssuer struct {
	mu      sync.Mutex
	now     time.Time
	life    time.Duration
	calls   int
	failing bool
}

func (f *fakeIssuer) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeIssuer) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeIssuer) obtain(context.Context) (issuedKeys, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failing {
		return issuedKeys{}, errors.New("IAM is down")
	}
	return issuedKeys{keys: keys{access: string(rune('0' + f.calls))}, requestedAt: f.now, asked: f.life, expiresAt: f.now.Add(f.life)}, nil
}

func (f *fakeIssuer) ring() *keyRing {
	ring := renewedKeys(f.obtain)
	ring.schedule.now = f.clock
	return ring
}

// TestKeyRingSchedule: keys are renewed half their life (at most five minutes) before they expire; a
// failed renewal keeps the current ones until they expire, is retried at most every
// renewalRetryDelay from the end of the attempt, and fails once they have expired.
func TestKeyRingSchedule(t *testing.T) {
	issuer := &fakeIssuer{now: time.Unix(1_800_000_000, 0), life: 10 * time.Minute}
	ring := issuer.ring()
	ctx := context.Background()
	get := func(wantAccess string, wantCalls int, wantErr bool) {
		t.Helper()
		k, err := ring.get(ctx)
		if (err != nil) != wantErr || (!wantErr && k.access != wantAccess) || issuer.calls != wantCalls {
			t.Fatalf("got %q, %v after %d calls; want %q, error %v after %d calls", k.access, err, issuer.calls, wantAccess, wantErr, wantCalls)
		}
	}
	get("1", 1, false)
	get("1", 1, false) // fresh: not fetched again
	issuer.advance(6 * time.Minute)
	issuer.failing = true
	get("1", 2, false) // due, failed: the current keys serve
	issuer.advance(renewalRetryDelay / 2)
	get("1", 2, false) // too soon to try again
	issuer.advance(renewalRetryDelay)
	get("1", 3, false)
	issuer.advance(5 * time.Minute) // past expiry
	get("", 4, true)
	get("", 5, true) // without usable keys, every request tries
	issuer.failing = false
	get("6", 6, false)
	if !issuer.clock().Before(ring.schedule.renewAt) {
		t.Fatal("renewed keys are due at once")
	}
}

// TestKeyRingOneRenewalAtATime: requests without keys wait for the one renewal in flight, or give up
// with their own context; while it runs, requests with keys that last sign with them at once.
func TestKeyRingOneRenewalAtATime(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	now := time.Now()
	ring := renewedKeys(func(ctx context.Context) (issuedKeys, error) {
		n := calls.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			return issuedKeys{}, ctx.Err()
		}
		return issuedKeys{keys: keys{access: string('0' + n)}, requestedAt: time.Now(), asked: time.Hour, expiresAt: time.Now().Add(time.Hour)}, nil
	})
	results := make(chan string, 4)
	for range 4 {
		go func() {
			k, err := ring.get(context.Background())
			if err != nil {
				results <- err.Error()
				return
			}
			results <- k.access
		}()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	impatient, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := ring.get(impatient); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a waiting request must give up with its own context: %v", err)
	}
	close(release)
	for range 4 {
		if got := <-results; got != "1" {
			t.Fatalf("want the one renewal's keys, got %q", got)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d renewals for concurrent requests, want 1", n)
	}

	// Due again: one request renews, and the others sign with the keys that still last.
	ring.schedule.now = func() time.Time { return now.Add(58 * time.Minute) }
	block := make(chan struct{})
	ring.obtain = func(context.Context) (issuedKeys, error) { <-block; return issuedKeys{}, errors.New("late") }
	go func() { _, _ = ring.get(context.Background()) }()
	for {
		ring.mu.Lock()
		inFlight := ring.renewal != nil
		ring.mu.Unlock()
		if inFlight {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if k, err := ring.get(impatient); err != nil || k.access != "1" {
		t.Fatalf("keys that last must sign during a renewal: %+v %v", k, err)
	}
	close(block)
}

// TestRenewalLife: the life is measured on the local clock and never more than asked; clocks so far
// apart that the expiry looks past give what was asked.
func TestRenewalLife(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	r := renewing{now: func() time.Time { return now }}
	for _, tc := range []struct {
		asked, serverLife, wantLife time.Duration
	}{
		{time.Hour, time.Hour, time.Hour},
		{time.Hour, 3 * time.Second, 3 * time.Second}, // the server gave less
		{time.Hour, 3 * time.Hour, time.Hour},         // the local clock is behind
		{time.Hour, -time.Hour, time.Hour},            // the local clock is far ahead
		{0, -time.Hour, 0},                            // handed out already expired: fetched again at the next request
	} {
		r.issued(now, tc.asked, now.Add(tc.serverLife), false)
		if got := r.expiresAt.Sub(now); got != tc.wantLife {
			t.Errorf("asked %v, server %v: life %v, want %v", tc.asked, tc.serverLife, got, tc.wantLife)
		}
	}
}

// TestKeyRingSharesAFailedRenewal: a fetch that ends by its own bound (IAM's 30 s per request, here
// shortened) while its caller still waits is a verdict on the issuer: the requests that waited get
// its error at once, rather than each trying in turn.
func TestKeyRingSharesAFailedRenewal(t *testing.T) {
	var calls atomic.Int32
	ring := renewedKeys(func(ctx context.Context) (issuedKeys, error) {
		calls.Add(1)
		bounded, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		<-bounded.Done()
		return issuedKeys{}, fmt.Errorf("IAM did not answer: %w", bounded.Err())
	})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ring.get(context.Background())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		var noKeys *NoKeysError
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &noKeys) {
			t.Fatalf("want the shared timeout, got %v", err)
		}
	}
	if n := calls.Load(); n > 2 {
		t.Fatalf("%d fetches one after another for concurrent requests", n)
	}
}

// TestTemporaryKeysLiveOnTheLocalClock: IAM's clock 10 minutes ahead of ours, credentials that live
// an hour: their expiry is moved to the local clock by the answer's Date, so they are renewed before
// they expire, not 10 minutes after (and without a Date, the issuer's clock is all there is).
func TestTemporaryKeysLiveOnTheLocalClock(t *testing.T) {
	local := time.Now()
	iamNow := local.Add(10 * time.Minute).Truncate(time.Second)
	answer := &iammodel.Credential{Access: "AK", Secret: "SK", Securitytoken: "T", ExpiresAt: iamNow.Add(time.Hour).UTC().Format(iamExpiryLayout)}
	issued, err := temporaryKeys(answer, local, oidcCredentialsLife, serverClock{date: iamNow, receivedAt: local})
	if err != nil {
		t.Fatal(err)
	}
	r := renewing{now: time.Now}
	r.issued(issued.requestedAt, issued.asked, issued.expiresAt, issued.onLocalClock)
	if life := r.expiresAt.Sub(local); life > time.Hour || life < time.Hour-2*time.Second {
		t.Fatalf("a life of %s on the local clock, want an hour", life)
	}
	if margin := r.expiresAt.Sub(r.renewAt); margin != 5*time.Minute {
		t.Fatalf("renewed %s before the end, want 5 minutes", margin)
	}
}
