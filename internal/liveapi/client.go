package liveapi

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
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
}

// Client calls the recording callback operations. It is safe for concurrent use.
type Client struct {
	sdk       *live.LiveClient
	transport *contextTransport
	projectID string
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

	base := http.DefaultTransport.(*http.Transport).Clone()
	base.TLSClientConfig = &tls.Config{InsecureSkipVerify: cfg.Insecure} //nolint:gosec // opt-in, for private endpoints
	transport := &contextTransport{base: base}

	// A User-Agent keeps the SDK from writing $HOME/.huaweicloud/application_id.
	httpConfig := config.DefaultHttpConfig().
		WithUserAgent(cfg.UserAgent).
		WithHttpRoundTripper(transport)

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
	return &Client{sdk: live.NewLiveClient(hcClient), transport: transport, projectID: credentials.ProjectId}, nil
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

// Create sends one POST.
func (c *Client) Create(ctx context.Context, spec CallbackSpec) (Callback, error) {
	resp, err := invoke[*model.CreateRecordCallbackConfigResponse](ctx, c,
		&model.CreateRecordCallbackConfigRequest{Body: spec.request()},
		live.GenReqDefForCreateRecordCallbackConfig())
	if err != nil {
		return Callback{}, err
	}
	return callbackFromCreate(resp), nil
}

// Show sends one GET for the configuration with this id.
func (c *Client) Show(ctx context.Context, id string) (Callback, error) {
	resp, err := invoke[*model.ShowRecordCallbackConfigResponse](ctx, c,
		&model.ShowRecordCallbackConfigRequest{Id: id},
		live.GenReqDefForShowRecordCallbackConfig())
	if err != nil {
		return Callback{}, err
	}
	return callbackFromShow(resp), nil
}

// Update sends one PUT with the full body.
func (c *Client) Update(ctx context.Context, id string, spec CallbackSpec) (Callback, error) {
	resp, err := invoke[*model.UpdateRecordCallbackConfigResponse](ctx, c,
		&model.UpdateRecordCallbackConfigRequest{Id: id, Body: spec.request()},
		live.GenReqDefForUpdateRecordCallbackConfig())
	if err != nil {
		return Callback{}, err
	}
	return callbackFromUpdate(resp), nil
}

// Delete sends one DELETE.
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := invoke[*model.DeleteRecordCallbackConfigResponse](ctx, c,
		&model.DeleteRecordCallbackConfigRequest{Id: id},
		live.GenReqDefForDeleteRecordCallbackConfig())
	return err
}

// ListFilter narrows a list request; empty fields are not sent.
type ListFilter struct {
	PublishDomain string
	App           string
	Offset        int32
	Limit         int32
}

// ListPage is one page of a list request.
type ListPage struct {
	Total     int
	Callbacks []Callback
}

// List sends one GET for one page.
func (c *Client) List(ctx context.Context, filter ListFilter) (ListPage, error) {
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
	resp, err := invoke[*model.ListRecordCallbackConfigsResponse](ctx, c, request,
		live.GenReqDefForListRecordCallbackConfigs())
	if err != nil {
		return ListPage{}, err
	}
	return listPageFrom(resp), nil
}

// FindByDomainApp returns the configuration for exactly this (publish_domain, app) pair, if any.
// The API's app filter also returns "*" configurations, so the match is checked here.
func (c *Client) FindByDomainApp(ctx context.Context, publishDomain, app string) (Callback, bool, error) {
	page, err := c.List(ctx, ListFilter{PublishDomain: publishDomain, App: app, Limit: ListLimitMax})
	if err != nil {
		return Callback{}, false, err
	}
	for _, cb := range page.Callbacks {
		if cb.PublishDomain == publishDomain && cb.App == app {
			return cb, true, nil
		}
	}
	return Callback{}, false, nil
}

// ListAll walks every page (ListLimitMax per request) of the configurations that match the filter's
// publish_domain and app, and returns them sorted by publish_domain, app and id. The docs give two
// readings of offset, an item offset and (older docs) a page number: it starts with item offsets and
// switches to page numbers when the server skips past the items; ids are deduplicated and the walk is
// bounded, so it neither loops nor repeats.
func (c *Client) ListAll(ctx context.Context, publishDomain, app string) ([]Callback, error) {
	filter := ListFilter{PublishDomain: publishDomain, App: app, Limit: ListLimitMax}
	seen := map[string]bool{}
	var all []Callback
	pageNumbers := false
	for pages := 1; ; pages++ {
		page, err := c.List(ctx, filter)
		if err != nil {
			return nil, err
		}
		added := 0
		for _, cb := range page.Callbacks {
			if !seen[cb.ID] {
				seen[cb.ID] = true
				all = append(all, cb)
				added++
			}
		}
		if len(all) >= page.Total || pages > page.Total/ListLimitMax+2 {
			break
		}
		if added == 0 {
			if pageNumbers || filter.Offset == 0 {
				break
			}
			// An empty page at item offset n: the server reads offset as a page number.
			pageNumbers = true
			filter.Offset = 0
		}
		if pageNumbers {
			filter.Offset++
		} else {
			filter.Offset += int32(len(page.Callbacks))
		}
		if filter.Offset > ListOffsetMax {
			return nil, fmt.Errorf("%d configurations match, more than the API can page through (offset at most %d): narrow the filter", page.Total, ListOffsetMax)
		}
	}
	slices.SortFunc(all, func(a, b Callback) int {
		return cmp.Or(cmp.Compare(a.PublishDomain, b.PublishDomain), cmp.Compare(a.App, b.App), cmp.Compare(a.ID, b.ID))
	})
	return all, nil
}

// invoke runs one SDK call under ctx: the SDK's calls take no context, so the call is tagged with a
// header that lets contextTransport find ctx again for cancellation and logging.
func invoke[R any](ctx context.Context, c *Client, request any, requestDef *def.HttpRequestDef) (R, error) {
	var zero R
	callID := c.transport.register(ctx)
	defer c.transport.unregister(callID)

	exch := &exchange.SdkExchange{ApiReference: &exchange.ApiReference{}, Attributes: map[string]any{}}
	resp, err := c.sdk.HcClient.SyncInvokeWithExtraHeaders(request, requestDef, exch,
		map[string]string{callIDHeader: callID})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return zero, fmt.Errorf("%s %s: %w", requestDef.Method, requestDef.Path, ctxErr)
		}
		return zero, err
	}
	typed, ok := resp.(R)
	if !ok {
		return zero, fmt.Errorf("unexpected response type %T", resp)
	}
	return typed, nil
}

// callIDHeader carries a per-call id so that contextTransport can find the caller's context.
const callIDHeader = "X-Client-Call-Id"

// contextTransport gives each request its caller's context (for cancellation and timeouts) and logs
// the exchange through tflog: method, path, status and request id, never headers or bodies.
type contextTransport struct {
	base   http.RoundTripper
	next   atomic.Uint64
	active sync.Map // call id -> context.Context
}

func (t *contextTransport) register(ctx context.Context) string {
	id := strconv.FormatUint(t.next.Add(1), 10)
	t.active.Store(id, ctx)
	return id
}

func (t *contextTransport) unregister(id string) {
	t.active.Delete(id)
}

func (t *contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if v, ok := t.active.Load(req.Header.Get(callIDHeader)); ok {
		ctx = v.(context.Context)
		req = req.WithContext(ctx)
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
	return resp, nil
}
