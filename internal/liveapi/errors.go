package liveapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// IsNotFound reports whether err is the Live API's own "does not exist": LIVE.103011019 with a 404
// or, as the per-operation docs list only 400, a 400. Any other 404 (the gateway's APIG.0101 for a
// wrong endpoint or region, a proxy's page) says nothing about the configuration.
func IsNotFound(err error) bool {
	var apiErr *sdkerr.ServiceResponseError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == livespec.ErrorCodeCallbackNotExists &&
		(apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusBadRequest)
}

// IsAlreadyExists reports whether err says a configuration for the same (publish_domain, app) exists.
func IsAlreadyExists(err error) bool {
	var apiErr *sdkerr.ServiceResponseError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == livespec.ErrorCodeAlreadyExists
}

// wrongEndpointHint follows a 404 that is not the Live API's own: the request did not reach the API.
const wrongEndpointHint = "hint: this is not the Live API's \"does not exist\" (" + livespec.ErrorCodeCallbackNotExists + "): the " +
	"request did not reach the Live API. Check the provider's endpoint and region (and any proxy in between)."

// Describe renders err for a diagnostic: an API error shows its HTTP status, error_code, error_msg
// and request id; any other error (network, timeout) its own message. The number of attempts
// follows when there were several.
func Describe(err error) string {
	var description string
	var apiErr *sdkerr.ServiceResponseError
	if errors.As(err, &apiErr) {
		description = fmt.Sprintf("HTTP status: %d\nerror_code: %s\nerror_msg: %s\nrequest id: %s",
			apiErr.StatusCode, apiErr.ErrorCode, apiErr.ErrorMessage, apiErr.RequestId)
		if apiErr.StatusCode == http.StatusNotFound && !IsNotFound(err) {
			description += "\n" + wrongEndpointHint
		}
	} else {
		return err.Error()
	}
	var attemptsErr *AttemptsError
	if errors.As(err, &attemptsErr) {
		description += fmt.Sprintf("\nattempts: %d", attemptsErr.Attempts)
		if attemptsErr.Reason != "" {
			description += " (" + attemptsErr.Reason + ")"
		}
	}
	return description
}
