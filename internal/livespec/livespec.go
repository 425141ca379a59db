// Package livespec holds the inert facts of the Huawei Cloud Live recording callback API as its
// documentation gives them: error codes, enum values, defaults, the time layout, list bounds and
// field lengths. It is a leaf package that the client, the provider and the emulator all import.
// Rules (what a domain name or a callback URL may be) are not facts: the provider's validators and
// the emulator each write their own from the documentation, and a differential fuzz test holds
// them to the same verdicts.
package livespec

import "time"

// Error codes of the Live API's error table, and the API gateway's code for an API it does not know.
const (
	ErrorCodeInvalidParameter  = "LIVE.100011001" // 400: "Request Illegal"
	ErrorCodeInternal          = "LIVE.100011005" // 500
	ErrorCodeTooManyRequests   = "LIVE.100011007" // 500: the concurrency throttle
	ErrorCodeProjectMismatch   = "LIVE.100011015" // 401: X-Project-Id differs from the path
	ErrorCodeAlreadyExists     = "LIVE.103011018" // 400: a configuration for (publish_domain, app) exists
	ErrorCodeCallbackNotExists = "LIVE.103011019" // 404 (or 400): the configuration does not exist

	ErrorCodeAPINotPublished = "APIG.0101" // 404 from the gateway: "The API does not exist or has not been published"
)

// The API gateway checks signatures before Live or IAM see a request, and answers 401 APIGW.0301
// with these messages (its FAQ "Common Errors Related to IAM Authentication Information").
const (
	ErrorCodeGatewayAuth = "APIGW.0301"

	GatewayAuthPrefix      = "Incorrect IAM authentication information: "
	GatewaySignatureFailed = GatewayAuthPrefix + "verify aksk signature fail"
	// GatewayUnknownAccessKey is a format of the access key.
	GatewayUnknownAccessKey = GatewayAuthPrefix + "Get secretKey failed,ak:%s,err:ak not exist"
	GatewayTokenFailed      = GatewayAuthPrefix + "decrypt token fail"
	GatewayAccessKeyLocked  = GatewayAuthPrefix + "AK access failed to reach the limit,forbidden"

	// More than GatewayLockoutFailures failed signatures in a row lock an access key for
	// GatewayLockout.
	GatewayLockoutFailures = 5
	GatewayLockout         = 5 * time.Minute
)

// Field lengths.
const (
	PublishDomainMaxLength = 255
	AppMaxLength           = 128
	KeyMinLength           = 32
)

// AppWildcard is the app that matches every application; an exact app is preferred over it.
const AppWildcard = "*"

// The sign_type values.
const (
	SignTypeHMACSHA256 = "HMACSHA256"
	SignTypeMD5        = "MD5"
)

// The notify_event_subscription values.
const (
	EventRecordNewFileStart = "RECORD_NEW_FILE_START"
	EventRecordFileComplete = "RECORD_FILE_COMPLETE"
	EventRecordOver         = "RECORD_OVER"
	EventRecordFailed       = "RECORD_FAILED"
)

// DefaultSignType and DefaultEvent are what the API applies when a request leaves them out.
const (
	DefaultSignType = SignTypeHMACSHA256
	DefaultEvent    = EventRecordFileComplete
)

// Events lists every notify_event_subscription value in the order a recording produces them.
var Events = []string{EventRecordNewFileStart, EventRecordFileComplete, EventRecordOver, EventRecordFailed}

// SignTypes lists every sign_type value.
var SignTypes = []string{SignTypeHMACSHA256, SignTypeMD5}

// TimeLayout is the layout of create_time and update_time, yyyy-mm-ddThh:mm:ssZ in UTC.
const TimeLayout = "2006-01-02T15:04:05Z"

// List paging bounds: limit 1 to ListLimitMax (ListLimitDefault when absent), offset 0 to
// ListOffsetMax.
const (
	ListLimitMax     = 100
	ListLimitDefault = 10
	ListOffsetMax    = 4096
)
