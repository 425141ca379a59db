package liveapi

import (
	"errors"
	"testing"
	"time"
)

// TestRenewalSchedule: credentials are renewed half their life (at most five minutes) before they
// expire; a failed renewal keeps the current ones until they expire, is retried at most every
// renewalRetryDelay from the end of the attempt, and fails once they have expired.
func TestRenewalSchedule(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	r := renewing{now: func() time.Time { return now }}
	r.issued(now, 0, now.Add(10*time.Minute))
	renewals := 0
	failing := func() error { renewals++; return errors.New("IAM is down") }
	working := func() error { renewals++; r.issued(now, 0, now.Add(10*time.Minute)); return nil }

	if err := r.renewIfDue(failing); err != nil || renewals != 0 {
		t.Fatalf("before the renewal time: %v, %d renewals", err, renewals)
	}
	now = now.Add(6 * time.Minute)
	if err := r.renewIfDue(failing); err != nil || renewals != 1 {
		t.Fatalf("a failed renewal must keep the current credentials: %v, %d renewals", err, renewals)
	}
	now = now.Add(renewalRetryDelay / 2)
	if err := r.renewIfDue(failing); err != nil || renewals != 1 {
		t.Fatalf("retried too soon: %d renewals", renewals)
	}
	// A renewal that hangs, then fails: the delay counts from its end.
	now = now.Add(renewalRetryDelay)
	slow := func() error { now = now.Add(30 * time.Second); renewals++; return errors.New("IAM timed out") }
	if err := r.renewIfDue(slow); err != nil || renewals != 2 {
		t.Fatalf("slow renewal: %v, %d renewals", err, renewals)
	}
	if err := r.renewIfDue(failing); err != nil || renewals != 2 {
		t.Fatalf("retried right after a slow failure: %d renewals", renewals)
	}
	now = now.Add(5 * time.Minute) // past expiry
	if err := r.renewIfDue(failing); err == nil {
		t.Fatal("expired credentials were kept after a failed renewal")
	}
	if err := r.renewIfDue(working); err != nil || !now.Before(r.renewAt) {
		t.Fatalf("a renewal that works again: %v", err)
	}
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
		r.issued(now, tc.asked, now.Add(tc.serverLife))
		if got := r.expiresAt.Sub(now); got != tc.wantLife {
			t.Errorf("asked %v, server %v: life %v, want %v", tc.asked, tc.serverLife, got, tc.wantLife)
		}
	}
}
