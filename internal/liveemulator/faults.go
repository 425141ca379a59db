package liveemulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// Fault tells the emulator to misbehave on the next Times requests of an operation (every request
// when Times is 0), so that clients can rehearse what a real network and API do to them.
type Fault struct {
	// Operation is create, show, update, delete or list, or one of IAM's (token_by_id_token,
	// federated_token, security_token, list_projects, list_domains); empty for every operation of
	// the Live API.
	Operation string
	// Times is how many requests the fault applies to; 0 means every request.
	Times int
	// Rate, when set (above 0, at most 1), is the chance that the fault applies to each request of
	// the operation, for soak tests; Times then counts the requests it applied to.
	Rate float64
	// Status answers with this HTTP status and ErrorCode instead of handling the request, or, with
	// Apply, after handling it (the change is made or refused, and the answer is a server error).
	Status    int
	ErrorCode string
	Apply     bool
	// NotPublished answers 404 APIG.0101 as the API gateway does for an API it does not know: what a
	// wrong endpoint, an unpublished region or a proxy in the way looks like.
	NotPublished bool
	// Omit removes these top-level fields from the JSON body of a successful answer.
	Omit []string
	// OtherBody answers a successful show, create or update with the body of another stored
	// configuration (or, with none, its own with another id): a proxy or cache mixing up objects.
	OtherBody bool
	// Redirect answers 302 Found to this URL with an empty body, without handling the request: a
	// proxy or a login page in the way.
	Redirect string
	// RetryAfter is sent as the Retry-After header (seconds) with Status.
	RetryAfter int
	// Drop closes the connection without an answer: DropBeforeApply before handling the request,
	// DropAfterApply after handling it (the change is made, the response is lost).
	Drop string
	// Latency delays the response after the request is handled.
	Latency time.Duration
}

// The Drop values.
const (
	DropBeforeApply = "before"
	DropAfterApply  = "after"
)

var (
	liveOperations  = []string{OperationCreate, OperationShow, OperationUpdate, OperationDelete, OperationList}
	iamOperations   = []string{OperationTokenByIDToken, OperationFederatedToken, OperationSecurityToken, OperationListProjects, OperationListDomains}
	faultOperations = slices.Concat([]string{""}, liveOperations, iamOperations)
)

func (f Fault) validate() error {
	switch {
	case !slices.Contains(faultOperations, f.Operation):
		return fmt.Errorf("unknown operation %q: want one of %s", f.Operation, strings.Join(faultOperations[1:], ", "))
	case f.Times < 0:
		return errors.New("times must not be negative")
	case f.Rate < 0 || f.Rate > 1 || math.IsNaN(f.Rate):
		return errors.New("rate must be above 0 and at most 1, such as 0.2")
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("status %d is not an error status", f.Status)
	case f.Status != 0 && f.Drop != "":
		return errors.New("a fault either answers with a status or drops the connection")
	case f.Drop != "" && f.Drop != DropBeforeApply && f.Drop != DropAfterApply:
		return fmt.Errorf("drop must be %q or %q", DropBeforeApply, DropAfterApply)
	case f.Latency < 0 || f.RetryAfter < 0:
		return errors.New("latency and retry_after must not be negative")
	case f.Apply && f.Status < 500:
		return errors.New("apply needs a 5xx status: the server failed after handling the request")
	case f.NotPublished && (f.Status != 0 || f.Drop != "" || len(f.Omit) > 0):
		return errors.New("not_published answers alone: no status, drop or omit with it")
	case len(f.Omit) > 0 && (f.Status != 0 || f.Drop != ""):
		return errors.New("omit changes a successful answer: no status or drop with it")
	case f.Redirect != "" && (f.Status != 0 || f.Drop != "" || f.NotPublished || len(f.Omit) > 0 || f.OtherBody):
		return errors.New("redirect answers alone: no status, drop, not_published, omit or other_body with it")
	case f.OtherBody && (f.Status != 0 || f.Drop != ""):
		return errors.New("other_body changes a successful answer: no status or drop with it")
	case f.Status == 0 && f.Drop == "" && f.Latency == 0 && !f.NotPublished && len(f.Omit) == 0 && !f.OtherBody && f.Redirect == "":
		return errors.New("a fault needs a status, a drop, not_published, omit, other_body, redirect or a latency")
	}
	return nil
}

// ParseFault reads the command's --fault syntax: an operation (or "*" for every one of the Live API), a colon, and
// comma-separated settings, e.g. "create:status=500,code=LIVE.100011005,times=2",
// "create:status=502,apply,times=1", "update:drop=after,times=1", "show:latency=2s",
// "*:not_published", "update:omit=id+create_time", "show:other_body", "delete:redirect=https://login.example.com/",
// "*:status=429,retry_after=1" or "*:status=503,rate=0.2".
func ParseFault(s string) (Fault, error) {
	operation, settings, found := strings.Cut(s, ":")
	if !found {
		return Fault{}, fmt.Errorf("fault %q: want <operation>:<setting>=<value>[,<setting>=<value>]", s)
	}
	var f Fault
	if operation != "*" {
		f.Operation = operation
	}
	for _, setting := range strings.Split(settings, ",") {
		name, value, _ := strings.Cut(setting, "=")
		var err error
		switch name {
		case "times":
			f.Times, err = strconv.Atoi(value)
		case "rate":
			f.Rate, err = strconv.ParseFloat(value, 64)
			if err == nil && f.Rate == 0 {
				err = errors.New("rate must be above 0 and at most 1, such as 0.2")
			}
		case "status":
			f.Status, err = strconv.Atoi(value)
		case "code":
			f.ErrorCode = value
		case "retry_after":
			f.RetryAfter, err = strconv.Atoi(value)
		case "drop":
			f.Drop = value
		case "latency":
			f.Latency, err = time.ParseDuration(value)
		case "apply":
			f.Apply, err = parseFlag(value)
		case "not_published":
			f.NotPublished, err = parseFlag(value)
		case "omit":
			f.Omit = strings.Split(value, "+")
		case "other_body":
			f.OtherBody, err = parseFlag(value)
		case "redirect":
			f.Redirect = value
		default:
			err = fmt.Errorf("unknown setting %q", name)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %w", s, err)
		}
	}
	if err := f.validate(); err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", s, err)
	}
	return f, nil
}

// parseFlag reads a setting that is on when named alone or set to true.
func parseFlag(value string) (bool, error) {
	if value == "" {
		return true, nil
	}
	return strconv.ParseBool(value)
}

type activeFault struct {
	Fault
	remaining int // for Times > 0
}

// newFaultDraws is the source of the draws of faults with a Rate: seeded, or random when seed is 0.
func newFaultDraws(seed uint64) *rand.Rand {
	if seed == 0 {
		seed = rand.Uint64() //nolint:gosec // draws of faults, not secrets
	}
	return rand.New(rand.NewPCG(seed, seed)) //nolint:gosec // seeded on purpose, for runs that repeat
}

// InjectFault adds a fault; faults apply in the order they were added, one per request.
func (s *Server) InjectFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f, remaining: f.Times})
	return nil
}

// ClearFaults removes every fault and the throttle.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.maxConcurrent = 0
}

// SetThrottle answers 500 LIVE.100011007, the API's concurrency throttle, to requests beyond
// maxConcurrent in flight at once; 0 turns the throttle off.
func (s *Server) SetThrottle(maxConcurrent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxConcurrent = maxConcurrent
}

// String is the fault in ParseFault's syntax.
func (f Fault) String() string {
	var settings []string
	add := func(name, value string) { settings = append(settings, name+value) }
	if f.Times > 0 {
		add("times=", strconv.Itoa(f.Times))
	}
	if f.Rate > 0 {
		add("rate=", strconv.FormatFloat(f.Rate, 'g', -1, 64))
	}
	if f.Status != 0 {
		add("status=", strconv.Itoa(f.Status))
	}
	if f.ErrorCode != "" {
		add("code=", f.ErrorCode)
	}
	if f.Apply {
		add("apply", "")
	}
	if f.RetryAfter > 0 {
		add("retry_after=", strconv.Itoa(f.RetryAfter))
	}
	if f.NotPublished {
		add("not_published", "")
	}
	if len(f.Omit) > 0 {
		add("omit=", strings.Join(f.Omit, "+"))
	}
	if f.OtherBody {
		add("other_body", "")
	}
	if f.Redirect != "" {
		add("redirect=", f.Redirect)
	}
	if f.Drop != "" {
		add("drop=", f.Drop)
	}
	if f.Latency > 0 {
		add("latency=", f.Latency.String())
	}
	return cmp.Or(f.Operation, "*") + ":" + strings.Join(settings, ",")
}

// ActiveFault is a fault in effect, as the admin endpoint lists it: in the --fault syntax, with how
// many requests it still applies to (0: every request).
type ActiveFault struct {
	Fault     string `json:"fault"`
	Remaining int    `json:"remaining"`
}

// Faults returns the faults in effect, in the order they apply.
func (s *Server) Faults() []ActiveFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ActiveFault{}
	for _, f := range s.faults {
		out = append(out, ActiveFault{Fault: f.String(), Remaining: f.remaining})
	}
	return out
}

// PendingFaults returns how many faults with a number of Times are not used up yet.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		if f.Times > 0 {
			n++
		}
	}
	return n
}

// InFlight returns how many requests of the operation are being served now, such as held by a
// fault's latency.
func (s *Server) InFlight(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlightByOperation[operation]
}

// ThrottledCount returns how many requests the throttle has refused.
func (s *Server) ThrottledCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// takeFault returns the fault for one request of operation and uses it up; s.mu must be held.
func (s *Server) takeFault(operation string) (Fault, bool) {
	for i, f := range s.faults {
		if f.Operation != operation && (f.Operation != "" || !slices.Contains(liveOperations, operation)) {
			continue
		}
		if f.Rate > 0 && s.faultDraws.Float64() >= f.Rate {
			continue
		}
		if f.Times > 0 {
			f.remaining--
			if f.remaining == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// serveWithFaults handles a request of operation through h, applying the throttle and the fault
// that applies to it, if any.
func (s *Server) serveWithFaults(w http.ResponseWriter, r *http.Request, operation string, h func(http.ResponseWriter)) {
	s.mu.Lock()
	// The throttle is the Live API's: IAM's requests neither count toward it nor meet it.
	live := slices.Contains(liveOperations, operation)
	if live {
		s.inFlight++
	}
	s.inFlightByOperation[operation]++
	limit := s.maxConcurrent
	throttled := live && limit > 0 && s.inFlight > limit
	fault, faulty := s.takeFault(operation)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if live {
			s.inFlight--
		}
		s.inFlightByOperation[operation]--
		s.mu.Unlock()
	}()

	if throttled {
		s.mu.Lock()
		s.throttled++
		s.mu.Unlock()
		journalOf(r).Reason = "the throttle: more than " + strconv.Itoa(limit) + " requests in flight"
		writeError(w, http.StatusInternalServerError, livespec.ErrorCodeTooManyRequests, "Too many concurrent API requests")
		return
	}
	if !faulty {
		h(w)
		return
	}
	journalOf(r).Reason = "injected fault: " + fault.String()
	if fault.NotPublished {
		writeAPINotFound(w)
		return
	}
	if fault.Redirect != "" {
		w.Header().Set("Location", fault.Redirect)
		w.WriteHeader(http.StatusFound)
		return
	}
	if fault.Status != 0 && !fault.Apply {
		writeFaultStatus(w, fault)
		return
	}
	if fault.Drop == DropBeforeApply {
		dropConnection(w)
		return
	}
	buffered := &bufferedResponse{header: w.Header()}
	h(buffered)
	if fault.Status != 0 {
		writeFaultStatus(w, fault)
		return
	}
	if fault.Drop == DropAfterApply {
		dropConnection(w)
		return
	}
	if fault.Latency > 0 {
		timer := time.NewTimer(fault.Latency)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done(): // the client gave up: the change stays made
			return
		}
	}
	body := buffered.body.Bytes()
	if len(fault.Omit) > 0 && buffered.status < 300 {
		body = withoutFields(body, fault.Omit)
	}
	if fault.OtherBody && buffered.status < 300 {
		body = s.otherBody(body)
	}
	w.WriteHeader(buffered.status)
	_, _ = w.Write(body)
}

func writeFaultStatus(w http.ResponseWriter, fault Fault) {
	if fault.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(fault.RetryAfter))
	}
	writeError(w, fault.Status, cmp.Or(fault.ErrorCode, livespec.ErrorCodeInternal), "Injected fault: "+http.StatusText(fault.Status))
}

// withoutFields removes fields from a JSON object; any other body is returned as it is.
func withoutFields(body []byte, fields []string) []byte {
	var object map[string]json.RawMessage
	if json.Unmarshal(body, &object) != nil {
		return body
	}
	for _, field := range fields {
		delete(object, field)
	}
	out, err := json.Marshal(object)
	if err != nil {
		return body
	}
	return append(out, '\n')
}

// otherBody is the body of a stored configuration other than the one body is about, or body with
// another id when there is none; any other body is returned as it is.
func (s *Server) otherBody(body []byte) []byte {
	var answer wireCallback
	if json.Unmarshal(body, &answer) != nil || answer.ID == "" {
		return body
	}
	other := answer
	other.ID = newID()
	if others := s.store.list(func(cb *Callback) bool { return cb.ID != answer.ID }); len(others) > 0 {
		other = wireFrom(&others[0])
	}
	out, err := json.Marshal(other)
	if err != nil {
		return body
	}
	return append(out, '\n')
}

// dropConnection closes the client's connection without an HTTP answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	}
	_ = conn.Close()
}

// bufferedResponse holds a handler's answer so that it can be delayed or dropped.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}
