package liveapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
)

// AssumeRole is an agency to act as: the base credentials (AK/SK, OIDC federation or the metadata
// service's) obtain its temporary credentials from IAM, and every Live request uses them.
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

// agency obtains an agency's temporary credentials from IAM, signed with the base keys as
// domain-level credentials of the base account, which it asks IAM for once.
type agency struct {
	iam  *iamService
	base *keyRing
	role AssumeRole

	mu           sync.Mutex
	baseDomainID string
}

func agencyKeys(s *iamService, base *keyRing, role AssumeRole) func(ctx context.Context) (issuedKeys, error) {
	a := &agency{iam: s, base: base, role: role}
	return func(ctx context.Context) (issuedKeys, error) {
		issued, err := a.assume(ctx)
		// The base credentials' own failures are told as theirs.
		if err != nil && !errors.Is(err, ErrCredentialsRefused) && !errors.Is(err, ErrNoMetadataCredentials) {
			return issuedKeys{}, &AgencyError{Agency: role.AgencyName, Err: err}
		}
		return issued, err
	}
}

func (a *agency) assume(ctx context.Context) (issuedKeys, error) {
	domainID, err := a.domainID(ctx)
	if err != nil {
		return issuedKeys{}, err
	}
	if _, err := a.base.get(ctx); err != nil {
		return issuedKeys{}, err
	}
	asked := min(max(a.role.Duration, 15*time.Minute), 24*time.Hour) // IAM's bounds
	seconds := int32(asked / time.Second)                            //nolint:gosec // at most 86400
	role := &iammodel.IdentityAssumerole{AgencyName: a.role.AgencyName, DurationSeconds: &seconds}
	if a.role.DomainID != "" {
		role.DomainId = &a.role.DomainID
	}
	if a.role.DomainName != "" {
		role.DomainName = &a.role.DomainName
	}
	requestedAt := time.Now()
	resp, server, err := iamCall[*iammodel.CreateTemporaryAccessKeyByAgencyResponse](ctx, a.iam,
		&requestSigner{ring: a.base, global: true, domainID: domainID},
		&iammodel.CreateTemporaryAccessKeyByAgencyRequest{
			Body: &iammodel.CreateTemporaryAccessKeyByAgencyRequestBody{Auth: &iammodel.AgencyAuth{Identity: &iammodel.AgencyAuthIdentity{
				Methods:    []iammodel.AgencyAuthIdentityMethods{iammodel.GetAgencyAuthIdentityMethodsEnum().ASSUME_ROLE},
				AssumeRole: role,
			}}},
		}, iam.GenReqDefForCreateTemporaryAccessKeyByAgency())
	if err != nil {
		return issuedKeys{}, err
	}
	return temporaryKeys(resp.Credential, requestedAt, asked, server)
}

// domainID is the base credentials' account, asked for at the first renewal.
func (a *agency) domainID(ctx context.Context) (string, error) {
	a.mu.Lock()
	known := a.baseDomainID
	a.mu.Unlock()
	if known != "" {
		return known, nil
	}
	id, err := a.iam.discoverDomain(ctx, a.base)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	a.baseDomainID = id
	a.mu.Unlock()
	return id, nil
}
