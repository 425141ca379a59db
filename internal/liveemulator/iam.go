package liveemulator

import (
	"io"
	"net/http"
	"slices"
)

// IAM's project and account lists, which clients call to discover a region's project and the
// account of domain-level credentials.
const (
	OperationListProjects = "list_projects"
	OperationListDomains  = "list_domains"
)

type wireProject struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}

// signedIAMRequest reads the body of a request to an IAM route signed with AK/SK, whatever its
// method (some SDKs send a body with a GET, and sign it), and authenticates it as the gateway does.
func (s *Server) signedIAMRequest(w http.ResponseWriter, r *http.Request) (Credential, bool) {
	w.Header().Set("X-IAM-Trace-Id", w.Header().Get("X-Request-Id"))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "APIGW.0201", "Request Illegal: unreadable request body")
		return Credential{}, false
	}
	return s.authenticateSignature(w, r, body)
}

// listProjects serves IAM's GET /v3/projects?name=<region> for the signing account's projects.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	credential, ok := s.signedIAMRequest(w, r)
	if !ok {
		return
	}

	name := r.URL.Query().Get("name")
	projects := []wireProject{}
	for _, p := range credential.Projects {
		if name == "" || p.Name == name {
			projects = append(projects, wireProject{ID: p.ID, Name: p.Name, Enabled: true})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": projects})
}

// listDomains serves IAM's GET /v3/auth/domains: the signing account's domain, which the SDK asks
// for to build domain-level credentials (the IAM client's).
func (s *Server) listDomains(w http.ResponseWriter, r *http.Request) {
	credential, ok := s.signedIAMRequest(w, r)
	if !ok {
		return
	}
	domains := []map[string]any{}
	if credential.DomainID != "" {
		domains = append(domains, map[string]any{"id": credential.DomainID, "name": credential.DomainName, "enabled": true})
	}
	writeJSON(w, http.StatusOK, map[string]any{"domains": domains})
}

// Credential is one account the emulator accepts: an AK/SK pair (with an optional security token,
// as temporary credentials carry), the projects it may use, and its domain (account), which IAM
// lists for domain-level credentials.
type Credential struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
	Projects      []Project
	DomainID      string
	DomainName    string
	// IdentityProvider is, for temporary credentials of a federated user, the ID of its identity
	// provider, which agencies may trust.
	IdentityProvider string
}

// Project is one project of an account. IAM names a region's default project after the region.
type Project struct {
	ID   string
	Name string
}

func (c Credential) hasProject(id string) bool {
	return slices.ContainsFunc(c.Projects, func(p Project) bool { return p.ID == id })
}
