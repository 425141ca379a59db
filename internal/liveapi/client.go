// Package liveapi is the provider's client of the Huawei Cloud Live recording callback API: it builds
// the SDK client, sends the operations with retries and safe creates, pages through lists, maps
// between the SDK's models and plain values, and classifies API errors.
package liveapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	live "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/model"
	liveregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/region"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// Config is everything needed to reach the Live API; the provider resolves it from HCL and environment.
type Config struct {
	Region      string
	Endpoint    string // overrides the region's default endpoint when set
	ProjectID   string // discovered from IAM for Region when empty
	IAMEndpoint string // overrides the SDK's IAM endpoint for discovery when set
	// Method is how the client signs in; the fields below it that it names are used, no others.
	Method        CredentialMethod
	AccessKey     string
	SecretKey     string
	SecurityToken string
	// IdpID and IDTokenFile federate an OpenID Connect identity (MethodOIDC): IAM exchanges the ID
	// token for temporary credentials, renewed before they expire.
	IdpID       string
	IDTokenFile string
	// MetadataEndpoint is the metadata service of MethodMetadata; DefaultMetadataEndpoint when empty.
	MetadataEndpoint string
	// AssumeRole, when set, makes every request with the temporary credentials of an agency, which
	// the credentials above obtain from IAM.
	AssumeRole *AssumeRole
	Insecure   bool
	UserAgent  string

	// MaxRetries is how many times a failed request is retried (not the first attempt).
	MaxRetries int
	// RetryBaseDelay and RetryMaxDelay bound the backoff between attempts; zero means the defaults.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// RequestTimeout bounds each attempt; zero means the SDK's default.
	RequestTimeout time.Duration
}

// Client calls the recording callback operations. It is safe for concurrent use.
type Client struct {
	sdk       *live.LiveClient
	transport *contextTransport
	keys      *keyRing
	projectID string

	maxRetries     int
	retryBaseDelay time.Duration
	retryMaxDelay  time.Duration
}

// RegionEndpoint returns the SDK's default Live endpoint for a region, or an error for an unknown one.
func RegionEndpoint(region string) (string, error) {
	r, err := liveregion.SafeValueOf(region)
	if err != nil {
		return "", err
	}
	return r.Endpoints[0], nil
}

// discoveryTimeout bounds the project's discovery, which has no operation's timeouts to obey.
const discoveryTimeout = 2 * time.Minute

// New builds the client. It sends no request, unless the project ID must be discovered: then it asks
// IAM, under ctx and at most for discoveryTimeout, for the project named after the region (obtaining
// temporary credentials first, when the method needs them). Otherwise credentials are obtained at the
// first request, under that request's context.
func New(ctx context.Context, cfg Config) (*Client, error) {
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
	transport, httpConfig, err := newHTTPConfig(cfg)
	if err != nil {
		return nil, err
	}
	iam := newIAMService(cfg, transport, httpConfig)
	ring, err := newKeyRing(cfg, iam)
	if err != nil {
		return nil, err
	}
	c := &Client{
		transport:      transport,
		keys:           ring,
		projectID:      cfg.ProjectID,
		maxRetries:     max(cfg.MaxRetries, 0),
		retryBaseDelay: cmp.Or(cfg.RetryBaseDelay, defaultRetryBaseDelay),
		retryMaxDelay:  cmp.Or(cfg.RetryMaxDelay, defaultRetryMaxDelay),
	}
	if c.projectID == "" {
		ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
		defer cancel()
		err := c.withRetries(ctx, operationDiscover, func(ctx context.Context) (time.Duration, error) {
			var err error
			c.projectID, err = iam.discoverProject(ctx, ring)
			return 0, err
		}, nil)
		if err != nil {
			if errors.Is(err, ErrCredentialsRefused) || errors.Is(err, ErrNoMetadataCredentials) || errors.As(err, new(*AgencyError)) {
				return nil, err
			}
			return nil, fmt.Errorf("%w for region %q: %w", ErrProjectDiscovery, cfg.Region, err)
		}
	}
	hc := core.NewHcHttpClient(impl.NewDefaultHttpClient(httpConfig)).WithEndpoints([]string{endpoint}).
		WithCredential(&requestSigner{ring: ring, projectID: c.projectID})
	c.sdk = live.NewLiveClient(hc)
	return c, nil
}

// newKeyRing is the keys of the configured method, with an agency's on top when one is assumed.
func newKeyRing(cfg Config, iam *iamService) (*keyRing, error) {
	var ring *keyRing
	switch cfg.Method {
	case MethodAccessKey:
		if cfg.AccessKey == "" || cfg.SecretKey == "" {
			return nil, errors.New("an access key and a secret key are required")
		}
		ring = fixedKeys(keys{access: cfg.AccessKey, secret: cfg.SecretKey, securityToken: cfg.SecurityToken})
	case MethodOIDC:
		if cfg.IdpID == "" || cfg.IDTokenFile == "" {
			return nil, errors.New("OIDC federation needs an identity provider ID and an ID token file")
		}
		ring = renewedKeys(oidcKeys(iam, cfg.IdpID, cfg.IDTokenFile))
	case MethodMetadata:
		ring = renewedKeys(metadataKeys(cmp.Or(cfg.MetadataEndpoint, DefaultMetadataEndpoint)))
	default:
		return nil, fmt.Errorf("unknown credential method %s", cfg.Method)
	}
	if cfg.AssumeRole != nil {
		ring = renewedKeys(agencyKeys(iam, ring, *cfg.AssumeRole))
	}
	return ring, nil
}

// newHTTPConfig is the SDK's HTTP configuration over the client's transport, which, when both the
// endpoint and the IAM endpoint are set, reaches no other host.
func newHTTPConfig(cfg Config) (*contextTransport, *config.HttpConfig, error) {
	var allowedHosts []string
	if cfg.Endpoint != "" && cfg.IAMEndpoint != "" {
		for _, endpoint := range []string{cfg.Endpoint, cfg.IAMEndpoint} {
			parsed, err := url.Parse(endpoint)
			if err != nil {
				return nil, nil, err
			}
			allowedHosts = append(allowedHosts, parsed.Host)
		}
	}
	transport, err := newContextTransport(cfg.Insecure, allowedHosts)
	if err != nil {
		return nil, nil, err
	}
	// A User-Agent keeps the SDK from writing $HOME/.huaweicloud/application_id.
	httpConfig := config.DefaultHttpConfig().
		WithUserAgent(cfg.UserAgent).
		WithHttpRoundTripper(transport)
	if cfg.RequestTimeout > 0 {
		httpConfig.WithTimeout(cfg.RequestTimeout)
	}
	return transport, httpConfig, nil
}

// ProjectID is the project the client works in, as configured or discovered.
func (c *Client) ProjectID() string {
	return c.projectID
}

// Create sends a POST, retried as the retry policy allows. A POST is not idempotent: after an
// attempt whose outcome is unknown, it looks (publish_domain, app) up first and adopts a
// configuration that matches spec and was created, by the server's clock, since the earliest attempt
// that may have made it, instead of creating a second one; one that existed before is never adopted
// (see adoptableSince). When the error is not nil and the returned Callback has an ID, that
// configuration exists and is this create's: the caller must keep it.
func (c *Client) Create(ctx context.Context, spec CallbackSpec) (Callback, error) {
	outcome, err := c.post(ctx, spec)
	if err != nil {
		return Callback{}, err
	}
	created := outcome.created
	if created.ID == "" {
		// A 201 without an id: the configuration exists, so find it rather than lose it.
		ctx, cancel := settleContext(ctx)
		defer cancel()
		return c.findCreated(ctx, spec)
	}
	if !outcome.adopted {
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

// postOutcome is what the POSTs of a create came to: the configuration created or adopted.
type postOutcome struct {
	created Callback
	adopted bool
}

// post sends the POST until it succeeds, a lookup after an unknown outcome settles it, or the
// retry policy gives up.
func (c *Client) post(ctx context.Context, spec CallbackSpec) (postOutcome, error) {
	var outcome postOutcome
	firstSent := time.Now() // monotonic: the earliest attempt that may have made a configuration
	lookedUp, provenUnapplied := false, false
	decide := func(existing Callback, server serverClock) error {
		since, ok := adoptableSince(firstSent, server)
		if !ok {
			return &ConflictError{Existing: existing, NoServerClock: true}
		}
		if !createdSince(existing, since) {
			return &ConflictError{Existing: existing, Preexisting: true}
		}
		if !spec.matches(existing) {
			return &ConflictError{Existing: existing}
		}
		outcome.created, outcome.adopted = existing, true
		return nil
	}
	err := c.withRetries(ctx, operationCreate,
		func(ctx context.Context) (time.Duration, error) {
			if provenUnapplied {
				// A lookup found nothing: no earlier attempt made a configuration, so only this one can.
				firstSent, provenUnapplied = time.Now(), false
			}
			resp, answer, err := send[*model.CreateRecordCallbackConfigResponse](ctx, c,
				&model.CreateRecordCallbackConfigRequest{Body: spec.request()},
				live.GenReqDefForCreateRecordCallbackConfig())
			if err == nil {
				outcome.created = callbackFromCreate(resp)
				err = spec.aboutThisPair(outcome.created)
			}
			return answer.retryAfter, err
		},
		func(ctx context.Context) (bool, error) {
			lookedUp = true
			found, err := c.findOnce(ctx, spec.PublishDomain, spec.App)
			if err != nil {
				return false, nil //nolint:nilerr // a failed lookup settles nothing: the POST is retried
			}
			if !found.ok {
				provenUnapplied = true
				return false, nil
			}
			if err := decide(found.callback, found.server); err != nil {
				return false, err
			}
			return true, nil
		})
	if err != nil && lookedUp && IsAlreadyExists(err) {
		// An earlier attempt's outcome was unknown and the last lookup could not tell whose the
		// configuration is: one more lookup, with retries, decides.
		err = c.settleRefusedCreate(ctx, err, spec, decide)
	}
	return outcome, err
}

// adoptableSince is the earliest create_time, on the server's clock, of a configuration that the
// attempts since firstSent (on the local monotonic clock) may have made: the server's time when the
// lookup answered (its Date header), less the time elapsed since firstSent, less one second for the
// whole seconds of Date and create_time. Network delays only move it earlier than the truth. No
// readable Date: no time is known, and nothing may be adopted.
func adoptableSince(firstSent time.Time, server serverClock) (time.Time, bool) {
	sent, ok := server.at(firstSent)
	return sent.Add(-time.Second), ok
}

// settleRefusedCreate decides a create refused as a duplicate after an unknown outcome: adopted
// (decide returns nil), someone else's (decide's ConflictError), or unsettled.
func (c *Client) settleRefusedCreate(ctx context.Context, refused error, spec CallbackSpec, decide func(Callback, serverClock) error) error {
	ctx, cancel := settleContext(ctx)
	defer cancel()
	found, err := c.find(ctx, spec.PublishDomain, spec.App, c.List)
	if err != nil || !found.ok {
		return fmt.Errorf("%w: %w", ErrCreateUnsettled, refused)
	}
	return decide(found.callback, found.server)
}

// findCreated looks up the configuration that a create answered without an id. The 201 says that
// this create made one, and a pair has one configuration: the one found with this create's settings
// is this create's, whatever its create_time says of the two clocks. One with other settings (or
// another spelling of the domain) is named, never taken.
func (c *Client) findCreated(ctx context.Context, spec CallbackSpec) (Callback, error) {
	existing, found, err := c.FindByDomainApp(ctx, spec.PublishDomain, spec.App)
	switch {
	case err != nil:
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and looking the configuration up failed: %w", err)
	case !found:
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and no configuration for publish_domain %q and app %q was found",
			spec.PublishDomain, spec.App)
	case !spec.matches(existing):
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and the configuration found is not the one it sent: %w",
			&ConflictError{Existing: existing})
	}
	return existing, nil
}

// createdSince reports whether cb's create_time is no earlier than t; an unreadable time is not.
func createdSince(cb Callback, t time.Time) bool {
	createTime, err := time.Parse(livespec.TimeLayout, cb.CreateTime)
	return err == nil && !createTime.Before(t)
}

// Show sends a GET for the configuration with this id. An answer without publish_domain or app, or
// about another id (a proxy or a cache answering for the API), is an error: nothing in it can be
// trusted.
func (c *Client) Show(ctx context.Context, id string) (Callback, error) {
	var shown Callback
	err := c.withRetries(ctx, operationShow, func(ctx context.Context) (time.Duration, error) {
		resp, answer, err := send[*model.ShowRecordCallbackConfigResponse](ctx, c,
			&model.ShowRecordCallbackConfigRequest{Id: id},
			live.GenReqDefForShowRecordCallbackConfig())
		if err == nil {
			shown, err = aboutID(id, callbackFromShow(resp))
		}
		return answer.retryAfter, err
	}, nil)
	if err == nil && (shown.PublishDomain == "" || shown.App == "") {
		return Callback{}, fmt.Errorf("the answer about the configuration %s has no publish_domain or app: it cannot be trusted", id)
	}
	return shown, err
}

// Update sends a PUT with the full body; a full replace is idempotent, so it is simply retried. An
// answer about another id is an error.
func (c *Client) Update(ctx context.Context, id string, spec CallbackSpec) (Callback, error) {
	var updated Callback
	err := c.withRetries(ctx, operationUpdate, func(ctx context.Context) (time.Duration, error) {
		resp, answer, err := send[*model.UpdateRecordCallbackConfigResponse](ctx, c,
			&model.UpdateRecordCallbackConfigRequest{Id: id, Body: spec.request()},
			live.GenReqDefForUpdateRecordCallbackConfig())
		if err == nil {
			updated, err = aboutID(id, callbackFromUpdate(resp))
		}
		return answer.retryAfter, err
	}, nil)
	return updated, err
}

// Delete sends a DELETE. After an attempt whose outcome is unknown, a configuration that no longer
// exists means the delete was applied.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.withRetries(ctx, operationDelete,
		func(ctx context.Context) (time.Duration, error) {
			_, answer, err := send[*model.DeleteRecordCallbackConfigResponse](ctx, c,
				&model.DeleteRecordCallbackConfigRequest{Id: id},
				live.GenReqDefForDeleteRecordCallbackConfig())
			return answer.retryAfter, err
		},
		func(ctx context.Context) (bool, error) {
			_, _, err := send[*model.ShowRecordCallbackConfigResponse](ctx, c,
				&model.ShowRecordCallbackConfigRequest{Id: id},
				live.GenReqDefForShowRecordCallbackConfig())
			return IsNotFound(err), nil
		})
}

// aboutID returns cb, the answer about the configuration id: an answer without an id is still about
// it; one that names another is not believed.
func aboutID(id string, cb Callback) (Callback, error) {
	switch cb.ID {
	case "":
		cb.ID = id
	case id:
	default:
		return Callback{}, &OtherConfigurationError{Asked: id, Answered: cb.ID}
	}
	return cb, nil
}
