package liveapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/exchange"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

// reply is what invoke reads off a response besides its body.
type reply struct {
	retryAfter time.Duration
	server     serverClock
	sentAt     time.Time // when the request's headers were written (local monotonic clock); zero when never
}

// serverClock is a reading of the server's clock: the Date header of an answer, and when the answer
// arrived on the local monotonic clock. Zero when the answer had no readable Date.
type serverClock struct {
	date, receivedAt time.Time
}

// at is the server's time at the local instant t, good to the Date header's whole second (round
// down), and false without a reading.
func (s serverClock) at(t time.Time) (time.Time, bool) {
	if s.date.IsZero() {
		return time.Time{}, false
	}
	return s.date.Add(-s.receivedAt.Sub(t)), true
}

// local is the local instant of the server's time t, from this reading: the Date header's whole
// second taken at its latest (t comes a second earlier, never later).
func (s serverClock) local(t time.Time) (time.Time, bool) {
	if s.date.IsZero() {
		return time.Time{}, false
	}
	return s.receivedAt.Add(t.Sub(s.date) - time.Second), true
}

// expectedStatus is the success each method's operation answers with, as the API documents it:
// create 201, delete 204, the others 200. The SDK takes any status below 400 for a success.
func expectedStatus(method string, status int) bool {
	switch method {
	case http.MethodPost:
		return status == http.StatusCreated
	case http.MethodDelete:
		return status == http.StatusNoContent
	}
	return status == http.StatusOK
}

// unreadableBody is the error_msg of a success whose body the SDK could not decode: the SDK's own
// message quotes the body, which may hold secrets (IAM's temporary keys).
const unreadableBody = "the answer's body could not be read"

// invoke runs one SDK call under ctx: the SDK's calls take no context, so the call is tagged with a
// header that lets contextTransport find ctx again for cancellation and logging. A success with a
// status the operation does not answer with (a redirect, a proxy's page) is an UnexpectedStatusError.
func invoke[R any](ctx context.Context, t *contextTransport, hc *core.HcHttpClient, request any, requestDef *def.HttpRequestDef) (R, reply, error) {
	var zero R
	callID, state := t.register(ctx)
	defer t.unregister(callID)

	exch := &exchange.SdkExchange{ApiReference: &exchange.ApiReference{}, Attributes: map[string]any{}}
	resp, err := hc.SyncInvokeWithExtraHeaders(request, requestDef, exch,
		map[string]string{callIDHeader: callID})
	answer := state.reply()
	if err != nil && !state.sent.Load() {
		err = &notSentError{err: err}
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return zero, answer, fmt.Errorf("%s %s: %w (%w)", requestDef.Method, requestDef.Path, ctxErr, err)
		}
	}
	var apiErr *sdkerr.ServiceResponseError
	if err != nil && !errors.As(err, &apiErr) {
		return zero, answer, err // no answer
	}
	if status := exch.ApiReference.StatusCode; status != 0 && status < http.StatusBadRequest && !expectedStatus(requestDef.Method, status) {
		// Whether or not its body could be read.
		return zero, answer, &UnexpectedStatusError{Method: requestDef.Method, StatusCode: status,
			RequestID: exch.ApiReference.RequestId, Location: state.location()}
	}
	if err != nil {
		if apiErr.StatusCode < http.StatusBadRequest {
			return zero, answer, &sdkerr.ServiceResponseError{StatusCode: apiErr.StatusCode, RequestId: apiErr.RequestId,
				ErrorMessage: unreadableBody}
		}
		return zero, answer, err
	}
	typed, ok := resp.(R)
	if !ok {
		return zero, answer, fmt.Errorf("unexpected response type %T", resp)
	}
	return typed, answer, nil
}

// send is invoke of a Live API request, with the client's keys obtained or renewed first, under ctx,
// when due, and through the credentials gate. A failure to obtain them, or keys the gateway refused
// already, sent nothing.
func send[R any](ctx context.Context, c *Client, request any, requestDef *def.HttpRequestDef) (R, reply, error) {
	var zero R
	current, err := c.keys.get(ctx)
	if err != nil {
		return zero, reply{}, &notSentError{err: err}
	}
	done, err := c.gate.enter(ctx, current.access)
	if err != nil {
		return zero, reply{}, &notSentError{err: err}
	}
	var resp R
	var answer reply
	defer func() { done(err) }() // a panic too: the waiters must not wait for nothing
	resp, answer, err = invoke[R](ctx, c.transport, c.sdk.HcClient, request, requestDef)
	return resp, answer, err
}

// newContextTransport clones Go's default transport for the client, with its TLS setting and enough
// idle connections for Terraform's parallelism.
func newContextTransport(insecure bool, allowedHosts []string) (*contextTransport, error) {
	defaultTransport, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("http.DefaultTransport has been replaced: cannot build the client's transport")
	}
	base := defaultTransport.Clone()
	base.TLSClientConfig = &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // opt-in, for private endpoints
	// Terraform runs up to -parallelism operations at once against one host: keep their connections
	// (Go keeps 2 per host by default, and reconnects for the rest).
	base.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return &contextTransport{base: base, allowedHosts: allowedHosts}, nil
}

// ErrHostNotAllowed refuses a request that the SDK would send to a host other than the configured
// endpoints, such as a public fallback of its own: with the Live and IAM endpoints both set (private
// deployments, the emulator), nothing else may be reached.
var ErrHostNotAllowed = errors.New("the request is for a host other than the configured endpoint and iam_endpoint")

// maxIdleConnsPerHost covers Terraform's -parallelism well beyond its default of 10.
const maxIdleConnsPerHost = 64

// callIDHeader carries a per-call id so that contextTransport can find the caller's context.
const callIDHeader = "X-Client-Call-Id"

// contextTransport gives each request (the Live API's and IAM's) its caller's context, for
// cancellation and timeouts, keeps what the response says of Retry-After, the server's clock and a
// redirect, and logs the exchange through tflog: method, host, path, status and request id, never
// headers or bodies.
type contextTransport struct {
	base         http.RoundTripper
	allowedHosts []string // every host when empty
	next         atomic.Uint64
	active       sync.Map // call id -> *callState
}

type callState struct {
	ctx  context.Context
	sent atomic.Bool // the request's headers were written: the API may have acted on it

	mu       sync.Mutex
	answer   reply
	redirect string // the Location of a redirect, which is never followed
}

func (s *callState) reply() reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answer
}

// wroteHeaders records that the request was sent, and when: the API may act on it from then on.
func (s *callState) wroteHeaders() {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer.sentAt = now
	s.sent.Store(true)
}

func (s *callState) location() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.redirect
}

// received keeps what the response says of Retry-After, the server's clock and a redirect.
func (s *callState) received(resp *http.Response) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	s.answer.server = serverClock{}
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		s.answer.server = serverClock{date: date, receivedAt: now}
	}
	s.redirect = resp.Header.Get("Location")
}

func (t *contextTransport) register(ctx context.Context) (string, *callState) {
	id := strconv.FormatUint(t.next.Add(1), 10)
	state := &callState{ctx: ctx}
	t.active.Store(id, state)
	return id, state
}

func (t *contextTransport) unregister(id string) {
	t.active.Delete(id)
}

func (t *contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(t.allowedHosts) > 0 && !slices.Contains(t.allowedHosts, req.URL.Host) {
		return nil, fmt.Errorf("%w: %s", ErrHostNotAllowed, req.URL.Host)
	}
	ctx := req.Context()
	state, _ := t.active.Load(req.Header.Get(callIDHeader))
	if state, ok := state.(*callState); ok {
		// The caller's context, still ended by the SDK's per-request timeout, which the request's own
		// context carries. The body is read after RoundTrip returns, so ctx ends with the request's
		// context (the client ends it once the body is closed), or with the caller's.
		ctx = state.ctx
		cancelDeadline := context.CancelFunc(func() {})
		if deadline, ok := req.Context().Deadline(); ok {
			ctx, cancelDeadline = context.WithDeadline(ctx, deadline)
		}
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		context.AfterFunc(req.Context(), func() {
			cancel(context.Cause(req.Context()))
			cancelDeadline()
		})
		req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteHeaders: state.wroteHeaders,
		}))
	}
	service := "Live API"
	if strings.HasPrefix(req.URL.Path, "/v3") { // IAM's paths: /v3 and /v3.0
		service = "IAM"
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	fields := map[string]any{
		"http_method": req.Method,
		"http_host":   req.URL.Host,
		"http_path":   req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.Debug(ctx, service+" request failed", fields)
		return nil, err
	}
	fields["http_status"] = resp.StatusCode
	fields["request_id"] = resp.Header.Get("X-Request-Id")
	tflog.Debug(ctx, service+" request", fields)
	if state, ok := state.(*callState); ok {
		state.received(resp)
	}
	return resp, nil
}
