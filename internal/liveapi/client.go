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

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	live "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/model"
	liveregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/region"
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
	gate      credentialsGate
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
