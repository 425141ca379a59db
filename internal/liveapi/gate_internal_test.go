package liveapi

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// TestTheGateKeepsOnlySignatureRefusals: an expired token's refusal ("decrypt token fail") ends with
// a renewal and does not close the gate; a signature's does, for its keys only: other keys, and a
// late request with the old ones, change nothing of each other's.
func TestTheGateKeepsOnlySignatureRefusals(t *testing.T) {
	refusal := func(msg string) error {
		return &sdkerr.ServiceResponseError{StatusCode: http.StatusUnauthorized, ErrorCode: livespec.ErrorCodeGatewayAuth, ErrorMessage: msg}
	}
	var g credentialsGate
	ctx := context.Background()
	pass := func(access string, outcome error) error {
		t.Helper()
		done, err := g.enter(ctx, access)
		if err != nil {
			return err
		}
		done(outcome)
		return nil
	}
	if err := pass("TEMP", refusal(livespec.GatewayTokenFailed)); err != nil {
		t.Fatal(err)
	}
	if err := pass("TEMP", nil); err != nil {
		t.Fatalf("an expired token's refusal closed the gate: %v", err)
	}
	if err := pass("OLD", refusal(livespec.GatewaySignatureFailed)); err != nil {
		t.Fatal(err)
	}
	var earlier *refusedEarlierError
	if err := pass("OLD", nil); !errors.As(err, &earlier) {
		t.Fatalf("a refused signature left the gate open: %v", err)
	}
	if err := pass("NEW", nil); err != nil {
		t.Fatalf("new keys met the old ones' refusal: %v", err)
	}
	if err := pass("OLD", nil); !errors.As(err, &earlier) {
		t.Fatalf("the old keys' refusal was forgotten: %v", err)
	}
	if err := pass("NEW", nil); err != nil {
		t.Fatalf("a late request with the old keys changed the new ones': %v", err)
	}
}
