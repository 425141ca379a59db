package liveapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

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

// wrongEndpointHint follows a 404 that is not the Live API's own, and any success the operation
// does not answer with: the request did not reach the API.
const wrongEndpointHint = "hint: this is not an answer of the Live API (whose \"does not exist\" is " + livespec.ErrorCodeCallbackNotExists +
	"): the request did not reach it. Check the provider's endpoint and region (and any proxy in between)."

// iamRefusalHint follows an error of IAM, which answers the exchanges of temporary credentials.
const iamRefusalHint = "hint: IAM refused to issue credentials. With OIDC federation, check idp_id, and that the ID token in " +
	"id_token_file is fresh (CI systems issue one per job, valid for minutes) and issued for the identity provider's " +
	"issuer and audience. With assume_role, check agency_name and domain_name or domain_id, and that the agency trusts " +
	"the user of the base credentials. For a private deployment, check iam_endpoint."

// gatewayAuthHint follows the API gateway's refusal of a signature or of credentials.
const gatewayAuthHint = "hint: the API gateway refused the request's credentials. Check access_key and secret_key (and " +
	"security_token with temporary credentials), and that this machine's clock is within 15 minutes of the right time. " +
	"After more than five failed signatures in a row the gateway locks the access key for 5 minutes: wait before trying again."

// metadataHint follows a failure of the ECS metadata service, the last source of credentials.
const metadataHint = "hint: the ECS metadata service gives credentials only on an ECS instance with an agency attached. " +
	"Elsewhere, set credentials: access_key and secret_key, or idp_id and id_token_file (or their environment " +
	"variables), or the SDK's credentials file."

// Describe renders err for a diagnostic: an API error shows its HTTP status, error_code, error_msg
// and request id; any other error (network, timeout) its own message. The number of attempts
// follows when there were several.
func Describe(err error) string {
	var description string
	var apiErr *sdkerr.ServiceResponseError
	var unexpected *UnexpectedStatusError
	switch {
	case errors.As(err, &unexpected):
		description = unexpected.Error() + "\nrequest id: " + unexpected.RequestID + "\n" + unexpected.hint()
	case errors.As(err, &apiErr):
		description = fmt.Sprintf("HTTP status: %d\nerror_code: %s\nerror_msg: %s\nrequest id: %s",
			apiErr.StatusCode, apiErr.ErrorCode, apiErr.ErrorMessage, apiErr.RequestId)
		iamError := strings.HasPrefix(apiErr.ErrorCode, "IAM.")
		if apiErr.StatusCode == http.StatusNotFound && !IsNotFound(err) && !iamError {
			description += "\n" + wrongEndpointHint
		}
		if iamError && apiErr.StatusCode < http.StatusInternalServerError {
			description += "\n" + iamRefusalHint // a 5xx is IAM failing, not refusing
		}
		if apiErr.ErrorCode == livespec.ErrorCodeGatewayAuth {
			description += "\n" + gatewayAuthHint
		}
	case errors.Is(err, ErrNoMetadataCredentials):
		return err.Error() + "\n" + metadataHint
	default:
		return err.Error()
	}
	if what := credentialsFailure(err); what != "" {
		description = what + ":\n" + description
	}
	var earlier *refusedEarlierError
	if errors.As(err, &earlier) {
		what := "Not sent"
		if attempts := (*AttemptsError)(nil); errors.As(err, &attempts) && attempts.Attempts > 1 {
			what = "The last attempt was not sent"
		}
		description = what + ": the API gateway refused these credentials in an earlier request of this run (below), and " +
			"more refused requests would lock the access key.\n" + description
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

// credentialsFailure says which credentials IAM refused when err is such a failure, "" otherwise.
func credentialsFailure(err error) string {
	var agencyErr *AgencyError
	switch {
	case errors.As(err, &agencyErr):
		return fmt.Sprintf("assuming agency %q failed", agencyErr.Agency)
	case errors.Is(err, ErrCredentialsRefused):
		return ErrCredentialsRefused.Error() + " (OIDC federation)"
	}
	return ""
}

// ErrProjectDiscovery marks a failure to discover the project ID from IAM.
var ErrProjectDiscovery = errors.New("unable to discover the project ID from IAM")

// ErrCreateUnsettled marks a create refused as a duplicate after an attempt whose outcome was
// unknown, when no lookup could tell whether the configuration that exists is the one it made.
var ErrCreateUnsettled = errors.New("an earlier attempt of this create had an unknown outcome, so the configuration " +
	"that exists may be the one it made")

// ErrCreateMayHaveApplied marks a create that ended without an answer that settles it after an
// attempt whose outcome was unknown: the configuration may exist.
var ErrCreateMayHaveApplied = errors.New("an earlier attempt of this create had an unknown outcome, and no later request " +
	"settled it: the configuration may exist")

// AttemptsError is the last error of an operation that made several attempts.
type AttemptsError struct {
	Attempts int
	Reason   string // why no further attempt was made, when not evident from Err
	Err      error
}

func attemptsError(attempts int, err error, reason string) error {
	if attempts == 1 && reason == "" {
		return err
	}
	return &AttemptsError{Attempts: attempts, Reason: reason, Err: err}
}

func (e *AttemptsError) Error() string {
	msg := fmt.Sprintf("%v (after %d attempts", e.Err, e.Attempts)
	if e.Reason != "" {
		msg += "; " + e.Reason
	}
	return msg + ")"
}

func (e *AttemptsError) Unwrap() error { return e.Err }

// ConflictError says that, after a create whose outcome was unknown, a configuration for the same
// (publish_domain, app) was found that the create did not make, or cannot be told to have made: it
// existed before the create, it differs from what was to be created, or the server's clock could not
// be read. It was not adopted and nothing was sent to it.
type ConflictError struct {
	Existing    Callback
	Preexisting bool
	// NoServerClock: the lookup's answer had no readable Date header, or one that contradicts the
	// configuration's times, so when the configuration was made, against when this create was sent,
	// cannot be told.
	NoServerClock bool
}

func (e *ConflictError) Error() string {
	if e.NoServerClock {
		return fmt.Sprintf("a recording callback for publish_domain %q and app %q exists with id %s, created at %s; the API's "+
			"answer had no readable Date header, or one earlier than the configuration's times (not the server's clock), so "+
			"whether this create made it cannot be told, and it was not adopted",
			e.Existing.PublishDomain, e.Existing.App, e.Existing.ID, e.Existing.CreateTime)
	}
	if e.Preexisting {
		return fmt.Sprintf("a recording callback for publish_domain %q and app %q already exists with id %s, created at %s, "+
			"before this create was sent", e.Existing.PublishDomain, e.Existing.App, e.Existing.ID, e.Existing.CreateTime)
	}
	return fmt.Sprintf("a recording callback for publish_domain %q and app %q already exists with id %s and other settings",
		e.Existing.PublishDomain, e.Existing.App, e.Existing.ID)
}

// UnexpectedStatusError is an answer below 400 that is not the success the operation answers with:
// a redirect (never followed), or a proxy's or login page's 200 to a create or a delete, whatever
// its body. The SDK would take it for a success; nothing in it is the API's.
type UnexpectedStatusError struct {
	Method     string
	StatusCode int
	RequestID  string
	Location   string // of a redirect
	IAM        bool   // the request was IAM's, not the Live API's
}

func (e *UnexpectedStatusError) Error() string {
	service := "the Live API"
	if e.IAM {
		service = "IAM"
	}
	msg := fmt.Sprintf("HTTP status: %d, which %s never answers a %s with", e.StatusCode, service, e.Method)
	if e.Location != "" {
		msg += fmt.Sprintf(" (a redirect to %s, not followed)", e.Location)
	}
	return msg
}

// hint says where to look: the request did not reach the service.
func (e *UnexpectedStatusError) hint() string {
	if e.IAM {
		return "hint: this is not an answer of IAM: the request did not reach it. Check the provider's iam_endpoint " +
			"(and any proxy in between)."
	}
	return wrongEndpointHint
}

// OtherConfigurationError is an answer about another configuration than the one asked for: a proxy or
// a cache answering with another object's body. Nothing in it is believed.
type OtherConfigurationError struct {
	Asked, Answered string
}

func (e *OtherConfigurationError) Error() string {
	return fmt.Sprintf("the answer about the configuration %s is about the configuration %s: it cannot be trusted", e.Asked, e.Answered)
}

// notSentError is the error of a request whose headers were never written.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }
