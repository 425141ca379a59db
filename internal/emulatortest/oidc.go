package emulatortest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// The identity provider of the tests: a CI's OpenID Connect issuer as IAM federates it.
const (
	IdpID    = "test-ci-oidc"
	Issuer   = "https://token.ci.example.com"
	Audience = "huaweicloud-iam"
)

// IdentityProvider is an OpenID Connect identity provider with its own signing key, whose users
// may use the test account's project.
type IdentityProvider struct {
	liveemulator.IdentityProvider
	key *ecdsa.PrivateKey
}

// NewIdentityProvider makes an identity provider with a fresh ES256 key.
func NewIdentityProvider(tb testing.TB) IdentityProvider {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return IdentityProvider{
		IdentityProvider: liveemulator.IdentityProvider{ID: IdpID, Issuer: Issuer, Audience: Audience, PublicKey: &key.PublicKey,
			Projects: []liveemulator.Project{{ID: ProjectID, Name: Region}}, DomainID: DomainID, DomainName: DomainName},
		key: key,
	}
}

// IDToken signs an ID token of this provider for the test's CI job, valid for ttl (expired when
// negative); claims, when given, replace or add claims.
func (p IdentityProvider) IDToken(tb testing.TB, ttl time.Duration, claims map[string]any) string {
	tb.Helper()
	now := time.Now()
	payload := map[string]any{"iss": Issuer, "aud": Audience, "sub": "repo:platform-tools/infra:ref:refs/heads/main",
		"iat": now.Unix(), "exp": now.Add(ttl).Unix()}
	for name, value := range claims {
		payload[name] = value
	}
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT"})
	if err != nil {
		tb.Fatal(err)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	signingInput := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, p.key, digest[:])
	if err != nil {
		tb.Fatal(err)
	}
	signature := make([]byte, 64)
	r.FillBytes(signature[:32])
	s.FillBytes(signature[32:])
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(signature)
}

// IDTokenFile writes an ID token into a file of the test, as CI systems hand it to jobs.
func (p IdentityProvider) IDTokenFile(tb testing.TB, ttl time.Duration, claims map[string]any) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "id-token")
	if err := os.WriteFile(path, []byte(p.IDToken(tb, ttl, claims)), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
