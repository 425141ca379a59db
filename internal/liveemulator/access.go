package liveemulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/platform-tools/terraform-provider-live/internal/lastn"
)

// The Go API of the store, for tests and the command: look into it and change it behind the API's
// back, as a colleague using the console would. Every change goes through the store, as the API's
// do.

// Callbacks returns copies of every stored configuration, in creation order.
func (s *Server) Callbacks() []Callback {
	return s.store.list(nil)
}

// Callback returns a copy of the configuration with this id.
func (s *Server) Callback(id string) (Callback, bool) {
	return s.store.get("", id)
}

// AddCallback stores a configuration directly, as if created through the API (at its CreateTime and
// UpdateTime when set, such as a colleague's configuration of last week), and returns it with its id
// and times; it fails when (project, publish_domain, app) is taken.
func (s *Server) AddCallback(cb Callback) (Callback, error) {
	stored, err := s.store.insert(cb)
	if errors.Is(err, errPairTaken) {
		return Callback{}, fmt.Errorf("a configuration for publish_domain %q and app %q exists", cb.PublishDomain, cb.App)
	}
	return stored, err
}

// ModifyCallback changes a configuration in place (publish_domain and app excepted) and bumps its
// update time.
func (s *Server) ModifyCallback(id string, change func(*Callback)) error {
	_, err := s.store.replace("", id, func(cb *Callback) {
		publishDomain, app := cb.PublishDomain, cb.App
		change(cb)
		cb.PublishDomain, cb.App = publishDomain, app
	})
	return err
}

// DeleteCallback removes a configuration.
func (s *Server) DeleteCallback(id string) error {
	return s.store.remove("", id)
}

// Reset returns the emulator to where a test case starts, without a restart: no configurations in
// any project (the --data file saved empty), no deliveries, journal, request counts or access key
// lockouts, and the clock offset, faults, throttle and draws it started with (Options). The
// accounts stay, and so do the tokens and temporary credentials IAM issued, which running clients
// hold. When the data file cannot be saved, nothing is reset.
func (s *Server) Reset() error {
	if err := s.store.reset(); err != nil {
		return err
	}
	s.mu.Lock()
	s.emptyRecords()
	s.mu.Unlock()
	s.restoreStart()
	return nil
}

// emptyRecords starts what the emulator records of the requests it served: the delivery log, the
// journal, the counts and the access keys' lockouts. s.mu is held (or s not yet shared).
func (s *Server) emptyRecords() {
	s.deliveries = lastn.New[Delivery](MaxDeliveries)
	s.journal = lastn.New[JournalEntry](MaxJournalEntries)
	s.requests, s.userAgents = map[string]int{}, map[string]bool{}
	s.lockouts = map[string]lockout{}
	s.throttled = 0
}

// restoreStart puts back what the emulator started with: the clock offset, the faults (with their
// counts whole), the throttle and the seed of the faults' draws.
func (s *Server) restoreStart() {
	s.clockOffset.Store(int64(s.start.ClockOffset))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	for _, f := range s.start.Faults {
		if err := f.validate(); err != nil {
			panic(fmt.Sprintf("liveemulator: Options.Faults: %v", err))
		}
		s.faults = append(s.faults, &activeFault{Fault: f, remaining: f.Times})
	}
	s.maxConcurrent = s.start.Throttle
	s.faultDraws = newFaultDraws(s.start.FaultSeed)
}

// RequestCounts returns how many requests each operation has received: the Live API's once they
// authenticated, IAM's all of them (those a fault answered included).
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}

// UserAgents returns the distinct User-Agent headers of the authenticated requests served.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.userAgents))
}
