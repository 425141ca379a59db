package liveapi

import (
	"fmt"
	"sync"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	sdkprovider "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/provider"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

// newCredentials builds the SDK's credentials: AK/SK (with a security token for temporary ones), or
// an OpenID Connect identity that the SDK exchanges at IAM for temporary AK/SK. With no project ID,
// they discover it from IAM.
func newCredentials(cfg Config) (*basic.Credentials, error) {
	builder := basic.NewCredentialsBuilder().WithProjectId(cfg.ProjectID)
	if cfg.IdpID != "" || cfg.IDTokenFile != "" {
		builder.WithIdpId(cfg.IdpID).WithIdTokenFile(cfg.IDTokenFile)
	} else {
		builder.WithAk(cfg.AccessKey).WithSk(cfg.SecretKey).WithSecurityToken(cfg.SecurityToken)
	}
	if cfg.IAMEndpoint != "" {
		builder.WithIamEndpointOverride(cfg.IAMEndpoint)
	}
	return builder.SafeBuild()
}

// renewedCredentials sign each request with a fresh set of temporary credentials that renew
// themselves (an agency's, the metadata service's). The client's build is given the first set itself,
// for the project's discovery.
type renewedCredentials struct {
	fresh func() (*basic.Credentials, error)
}

func (c renewedCredentials) ProcessAuthParams(client *impl.DefaultHttpClient, region string) (auth.ICredential, error) {
	current, err := c.fresh()
	if err != nil {
		return nil, err
	}
	if _, err := current.ProcessAuthParams(client, region); err != nil {
		return nil, err
	}
	return c, nil
}

func (c renewedCredentials) ProcessAuthRequest(client *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	current, err := c.fresh()
	if err != nil {
		return nil, err
	}
	return current.ProcessAuthRequest(client, req)
}

// serializedCredentials signs one request at a time: with temporary credentials, signing a request
// may renew them, and the SDK writes the new keys without a lock, so that concurrent requests could
// sign with the access key of one pair and the secret key of another.
type serializedCredentials struct {
	mu    sync.Mutex
	inner auth.ICredential
}

func (c *serializedCredentials) ProcessAuthParams(client *impl.DefaultHttpClient, region string) (auth.ICredential, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.inner.ProcessAuthParams(client, region); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *serializedCredentials) ProcessAuthRequest(client *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inner.ProcessAuthRequest(client, req)
}

// FileCredentials are the credentials of the SDK's credentials file: an access key, or an OIDC
// identity, with the project and IAM endpoint it may name.
type FileCredentials struct {
	AccessKey, SecretKey, SecurityToken string
	IdpID, IDTokenFile                  string
	ProjectID, IAMEndpoint              string
}

// ReadCredentialsFile reads the [basic] section of the SDK's credentials file
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials) with the SDK's own reader.
func ReadCredentialsFile() (FileCredentials, error) {
	credential, err := sdkprovider.BasicCredentialProfileProvider().GetCredentials()
	if err != nil {
		return FileCredentials{}, err
	}
	c, ok := credential.(*basic.Credentials)
	if !ok {
		return FileCredentials{}, fmt.Errorf("unexpected credentials of type %T", credential)
	}
	return FileCredentials{AccessKey: c.AK, SecretKey: c.SK, SecurityToken: c.SecurityToken, IdpID: c.IdpId,
		IDTokenFile: c.IdTokenFile, ProjectID: c.ProjectId, IAMEndpoint: c.IamEndpoint}, nil
}

// renewalRetryDelay spaces the attempts to renew after one failed, while the credentials last.
const renewalRetryDelay = 10 * time.Second

// renewing is the renewal schedule of temporary credentials, by the local clock.
type renewing struct {
	renewAt, expiresAt, lastFailure time.Time
	now                             func() time.Time
}

// issued records credentials asked at requestedAt for asked that the server says expire at
// expiresAt; asked is 0 for credentials handed out as they are (the metadata service's). Their life
// is measured on the local clock, never more than asked. Freshly issued ones whose expiry looks past
// mean the clocks are far apart: what was asked is assumed. Handed-out ones whose expiry looks past
// may really have expired: they are fetched again at the next request. Issued ones are renewed within
// five minutes of the end, handed-out ones within 40 minutes (as the SDK does), or half the life.
func (r *renewing) issued(requestedAt time.Time, asked time.Duration, expiresAt time.Time) {
	r.lastFailure = time.Time{}
	life, margin := expiresAt.Sub(requestedAt), 40*time.Minute
	if asked > 0 {
		life, margin = min(asked, life), 5*time.Minute
		if life <= 0 {
			life = asked
		}
	}
	if life <= 0 {
		r.expiresAt, r.renewAt = requestedAt, requestedAt
		return
	}
	r.expiresAt = requestedAt.Add(life)
	r.renewAt = r.expiresAt.Add(-min(margin, life/2))
}

// renewIfDue renews when due. A failed renewal is retried at most every renewalRetryDelay from its
// end, and the current credentials serve until they expire.
func (r *renewing) renewIfDue(renew func() error) error {
	now := r.now()
	if now.Before(r.renewAt) || (now.Before(r.lastFailure.Add(renewalRetryDelay)) && now.Before(r.expiresAt)) {
		return nil
	}
	if err := renew(); err != nil {
		r.lastFailure = r.now()
		if r.lastFailure.Before(r.expiresAt) {
			return nil
		}
		return err
	}
	return nil
}
