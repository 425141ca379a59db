// Package liveapi is the provider's client of the Huawei Cloud Live recording callback API: it builds
// the SDK client, sends the operations with retries and safe creates, pages through lists, maps
// between the SDK's models and plain values, and classifies API errors.
package liveapi

import (
	"cmp"
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
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/exchange"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	live "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/model"
	liveregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/region"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// Config is everything needed to reach the Live API; the provider resolves it from HCL and environment.
type Config struct {
	Region        string
	Endpoint      string // overrides the region's default endpoint when set
	ProjectID     string // discovered from IAM for Region when empty
	IAMEndpoint   string // overrides the SDK's IAM endpoint for discovery when set
	AccessKey     string
	SecretKey     string
	SecurityToken string
	Insecure      bool
	UserAgent     string

	// MaxRetries is how many times a failed request is retried (not the first attempt).
	MaxRetries int
	// RetryBaseDelay and RetryMaxDelay bound the backoff between attempts; zero means the defaults.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// RequestTimeout bounds each attempt; zero means the SDK's default.
	RequestTimeout time.Duration
}

// maxIdleConnsPerHost covers Terraform's -parallelism well beyond its default of 10.
const maxIdleConnsPerHost = 64

// Client calls the recording callback operations. It is safe for concurrent use.
type Client struct {
	sdk       *live.LiveClient
	transport *contextTransport
	projectID string

	maxRetries     int
	retryBaseDelay time.Duration
	retryMaxDelay  time.Duration
	now            func() time.Time
}

// ErrProjectDiscovery marks a failure to discover the project ID from IAM.
var ErrProjectDiscovery = errors.New("unable to discover the project ID from IAM")

// RegionEndpoint returns the SDK's default Live endpoint for a region, or an error for an unknown one.
func RegionEndpoint(region string) (string, error) {
	r, err := liveregion.SafeValueOf(region)
	if err != nil {
		return "", err
	}
	return r.Endpoints[0], nil
}

// New builds the SDK client. It sends no request, unless the project ID must be discovered: then the
// SDK asks IAM for the project named after the region.
func New(cfg Config) (*Client, error) {
	endpoint := cfg.Endpoint
	if endpoint == "" {
		var err error
		if endpoint, err = RegionEndpoint(cfg.Region); err != nil {
			return nil, err
		}
	}
	if cfg.ProjectID == "" && cfg.Region == "" {
		// Without either the SDK would send "{project_id}" literally in the path.
		return nil, errors.New("a project ID, or a region to discover it for, is required")
	}

	defaultTransport, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("http.DefaultTransport has been replaced: cannot build the client's transport")
	}
	base := defaultTransport.Clone()
	base.TLSClientConfig = &tls.Config{InsecureSkipVerify: cfg.Insecure} //nolint:gosec // opt-in, for private endpoints
	// Terraform runs up to -parallelism operations at once against one host: keep their connections
	// (Go keeps 2 per host by default, and reconnects for the rest).
	base.MaxIdleConnsPerHost = maxIdleConnsPerHost
	transport := &contextTransport{base: base}

	// A User-Agent keeps the SDK from writing $HOME/.huaweicloud/application_id.
	httpConfig := config.DefaultHttpConfig().
		WithUserAgent(cfg.UserAgent).
		WithHttpRoundTripper(transport)
	if cfg.RequestTimeout > 0 {
		httpConfig.WithTimeout(cfg.RequestTimeout)
	}

	credentialsBuilder := basic.NewCredentialsBuilder().
		WithAk(cfg.AccessKey).
		WithSk(cfg.SecretKey).
		WithSecurityToken(cfg.SecurityToken).
		WithProjectId(cfg.ProjectID)
	if cfg.IAMEndpoint != "" {
		credentialsBuilder.WithIamEndpointOverride(cfg.IAMEndpoint)
	}
	credentials, err := credentialsBuilder.SafeBuild()
	if err != nil {
		return nil, err
	}

	// With a region and no project ID, SafeBuild discovers the project from IAM.
	hcClient, err := live.LiveClientBuilder().
		WithRegion(region.NewRegion(cfg.Region, endpoint)).
		WithCredential(credentials).
		WithHttpConfig(httpConfig).
		SafeBuild()
	if err != nil {
		if cfg.ProjectID == "" {
			return nil, fmt.Errorf("%w for region %q: %s", ErrProjectDiscovery, cfg.Region, withoutSDKAdvice(err.Error()))
		}
		return nil, err
	}
	client := &Client{
		sdk:            live.NewLiveClient(hcClient),
		transport:      transport,
		projectID:      credentials.ProjectId,
		maxRetries:     max(cfg.MaxRetries, 0),
		retryBaseDelay: cmp.Or(cfg.RetryBaseDelay, defaultRetryBaseDelay),
		retryMaxDelay:  cmp.Or(cfg.RetryMaxDelay, defaultRetryMaxDelay),
		now:            time.Now,
	}
	return client, nil
}

// withoutSDKAdvice drops the SDK's advice from a discovery error: it is Go code for SDK users.
func withoutSDKAdvice(msg string) string {
	for _, advice := range []string{", confirm that the project exists", ", please select one"} {
		if before, _, found := strings.Cut(msg, advice); found {
			return before
		}
	}
	return msg
}

// ProjectID is the project the client works in, as configured or discovered.
func (c *Client) ProjectID() string {
	return c.projectID
}

// AdoptionClockSkew is how much older than the first attempt of a create (by the client's clock) a
// configuration may be and still be taken for the one that create made (by the server's clock).
const AdoptionClockSkew = 30 * time.Second

// Create sends a POST, retried as the retry policy allows. A POST is not idempotent: after an
// attempt whose outcome is unknown, it looks (publish_domain, app) up first and adopts a
// configuration that matches spec and was created since the earliest attempt that may have made it
// (less AdoptionClockSkew), instead of creating a second one; one that existed before is never
// adopted. When the error is not nil and the returned Callback has an ID, that configuration exists
// and is this create's: the caller must keep it.
func (c *Client) Create(ctx context.Context, spec CallbackSpec) (Callback, error) {
	var created Callback
	adopted, lookedUp, provenUnapplied := false, false, false
	adoptableSince := c.now().Add(-AdoptionClockSkew)
	decide := func(existing Callback) error {
		if !createdSince(existing, adoptableSince) {
			return &ConflictError{Existing: existing, Preexisting: true}
		}
		if !spec.matches(existing) {
			return &ConflictError{Existing: existing}
		}
		created, adopted = existing, true
		return nil
	}
	err := c.withRetries(ctx, operationCreate,
		func(ctx context.Context) (time.Duration, error) {
			if provenUnapplied {
				// A lookup found nothing: no earlier attempt made a configuration, so only this one can.
				adoptableSince, provenUnapplied = c.now().Add(-AdoptionClockSkew), false
			}
			resp, retryAfter, err := invoke[*model.CreateRecordCallbackConfigResponse](ctx, c,
				&model.CreateRecordCallbackConfigRequest{Body: spec.request()},
				live.GenReqDefForCreateRecordCallbackConfig())
			if err == nil {
				created = callbackFromCreate(resp)
			}
			return retryAfter, err
		},
		func(ctx context.Context) (bool, error) {
			lookedUp = true
			existing, found, err := c.findOnce(ctx, spec.PublishDomain, spec.App)
			if err != nil {
				return false, nil //nolint:nilerr // a failed lookup settles nothing: the POST is retried
			}
			if !found {
				provenUnapplied = true
				return false, nil
			}
			if err := decide(existing); err != nil {
				return false, err
			}
			return true, nil
		})
	if err != nil && lookedUp && IsAlreadyExists(err) {
		// An earlier attempt's outcome was unknown and the last lookup could not tell whose the
		// configuration is: one more lookup, with retries, decides.
		err = c.settleRefusedCreate(ctx, spec, err, decide)
	}
	if err != nil {
		return Callback{}, err
	}
	if created.ID == "" {
		// A 201 without an id: the configuration exists, so find it rather than lose it.
		ctx, cancel := settleContext(ctx)
		defer cancel()
		return c.findCreated(ctx, spec, adoptableSince)
	}
	if !adopted {
		return created, nil
	}
	tflog.Warn(ctx, "Adopted the Live record callback that a create request with a lost response made", map[string]any{"id": created.ID})
	if spec.Key == nil {
		return created, nil
	}
	// The API never returns the key: set it again so that it is certainly the planned one.
	ctx, cancel := settleContext(ctx)
	defer cancel()
	updated, err := c.Update(ctx, created.ID, spec)
	if err != nil {
		return created, fmt.Errorf("the configuration %s was created, but setting its key failed: %w", created.ID, err)
	}
	updated.CreateTime = cmp.Or(updated.CreateTime, created.CreateTime)
	return updated, nil
}

// ErrCreateUnsettled marks a create refused as a duplicate after an attempt whose outcome was
// unknown, when no lookup could tell whether the configuration that exists is the one it made.
var ErrCreateUnsettled = errors.New("an earlier attempt of this create had an unknown outcome, so the configuration " +
	"that exists may be the one it made")

// settleRefusedCreate decides a create refused as a duplicate after an unknown outcome: adopted
// (decide returns nil), someone else's (decide's ConflictError), or unsettled.
func (c *Client) settleRefusedCreate(ctx context.Context, spec CallbackSpec, refused error, decide func(Callback) error) error {
	ctx, cancel := settleContext(ctx)
	defer cancel()
	existing, found, err := c.FindByDomainApp(ctx, spec.PublishDomain, spec.App)
	if err != nil || !found {
		return fmt.Errorf("%w: %w", ErrCreateUnsettled, refused)
	}
	return decide(existing)
}

// findCreated looks up the configuration that a create answered without an id.
func (c *Client) findCreated(ctx context.Context, spec CallbackSpec, since time.Time) (Callback, error) {
	existing, found, err := c.FindByDomainApp(ctx, spec.PublishDomain, spec.App)
	switch {
	case err != nil:
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and looking the configuration up failed: %w", err)
	case !found || !createdSince(existing, since):
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and no configuration for publish_domain %q and app %q created since was found",
			spec.PublishDomain, spec.App)
	}
	return existing, nil
}

// createdSince reports whether cb's create_time is no earlier than t; an unreadable time is not.
func createdSince(cb Callback, t time.Time) bool {
	createTime, err := time.Parse(livespec.TimeLayout, cb.CreateTime)
	return err == nil && !createTime.Before(t.Truncate(time.Second))
}

// Show sends a GET for the configuration with this id. An answer without publish_domain or app
// (a proxy or a cache answering for the API) is an error: nothing in it can be trusted.
func (c *Client) Show(ctx context.Context, id string) (Callback, error) {
	var shown Callback
	err := c.withRetries(ctx, operationShow, func(ctx context.Context) (time.Duration, error) {
		resp, retryAfter, err := invoke[*model.ShowRecordCallbackConfigResponse](ctx, c,
			&model.ShowRecordCallbackConfigRequest{Id: id},
			live.GenReqDefForShowRecordCallbackConfig())
		if err == nil {
			shown = callbackFromShow(resp)
			shown.ID = cmp.Or(shown.ID, id) // an answer without it is still about this id
		}
		return retryAfter, err
	}, nil)
	if err == nil && (shown.PublishDomain == "" || shown.App == "") {
		return Callback{}, fmt.Errorf("the answer about the configuration %s has no publish_domain or app: it cannot be trusted", id)
	}
	return shown, err
}

// Update sends a PUT with the full body; a full replace is idempotent, so it is simply retried.
func (c *Client) Update(ctx context.Context, id string, spec CallbackSpec) (Callback, error) {
	var updated Callback
	err := c.withRetries(ctx, operationUpdate, func(ctx context.Context) (time.Duration, error) {
		resp, retryAfter, err := invoke[*model.UpdateRecordCallbackConfigResponse](ctx, c,
			&model.UpdateRecordCallbackConfigRequest{Id: id, Body: spec.request()},
			live.GenReqDefForUpdateRecordCallbackConfig())
		if err == nil {
			updated = callbackFromUpdate(resp)
			updated.ID = cmp.Or(updated.ID, id) // an answer without it is still about this id
		}
		return retryAfter, err
	}, nil)
	return updated, err
}

// Delete sends a DELETE. After an attempt whose outcome is unknown, a configuration that no longer
// exists means the delete was applied.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.withRetries(ctx, operationDelete,
		func(ctx context.Context) (time.Duration, error) {
			_, retryAfter, err := invoke[*model.DeleteRecordCallbackConfigResponse](ctx, c,
				&model.DeleteRecordCallbackConfigRequest{Id: id},
				live.GenReqDefForDeleteRecordCallbackConfig())
			return retryAfter, err
		},
		func(ctx context.Context) (bool, error) {
			_, _, err := invoke[*model.ShowRecordCallbackConfigResponse](ctx, c,
				&model.ShowRecordCallbackConfigRequest{Id: id},
				live.GenReqDefForShowRecordCallbackConfig())
			return IsNotFound(err), nil
		})
}

// ListFilter narrows a list request; empty fields are not sent.
type ListFilter struct {
	PublishDomain string
	App           string
	Offset        int32
	Limit         int32
}

// ListPage is one page of a list request. Total is -1 when the answer has none.
type ListPage struct {
	Total     int
	Callbacks []Callback
}

// List sends a GET for one page.
func (c *Client) List(ctx context.Context, filter ListFilter) (ListPage, error) {
	var page ListPage
	err := c.withRetries(ctx, operationList, func(ctx context.Context) (time.Duration, error) {
		var retryAfter time.Duration
		var err error
		page, retryAfter, err = c.listAttempt(ctx, filter)
		return retryAfter, err
	}, nil)
	return page, err
}

// listOnce is List in one attempt, for settling an unknown outcome inside a retry loop.
func (c *Client) listOnce(ctx context.Context, filter ListFilter) (ListPage, error) {
	page, _, err := c.listAttempt(ctx, filter)
	return page, err
}

func (c *Client) listAttempt(ctx context.Context, filter ListFilter) (ListPage, time.Duration, error) {
	request := &model.ListRecordCallbackConfigsRequest{}
	if filter.PublishDomain != "" {
		request.PublishDomain = &filter.PublishDomain
	}
	if filter.App != "" {
		request.App = &filter.App
	}
	if filter.Offset > 0 {
		request.Offset = &filter.Offset
	}
	if filter.Limit > 0 {
		request.Limit = &filter.Limit
	}
	resp, retryAfter, err := invoke[*model.ListRecordCallbackConfigsResponse](ctx, c, request, live.GenReqDefForListRecordCallbackConfigs())
	if err != nil {
		return ListPage{}, retryAfter, err
	}
	return listPageFrom(resp), retryAfter, nil
}

// FindByDomainApp returns the configuration for exactly this (publish_domain, app) pair, if any.
// The API's app filter also returns "*" configurations, so the match is checked here, over every
// page of the answer.
func (c *Client) FindByDomainApp(ctx context.Context, publishDomain, app string) (Callback, bool, error) {
	return c.find(ctx, publishDomain, app, c.List)
}

// findOnce is FindByDomainApp without retries, for settling an unknown outcome inside a retry loop.
func (c *Client) findOnce(ctx context.Context, publishDomain, app string) (Callback, bool, error) {
	return c.find(ctx, publishDomain, app, c.listOnce)
}

func (c *Client) find(ctx context.Context, publishDomain, app string, list listFunc) (Callback, bool, error) {
	all, err := c.listAll(ctx, publishDomain, app, list)
	if err != nil {
		return Callback{}, false, err
	}
	// A domain is found whatever its case, so that one written otherwise (outside Terraform) is
	// reported rather than missed.
	for _, cb := range all {
		if strings.EqualFold(cb.PublishDomain, publishDomain) && cb.App == app {
			return cb, true, nil
		}
	}
	return Callback{}, false, nil
}

// listFunc fetches one list page: List, or listOnce inside a retry loop.
type listFunc func(ctx context.Context, filter ListFilter) (ListPage, error)

// ListAll returns every configuration that matches the filter's publish_domain and app, sorted by
// publish_domain, app and id, or an error: never a partial list. Servers differ in how they page:
// offset is an item offset (the API's docs), or a page number from 0 or from 1 (older docs), and a
// server may hold fewer items per page than limit asks. The first page tells the page size; a probe
// whose answer overlaps the first page by one item tells item offsets from page numbers. Ids are
// deduplicated, every walk is bounded, and a total that changes during the walk fails it.
func (c *Client) ListAll(ctx context.Context, publishDomain, app string) ([]Callback, error) {
	return c.listAll(ctx, publishDomain, app, c.List)
}

func (c *Client) listAll(ctx context.Context, publishDomain, app string, list listFunc) ([]Callback, error) {
	filter := ListFilter{PublishDomain: publishDomain, App: app, Limit: livespec.ListLimitMax}
	first, err := list(ctx, filter)
	if err != nil {
		return nil, err
	}
	if first.Total < 0 {
		return nil, errors.New("the list answer has no total: whether it is complete cannot be told")
	}
	walk := listWalk{seen: map[string]bool{}, total: first.Total}
	if err := walk.add(first); err != nil {
		return nil, err
	}
	if !walk.complete() && len(first.Callbacks) > 0 {
		if err := walk.rest(ctx, filter, first, list); err != nil {
			return nil, err
		}
	}
	if len(walk.all) != walk.total {
		return nil, fmt.Errorf("the list is incomplete: the API reports %d configurations, and paging through it found %d; "+
			"it may have changed while it was read: try again", walk.total, len(walk.all))
	}
	slices.SortFunc(walk.all, func(a, b Callback) int {
		return cmp.Or(cmp.Compare(a.PublishDomain, b.PublishDomain), cmp.Compare(a.App, b.App), cmp.Compare(a.ID, b.ID))
	})
	return walk.all, nil
}

// listWalk collects the distinct configurations of a walk over list pages.
type listWalk struct {
	seen  map[string]bool
	all   []Callback
	total int // as the first page reports it
}

// rest pages on after the first page until the walk is complete or the server has no more.
func (w *listWalk) rest(ctx context.Context, filter ListFilter, first ListPage, list listFunc) error {
	size := len(first.Callbacks)
	// Item offsets: the probe at size-1 starts with the first page's last item. Page numbers: it is
	// another page, or none. (With one item per page, page numbers from 0 are item offsets, and from
	// 1 they answer the probe with the first page again, which item offsets also walk through.)
	probeOffset := int32(max(size-1, 1)) //nolint:gosec // a page holds at most livespec.ListLimitMax items
	filter.Offset = probeOffset
	probe, err := list(ctx, filter)
	if err != nil {
		return err
	}
	if err := w.add(probe); err != nil {
		return err
	}
	pageNumbers := size > 1 && (len(probe.Callbacks) == 0 || probe.Callbacks[0].ID != first.Callbacks[size-1].ID)
	if pageNumbers {
		// Page numbers from 0 or from 1: offset 1 is the second page or the first again.
		filter.Offset = 1
		page, err := list(ctx, filter)
		if err != nil {
			return err
		}
		if err := w.add(page); err != nil {
			return err
		}
	}
	page := probe
	for !w.complete() {
		if pageNumbers {
			filter.Offset++
		} else {
			filter.Offset += int32(len(page.Callbacks)) //nolint:gosec // a page holds at most livespec.ListLimitMax items
		}
		if filter.Offset > livespec.ListOffsetMax {
			return fmt.Errorf("%d configurations match, more than the API can page through (offset at most %d): narrow the filter",
				w.total, livespec.ListOffsetMax)
		}
		if page, err = list(ctx, filter); err != nil {
			return err
		}
		added := len(w.all)
		if err := w.add(page); err != nil {
			return err
		}
		// A page of nothing new ends the walk (the caller checks completeness), except the probe's
		// own page met again in its turn.
		if len(w.all) == added && (len(page.Callbacks) == 0 || !pageNumbers || filter.Offset != probeOffset) {
			return nil
		}
	}
	return nil
}

// add keeps the page's configurations not seen before; a page whose total differs from the first
// page's means the list changed while it was read, and offsets no longer line up.
func (w *listWalk) add(page ListPage) error {
	if page.Total != w.total {
		return fmt.Errorf("the list changed while it was read (%d configurations, then %d): try again", w.total, page.Total)
	}
	for _, cb := range page.Callbacks {
		if !w.seen[cb.ID] {
			w.seen[cb.ID] = true
			w.all = append(w.all, cb)
		}
	}
	return nil
}

func (w *listWalk) complete() bool {
	return len(w.all) >= w.total
}

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

// callIDHeader carries a per-call id so that contextTransport can find the caller's context.
const callIDHeader = "X-Client-Call-Id"

// contextTransport gives each request its caller's context (for cancellation and timeouts), keeps
// its Retry-After, and logs the exchange through tflog: method, path, status and request id, never
// headers or bodies.
type contextTransport struct {
	base   http.RoundTripper
	next   atomic.Uint64
	active sync.Map // call id -> *callState
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
