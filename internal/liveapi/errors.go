package liveapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

// The API's error codes (see the Live API error table).
const (
	ErrorCodeInvalidParameter  = "LIVE.100011001"
	ErrorCodeAuthFailed        = "LIVE.100011002"
	ErrorCodeProjectMismatch   = "LIVE.100011015"
	ErrorCodeInternal          = "LIVE.100011005"
	ErrorCodeTooManyRequests   = "LIVE.100011007"
	ErrorCodeAlreadyExists     = "LIVE.103011018"
	ErrorCodeCallbackNotExists = "LIVE.103011019"
)

// IsNotFound reports whether err says the configuration does not exist. The per-operation docs
// list only 400 for errors, so a 400 with the not-found code counts as well as a 404.
func IsNotFound(err error) bool {
	var apiErr *sdkerr.ServiceResponseError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.StatusCode == http.StatusNotFound ||
		(apiErr.StatusCode == http.StatusBadRequest && apiErr.ErrorCode == ErrorCodeCallbackNotExists)
}

// IsAlreadyExists reports whether err says a configuration for the same (publish_domain, app) exists.
func IsAlreadyExists(err error) bool {
	var apiErr *sdkerr.ServiceResponseError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == ErrorCodeAlreadyExists
}

// Describe renders err for a diagnostic: an API error shows its HTTP status, error_code, error_msg
// and request id; any other error (network, timeout) its own message. The number of attempts
// follows when there were several.
func Describe(err error) string {
	var description string
	var apiErr *sdkerr.ServiceResponseError
	if errors.As(err, &apiErr) {
		description = fmt.Sprintf("HTTP status: %d\nerror_code: %s\nerror_msg: %s\nrequest id: %s",
			apiErr.StatusCode, apiErr.ErrorCode, apiErr.ErrorMessage, apiErr.RequestId)
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
