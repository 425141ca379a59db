package liveapi

import (
	"errors"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
)

// TestAgencyRenewal: credentials are renewed half their life before they expire; a failed renewal
// keeps the current ones until they expire, is retried at most every renewalRetryDelay, and fails
// the request once they have expired.
func TestAgencyRenewal(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	renewals, failing := 0, false
	first := &basic.Credentials{}
	a := &agencyCredentials{role: AssumeRole{Duration: time.Hour}, now: func() time.Time { return now }, current: first}
	a.expiresAt = now.Add(10 * time.Minute)
	a.renewAt = now.Add(5 * time.Minute)
	renew := func() error {
		renewals++
		if failing {
			return errors.New("IAM is down")
		}
		a.current = &basic.Credentials{}
		a.expiresAt, a.renewAt, a.lastFailure = now.Add(10*time.Minute), now.Add(5*time.Minute), time.Time{}
		return nil
	}
	fresh := func() (*basic.Credentials, error) { return a.freshWith(renew) }

	if got, err := fresh(); err != nil || got != first || renewals != 0 {
		t.Fatalf("before renewAt: %v, renewed %d times", err, renewals)
	}
	failing = true
	now = now.Add(6 * time.Minute)
	if got, err := fresh(); err != nil || got != first || renewals != 1 {
		t.Fatalf("a failed renewal must keep the current credentials: %v, renewed %d times", err, renewals)
	}
	now = now.Add(renewalRetryDelay / 2)
	if _, err := fresh(); err != nil || renewals != 1 {
		t.Fatalf("retried too soon: %d renewals", renewals)
	}
	now = now.Add(renewalRetryDelay)
	if _, err := fresh(); err != nil || renewals != 2 {
		t.Fatalf("not retried after the delay: %d renewals", renewals)
	}
	// A renewal that hangs, then fails: the delay counts from its end.
	slow := func() error { now = now.Add(30 * time.Second); renewals++; return errors.New("IAM timed out") }
	now = now.Add(renewalRetryDelay)
	if _, err := a.freshWith(slow); err != nil || renewals != 3 {
		t.Fatalf("slow renewal: %v, %d renewals", err, renewals)
	}
	if _, err := fresh(); err != nil || renewals != 3 {
		t.Fatalf("retried right after a slow failure: %d renewals", renewals)
	}
	now = now.Add(5 * time.Minute) // past expiry
	if _, err := fresh(); err == nil {
		t.Fatal("expired credentials were used after a failed renewal")
	}
	failing = false
	if got, err := fresh(); err != nil || got == first {
		t.Fatalf("a renewal that works again: %v", err)
	}
}
