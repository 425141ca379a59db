package liveapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	iamregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/region"
)

// iamAttemptTimeout bounds each IAM request, however long the operation may still take: an IAM
// endpoint that accepts and never answers costs one attempt, not the operation.
const iamAttemptTimeout = 30 * time.Second

// globalIAMEndpoint is IAM's endpoint for regions the SDK has none for, as the SDK's own default.
const globalIAMEndpoint = "https://iam.myhuaweicloud.com"

// iamExpiryLayout is how IAM writes expires_at (with or without fractional seconds).
const iamExpiryLayout = "2006-01-02T15:04:05Z"

// iamService sends IAM's requests (temporary credentials, project and account discovery) through the
// client's transport, each under its caller's context and iamAttemptTimeout.
type iamService struct {
	transport  *contextTransport
	httpConfig *config.HttpConfig
	endpoint   string
	region     string
}

// newIAMService is IAM at the configured IAM endpoint, else the region's.
func newIAMService(cfg Config, transport *contextTransport, httpConfig *config.HttpConfig) *iamService {
	endpoint := cfg.IAMEndpoint
	if endpoint == "" {
		endpoint = globalIAMEndpoint // as the SDK, for a region it does not know
		if r, err := iamregion.SafeValueOf(cfg.Region); err == nil {
			endpoint = r.Endpoints[0]
		}
	}
	return &iamService{transport: transport, httpConfig: httpConfig, endpoint: endpoint, region: cfg.Region}
}

// client is the SDK's IAM client, signing with credential.
func (s *iamService) client(credential auth.ICredential) *core.HcHttpClient {
	return core.NewHcHttpClient(impl.NewDefaultHttpClient(s.httpConfig)).WithEndpoints([]string{s.endpoint}).
		WithCredential(credential)
}

// iamCall sends one IAM request with credential, bounded by iamAttemptTimeout; it returns the
// server's clock as the answer read.
func iamCall[R any](ctx context.Context, s *iamService, credential auth.ICredential, request any, requestDef *def.HttpRequestDef) (R, serverClock, error) {
	ctx, cancel := context.WithTimeout(ctx, iamAttemptTimeout)
	defer cancel()
	resp, answer, err := invoke[R](ctx, s.transport, s.client(credential), request, requestDef)
	if unexpected := (*UnexpectedStatusError)(nil); errors.As(err, &unexpected) {
		unexpected.IAM = true
	}
	return resp, answer.server, err
}

// discoverProject asks IAM, signed with ring's keys, for the one project named after the region.
func (s *iamService) discoverProject(ctx context.Context, ring *keyRing) (string, error) {
	if _, err := ring.get(ctx); err != nil {
		return "", err
	}
	resp, _, err := iamCall[*iammodel.KeystoneListProjectsResponse](ctx, s, &requestSigner{ring: ring},
		&iammodel.KeystoneListProjectsRequest{Name: &s.region}, iam.GenReqDefForKeystoneListProjects())
	if err != nil {
		return "", err
	}
	var ids []string
	if resp.Projects != nil {
		for _, p := range *resp.Projects {
			ids = append(ids, p.Id)
		}
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return "", errors.New("IAM lists no project of that name for these credentials")
	}
	return "", fmt.Errorf("IAM lists %d projects of that name for these credentials: %s", len(ids), strings.Join(ids, ", "))
}

// discoverDomain asks IAM, signed with ring's keys, for the one account (domain) they belong to.
func (s *iamService) discoverDomain(ctx context.Context, ring *keyRing) (string, error) {
	if _, err := ring.get(ctx); err != nil {
		return "", err
	}
	resp, _, err := iamCall[*iammodel.KeystoneListAuthDomainsResponse](ctx, s, &requestSigner{ring: ring, global: true},
		&iammodel.KeystoneListAuthDomainsRequest{}, iam.GenReqDefForKeystoneListAuthDomains())
	if err != nil {
		return "", err
	}
	if resp.Domains == nil || len(*resp.Domains) != 1 {
		return "", errors.New("IAM does not list exactly one account (domain) for the base credentials")
	}
	return (*resp.Domains)[0].Id, nil
}

// temporaryKeys reads IAM's answer of temporary credentials, asked for at requestedAt for asked.
// Their expiry is on IAM's clock: with the answer's Date, it is moved to the local clock, so that the
// two clocks' skew does not shorten or stretch their life.
func temporaryKeys(c *iammodel.Credential, requestedAt time.Time, asked time.Duration, server serverClock) (issuedKeys, error) {
	if c == nil || c.Access == "" || c.Secret == "" || c.Securitytoken == "" {
		return issuedKeys{}, errors.New("IAM answered without credentials")
	}
	expiresAt, err := time.Parse(iamExpiryLayout, c.ExpiresAt)
	if err != nil {
		return issuedKeys{}, fmt.Errorf("IAM answered an unreadable expiry %q", c.ExpiresAt)
	}
	issued := issuedKeys{keys: keys{access: c.Access, secret: c.Secret, securityToken: c.Securitytoken},
		requestedAt: requestedAt, asked: asked, expiresAt: expiresAt}
	if local, ok := server.local(expiresAt); ok {
		issued.expiresAt, issued.onLocalClock = local, true
	}
	return issued, nil
}
