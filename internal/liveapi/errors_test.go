package liveapi_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

func TestIsNotFoundOnlyForTheLiveCode(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   bool
	}{
		{404, liveapi.ErrorCodeCallbackNotExists, true},
		{400, liveapi.ErrorCodeCallbackNotExists, true},
		{404, "APIG.0101", false}, // the gateway: wrong endpoint or region
		{404, "", false},          // a proxy's page
		{400, liveapi.ErrorCodeInvalidParameter, false},
		{500, liveapi.ErrorCodeCallbackNotExists, false},
	}
	for _, tc := range cases {
		err := fmt.Errorf("wrapped: %w", &sdkerr.ServiceResponseError{StatusCode: tc.status, ErrorCode: tc.code, RequestId: "r"})
		if got := liveapi.IsNotFound(err); got != tc.want {
			t.Errorf("%d %s: IsNotFound %v, want %v", tc.status, tc.code, got, tc.want)
		}
		if hint := strings.Contains(liveapi.Describe(err), "endpoint and region"); hint != (tc.status == 404 && !tc.want) {
			t.Errorf("%d %s: the endpoint hint is shown: %v", tc.status, tc.code, hint)
		}
	}
	if liveapi.IsNotFound(errors.New("404 Not Found")) {
		t.Error("a plain error is not the API's not-found")
	}
}
