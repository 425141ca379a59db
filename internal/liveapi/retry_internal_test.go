package liveapi

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

// timeoutError is a net.Error that timed out, as a dial or read deadline gives.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestTransportErrorClassification(t *testing.T) {
	post := func(err error) error { return &url.Error{Op: "Post", URL: "https://live.example.com/v1", Err: err} }
	cases := []struct {
		name                    string
		err                     error
		retryable, maybeActedOn bool
	}{
		{"dial refused", &notSentError{post(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})}, true, false},
		{"dial timeout", &notSentError{post(context.DeadlineExceeded)}, true, false},
		{"dns", &notSentError{post(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "timeout", Name: "live.example.com", IsTimeout: true}})}, true, false},
		{"reset after sending", post(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), true, true},
		{"read timeout", post(&net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}), true, true},
		// http.Client's Timeout: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".
		{"client timeout", post(fmt.Errorf("%w (Client.Timeout exceeded while awaiting headers)", context.DeadlineExceeded)), true, true},
		{"unreadable 201", &sdkerr.ServiceResponseError{StatusCode: 201, ErrorMessage: "unexpected end of JSON input"}, true, true},
		// The per-request timeout may also end an attempt as a cancellation; the operation's own
		// cancellation (Ctrl-C) is told by its context, before these rules apply.
		{"cancelled by the per-request timeout", post(context.Canceled), true, true},
	}
	for _, tc := range cases {
		if got := retryable(tc.err); got != tc.retryable {
			t.Errorf("%s: retryable %v, want %v", tc.name, got, tc.retryable)
		}
		if got := outcomeUnknown(tc.err); got != tc.maybeActedOn && tc.retryable {
			t.Errorf("%s: outcome unknown %v, want %v", tc.name, got, tc.maybeActedOn)
		}
	}
}
