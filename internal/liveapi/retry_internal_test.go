package liveapi

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
)

// timeoutError is a net.Error that timed out, as a dial or read deadline gives.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestTransportErrorClassification(t *testing.T) {
	post := func(err error) error { return &url.Error{Op: "Post", URL: "https://live.example.com/v1", Err: err} }
	cases := []struct {
		name              string
		err               error
		retryable, unsent bool
	}{
		{"dial refused", post(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true, true},
		{"dial timeout", post(&net.OpError{Op: "dial", Net: "tcp", Err: timeoutError{}}), true, true},
		{"dns", post(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "live.example.com", IsTimeout: true}}), true, true},
		{"reset after sending", post(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), true, false},
		{"read timeout", post(&net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}), true, false},
		// http.Client's Timeout: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".
		{"client timeout", post(fmt.Errorf("%w (Client.Timeout exceeded while awaiting headers)", context.DeadlineExceeded)), true, false},
		{"cancelled", post(context.Canceled), false, false},
	}
	for _, tc := range cases {
		if got := retryable(tc.err); got != tc.retryable {
			t.Errorf("%s: retryable %v, want %v", tc.name, got, tc.retryable)
		}
		if got := outcomeUnknown(tc.err); got == tc.unsent && tc.retryable {
			t.Errorf("%s: outcome unknown %v, want %v", tc.name, got, !tc.unsent)
		}
	}
}
