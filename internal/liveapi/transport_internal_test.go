package liveapi

import (
	"errors"
	"net/http"
	"testing"
)

// TestTransportRefusesOtherHosts: with both endpoints configured, a request anywhere else (such as
// the SDK's own fallback to a public STS endpoint) never leaves the machine.
func TestTransportRefusesOtherHosts(t *testing.T) {
	transport, err := newContextTransport(false, []string{"127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, "https://sts.cn-north-4.myhuaweicloud.com/v5/caller-identity", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := transport.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrHostNotAllowed) {
		t.Fatalf("got %v, want ErrHostNotAllowed", err)
	}
}
