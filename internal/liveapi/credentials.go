package liveapi

import (
	"errors"
	"fmt"
	"sync"

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
	if cfg.Metadata {
		return metadataCredentials(cfg)
	}
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

// ErrNoMetadataCredentials marks the failure of the last resort: the ECS metadata service gave no
// credentials (not on an ECS instance, or no agency attached to it).
var ErrNoMetadataCredentials = errors.New("the ECS metadata service gave no credentials")

// metadataCredentials are the temporary credentials of the ECS instance's agency, from the metadata
// service, which the SDK asks for them now and again before they expire.
func metadataCredentials(cfg Config) (*basic.Credentials, error) {
	credential, err := (&sdkprovider.MetadataBasicCredentialProvider{ProjectId: cfg.ProjectID}).GetCredentials()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoMetadataCredentials, err)
	}
	c, ok := credential.(*basic.Credentials)
	if !ok {
		return nil, fmt.Errorf("%w: unexpected credentials of type %T", ErrNoMetadataCredentials, credential)
	}
	if cfg.IAMEndpoint != "" {
		c.IamEndpoint = cfg.IAMEndpoint
	}
	return c, nil
}
