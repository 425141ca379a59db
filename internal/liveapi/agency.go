package liveapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	iamregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/region"
)

// AssumeRole is an agency to act as: the base credentials (AK/SK, or OIDC federation) obtain its
// temporary credentials from IAM, and every Live request uses them.
type AssumeRole struct {
	AgencyName string
	DomainName string // the agency's account, by name or by ID
	DomainID   string
	Duration   time.Duration // of each set of temporary credentials, 15 minutes to 24 hours
}

// AgencyError is a failure to obtain an agency's temporary credentials.
type AgencyError struct {
	Agency string
	Err    error
}

func (e *AgencyError) Error() string { return fmt.Sprintf("assuming agency %q: %v", e.Agency, e.Err) }
func (e *AgencyError) Unwrap() error { return e.Err }

// agencyCredentials are the temporary credentials of an agency, renewed from IAM before they expire.
// Not safe for concurrent use: serializedCredentials wraps them.
type agencyCredentials struct {
	iam         *iam.IamClient
	role        AssumeRole
	projectID   string
	iamEndpoint string

	current     *basic.Credentials
	renewAt     time.Time // by the local clock
	expiresAt   time.Time // by the local clock
	lastFailure time.Time
	now         func() time.Time
}

// renewalRetryDelay spaces the attempts to renew after one failed, while the credentials last.
const renewalRetryDelay = 10 * time.Second

// newAgencyCredentials builds the IAM client with the base credentials, and obtains the agency's
// first temporary credentials.
func newAgencyCredentials(cfg Config, httpConfig *config.HttpConfig) (*agencyCredentials, error) {
	base := global.NewCredentialsBuilder()
	switch {
	case cfg.Metadata:
		// No keys: the SDK takes the instance's from the metadata service.
	case cfg.IdpID != "" || cfg.IDTokenFile != "":
		base.WithIdpId(cfg.IdpID).WithIdTokenFile(cfg.IDTokenFile)
	default:
		base.WithAk(cfg.AccessKey).WithSk(cfg.SecretKey).WithSecurityToken(cfg.SecurityToken)
	}
	iamEndpoint := cfg.IAMEndpoint
	if iamEndpoint == "" {
		r, err := iamregion.SafeValueOf(cfg.Region)
		if err != nil {
			return nil, fmt.Errorf("no IAM endpoint is known for region %q: set the IAM endpoint to assume an agency", cfg.Region)
		}
		iamEndpoint = r.Endpoints[0]
	}
	base.WithIamEndpointOverride(iamEndpoint)
	baseCredentials, err := base.SafeBuild()
	if err != nil {
		return nil, err
	}
	builder := iam.IamClientBuilder().WithCredential(baseCredentials).WithHttpConfig(httpConfig)
	if cfg.IAMEndpoint != "" {
		// A private or test IAM: built on the endpoint, so that the SDK does not discover the base
		// account itself (when IAM lists none, it asks a public STS endpoint); looked up below.
		builder.WithEndpoints([]string{iamEndpoint})
	} else {
		// The public cloud: the SDK discovers the base account, through STS when IAM cannot list it.
		builder.WithRegion(region.NewRegion(cfg.Region, iamEndpoint))
	}
	hcClient, err := builder.SafeBuild()
	if err != nil {
		return nil, &AgencyError{Agency: cfg.AssumeRole.AgencyName, Err: err}
	}
	client := iam.NewIamClient(hcClient)
	if baseCredentials.DomainId == "" {
		domains, err := client.KeystoneListAuthDomains(&iammodel.KeystoneListAuthDomainsRequest{})
		if err != nil {
			return nil, &AgencyError{Agency: cfg.AssumeRole.AgencyName, Err: err}
		}
		if domains.Domains == nil || len(*domains.Domains) != 1 {
			return nil, &AgencyError{Agency: cfg.AssumeRole.AgencyName,
				Err: errors.New("IAM does not list exactly one account (domain) for the base credentials")}
		}
		baseCredentials.DomainId = (*domains.Domains)[0].Id
	}
	agency := &agencyCredentials{iam: client, role: *cfg.AssumeRole, projectID: cfg.ProjectID, iamEndpoint: iamEndpoint, now: time.Now}
	if err := agency.renew(); err != nil {
		return nil, err
	}
	return agency, nil
}

// renew obtains new temporary credentials of the agency.
func (a *agencyCredentials) renew() error {
	seconds := min(max(a.role.Duration, 15*time.Minute), 24*time.Hour) / time.Second // IAM's bounds
	duration := int32(seconds)                                                       //nolint:gosec // at most 86400
	role := &iammodel.IdentityAssumerole{AgencyName: a.role.AgencyName, DurationSeconds: &duration}
	if a.role.DomainID != "" {
		role.DomainId = &a.role.DomainID
	}
	if a.role.DomainName != "" {
		role.DomainName = &a.role.DomainName
	}
	requestedAt := a.now()
	resp, err := a.iam.CreateTemporaryAccessKeyByAgency(&iammodel.CreateTemporaryAccessKeyByAgencyRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByAgencyRequestBody{Auth: &iammodel.AgencyAuth{Identity: &iammodel.AgencyAuthIdentity{
			Methods:    []iammodel.AgencyAuthIdentityMethods{iammodel.GetAgencyAuthIdentityMethodsEnum().ASSUME_ROLE},
			AssumeRole: role,
		}}},
	})
	if err != nil {
		return &AgencyError{Agency: a.role.AgencyName, Err: err}
	}
	if resp.Credential == nil {
		return &AgencyError{Agency: a.role.AgencyName, Err: errors.New("IAM answered without credentials")}
	}
	expiresAt, err := time.Parse("2006-01-02T15:04:05Z", resp.Credential.ExpiresAt)
	if err != nil {
		return &AgencyError{Agency: a.role.AgencyName, Err: fmt.Errorf("IAM answered an unreadable expiry %q", resp.Credential.ExpiresAt)}
	}
	current, err := basic.NewCredentialsBuilder().
		WithAk(resp.Credential.Access).
		WithSk(resp.Credential.Secret).
		WithSecurityToken(resp.Credential.Securitytoken).
		WithProjectId(a.projectID).
		WithIamEndpointOverride(a.iamEndpoint).
		SafeBuild()
	if err != nil {
		return err
	}
	// The life by the local clock: never more than asked for, whatever the two clocks say; what was
	// asked for when the clocks are so far apart that the expiry looks past.
	life := min(a.role.Duration, expiresAt.Sub(requestedAt))
	if life <= 0 {
		life = a.role.Duration
	}
	a.current, a.lastFailure = current, time.Time{}
	a.expiresAt = requestedAt.Add(life)
	a.renewAt = a.expiresAt.Add(-min(5*time.Minute, life/2)) // within five minutes of the end, or half the life
	return nil
}

// fresh returns credentials to sign with, renewing them when due. A failed renewal is retried at
// most every renewalRetryDelay, and the current credentials serve until they expire.
func (a *agencyCredentials) fresh() (*basic.Credentials, error) {
	return a.freshWith(a.renew)
}

func (a *agencyCredentials) freshWith(renew func() error) (*basic.Credentials, error) {
	now := a.now()
	if now.Before(a.renewAt) || (now.Before(a.lastFailure.Add(renewalRetryDelay)) && now.Before(a.expiresAt)) {
		return a.current, nil
	}
	if err := renew(); err != nil {
		a.lastFailure = a.now() // after the attempt, however long it took
		if now.Before(a.expiresAt) {
			return a.current, nil
		}
		return nil, err
	}
	return a.current, nil
}

func (a *agencyCredentials) ProcessAuthParams(client *impl.DefaultHttpClient, regionID string) (auth.ICredential, error) {
	if _, err := a.current.ProcessAuthParams(client, regionID); err != nil {
		return nil, err
	}
	a.projectID = a.current.ProjectId // discovered with the agency's credentials
	return a, nil
}

func (a *agencyCredentials) ProcessAuthRequest(client *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	current, err := a.fresh()
	if err != nil {
		return nil, err
	}
	return current.ProcessAuthRequest(client, req)
}
