// Package liveemulator is an in-memory emulator of the Huawei Cloud Live recording callback API. It
// speaks the real wire protocol: AK/SK-signed requests, the API's status codes, error codes and
// X-Request-Id headers. Tests use it in-process; cmd/live-emulator serves it on loopback.
package liveemulator

import (
	"cmp"
	cryptorand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/lastn"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// maxBodyBytes caps request bodies; a callback configuration is a few hundred bytes.
const maxBodyBytes = 64 << 10

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
	// AccessKeyLockout is how long the gateway locks an access key after more than
	// livespec.GatewayLockoutFailures failed signatures in a row: livespec.GatewayLockout when zero,
	// never when negative.
	AccessKeyLockout time.Duration
	// FaultSeed seeds the draws of faults with a Rate, for runs that repeat; random when zero.
	FaultSeed uint64
	// Faults and Throttle are the faults and the throttle the emulator starts with, and that Reset
	// puts back; New panics on a fault that Fault's rules refuse (ParseFault checks them first).
	Faults   []Fault
	Throttle int
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

// Server is the emulator. It is an http.Handler and safe for concurrent use.
type Server struct {
	mux      *http.ServeMux
	hostname string
	// The server's clock: the emulator's clock moved by clockOffset (nanoseconds).
	clock       func() time.Time
	clockOffset atomic.Int64
	start       Options // what Reset puts back: the clock offset, the faults, the throttle and the seed

	// The configurations.
	store *store

	// IAM: the accounts, and what IAM federates and issues.
	credentials       map[string]Credential // by access key
	accounts          []Credential          // in the order given
	defaultProject    string
	identityProviders map[string]IdentityProvider
	agencies          []Agency
	temporaryTTL      time.Duration

	// List paging, as servers differ.
	offsetPages bool
	firstPage   int
	limitCap    int

	deliveryTimeout time.Duration
	lockoutDuration time.Duration

	// mu guards what follows: what IAM issued, the gateway's lockouts, the faults and throttle, the
	// counts, the deliveries and the journal.
	mu                  sync.Mutex
	tokens              map[string]temporary // by token
	temporaries         map[string]temporary // by access key
	lockouts            map[string]lockout   // by access key
	faults              []*activeFault
	faultDraws          *rand.Rand
	maxConcurrent       int
	inFlight            int
	inFlightByOperation map[string]int
	throttled           int
	requests            map[string]int
	userAgents          map[string]bool
	deliveries          *lastn.Log[Delivery]
	journal             *lastn.Log[JournalEntry]
}

// New returns an emulator with an empty store.
func New(opts Options) *Server {
	s := &Server{
		hostname:          cmp.Or(opts.Hostname, "live-emulator"),
		clock:             opts.Now,
		credentials:       make(map[string]Credential, len(opts.Credentials)),
		accounts:          slices.Clone(opts.Credentials),
		identityProviders: map[string]IdentityProvider{},
		agencies:          slices.Clone(opts.Agencies),
		temporaryTTL:      cmp.Or(opts.TemporaryCredentialsTTL, DefaultTemporaryCredentialsTTL),
		offsetPages:       opts.ListOffsetIsPageNumber,
		firstPage:         opts.ListFirstPage,
		limitCap:          opts.ListLimitCap,
		deliveryTimeout:   cmp.Or(opts.DeliveryTimeout, defaultDeliveryTimeout),
		start:             opts,
		lockoutDuration:   cmp.Or(opts.AccessKeyLockout, livespec.GatewayLockout),

		tokens:              map[string]temporary{},
		temporaries:         map[string]temporary{},
		inFlightByOperation: map[string]int{},
	}
	s.emptyRecords()
	if s.clock == nil {
		s.clock = time.Now
	}
	s.restoreStart()
	s.store = newStore(s.now)
	for _, idp := range opts.IdentityProviders {
		s.identityProviders[idp.ID] = idp
	}
	for _, c := range opts.Credentials {
		s.credentials[c.AccessKey] = c
		if s.defaultProject == "" && len(c.Projects) > 0 {
			s.defaultProject = c.Projects[0].ID
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /v1/{project_id}/record/callbacks", s.operation(OperationCreate, s.create))
	s.mux.HandleFunc("GET /v1/{project_id}/record/callbacks", s.operation(OperationList, s.list))
	s.mux.HandleFunc("GET /v1/{project_id}/record/callbacks/{id}", s.operation(OperationShow, s.show))
	s.mux.HandleFunc("PUT /v1/{project_id}/record/callbacks/{id}", s.operation(OperationUpdate, s.update))
	s.mux.HandleFunc("DELETE /v1/{project_id}/record/callbacks/{id}", s.operation(OperationDelete, s.delete))
	s.mux.HandleFunc("GET /v3/projects", s.iamOperation(OperationListProjects, s.listProjects))
	s.mux.HandleFunc("GET /v3/auth/domains", s.iamOperation(OperationListDomains, s.listDomains))
	s.mux.HandleFunc("POST /v3.0/OS-AUTH/id-token/tokens", s.iamOperation(OperationTokenByIDToken, s.tokenByIDToken))
	s.mux.HandleFunc("POST /v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth",
		s.iamOperation(OperationFederatedToken, s.federatedToken))
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
	if r.URL.Path == "" || (path.Clean(r.URL.Path) != r.URL.Path && r.URL.Path != AdminPrefix) {
		// ServeMux would answer with a redirect; the API knows no such path.
		s.serveJournaled(w, r, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeAPINotFound(w) }))
		return
	}
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		s.mux.ServeHTTP(w, r) // the journal is of the API's requests
		return
	}
	s.serveJournaled(w, r, s.mux)
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
	_, _ = cryptorand.Read(b[:]) // crypto/rand never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newID returns a configuration id: 32 hex digits, like the API's, and never containing '/'.
func newID() string {
	return randomHex(16)
}

// randomHex returns n random bytes in hex: ids, tokens and temporary keys.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = cryptorand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}
