package liveapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	sdkprovider "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/provider"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

// CredentialMethod is how the client signs in, decided once by whoever resolves the Config. An agency
// (Config.AssumeRole) may be assumed on top of any of them.
type CredentialMethod int

const (
	// MethodAccessKey, the zero value, signs with Config.AccessKey and SecretKey (and SecurityToken,
	// for temporary ones).
	MethodAccessKey CredentialMethod = iota
	// MethodOIDC exchanges the ID token in Config.IDTokenFile at IAM (identity provider Config.IdpID)
	// for temporary credentials.
	MethodOIDC
	// MethodMetadata takes the ECS instance's temporary credentials from Config.MetadataEndpoint.
	MethodMetadata
)

func (m CredentialMethod) String() string {
	switch m {
	case MethodAccessKey:
		return "access key"
	case MethodOIDC:
		return "OIDC federation"
	case MethodMetadata:
		return "the ECS metadata service"
	}
	return fmt.Sprintf("CredentialMethod(%d)", int(m))
}

// keys are what signs a request: an access key, its secret key, and a security token for temporary
// ones.
type keys struct{ access, secret, securityToken string }

// issuedKeys are temporary keys as their issuer gave them: asked for at requestedAt (local clock) for
// asked, 0 for keys handed out as they are (the metadata service's), expiring at expiresAt by the
// issuer's clock.
type issuedKeys struct {
	keys
	requestedAt time.Time
	asked       time.Duration
	expiresAt   time.Time
	// onLocalClock: expiresAt was moved to the local clock (from the issuer's answer's Date).
	onLocalClock bool
}

// keyRing owns the keys of one way of signing in: fixed ones, or temporary ones that obtain fetches
// (OIDC federation, the metadata service, an agency) and that it renews before they expire. Every
// fetch runs under the context of the request that needs it. One renewal is in flight at a time, and
// no lock is held across it: while the current keys last they keep signing, and requests that have
// none wait for the renewal only as long as their own context allows.
type keyRing struct {
	obtain func(ctx context.Context) (issuedKeys, error) // nil: the keys never change

	mu       sync.Mutex
	current  keys
	have     bool
	version  uint64 // counts the keys obtained, so that signers rebuild only when they change
	schedule renewing
	renewal  *renewal // in flight, or nil
}

// renewal is one fetch in flight; err and callerEnded are set before done is closed.
type renewal struct {
	done chan struct{}
	err  error
	// callerEnded: the request that fetched gave up (its context ended), which says nothing of the
	// issuer; the requests that waited try again themselves.
	callerEnded bool
}

func fixedKeys(k keys) *keyRing {
	return &keyRing{current: k, have: true, schedule: renewing{now: time.Now}}
}

func renewedKeys(obtain func(ctx context.Context) (issuedKeys, error)) *keyRing {
	return &keyRing{obtain: obtain, schedule: renewing{now: time.Now}}
}

// get returns keys to sign with, fetching or renewing them first when due. A failed renewal keeps
// the current keys until they expire, and is tried again at most every renewalRetryDelay meanwhile.
func (k *keyRing) get(ctx context.Context) (keys, error) {
	for {
		k.mu.Lock()
		now := k.schedule.now()
		usable := k.have && (k.obtain == nil || now.Before(k.schedule.expiresAt))
		if k.obtain == nil || (usable && !k.schedule.due(now)) || (usable && k.renewal != nil) {
			current := k.current
			k.mu.Unlock()
			return current, nil
		}
		if inFlight := k.renewal; inFlight != nil {
			k.mu.Unlock()
			select {
			case <-inFlight.done:
			case <-ctx.Done():
				return keys{}, fmt.Errorf("waiting for the temporary credentials that another request is obtaining: %w", ctx.Err())
			}
			if inFlight.err != nil && !inFlight.callerEnded {
				return keys{}, noKeysYet(inFlight.err, k)
			}
			continue // obtained, or the one that fetched gave up: look again
		}
		mine := &renewal{done: make(chan struct{})}
		k.renewal = mine
		k.mu.Unlock()

		issued, err := k.obtain(ctx)

		k.mu.Lock()
		k.renewal = nil
		// An attempt's own bound (IAM's 30 s, the metadata service's) is a verdict on the issuer; the
		// end of the caller's context is not.
		callerEnded := ctx.Err() != nil
		if err == nil {
			k.current, k.have = issued.keys, true
			k.version++
			k.schedule.issued(issued.requestedAt, issued.asked, issued.expiresAt, issued.onLocalClock)
		} else if !callerEnded {
			k.schedule.failed()
		}
		mine.err, mine.callerEnded = err, callerEnded
		close(mine.done)
		now = k.schedule.now()
		current, stillUsable := k.current, k.have && now.Before(k.schedule.expiresAt)
		k.mu.Unlock()
		if err != nil && !stillUsable {
			return keys{}, noKeysYet(err, k)
		}
		return current, nil
	}
}

// NoKeysError is a failure to obtain the first keys of a method: the client has never had any.
type NoKeysError struct{ Err error }

func (e *NoKeysError) Error() string { return e.Err.Error() }
func (e *NoKeysError) Unwrap() error { return e.Err }

// noKeysYet marks err as a NoKeysError when k never had keys.
func noKeysYet(err error, k *keyRing) error {
	k.mu.Lock()
	have := k.have
	k.mu.Unlock()
	if have {
		return err
	}
	return &NoKeysError{Err: err}
}

// snapshot returns the keys that get returned last, without fetching anything.
func (k *keyRing) snapshot() (keys, uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.current, k.version
}

// renewalRetryDelay spaces the attempts to renew after one failed, while the credentials last.
const renewalRetryDelay = 10 * time.Second

// renewing is the renewal schedule of temporary credentials, by the local clock.
type renewing struct {
	renewAt, expiresAt, lastFailure time.Time
	now                             func() time.Time
}

// issued records credentials asked at requestedAt for asked that the issuer says expire at
// expiresAt, on the local clock when onLocalClock, else on the issuer's; asked is 0 for credentials
// handed out as they are (the metadata service's). Their life is measured on the local clock, never
// more than asked. Freshly issued ones whose expiry, on the issuer's clock, looks past mean the
// clocks are far apart: what was asked is assumed. Otherwise ones whose expiry looks past may really
// have expired: they are fetched again at the next request. Issued ones are renewed within five
// minutes of the end, handed-out ones within 40 minutes (as the SDK does), or half the life.
func (r *renewing) issued(requestedAt time.Time, asked time.Duration, expiresAt time.Time, onLocalClock bool) {
	r.lastFailure = time.Time{}
	life, margin := expiresAt.Sub(requestedAt), 40*time.Minute
	if asked > 0 {
		life, margin = min(asked, life), 5*time.Minute
		if life <= 0 && !onLocalClock {
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

// failed records a failed renewal, at its end.
func (r *renewing) failed() {
	r.lastFailure = r.now()
}

// recentFailure reports whether a renewal failed less than renewalRetryDelay ago.
func (r *renewing) recentFailure(now time.Time) bool {
	return !r.lastFailure.IsZero() && now.Before(r.lastFailure.Add(renewalRetryDelay))
}

// due reports whether credentials that still last should be renewed now: from renewAt on, and not
// within renewalRetryDelay of a failed renewal.
func (r *renewing) due(now time.Time) bool {
	return !now.Before(r.renewAt) && !r.recentFailure(now)
}

// requestSigner signs the SDK's requests with the keys of a keyRing, as project-level (Live API) or
// domain-level (IAM) credentials. It never fetches: invoke has the ring get the keys, under the
// request's context, before the SDK signs. It is safe for concurrent use.
type requestSigner struct {
	ring      *keyRing
	projectID string // of project-level credentials
	global    bool   // domain-level credentials, of domainID when set
	domainID  string
	built     atomic.Pointer[builtCredentials]
}

// builtCredentials are the SDK's credentials for one version of the keys.
type builtCredentials struct {
	version     uint64
	credentials auth.ICredential
}

func (s *requestSigner) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return s, nil
}

func (s *requestSigner) ProcessAuthRequest(client *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	k, version := s.ring.snapshot()
	built := s.built.Load()
	if built == nil || built.version != version {
		credentials, err := s.sdkCredentials(k)
		if err != nil {
			return nil, err
		}
		built = &builtCredentials{version: version, credentials: credentials}
		s.built.Store(built)
	}
	return built.credentials.ProcessAuthRequest(client, req)
}

// sdkCredentials are the SDK's credentials of k: with AK and SK set, they never fetch anything.
func (s *requestSigner) sdkCredentials(k keys) (auth.ICredential, error) {
	if k.access == "" || k.secret == "" {
		return nil, errors.New("no credentials to sign the request with")
	}
	if s.global {
		return global.NewCredentialsBuilder().WithAk(k.access).WithSk(k.secret).WithSecurityToken(k.securityToken).
			WithDomainId(s.domainID).SafeBuild()
	}
	return basic.NewCredentialsBuilder().WithAk(k.access).WithSk(k.secret).WithSecurityToken(k.securityToken).
		WithProjectId(s.projectID).SafeBuild()
}

// unsigned sends IAM's exchanges of an ID token, which authenticate by the token alone.
type unsigned struct{}

func (unsigned) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return unsigned{}, nil
}

func (unsigned) ProcessAuthRequest(_ *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	return req, nil
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
