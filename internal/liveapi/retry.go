package liveapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// The operations, as the retry log labels them.
const (
	operationCreate = "create"
	operationShow   = "show"
	operationUpdate = "update"
	operationDelete = "delete"
	operationList   = "list"
	// operationDiscover is the project's discovery from IAM.
	operationDiscover = "discover project"
)

const (
	// DefaultMaxRetries is how many times a failed request is retried unless configured otherwise.
	DefaultMaxRetries = 5

	defaultRetryBaseDelay = 500 * time.Millisecond
	defaultRetryMaxDelay  = 20 * time.Second

	// settleTimeout bounds the lookup that settles an unknown outcome once the operation's own
	// timeout has expired: without it, a change applied by a request whose response came too late
	// would be orphaned.
	settleTimeout = 15 * time.Second
)

// attemptFunc makes one request; it returns the response's Retry-After, if any.
type attemptFunc func(ctx context.Context) (time.Duration, error)

// settleFunc runs after an attempt whose outcome is unknown: it reports whether the change was
// applied after all, or an error that ends the operation.
type settleFunc func(ctx context.Context) (bool, error)

// withRetries runs attempt until it succeeds, fails in a way that retrying cannot mend, the retries
// are spent, or ctx is done. It waits between attempts with exponential backoff and jitter, at
// least the Retry-After the API asked for, and never past ctx's deadline.
func (c *Client) withRetries(ctx context.Context, operation string, attempt attemptFunc, settle settleFunc) error {
	sawUnknownOutcome := false
	for attempts := 1; ; attempts++ {
		retryAfter, err := attempt(ctx)
		if err == nil {
			return nil
		}
		unknown := outcomeUnknown(err) || (sawUnknownOutcome && IsAlreadyExists(err))
		sawUnknownOutcome = sawUnknownOutcome || unknown
		if unknown && settle != nil {
			settled, settleErr := settleOutcome(ctx, settle)
			if settleErr != nil {
				return settleErr
			}
			if settled {
				tflog.Debug(ctx, "Live API request was applied although its response was lost", map[string]any{
					"operation": operation, "attempts": attempts,
				})
				return nil
			}
		}
		if ctx.Err() != nil || !retryable(err) {
			return attemptsError(attempts, err, "")
		}
		if attempts > c.maxRetries {
			return attemptsError(attempts, err, "retries exhausted")
		}
		delay := max(c.backoff(attempts), retryAfter)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return attemptsError(attempts, err, fmt.Sprintf("the next attempt, in %s, would come after the operation's timeout", delay.Round(time.Millisecond)))
		}
		fields := map[string]any{"operation": operation, "attempt": attempts, "delay_ms": delay.Milliseconds(), "error": Describe(err)}
		var apiErr *sdkerr.ServiceResponseError
		if errors.As(err, &apiErr) {
			fields["request_id"], fields["http_status"], fields["error_code"] = apiErr.RequestId, apiErr.StatusCode, apiErr.ErrorCode
		}
		tflog.Debug(ctx, "Retrying Live API request", fields)
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return attemptsError(attempts, err, "")
		}
	}
}

// settleOutcome runs settle under ctx or, when ctx's deadline has passed, under a short detached
// context. A cancelled ctx (Ctrl-C) is respected: nothing more is sent.
func settleOutcome(ctx context.Context, settle settleFunc) (bool, error) {
	ctx, cancel := settleContext(ctx)
	defer cancel()
	if ctx.Err() != nil {
		return false, nil
	}
	return settle(ctx)
}

// settleContext is ctx, or a short context detached from it once ctx's deadline has passed.
func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	}
	return ctx, func() {}
}

// backoff is the wait before retry number attempt: exponential, capped, with full jitter over its
// upper half so that parallel clients spread out.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retryBaseDelay << min(attempt-1, 20)
	if d <= 0 || d > c.retryMaxDelay {
		d = c.retryMaxDelay
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// retryable reports whether a failed request may succeed when sent again: 429, any 5xx (the API's
// concurrency throttle LIVE.100011007 arrives as a 500), connection failures and timeouts. Whether
// the operation's own time is up (its timeouts, or Ctrl-C) is decided by its context, not here: the
// HTTP client's per-request timeout ends an attempt with context.DeadlineExceeded or, depending on
// when it strikes, context.Canceled.
func retryable(err error) bool {
	if isUntrustedAnswer(err) {
		return false
	}
	var noKeys *NoKeysError
	if errors.As(err, &noKeys) && errors.Is(err, ErrNoMetadataCredentials) {
		return false // not an ECS instance with an agency: asking again will not make it one
	}
	var apiErr *sdkerr.ServiceResponseError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode < http.StatusBadRequest || // a 2xx whose body could not be read
			apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= http.StatusInternalServerError ||
			apiErr.ErrorCode == livespec.ErrorCodeTooManyRequests
	}
	return isTimeout(err) || isConnectionFailure(err)
}

// isTimeout reports whether err ended an attempt by a context: the per-request timeout, when the
// operation's own context is still live, as withRetries checks first.
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// outcomeUnknown reports whether a failed request may have been applied: the connection failed
// after it was sent, the response never came or could not be read or trusted, or the server failed
// (5xx) while handling it. A request whose headers were never written (a failed or timed-out dial or
// TLS handshake) sent nothing.
func outcomeUnknown(err error) bool {
	var notSent *notSentError
	if errors.As(err, &notSent) {
		return false
	}
	if isUntrustedAnswer(err) {
		return true // what reached the API, if anything, is not told
	}
	var apiErr *sdkerr.ServiceResponseError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode < http.StatusBadRequest || // a 2xx whose body could not be read: applied
			(apiErr.StatusCode >= http.StatusInternalServerError && apiErr.ErrorCode != livespec.ErrorCodeTooManyRequests)
	}
	return isTimeout(err) || isConnectionFailure(err)
}

// isUntrustedAnswer reports whether err is an answer that is not the API's: an unexpected status, or
// one about another configuration. Sending again meets the same proxy: it is never retried.
func isUntrustedAnswer(err error) bool {
	var unexpected *UnexpectedStatusError
	var other *OtherConfigurationError
	return errors.As(err, &unexpected) || errors.As(err, &other)
}

func isConnectionFailure(err error) bool {
	var netErr net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// parseRetryAfter reads Retry-After in seconds or as an HTTP date; zero when absent or malformed.
func parseRetryAfter(value string, now time.Time) time.Duration {
	if value == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(value); err == nil && seconds > 0 {
		return time.Duration(seconds) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// aboutThisPair refuses a create's answer about another pair (a proxy's answer for another object):
// an id in it would point state at a configuration this create did not make.
func (s CallbackSpec) aboutThisPair(created Callback) error {
	if created.PublishDomain == "" && created.App == "" {
		return nil // an incomplete answer, read back by the caller
	}
	if !strings.EqualFold(created.PublishDomain, s.PublishDomain) || created.App != s.App {
		return &OtherConfigurationError{Asked: fmt.Sprintf("for publish_domain %q and app %q", s.PublishDomain, s.App),
			Answered: fmt.Sprintf("%s for publish_domain %q and app %q", created.ID, created.PublishDomain, created.App)}
	}
	return nil
}

// matches reports whether cb is what a create with this spec makes, the API's defaults applied.
// The key cannot be compared: the API never returns it.
func (s CallbackSpec) matches(cb Callback) bool {
	events := s.Events
	if len(events) == 0 {
		events = []string{livespec.DefaultEvent}
	}
	signType := livespec.DefaultSignType
	if s.SignType != nil {
		signType = *s.SignType
	}
	return cb.PublishDomain == s.PublishDomain && cb.App == s.App &&
		cb.NotifyCallbackURL == deref(s.NotifyCallbackURL) && cb.SignType == signType &&
		len(cb.Events) == len(events) && !slices.ContainsFunc(events, func(e string) bool { return !slices.Contains(cb.Events, e) })
}
