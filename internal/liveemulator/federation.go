package liveemulator

import (
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// IAM's side of temporary credentials, as the SDK calls it: an OpenID Connect ID token exchanged for
// a token (OIDC federation), and a token, or AK/SK credentials assuming an agency, exchanged for
// temporary AK/SK with a security token. The Live API accepts those only with their security token
// and until they expire.

// IdentityProvider is an OpenID Connect identity provider that IAM federates: an ID token it signed
// (RS256 or ES256, verified with PublicKey), issued by Issuer for Audience and not expired, stands for
// a user of the domain DomainID (named DomainName), with Projects.
type IdentityProvider struct {
	ID         string
	Issuer     string
	Audience   string
	PublicKey  crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
	Projects   []Project
	DomainID   string
	DomainName string
}

// Agency is an agency of the domain DomainName (ID DomainID), for its Projects, that the access keys
// in Trusted may assume, and the federated users of the identity providers (by ID) in
// TrustedIdentityProviders.
type Agency struct {
	Name                     string
	DomainName               string
	DomainID                 string
	Trusted                  []string
	TrustedIdentityProviders []string
	Projects                 []Project
}

// trusts reports whether the caller may assume the agency.
func (a Agency) trusts(caller Credential) bool {
	return slices.Contains(a.Trusted, caller.AccessKey) ||
		(caller.IdentityProvider != "" && slices.Contains(a.TrustedIdentityProviders, caller.IdentityProvider))
}

// DefaultTemporaryCredentialsTTL bounds the life of tokens and temporary credentials, as IAM does
// (24 hours), unless Options.TemporaryCredentialsTTL shortens it.
const DefaultTemporaryCredentialsTTL = 24 * time.Hour

// The operations of IAM, as counted by RequestCounts: names, not credentials.
const (
	OperationTokenByIDToken = "token_by_id_token" //nolint:gosec // an operation name
	OperationFederatedToken = "federated_token"   //nolint:gosec // an operation name
	OperationSecurityToken  = "security_token"    //nolint:gosec // an operation name
)

const (
	iamExpiryLayout          = "2006-01-02T15:04:05.000000Z"
	defaultTemporaryDuration = 15 * time.Minute // IAM's default duration_seconds
)

// temporary is what IAM issued: a token (no keys) or temporary credentials.
type temporary struct {
	credential Credential
	expiresAt  time.Time
}

// tokenByIDToken serves POST /v3.0/OS-AUTH/id-token/tokens (the Go SDK's route): an ID token in the
// body, of the identity provider named by X-Idp-Id, for an unscoped token in X-Subject-Token.
func (s *Server) tokenByIDToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Auth struct {
			IDToken struct {
				ID string `json:"id"`
			} `json:"id_token"`
		} `json:"auth"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil || json.Unmarshal(raw, &body) != nil || body.Auth.IDToken.ID == "" {
		writeIAMError(w, http.StatusBadRequest, "IAM.0007", "The request body is invalid: auth.id_token.id is required.")
		return
	}
	s.issueToken(w, r, r.Header.Get("X-Idp-Id"), body.Auth.IDToken.ID)
}

// federatedToken serves POST /v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/oidc/auth (the
// route of IAM's "Obtaining an Unscoped Token with an OpenID Connect ID Token", which other SDKs
// call): the ID token in Authorization: Bearer, for an unscoped token in X-Subject-Token.
func (s *Server) federatedToken(w http.ResponseWriter, r *http.Request) {
	if protocol := r.PathValue("protocol_id"); protocol != "oidc" {
		writeIAMError(w, http.StatusNotFound, "IAM.1003", fmt.Sprintf("The protocol %q of the identity provider does not exist.", protocol))
		return
	}
	scheme, idToken, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(idToken) == "" { // the scheme ignores case (RFC 7235)
		writeIAMError(w, http.StatusBadRequest, "IAM.0007", "The request is invalid: Authorization: Bearer <ID token> is required.")
		return
	}
	s.issueToken(w, r, r.PathValue("idp_id"), strings.TrimSpace(idToken))
}

// issueToken answers an ID token of the identity provider idpID with an unscoped token of its
// federated user.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, idpID, idToken string) {
	idp, ok := s.identityProviders[idpID]
	if !ok {
		writeIAMError(w, http.StatusNotFound, "IAM.1001", fmt.Sprintf("The identity provider %q does not exist.", idpID))
		return
	}
	now := s.now()
	if problem := verifyIDToken(idToken, idp, now); problem != "" {
		journalOf(r).Reason = "the ID token is invalid: " + problem
		writeIAMError(w, http.StatusUnauthorized, "IAM.1002", "The ID token is invalid: "+problem+".")
		return
	}
	journalOf(r).Account = idp.DomainName
	token := randomHex(32)
	expiresAt := now.Add(s.temporaryTTL).UTC()
	s.mu.Lock()
	s.pruneExpired()
	s.tokens[token] = temporary{credential: Credential{Projects: idp.Projects, DomainID: idp.DomainID, DomainName: idp.DomainName,
		IdentityProvider: idp.ID}, expiresAt: expiresAt}
	s.mu.Unlock()
	w.Header().Set("X-Subject-Token", token)
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"expires_at": expiresAt.Format(iamExpiryLayout),
		"issued_at":  now.UTC().Format(iamExpiryLayout),
		"methods":    []string{"mapped"},
		"user":       map[string]any{"name": "federated user of " + idp.ID, "domain": map[string]string{"id": idp.DomainID, "name": idp.DomainName}},
	}})
}

// securityToken serves POST /v3.0/OS-CREDENTIAL/securitytokens: temporary credentials for a token
// (methods ["token"]), or for an agency that the signing credentials may assume (["assume_role"]).
func (s *Server) securityToken(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var body struct {
		Auth struct {
			Identity securityTokenIdentity `json:"identity"`
		} `json:"auth"`
	}
	if err != nil || json.Unmarshal(raw, &body) != nil {
		writeIAMError(w, http.StatusBadRequest, "IAM.0007", "The request body is invalid.")
		return
	}
	principal, duration, ok := s.securityTokenPrincipal(w, r, raw, body.Auth.Identity)
	if !ok {
		return
	}
	issued := s.issueTemporary(principal, duration)
	writeJSON(w, http.StatusCreated, map[string]any{"credential": map[string]string{
		"access":        issued.credential.AccessKey,
		"secret":        issued.credential.SecretKey,
		"securitytoken": issued.credential.SecurityToken,
		"expires_at":    issued.expiresAt.Format(iamExpiryLayout),
	}})
}

// securityTokenIdentity is auth.identity of a request for temporary credentials.
type securityTokenIdentity struct {
	Methods []string `json:"methods"`
	Token   struct {
		ID              string `json:"id"`
		DurationSeconds int    `json:"duration_seconds"`
	} `json:"token"`
	AssumeRole struct {
		AgencyName      string `json:"agency_name"`
		DomainName      string `json:"domain_name"`
		DomainID        string `json:"domain_id"`
		DurationSeconds int    `json:"duration_seconds"`
	} `json:"assume_role"`
}

// securityTokenPrincipal authenticates the request by its method and returns whose projects and
// domain the temporary credentials get, with the duration asked for; when refused, it has written
// IAM's error and returns false.
func (s *Server) securityTokenPrincipal(w http.ResponseWriter, r *http.Request, raw []byte, identity securityTokenIdentity) (Credential, int, bool) {
	switch {
	case slices.Equal(identity.Methods, []string{"token"}):
		token := cmp.Or(identity.Token.ID, r.Header.Get("X-Auth-Token"))
		s.mu.Lock()
		issued, ok := s.tokens[token]
		s.mu.Unlock()
		if !ok || !s.now().Before(issued.expiresAt) {
			// The gateway checks tokens before IAM does.
			journalOf(r).Reason = "the token is unknown or has expired"
			writeError(w, http.StatusUnauthorized, livespec.ErrorCodeGatewayAuth, livespec.GatewayTokenFailed)
			return Credential{}, 0, false
		}
		journalOf(r).Account = issued.credential.DomainName
		return issued.credential, identity.Token.DurationSeconds, true
	case slices.Equal(identity.Methods, []string{"assume_role"}):
		caller, ok := s.authenticateSignature(w, r, raw)
		if !ok {
			return Credential{}, 0, false
		}
		role := identity.AssumeRole
		agency, found := s.findAgency(role.AgencyName, role.DomainName, role.DomainID)
		if !found || !agency.trusts(caller) {
			writeIAMError(w, http.StatusForbidden, "IAM.0002", fmt.Sprintf("The caller is not allowed to assume the agency %q "+
				"of domain %q.", role.AgencyName, cmp.Or(role.DomainName, role.DomainID)))
			return Credential{}, 0, false
		}
		return Credential{Projects: agency.Projects, DomainID: agency.DomainID, DomainName: agency.DomainName}, role.DurationSeconds, true
	default:
		writeIAMError(w, http.StatusBadRequest, "IAM.0007", fmt.Sprintf("The request body is invalid: methods %q is not "+
			`["token"] or ["assume_role"].`, identity.Methods))
		return Credential{}, 0, false
	}
}

// issueTemporary issues temporary credentials of the principal's projects and domain for the
// duration asked (IAM's default when 0), never beyond the emulator's TTL.
func (s *Server) issueTemporary(principal Credential, durationSeconds int) temporary {
	lifetime := defaultTemporaryDuration
	if durationSeconds > 0 {
		lifetime = time.Duration(durationSeconds) * time.Second
	}
	issued := temporary{
		credential: Credential{AccessKey: "TMP" + strings.ToUpper(randomHex(10)), SecretKey: randomHex(20),
			SecurityToken: randomHex(64), Projects: principal.Projects, DomainID: principal.DomainID, DomainName: principal.DomainName,
			IdentityProvider: principal.IdentityProvider},
		expiresAt: s.now().Add(min(lifetime, s.temporaryTTL)).UTC(),
	}
	s.mu.Lock()
	s.pruneExpired()
	s.temporaries[issued.credential.AccessKey] = issued
	s.mu.Unlock()
	return issued
}

// IssuedSecrets returns every secret of the tokens and temporary credentials IAM issued that it
// still keeps (tokens, secret keys, security tokens), so that tests can look for them where they must
// never appear.
func (s *Server) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var secrets []string
	for token := range s.tokens {
		secrets = append(secrets, token)
	}
	for _, issued := range s.temporaries {
		secrets = append(secrets, issued.credential.SecretKey, issued.credential.SecurityToken)
	}
	return secrets
}

// expiredKept is how long IAM's expired issues are kept after they expire, so that an expired
// token or temporary key is answered as expired ("decrypt token fail"), not as unknown.
const expiredKept = time.Hour

// pruneExpired forgets tokens and credentials that expired more than expiredKept ago, and the
// lockouts of those keys, so that renewals do not grow the maps. s.mu is held.
func (s *Server) pruneExpired() {
	cutoff := s.now().Add(-expiredKept)
	maps.DeleteFunc(s.tokens, func(_ string, t temporary) bool { return !cutoff.Before(t.expiresAt) })
	maps.DeleteFunc(s.temporaries, func(accessKey string, t temporary) bool {
		if cutoff.Before(t.expiresAt) {
			return false
		}
		delete(s.lockouts, accessKey)
		return true
	})
}

func (s *Server) findAgency(name, domainName, domainID string) (Agency, bool) {
	for _, agency := range s.agencies {
		if agency.Name == name && ((domainName != "" && agency.DomainName == domainName) || (domainID != "" && agency.DomainID == domainID)) {
			return agency, true
		}
	}
	return Agency{}, false
}

// problemUnknown is lookupCredential's answer for an access key that no account has.
const problemUnknown = "unknown access key"

// lookupCredential finds the credential of an access key: the account's own, or temporary ones IAM
// issued, which are refused once expired.
func (s *Server) lookupCredential(accessKey string) (Credential, string) {
	if credential, ok := s.credentials[accessKey]; ok {
		return credential, ""
	}
	s.mu.Lock()
	issued, ok := s.temporaries[accessKey]
	s.mu.Unlock()
	switch {
	case !ok:
		return Credential{}, problemUnknown
	case !s.now().Before(issued.expiresAt):
		return Credential{}, "the temporary credentials expired at " + issued.expiresAt.Format(time.RFC3339)
	}
	return issued.credential, ""
}

// verifyIDToken checks a compact JWT against the identity provider; it returns why it is refused,
// or "".
func verifyIDToken(token string, idp IdentityProvider, now time.Time) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "not a JWT"
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Issuer    string          `json:"iss"`
		Subject   string          `json:"sub"`
		Audience  json.RawMessage `json:"aud"`
		ExpiresAt float64         `json:"exp"` // NumericDate: seconds, maybe fractional
		NotBefore float64         `json:"nbf"`
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return "its header or claims are not base64url JSON"
	}
	signature, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "its signature is not base64url"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	valid := false
	switch key := idp.PublicKey.(type) {
	case *rsa.PublicKey:
		valid = header.Alg == "RS256" && rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], signature) == nil
	case *ecdsa.PublicKey:
		if header.Alg == "ES256" && key.Curve == elliptic.P256() && len(signature) == 64 {
			r, s := new(big.Int).SetBytes(signature[:32]), new(big.Int).SetBytes(signature[32:])
			valid = ecdsa.Verify(key, digest[:], r, s)
		}
	}
	var audiences []string
	if json.Unmarshal(claims.Audience, &audiences) != nil {
		var single string
		_ = json.Unmarshal(claims.Audience, &single)
		audiences = []string{single}
	}
	switch {
	case !valid:
		return "its signature does not verify with the identity provider's key"
	case claims.Issuer != idp.Issuer:
		return fmt.Sprintf("its issuer %q is not the identity provider's", claims.Issuer)
	case idp.Audience == "" || !slices.Contains(audiences, idp.Audience):
		return fmt.Sprintf("its audience %q does not include %q", audiences, idp.Audience)
	case claims.Subject == "":
		return "it has no subject"
	case claims.ExpiresAt == 0 || !now.Before(numericDate(claims.ExpiresAt)):
		return "it expired at " + numericDate(claims.ExpiresAt).UTC().Format(time.RFC3339)
	case claims.NotBefore != 0 && now.Before(numericDate(claims.NotBefore)):
		return "it is not valid before " + numericDate(claims.NotBefore).UTC().Format(time.RFC3339)
	}
	return ""
}

func numericDate(seconds float64) time.Time {
	return time.UnixMilli(int64(seconds * 1000))
}

func decodeSegment(segment string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
