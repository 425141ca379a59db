package liveapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
)

// DefaultMetadataEndpoint is the ECS metadata service.
const DefaultMetadataEndpoint = "http://169.254.169.254"

// ErrNoMetadataCredentials marks the failure of the last resort: the ECS metadata service gave no
// credentials (not on an ECS instance, or no agency attached to it).
var ErrNoMetadataCredentials = errors.New("the ECS metadata service gave no credentials")

// The metadata service's API, as the SDK's metadata accessor calls it: paths and header names.
//
//nolint:gosec // names, not credentials
const (
	metadataTokenPath       = "/meta-data/latest/api/token"
	metadataSecurityKeyPath = "/openstack/latest/securitykey"
	metadataTokenHeader     = "X-Metadata-Token"
	metadataTokenTTLHeader  = "X-Metadata-Token-Ttl-Seconds"
	metadataTokenTTL        = 6 * time.Hour
	metadataTimeout         = 3 * time.Second
)

type metadataKeys struct{ access, secret, securityToken string }

// metadataSource takes the instance's temporary credentials from the metadata service and renews
// them. The SDK's own accessor is not used: it sends through any HTTP_PROXY, and a proxy would
// answer with its own host's credentials; here the service is always asked directly. Not safe for
// concurrent use.
type metadataSource struct {
	renewing
	endpoint string
	client   *http.Client
	keys     metadataKeys
}

func newMetadataSource(endpoint string) *metadataSource {
	transport := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the standard library's
	transport.Proxy = nil
	return &metadataSource{renewing: renewing{now: time.Now}, endpoint: endpoint,
		client: &http.Client{Timeout: metadataTimeout, Transport: transport}}
}

// fresh returns keys to sign with, renewing them when due.
func (m *metadataSource) fresh() (metadataKeys, error) {
	if err := m.renewIfDue(m.fetch); err != nil {
		return metadataKeys{}, err
	}
	return m.keys, nil
}

func (m *metadataSource) fetch() error {
	requestedAt := m.now()
	keys, expiresAt, err := m.get()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoMetadataCredentials, err)
	}
	m.keys = keys
	m.issued(requestedAt, 0, expiresAt)
	return nil
}

func (m *metadataSource) get() (metadataKeys, time.Time, error) {
	// A session token first (IMDSv2-like); a service without it answers 404 or 405.
	ctx, cancel := context.WithTimeout(context.Background(), 2*metadataTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, m.endpoint+metadataTokenPath, http.NoBody)
	if err != nil {
		return metadataKeys{}, time.Time{}, err
	}
	req.Header.Set(metadataTokenTTLHeader, strconv.Itoa(int(metadataTokenTTL/time.Second)))
	status, body, err := m.do(req)
	if err != nil {
		return metadataKeys{}, time.Time{}, err
	}
	token := ""
	switch status {
	case http.StatusOK:
		token = string(body)
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusServiceUnavailable: // as the SDK: carry on without
	default:
		return metadataKeys{}, time.Time{}, fmt.Errorf("the session token request answered HTTP %d", status)
	}
	if req, err = http.NewRequestWithContext(ctx, http.MethodGet, m.endpoint+metadataSecurityKeyPath, nil); err != nil {
		return metadataKeys{}, time.Time{}, err
	}
	if token != "" {
		req.Header.Set(metadataTokenHeader, token)
	}
	if status, body, err = m.do(req); err != nil {
		return metadataKeys{}, time.Time{}, err
	}
	if status != http.StatusOK {
		// The body says why (such as no agency attached); it holds no credentials.
		return metadataKeys{}, time.Time{}, fmt.Errorf("the security key request answered HTTP %d: %.200s", status, body)
	}
	var answer struct {
		Credential struct {
			Access        string `json:"access"`
			Secret        string `json:"secret"`
			SecurityToken string `json:"securitytoken"`
			ExpiresAt     string `json:"expires_at"`
		} `json:"credential"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return metadataKeys{}, time.Time{}, errors.New("the security key answer is not the expected JSON")
	}
	c := answer.Credential
	expiresAt, err := time.Parse("2006-01-02T15:04:05Z", c.ExpiresAt)
	if c.Access == "" || c.Secret == "" || c.SecurityToken == "" || err != nil {
		return metadataKeys{}, time.Time{}, errors.New("the security key answer lacks access, secret, securitytoken or a readable expires_at")
	}
	return metadataKeys{access: c.Access, secret: c.Secret, securityToken: c.SecurityToken}, expiresAt, nil
}

func (m *metadataSource) do(req *http.Request) (int, []byte, error) {
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, body, err
}

// metadataCredentials are the metadata service's keys as SDK credentials, rebuilt whenever they are
// renewed. Not safe for concurrent use: the client signs through serializedCredentials.
type metadataCredentials struct {
	source      *metadataSource
	current     *basic.Credentials
	projectID   string
	iamEndpoint string
}

func newMetadataCredentials(cfg Config) (*metadataCredentials, error) {
	m := &metadataCredentials{source: newMetadataSource(cfg.MetadataEndpoint), projectID: cfg.ProjectID, iamEndpoint: cfg.IAMEndpoint}
	if _, err := m.fresh(); err != nil {
		return nil, err
	}
	return m, nil
}

// fresh returns credentials to sign with, rebuilt when the keys were renewed.
func (m *metadataCredentials) fresh() (*basic.Credentials, error) {
	keys, err := m.source.fresh()
	if err != nil {
		return nil, err
	}
	if m.current != nil && m.current.AK == keys.access && m.current.SecurityToken == keys.securityToken {
		return m.current, nil
	}
	builder := basic.NewCredentialsBuilder().WithAk(keys.access).WithSk(keys.secret).WithSecurityToken(keys.securityToken).
		WithProjectId(m.projectID)
	if m.iamEndpoint != "" {
		builder.WithIamEndpointOverride(m.iamEndpoint)
	}
	if m.current, err = builder.SafeBuild(); err != nil {
		return nil, err
	}
	return m.current, nil
}
