package liveapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
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
// Not safe for concurrent use: the client signs through serializedCredentials.
type agencyCredentials struct {
	renewing
	iam         *iam.IamClient
	role        AssumeRole
	projectID   string
	iamEndpoint string
	// base, when the base credentials are the metadata service's, renews them before each renewal.
	base *metadataSource
	// baseCredentials are what the IAM client signs with.
	baseCredentials *auth.GlobalCredentials
	current         *basic.Credentials
}

// newAgencyCredentials builds the IAM client with the base credentials, and obtains the agency's
// first temporary credentials.
func newAgencyCredentials(cfg Config, httpConfig *config.HttpConfig) (*agencyCredentials, error) {
	base := global.NewCredentialsBuilder()
	var metadata *metadataSource
	switch {
	case cfg.MetadataEndpoint != "":
		metadata = newMetadataSource(cfg.MetadataEndpoint)
		keys, err := metadata.fresh()
		if err != nil {
			return nil, err
		}
		base.WithAk(keys.access).WithSk(keys.secret).WithSecurityToken(keys.securityToken)
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
	agency := &agencyCredentials{renewing: renewing{now: time.Now}, iam: client, role: *cfg.AssumeRole, projectID: cfg.ProjectID,
		iamEndpoint: iamEndpoint, base: metadata, baseCredentials: baseCredentials}
	if err := agency.renew(); err != nil {
		return nil, err
	}
	return agency, nil
}

// renew obtains new temporary credentials of the agency.
func (a *agencyCredentials) renew() error {
	if a.base != nil {
		keys, err := a.base.fresh()
		if err != nil {
			return err
		}
		a.baseCredentials.AK, a.baseCredentials.SK, a.baseCredentials.SecurityToken = keys.access, keys.secret, keys.securityToken
	}
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
	a.current = current
	a.issued(requestedAt, a.role.Duration, expiresAt)
	return nil
}

// fresh returns credentials to sign with, renewing them when due.
func (a *agencyCredentials) fresh() (*basic.Credentials, error) {
	if err := a.renewIfDue(a.renew); err != nil {
		return nil, err
	}
	return a.current, nil
}
