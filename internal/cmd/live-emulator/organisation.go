package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// organisation is what the emulator serves: accounts with their keys and projects, the identity
// providers IAM federates and the agencies. The flags and --config fill in the same types.
type organisation struct {
	Accounts          []accountConfig  `json:"accounts"`
	IdentityProviders []identityConfig `json:"oidc_providers"`
	Agencies          []agencyConfig   `json:"agencies"`
}

// accountConfig is an account (a domain) with one access key and its projects, one per region.
type accountConfig struct {
	Domain        string          `json:"domain"`
	DomainID      string          `json:"domain_id,omitempty"`
	AccessKey     string          `json:"access_key"`
	SecretKey     string          `json:"secret_key"`
	SecurityToken string          `json:"security_token,omitempty"`
	Projects      []projectConfig `json:"projects"`
}

// projectConfig is a region's project; its ID is derived from the account and the region when not given.
type projectConfig struct {
	Region string `json:"region"`
	ID     string `json:"id,omitempty"`
}

// identityConfig is an OpenID Connect identity provider whose users act in Account (a domain name;
// the first account when empty).
type identityConfig struct {
	ID        string `json:"id"`
	Issuer    string `json:"issuer"`
	Audience  string `json:"audience"`
	PublicKey string `json:"public_key"` // a PEM file
	Account   string `json:"account,omitempty"`
}

// agencyConfig is an agency of the domain Domain (or DomainID): of that account's projects when the
// emulator serves it, else of the first account's. Trust lists the access keys, and "idp:<id>" the
// identity providers whose federated users, that may assume it; the first account's key when empty.
type agencyConfig struct {
	Name     string   `json:"name"`
	Domain   string   `json:"domain,omitempty"`
	DomainID string   `json:"domain_id,omitempty"`
	Trust    []string `json:"trust,omitempty"`
}

// trustIdentityProvider prefixes an identity provider's ID in an agency's trust list.
const trustIdentityProvider = "idp:"

// merge adds other's accounts, identity providers and agencies after org's.
func (org *organisation) merge(other organisation) {
	org.Accounts = append(org.Accounts, other.Accounts...)
	org.IdentityProviders = append(org.IdentityProviders, other.IdentityProviders...)
	org.Agencies = append(org.Agencies, other.Agencies...)
}

// readOrganisation reads a --config file; fields it does not know are refused, not ignored.
func readOrganisation(path string) (organisation, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return organisation{}, err
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	var org organisation
	if err := decoder.Decode(&org); err != nil {
		return organisation{}, fmt.Errorf("%s: %w", path, err)
	}
	if decoder.More() {
		return organisation{}, fmt.Errorf("%s: more than one JSON value", path)
	}
	for i := range org.IdentityProviders {
		if key := &org.IdentityProviders[i].PublicKey; *key != "" && !filepath.IsAbs(*key) {
			*key = filepath.Join(filepath.Dir(path), *key) // beside the file, wherever the emulator starts
		}
	}
	return org, nil
}

// parseAccount reads --account domain=<name>,access-key=<AK>,secret-key=<SK>,regions=<region>[:<project id>]+...
// [,domain-id=<id>][,security-token=<token>].
func parseAccount(s string) (accountConfig, error) {
	values, err := settings(s, "domain", "domain-id", "access-key", "secret-key", "security-token", "regions")
	if err != nil {
		return accountConfig{}, err
	}
	account := accountConfig{Domain: values["domain"], DomainID: values["domain-id"], AccessKey: values["access-key"],
		SecretKey: values["secret-key"], SecurityToken: values["security-token"]}
	account.Projects = parseRegions(values["regions"])
	return account, nil
}

// parseRegions reads <region>[:<project id>]+...: one project per region, its id derived later when
// not given.
func parseRegions(s string) []projectConfig {
	var projects []projectConfig
	for _, region := range strings.Split(s, "+") {
		name, id, _ := strings.Cut(region, ":")
		projects = append(projects, projectConfig{Region: name, ID: id})
	}
	return projects
}

func parseIdentityProvider(s string) (identityConfig, error) {
	values, err := settings(s, "id", "issuer", "audience", "public-key", "account")
	if err != nil {
		return identityConfig{}, err
	}
	return identityConfig{ID: values["id"], Issuer: values["issuer"], Audience: values["audience"], PublicKey: values["public-key"],
		Account: values["account"]}, nil
}

func parseAgency(s string) (agencyConfig, error) {
	values, err := settings(s, "name", "domain", "domain-id", "trust")
	if err != nil {
		return agencyConfig{}, err
	}
	agency := agencyConfig{Name: values["name"], Domain: values["domain"], DomainID: values["domain-id"]}
	if values["trust"] != "" {
		agency.Trust = strings.Split(values["trust"], "+")
	}
	return agency, nil
}

// options turns the organisation into the emulator's accounts, identity providers and agencies,
// refusing what the cloud could not hold: an account without keys or projects, a key, project or
// domain twice, a reference to what is not there. IDs not given are derived in place.
func (org *organisation) options() (liveemulator.Options, error) {
	var opts liveemulator.Options
	if len(org.Accounts) == 0 {
		return opts, errors.New("no account")
	}
	byDomain := map[string][]liveemulator.Project{}
	projectIDs := map[string]bool{}
	for i := range org.Accounts {
		account := &org.Accounts[i]
		switch {
		case account.Domain == "" || account.AccessKey == "" || account.SecretKey == "" || len(account.Projects) == 0:
			return opts, fmt.Errorf("account %q: domain, access key, secret key and at least one region are required", account.Domain)
		case byDomain[account.Domain] != nil:
			return opts, fmt.Errorf("account %q is given twice", account.Domain)
		case slices.ContainsFunc(opts.Credentials, func(c liveemulator.Credential) bool { return c.AccessKey == account.AccessKey }):
			return opts, fmt.Errorf("account %q: the access key %s is another account's", account.Domain, account.AccessKey)
		}
		if account.DomainID == "" {
			account.DomainID = derivedID(account.Domain)
		}
		var projects []liveemulator.Project
		for j := range account.Projects {
			p := &account.Projects[j]
			if p.Region == "" || slices.ContainsFunc(projects, func(q liveemulator.Project) bool { return q.Name == p.Region }) {
				return opts, fmt.Errorf("account %q: a region is empty or given twice", account.Domain)
			}
			if p.ID == "" {
				p.ID = derivedID(account.Domain + "/" + p.Region)
			}
			if projectIDs[p.ID] {
				return opts, fmt.Errorf("account %q: the project id %s is given twice", account.Domain, p.ID)
			}
			projectIDs[p.ID] = true
			projects = append(projects, liveemulator.Project{ID: p.ID, Name: p.Region})
		}
		byDomain[account.Domain] = projects
		opts.Credentials = append(opts.Credentials, liveemulator.Credential{AccessKey: account.AccessKey, SecretKey: account.SecretKey,
			SecurityToken: account.SecurityToken, Projects: projects, DomainID: account.DomainID, DomainName: account.Domain})
	}
	first := opts.Credentials[0]
	accountOf := func(domain, domainID string) (liveemulator.Credential, bool) {
		i := slices.IndexFunc(opts.Credentials, func(c liveemulator.Credential) bool {
			return (domain != "" && c.DomainName == domain) || (domainID != "" && c.DomainID == domainID)
		})
		if i < 0 {
			return liveemulator.Credential{}, false
		}
		return opts.Credentials[i], true
	}
	domainIDs := map[string]bool{}
	for _, c := range opts.Credentials {
		if domainIDs[c.DomainID] {
			return opts, fmt.Errorf("account %q: the domain id %s is another account's", c.DomainName, c.DomainID)
		}
		domainIDs[c.DomainID] = true
	}
	for _, idp := range org.IdentityProviders {
		federated, err := idp.identityProvider()
		if err != nil {
			return opts, err
		}
		if slices.ContainsFunc(opts.IdentityProviders, func(other liveemulator.IdentityProvider) bool { return other.ID == idp.ID }) {
			return opts, fmt.Errorf("identity provider %q is given twice", idp.ID)
		}
		account, ok := first, true
		if idp.Account != "" {
			account, ok = accountOf(idp.Account, "")
		}
		if !ok {
			return opts, fmt.Errorf("identity provider %q: no account %q", idp.ID, idp.Account)
		}
		federated.Projects, federated.DomainID, federated.DomainName = account.Projects, account.DomainID, account.DomainName
		opts.IdentityProviders = append(opts.IdentityProviders, federated)
	}
	for _, a := range org.Agencies {
		agency, err := a.agency(first, accountOf, opts)
		if err != nil {
			return opts, err
		}
		opts.Agencies = append(opts.Agencies, agency)
	}
	return opts, nil
}

// agency resolves an agency: its account (by domain or domain id, which must agree; the default
// account's projects when the emulator serves no such account) and whom it trusts, each of which
// must exist.
func (a agencyConfig) agency(first liveemulator.Credential, accountOf func(domain, domainID string) (liveemulator.Credential, bool),
	opts liveemulator.Options) (liveemulator.Agency, error) {
	if a.Name == "" || (a.Domain == "" && a.DomainID == "") {
		return liveemulator.Agency{}, errors.New("an agency needs a name and a domain or domain-id")
	}
	owner, ok := accountOf(a.Domain, a.DomainID)
	switch {
	case ok && a.Domain != "" && owner.DomainName != a.Domain, ok && a.DomainID != "" && owner.DomainID != a.DomainID:
		return liveemulator.Agency{}, fmt.Errorf("agency %q: domain %q and domain-id %q are not one account", a.Name, a.Domain, a.DomainID)
	case !ok:
		owner = first
	}
	agency := liveemulator.Agency{Name: a.Name, DomainName: a.Domain, DomainID: a.DomainID, Projects: owner.Projects}
	if ok {
		agency.DomainName, agency.DomainID = owner.DomainName, owner.DomainID
	}
	if slices.ContainsFunc(opts.Agencies, func(other liveemulator.Agency) bool {
		return other.Name == agency.Name && (other.DomainName == agency.DomainName || (agency.DomainID != "" && other.DomainID == agency.DomainID))
	}) {
		return liveemulator.Agency{}, fmt.Errorf("agency %q of %q is given twice", a.Name, a.Domain+a.DomainID)
	}
	trust := a.Trust
	if len(trust) == 0 {
		trust = []string{first.AccessKey}
	}
	for _, trusted := range trust {
		if idpID, isIdP := strings.CutPrefix(trusted, trustIdentityProvider); isIdP {
			if !slices.ContainsFunc(opts.IdentityProviders, func(idp liveemulator.IdentityProvider) bool { return idp.ID == idpID }) {
				return liveemulator.Agency{}, fmt.Errorf("agency %q trusts the identity provider %q, which is not given", a.Name, idpID)
			}
			agency.TrustedIdentityProviders = append(agency.TrustedIdentityProviders, idpID)
			continue
		}
		if !slices.ContainsFunc(opts.Credentials, func(c liveemulator.Credential) bool { return c.AccessKey == trusted }) {
			return liveemulator.Agency{}, fmt.Errorf("agency %q trusts the access key %q, which no account has", a.Name, trusted)
		}
		agency.Trusted = append(agency.Trusted, trusted)
	}
	return agency, nil
}

// derivedID is a stable 32-hex-digit ID for a name, as the cloud's project and domain IDs look.
func derivedID(name string) string {
	sum := sha256.Sum256([]byte("live-emulator/" + name))
	return hex.EncodeToString(sum[:16])
}

// identityProvider reads the provider's public key.
func (c identityConfig) identityProvider() (liveemulator.IdentityProvider, error) {
	if c.ID == "" || c.Issuer == "" || c.Audience == "" || c.PublicKey == "" {
		return liveemulator.IdentityProvider{}, fmt.Errorf("identity provider %q: id, issuer, audience and public-key are required", c.ID)
	}
	raw, err := os.ReadFile(c.PublicKey)
	if err != nil {
		return liveemulator.IdentityProvider{}, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return liveemulator.IdentityProvider{}, fmt.Errorf("%s holds no PEM block", c.PublicKey)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return liveemulator.IdentityProvider{}, fmt.Errorf("%s: %w", c.PublicKey, err)
	}
	switch key := key.(type) {
	case *rsa.PublicKey:
	case *ecdsa.PublicKey:
		if key.Curve != elliptic.P256() {
			return liveemulator.IdentityProvider{}, fmt.Errorf("%s: an ECDSA key must be on P-256 (ES256)", c.PublicKey)
		}
	default:
		return liveemulator.IdentityProvider{}, fmt.Errorf("%s: the key must be RSA (RS256) or ECDSA P-256 (ES256), not %T", c.PublicKey, key)
	}
	return liveemulator.IdentityProvider{ID: c.ID, Issuer: c.Issuer, Audience: c.Audience, PublicKey: key}, nil
}
