package liveemulator

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// These methods let tests and the command look into the store and change it behind the API's back,
// as a colleague using the console would.

// Callbacks returns copies of every stored configuration, in creation order.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Callback, 0, len(s.callbacks))
	for _, cb := range s.sortedCallbacks() {
		out = append(out, cloneCallback(cb))
	}
	return out
}

// Callback returns a copy of the configuration with this id.
func (s *Server) Callback(id string) (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.callbacks[id]
	if !ok {
		return Callback{}, false
	}
	return cloneCallback(cb), true
}

// ModifyCallback changes a configuration in place (publish_domain and app excepted) and bumps its
// update time.
func (s *Server) ModifyCallback(id string, change func(*Callback)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.callbacks[id]
	if !ok {
		return ErrNoSuchCallback
	}
	before, edited := cloneCallback(cb), cloneCallback(cb)
	change(&edited)
	cb.NotifyCallbackURL, cb.Events, cb.SignType, cb.Key = edited.NotifyCallbackURL, edited.Events, edited.SignType, edited.Key
	cb.UpdateTime = s.now().UTC().Truncate(time.Second)
	if err := s.checkSavable(cb); err != nil {
		*cb = before
		return err
	}
	return s.committed(func() { *cb = before })
}

// DeleteCallback removes a configuration.
func (s *Server) DeleteCallback(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.callbacks[id]
	if !ok {
		return ErrNoSuchCallback
	}
	s.remove(cb)
	return s.committed(func() { s.put(cb) })
}

// RequestCounts returns how many authenticated requests each operation has served.
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

func cloneCallback(cb *Callback) Callback {
	c := *cb
	c.Events = slices.Clone(cb.Events)
	return c
}

// AddCallback stores a configuration directly, as if created through the API (at its CreateTime and
// UpdateTime when set, such as a colleague's configuration of last week), and returns it with its id
// and times; it fails when (project, publish_domain, app) is taken.
func (s *Server) AddCallback(cb Callback) (Callback, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.insert(cb)
	if !ok {
		return Callback{}, fmt.Errorf("a configuration for publish_domain %q and app %q exists", cb.PublishDomain, cb.App)
	}
	if err := s.checkSavable(stored); err != nil {
		s.remove(stored)
		return Callback{}, err
	}
	if err := s.committed(func() { s.remove(stored) }); err != nil {
		return Callback{}, err
	}
	return cloneCallback(stored), nil
}
