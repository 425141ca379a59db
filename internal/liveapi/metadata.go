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

// metadataSource takes the instance's temporary credentials from the metadata service. The SDK's
// own accessor is not used: it sends through any HTTP_PROXY, and a proxy would answer with its own
// host's credentials; here the service is always asked directly.
type metadataSource struct {
	endpoint string
	client   *http.Client
}

func newMetadataSource(endpoint string) *metadataSource {
	transport := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the standard library's
	transport.Proxy = nil
	return &metadataSource{endpoint: endpoint, client: &http.Client{Timeout: metadataTimeout, Transport: transport}}
}

// metadataKeys are the metadata service's keys, handed out as they are: renewed within 40 minutes of
// their expiry, as the SDK does.
func metadataKeys(endpoint string) func(ctx context.Context) (issuedKeys, error) {
	source := newMetadataSource(endpoint)
	return func(ctx context.Context) (issuedKeys, error) {
		requestedAt := time.Now()
		k, expiresAt, err := source.get(ctx)
		if err != nil {
			return issuedKeys{}, fmt.Errorf("%w: %w", ErrNoMetadataCredentials, err)
		}
		return issuedKeys{keys: k, requestedAt: requestedAt, expiresAt: expiresAt}, nil
	}
}

func (m *metadataSource) get(ctx context.Context) (keys, time.Time, error) {
	// A session token first (IMDSv2-like); a service without it answers 404 or 405.
	ctx, cancel := context.WithTimeout(ctx, 2*metadataTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, m.endpoint+metadataTokenPath, http.NoBody)
	if err != nil {
		return keys{}, time.Time{}, err
	}
	req.Header.Set(metadataTokenTTLHeader, strconv.Itoa(int(metadataTokenTTL/time.Second)))
	status, body, err := m.do(req)
	if err != nil {
		return keys{}, time.Time{}, err
	}
	token := ""
	switch status {
	case http.StatusOK:
		token = string(body)
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusServiceUnavailable: // as the SDK: carry on without
	default:
		return keys{}, time.Time{}, fmt.Errorf("the session token request answered HTTP %d", status)
	}
	if req, err = http.NewRequestWithContext(ctx, http.MethodGet, m.endpoint+metadataSecurityKeyPath, nil); err != nil {
		return keys{}, time.Time{}, err
	}
	if token != "" {
		req.Header.Set(metadataTokenHeader, token)
	}
	if status, body, err = m.do(req); err != nil {
		return keys{}, time.Time{}, err
	}
	if status != http.StatusOK {
		// The body says why (such as no agency attached); it holds no credentials.
		return keys{}, time.Time{}, fmt.Errorf("the security key request answered HTTP %d: %.200s", status, body)
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
		return keys{}, time.Time{}, errors.New("the security key answer is not the expected JSON")
	}
	c := answer.Credential
	expiresAt, err := time.Parse(iamExpiryLayout, c.ExpiresAt)
	if c.Access == "" || c.Secret == "" || c.SecurityToken == "" || err != nil {
		return keys{}, time.Time{}, errors.New("the security key answer lacks access, secret, securitytoken or a readable expires_at")
	}
	return keys{access: c.Access, secret: c.Secret, securityToken: c.SecurityToken}, expiresAt, nil
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
