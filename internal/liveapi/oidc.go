package liveapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
)

// oidcCredentialsLife is what OIDC federation asks IAM for, as the SDK does; IAM may give less.
const oidcCredentialsLife = 6 * time.Hour

// ErrCredentialsRefused marks a failure to obtain temporary credentials from IAM with OIDC
// federation: refused, or not answered in time.
var ErrCredentialsRefused = errors.New("obtaining temporary credentials from IAM failed")

// oidcKeys exchanges the ID token in tokenFile (read again at every exchange: CI systems write a
// fresh one per job) for an unscoped token of the identity provider idpID, and that token for
// temporary credentials, as IAM's "Obtaining an Unscoped Token with an OpenID Connect ID Token" and
// the SDK's federation do.
func oidcKeys(s *iamService, idpID, tokenFile string) func(ctx context.Context) (issuedKeys, error) {
	return func(ctx context.Context) (issuedKeys, error) {
		issued, err := exchangeIDToken(ctx, s, idpID, tokenFile)
		if err != nil {
			return issuedKeys{}, fmt.Errorf("%w: %w", ErrCredentialsRefused, err)
		}
		return issued, nil
	}
}

func exchangeIDToken(ctx context.Context, s *iamService, idpID, tokenFile string) (issuedKeys, error) {
	raw, err := os.ReadFile(tokenFile)
	if err != nil {
		return issuedKeys{}, fmt.Errorf("reading the ID token file: %w", err)
	}
	idToken := strings.TrimSpace(string(raw))
	if idToken == "" {
		return issuedKeys{}, fmt.Errorf("the ID token file %s is empty", tokenFile)
	}
	requestedAt := time.Now()
	token, _, err := iamCall[*iammodel.CreateTokenWithIdTokenResponse](ctx, s, unsigned{}, &iammodel.CreateTokenWithIdTokenRequest{
		XIdpId: idpID,
		Body:   &iammodel.GetIdTokenRequestBody{Auth: &iammodel.GetIdTokenAuthParams{IdToken: &iammodel.GetIdTokenIdTokenBody{Id: idToken}}},
	}, iam.GenReqDefForCreateTokenWithIdToken())
	if err != nil {
		return issuedKeys{}, err
	}
	if token.XSubjectToken == nil || *token.XSubjectToken == "" {
		return issuedKeys{}, errors.New("IAM answered the ID token without a token (X-Subject-Token)")
	}
	seconds := int32(oidcCredentialsLife / time.Second)
	resp, server, err := iamCall[*iammodel.CreateTemporaryAccessKeyByTokenResponse](ctx, s, unsigned{}, &iammodel.CreateTemporaryAccessKeyByTokenRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByTokenRequestBody{Auth: &iammodel.TokenAuth{Identity: &iammodel.TokenAuthIdentity{
			Methods: []iammodel.TokenAuthIdentityMethods{iammodel.GetTokenAuthIdentityMethodsEnum().TOKEN},
			Token:   &iammodel.IdentityToken{Id: token.XSubjectToken, DurationSeconds: &seconds},
		}}},
	}, iam.GenReqDefForCreateTemporaryAccessKeyByToken())
	if err != nil {
		return issuedKeys{}, err
	}
	return temporaryKeys(resp.Credential, requestedAt, oidcCredentialsLife, server)
}
