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
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/exchange"
)

// invoke runs one SDK call under ctx: the SDK's calls take no context, so the call is tagged with a
// header that lets contextTransport find ctx again for cancellation and logging. It also returns the
// response's Retry-After.
func invoke[R any](ctx context.Context, c *Client, request any, requestDef *def.HttpRequestDef) (R, time.Duration, error) {
	var zero R
	callID, state := c.transport.register(ctx)
	defer c.transport.unregister(callID)

	exch := &exchange.SdkExchange{ApiReference: &exchange.ApiReference{}, Attributes: map[string]any{}}
	resp, err := c.sdk.HcClient.SyncInvokeWithExtraHeaders(request, requestDef, exch,
		map[string]string{callIDHeader: callID})
	retryAfter := state.retryAfter()
	if err != nil && !state.sent.Load() {
		err = &notSentError{err: err}
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return zero, retryAfter, fmt.Errorf("%s %s: %w (%w)", requestDef.Method, requestDef.Path, ctxErr, err)
		}
		return zero, retryAfter, err
	}
	typed, ok := resp.(R)
	if !ok {
		return zero, retryAfter, fmt.Errorf("unexpected response type %T", resp)
	}
	return typed, retryAfter, nil
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

// contextTransport gives each request its caller's context (for cancellation and timeouts), keeps
// its Retry-After, and logs the exchange through tflog: method, path, status and request id, never
// headers or bodies.
type contextTransport struct {
	base         http.RoundTripper
	allowedHosts []string // every host when empty
	next         atomic.Uint64
	active       sync.Map // call id -> *callState
}

type callState struct {
	ctx             context.Context
	retryAfterNanos atomic.Int64
	sent            atomic.Bool // the request's headers were written: the API may have acted on it
}

func (s *callState) retryAfter() time.Duration {
	return time.Duration(s.retryAfterNanos.Load())
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
			WroteHeaders: func() { state.sent.Store(true) },
		}))
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	fields := map[string]any{
		"http_method": req.Method,
		"http_path":   req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.Debug(ctx, "Live API request failed", fields)
		return nil, err
	}
	fields["http_status"] = resp.StatusCode
	fields["request_id"] = resp.Header.Get("X-Request-Id")
	tflog.Debug(ctx, "Live API request", fields)
	if state, ok := state.(*callState); ok {
		state.retryAfterNanos.Store(int64(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())))
	}
	return resp, nil
}
