package liveapi

import (
	"cmp"
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

// issued records credentials asked at requestedAt for asked (0: whatever the server gives) that the
// server says expire at expiresAt. Their life is measured on the local clock, never more than
// asked; when the clocks are so far apart that the expiry looks past, what was asked (or 15
// minutes) is assumed. They are renewed within five minutes of the end, or half their life.
func (r *renewing) issued(requestedAt time.Time, asked time.Duration, expiresAt time.Time) {
	life := expiresAt.Sub(requestedAt)
	if asked > 0 {
		life = min(asked, life)
	}
	if life <= 0 {
		life = cmp.Or(asked, 15*time.Minute)
	}
	r.expiresAt = requestedAt.Add(life)
	r.renewAt = r.expiresAt.Add(-min(5*time.Minute, life/2))
	r.lastFailure = time.Time{}
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
