package liveapi

import (
	"sync"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
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
