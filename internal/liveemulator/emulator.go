// Package liveemulator is an in-memory emulator of the Huawei Cloud Live recording callback API. It
// speaks the real wire protocol: AK/SK-signed requests, the API's status codes, error codes and
// X-Request-Id headers. Tests use it in-process; cmd/live-emulator serves it on loopback.
package liveemulator

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/lastn"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// maxBodyBytes caps request bodies; a callback configuration is a few hundred bytes.
const maxBodyBytes = 64 << 10

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
}

// Project is one project of an account. IAM names a region's default project after the region.
type Project struct {
	ID   string
	Name string
}

func (c Credential) hasProject(id string) bool {
	return slices.ContainsFunc(c.Projects, func(p Project) bool { return p.ID == id })
}

// Options configure a Server.
type Options struct {
	Credentials []Credential
	// Hostname is the last part of every X-Request-Id; "live-emulator" when empty.
	Hostname string
	// Now is the emulator's clock; time.Now when nil.
	Now func() time.Time
	// ClockOffset sets the server's clock this far from Now: create_time, update_time, the Date
	// header, signature and token expiry all read it, so that a client's clock skew is rehearsed.
	ClockOffset time.Duration
	// ListOffsetIsPageNumber makes list read offset as a page number, as older API docs describe it,
	// instead of an item offset; ListFirstPage is the number of the first page, 0 or 1 (then 0 is
	// read as 1).
	ListOffsetIsPageNumber bool
	ListFirstPage          int
	// ListLimitCap, when set, is the most items a list page holds, whatever limit asks for.
	ListLimitCap int
	// DeliveryTimeout bounds each recording notification; 5 s when zero.
	DeliveryTimeout time.Duration
	// IdentityProviders and Agencies are what IAM issues temporary credentials for; they live
	// TemporaryCredentialsTTL at most (DefaultTemporaryCredentialsTTL when zero), tokens too.
	IdentityProviders       []IdentityProvider
	Agencies                []Agency
	TemporaryCredentialsTTL time.Duration
}

// Callback is one stored recording callback configuration, key included.
type Callback struct {
	ID                string
	ProjectID         string
	PublishDomain     string
	App               string
	NotifyCallbackURL string
	Events            []string
	SignType          string
	Key               string
	CreateTime        time.Time
	UpdateTime        time.Time

	seq uint64 // creation order, for a stable list order
}

type domainApp struct{ projectID, publishDomain, app string }

// pairOf is the key under which one configuration per (publish_domain, app) is kept. The
// documentation does not say whether two spellings of a domain are one pair; the emulator assumes
// they are, domain names being case-insensitive (RFC 4343), and the client prefers an exact match
// should the API keep both. Apps are compared exactly.
func pairOf(projectID, publishDomain, app string) domainApp {
	return domainApp{projectID, strings.ToLower(publishDomain), app}
}

// Server is the emulator. It is an http.Handler and safe for concurrent use.
type Server struct {
	credentials     map[string]Credential
	hostname        string
	clock           func() time.Time
	clockOffset     atomic.Int64 // nanoseconds; see Options.ClockOffset
	offsetPages     bool
	firstPage       int
	limitCap        int
	deliveryTimeout time.Duration
	mux             *http.ServeMux

	mu         sync.Mutex
	dataPath   string   // the file Persist saves the store to; "" when the store is memory only
	dataLock   *os.File // held on dataPath's lock file while Persist saves to it
	callbacks  map[string]*Callback
	byPair     map[domainApp]string
	nextSeq    uint64
	requests   map[string]int
	userAgents map[string]bool

	deliveries     *lastn.Log[Delivery]
	defaultProject string

	identityProviders map[string]IdentityProvider
	agencies          []Agency
	temporaryTTL      time.Duration
	tokens            map[string]temporary // by token
	temporaries       map[string]temporary // by access key

	faults              []*activeFault
	maxConcurrent       int
	inFlight            int
	inFlightByOperation map[string]int
	throttled           int
}

// New returns an emulator with an empty store.
func New(opts Options) *Server {
	s := &Server{
		credentials:     make(map[string]Credential, len(opts.Credentials)),
		hostname:        opts.Hostname,
		clock:           opts.Now,
		offsetPages:     opts.ListOffsetIsPageNumber,
		firstPage:       opts.ListFirstPage,
		limitCap:        opts.ListLimitCap,
		deliveryTimeout: cmp.Or(opts.DeliveryTimeout, defaultDeliveryTimeout),
		callbacks:       map[string]*Callback{},
		byPair:          map[domainApp]string{},
		requests:        map[string]int{},

		inFlightByOperation: map[string]int{},
		userAgents:          map[string]bool{},
		deliveries:          lastn.New[Delivery](MaxDeliveries),

		identityProviders: map[string]IdentityProvider{},
		agencies:          slices.Clone(opts.Agencies),
		temporaryTTL:      cmp.Or(opts.TemporaryCredentialsTTL, DefaultTemporaryCredentialsTTL),
		tokens:            map[string]temporary{},
		temporaries:       map[string]temporary{},
	}
	for _, idp := range opts.IdentityProviders {
		s.identityProviders[idp.ID] = idp
	}
	for _, c := range opts.Credentials {
		s.credentials[c.AccessKey] = c
		if s.defaultProject == "" && len(c.Projects) > 0 {
			s.defaultProject = c.Projects[0].ID
		}
	}
	if s.hostname == "" {
		s.hostname = "live-emulator"
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.clockOffset.Store(int64(opts.ClockOffset))
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /v1/{project_id}/record/callbacks", s.operation(OperationCreate, s.create))
	s.mux.HandleFunc("GET /v1/{project_id}/record/callbacks", s.operation(OperationList, s.list))
	s.mux.HandleFunc("GET /v1/{project_id}/record/callbacks/{id}", s.operation(OperationShow, s.show))
	s.mux.HandleFunc("PUT /v1/{project_id}/record/callbacks/{id}", s.operation(OperationUpdate, s.update))
	s.mux.HandleFunc("DELETE /v1/{project_id}/record/callbacks/{id}", s.operation(OperationDelete, s.delete))
	s.mux.HandleFunc("GET /v3/projects", s.iamOperation(OperationListProjects, s.listProjects))
	s.mux.HandleFunc("GET /v3/auth/domains", s.iamOperation(OperationListDomains, s.listDomains))
	s.mux.HandleFunc("POST /v3.0/OS-AUTH/id-token/tokens", s.iamOperation(OperationTokenByIDToken, s.tokenByIDToken))
	s.mux.HandleFunc("POST /v3.0/OS-CREDENTIAL/securitytokens", s.iamOperation(OperationSecurityToken, s.securityToken))
	s.registerAdmin()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeAPINotFound(w) })
	return s
}

// The operations, as counted by RequestCounts.
const (
	OperationCreate = "create"
	OperationShow   = "show"
	OperationUpdate = "update"
	OperationDelete = "delete"
	OperationList   = "list"
)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", s.newRequestID())
	// Set here, net/http's own Date would read the machine's clock rather than the server's.
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	if r.URL.Path == "" || path.Clean(r.URL.Path) != r.URL.Path {
		// ServeMux would answer with a redirect; the API knows no such path.
		writeAPINotFound(w)
		return
	}
	s.mux.ServeHTTP(w, r)
}

type handler func(w http.ResponseWriter, r *http.Request, projectID string, body []byte)

// operation reads the capped body, authenticates the request and counts it before calling h.
func (s *Server) operation(name string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, livespec.ErrorCodeInvalidParameter,
					fmt.Sprintf("Request Illegal: the request body exceeds %d bytes", maxBodyBytes))
				return
			}
			writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, "Request Illegal: unreadable request body")
			return
		}
		projectID := r.PathValue("project_id")
		if code, msg := s.authenticate(r, body, projectID); code != "" {
			writeError(w, http.StatusUnauthorized, code, msg)
			return
		}
		s.mu.Lock()
		s.userAgents[r.UserAgent()] = true
		s.requests[name]++
		s.mu.Unlock()
		s.serveWithFaults(w, r, name, func(w http.ResponseWriter) { h(w, r, projectID, body) })
	}
}

// iamOperation serves an IAM route through the faults of its operation; h authenticates, and counts
// what it serves.
func (s *Server) iamOperation(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveWithFaults(w, r, name, func(w http.ResponseWriter) { h(w, r) })
	}
}

func (s *Server) create(w http.ResponseWriter, _ *http.Request, projectID string, body []byte) {
	spec, msg := parseCallbackBody(body)
	if msg != "" {
		writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, msg)
		return
	}
	cb := Callback{ProjectID: projectID}
	spec.applyTo(&cb)
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.insert(cb)
	if !ok {
		writeAlreadyExists(w, spec.PublishDomain, spec.App)
		return
	}
	if err := s.committed(func() { s.remove(stored) }); err != nil {
		writeSaveError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, wireFrom(stored))
}

func writeAlreadyExists(w http.ResponseWriter, publishDomain, app string) {
	writeError(w, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists,
		fmt.Sprintf("The resource already exists: a recording callback for publish_domain %q and app %q", publishDomain, app))
}

func (s *Server) show(w http.ResponseWriter, r *http.Request, projectID string, _ []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.lookup(projectID, r.PathValue("id"))
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, wireFrom(cb))
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, projectID string, body []byte) {
	spec, msg := parseCallbackBody(body)
	if msg != "" {
		writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.lookup(projectID, r.PathValue("id"))
	if !ok {
		writeNotFound(w)
		return
	}
	// A full replace: publish_domain and app may change too, to a pair that no other configuration has.
	if taken, ok := s.byPair[pairOf(projectID, spec.PublishDomain, spec.App)]; ok && taken != cb.ID {
		writeAlreadyExists(w, spec.PublishDomain, spec.App)
		return
	}
	before := cloneCallback(cb)
	s.remove(cb)
	spec.applyTo(cb)
	cb.UpdateTime = s.now().UTC().Truncate(time.Second)
	s.put(cb)
	if err := s.committed(func() { s.remove(cb); *cb = before; s.put(cb) }); err != nil {
		writeSaveError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wireFrom(cb))
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, projectID string, _ []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.lookup(projectID, r.PathValue("id"))
	if !ok {
		writeNotFound(w)
		return
	}
	s.remove(cb)
	if err := s.committed(func() { s.put(cb) }); err != nil {
		writeSaveError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, projectID string, _ []byte) {
	query := r.URL.Query()
	limit, msg := intParam(query.Get("limit"), "limit", livespec.ListLimitDefault, 1, livespec.ListLimitMax)
	if msg == "" {
		var offset int
		offset, msg = intParam(query.Get("offset"), "offset", 0, 0, livespec.ListOffsetMax)
		if msg == "" {
			if s.limitCap > 0 {
				limit = min(limit, s.limitCap)
			}
			if s.offsetPages {
				offset = max(offset-s.firstPage, 0) * limit
			}
			writeJSON(w, http.StatusOK, s.page(projectID, query.Get("publish_domain"), query.Get("app"), offset, limit))
			return
		}
	}
	writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, msg)
}

type wireList struct {
	Total          int            `json:"total"`
	CallbackConfig []wireCallback `json:"callback_config"`
}

func (s *Server) page(projectID, publishDomain, app string, offset, limit int) wireList {
	s.mu.Lock()
	defer s.mu.Unlock()
	var matches []*Callback
	for _, cb := range s.sortedCallbacks() {
		if cb.ProjectID != projectID ||
			(publishDomain != "" && !strings.EqualFold(cb.PublishDomain, publishDomain)) ||
			(app != "" && cb.App != app && cb.App != livespec.AppWildcard) {
			continue
		}
		matches = append(matches, cb)
	}
	out := wireList{Total: len(matches), CallbackConfig: []wireCallback{}}
	for i := offset; i < len(matches) && i < offset+limit; i++ {
		out.CallbackConfig = append(out.CallbackConfig, wireFrom(matches[i]))
	}
	return out
}

func intParam(raw, name string, def, lowest, highest int) (int, string) {
	if raw == "" {
		return def, ""
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lowest || n > highest {
		return 0, fmt.Sprintf("Request Illegal: %s must be an integer from %d to %d", name, lowest, highest)
	}
	return n, ""
}

// insert, lookup and remove expect s.mu to be held.

// cmpTime is t, or fallback when t is zero.
func cmpTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t.UTC().Truncate(time.Second)
}

// insert stores a copy of cb with a new id, and times where cb has none; it reports false when (project,
// publish_domain, app) is taken.
func (s *Server) insert(cb Callback) (*Callback, bool) {
	if _, exists := s.byPair[pairOf(cb.ProjectID, cb.PublishDomain, cb.App)]; exists {
		return nil, false
	}
	now := s.now().UTC().Truncate(time.Second)
	s.nextSeq++
	stored := cloneCallback(&cb)
	stored.ID, stored.CreateTime, stored.UpdateTime, stored.seq = newID(), cmpTime(cb.CreateTime, now), cmpTime(cb.UpdateTime, now), s.nextSeq
	s.put(&stored)
	return &stored, true
}

// put stores cb as it is, id and order included.
func (s *Server) put(cb *Callback) {
	s.callbacks[cb.ID] = cb
	s.byPair[pairOf(cb.ProjectID, cb.PublishDomain, cb.App)] = cb.ID
}

// sortedCallbacks returns the stored configurations in creation order.
func (s *Server) sortedCallbacks() []*Callback {
	out := slices.Collect(maps.Values(s.callbacks))
	slices.SortFunc(out, func(a, b *Callback) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

func (s *Server) lookup(projectID, id string) (*Callback, bool) {
	cb, ok := s.callbacks[id]
	if !ok || cb.ProjectID != projectID {
		return nil, false
	}
	return cb, true
}

func (s *Server) remove(cb *Callback) {
	delete(s.callbacks, cb.ID)
	delete(s.byPair, pairOf(cb.ProjectID, cb.PublishDomain, cb.App))
}

// now is the server's clock: the emulator's clock moved by its offset.
func (s *Server) now() time.Time {
	return s.clock().Add(time.Duration(s.clockOffset.Load()))
}

// SetClockOffset moves the server's clock this far from the emulator's clock (see
// Options.ClockOffset); 0 puts it back.
func (s *Server) SetClockOffset(offset time.Duration) {
	s.clockOffset.Store(int64(offset))
}

func (s *Server) newRequestID() string {
	return fmt.Sprintf("%s-%d-%s", newUUID(), s.now().UnixMilli(), s.hostname)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newID returns a configuration id: 32 hex digits, like the API's, and never containing '/'.
func newID() string {
	return randomHex(16)
}

// writeAPINotFound answers a path or method that is not an API, as the API gateway does.
func writeAPINotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, livespec.ErrorCodeAPINotPublished, "The API does not exist or has not been published in the environment")
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, livespec.ErrorCodeCallbackNotExists, "The resource does not exist")
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		fmt.Fprintf(os.Stderr, "live-emulator: writing a response: %v\n", err)
	}
}
