package liveemulator

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// store owns the configurations, as fake-gcs-server's backend owns its objects: every change goes
// through insert, replace or remove, each saved to the --data file (when there is one) or undone
// whole, and every read through get and list. The HTTP handlers and the Go API both use it. It is
// safe for concurrent use.
type store struct {
	now func() time.Time // the server's clock, for the times of changes

	mu        sync.Mutex
	callbacks map[string]*Callback
	byPair    map[domainApp]string
	nextSeq   uint64
	dataPath  string   // the file Persist saves the store to; "" when the store is memory only
	dataLock  *os.File // held on dataPath's lock file while the store saves to it
	closed    bool     // the data file was released: no change can be saved any more
}

func newStore(now func() time.Time) *store {
	return &store{now: now, callbacks: map[string]*Callback{}, byPair: map[domainApp]string{}}
}

// ErrNoSuchCallback is returned for an id that no configuration has (in the project asked for).
var ErrNoSuchCallback = errors.New("no configuration has this id")

// errPairTaken refuses a configuration whose project, publish_domain and app another one has.
var errPairTaken = errors.New("a configuration for this project, publish_domain and app exists")

type domainApp struct{ projectID, publishDomain, app string }

// pairOf is the key under which one configuration per (publish_domain, app) is kept. The
// documentation does not say whether two spellings of a domain are one pair; the emulator assumes
// they are, domain names being case-insensitive (RFC 4343), and the client prefers an exact match
// should the API keep both. Apps are compared exactly.
func pairOf(projectID, publishDomain, app string) domainApp {
	return domainApp{projectID, strings.ToLower(publishDomain), app}
}

// insert stores cb with a new id, at its CreateTime and UpdateTime when set (else now), and returns
// what was stored.
func (st *store) insert(cb Callback) (Callback, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, taken := st.byPair[pairOf(cb.ProjectID, cb.PublishDomain, cb.App)]; taken {
		return Callback{}, errPairTaken
	}
	now := st.now().UTC().Truncate(time.Second)
	stored := cloneCallback(&cb)
	stored.ID, stored.CreateTime, stored.UpdateTime = newID(), cmpTime(cb.CreateTime, now), cmpTime(cb.UpdateTime, now)
	st.nextSeq++
	stored.seq = st.nextSeq
	st.put(&stored)
	if err := st.commit(&stored, func() { st.drop(&stored) }); err != nil {
		return Callback{}, err
	}
	return cloneCallback(&stored), nil
}

// replace applies change to the configuration id (of projectID, or of any project when projectID is
// ""), bumps its update time and returns it. The change may move it to another pair, when no other
// configuration has that pair.
func (st *store) replace(projectID, id string, change func(*Callback)) (Callback, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cb, ok := st.lookup(projectID, id)
	if !ok {
		return Callback{}, ErrNoSuchCallback
	}
	before, edited := cloneCallback(cb), cloneCallback(cb)
	change(&edited)
	edited.ID, edited.ProjectID, edited.CreateTime, edited.seq = before.ID, before.ProjectID, before.CreateTime, before.seq
	if taken, ok := st.byPair[pairOf(edited.ProjectID, edited.PublishDomain, edited.App)]; ok && taken != id {
		return Callback{}, errPairTaken
	}
	edited.UpdateTime = st.now().UTC().Truncate(time.Second)
	st.drop(cb)
	*cb = edited
	st.put(cb)
	if err := st.commit(cb, func() { st.drop(cb); *cb = before; st.put(cb) }); err != nil {
		return Callback{}, err
	}
	return cloneCallback(cb), nil
}

// remove deletes the configuration id (of projectID, or of any project when projectID is "").
func (st *store) remove(projectID, id string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	cb, ok := st.lookup(projectID, id)
	if !ok {
		return ErrNoSuchCallback
	}
	st.drop(cb)
	return st.commit(nil, func() { st.put(cb) })
}

// reset removes every configuration, of every project.
func (st *store) reset() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	callbacks, byPair := st.callbacks, st.byPair
	st.callbacks, st.byPair = map[string]*Callback{}, map[domainApp]string{}
	return st.commit(nil, func() { st.callbacks, st.byPair = callbacks, byPair })
}

// get returns a copy of the configuration id (of projectID, or of any project when projectID is "").
func (st *store) get(projectID, id string) (Callback, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cb, ok := st.lookup(projectID, id)
	if !ok {
		return Callback{}, false
	}
	return cloneCallback(cb), true
}

// getFirstPair returns a copy of the configuration of the first of apps that has one for the domain,
// all looked up at one instant.
func (st *store) getFirstPair(projectID, publishDomain string, apps ...string) (Callback, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, app := range apps {
		if id, ok := st.byPair[pairOf(projectID, publishDomain, app)]; ok {
			return cloneCallback(st.callbacks[id]), true
		}
	}
	return Callback{}, false
}

// list returns copies of the configurations that match (all when match is nil), in creation order.
func (st *store) list(match func(*Callback) bool) []Callback {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []Callback{}
	for _, cb := range st.sorted() {
		if match == nil || match(cb) {
			out = append(out, cloneCallback(cb))
		}
	}
	return out
}

// The methods below expect st.mu to be held.

func (st *store) lookup(projectID, id string) (*Callback, bool) {
	cb, ok := st.callbacks[id]
	if !ok || (projectID != "" && cb.ProjectID != projectID) {
		return nil, false
	}
	return cb, true
}

// put keeps cb as it is, id and order included.
func (st *store) put(cb *Callback) {
	st.callbacks[cb.ID] = cb
	st.byPair[pairOf(cb.ProjectID, cb.PublishDomain, cb.App)] = cb.ID
}

func (st *store) drop(cb *Callback) {
	delete(st.callbacks, cb.ID)
	delete(st.byPair, pairOf(cb.ProjectID, cb.PublishDomain, cb.App))
}

// sorted returns the stored configurations in creation order.
func (st *store) sorted() []*Callback {
	out := slices.Collect(maps.Values(st.callbacks))
	slices.SortFunc(out, func(a, b *Callback) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// commit saves the store after a change that left changed (nil for a removal) in it; when the data
// file could not load changed back, or cannot be written, it undoes the change, so that the store
// always agrees with the file, and returns the error.
func (st *store) commit(changed *Callback, undo func()) error {
	if st.dataPath == "" {
		return nil
	}
	if st.closed {
		undo()
		return errors.New("the emulator is stopping: its data file was released")
	}
	if changed != nil {
		if _, problem := toData(changed).callback(); problem != "" {
			undo()
			return fmt.Errorf("the data file could not load this configuration back: %s", problem)
		}
	}
	if err := st.save(); err != nil {
		undo()
		return err
	}
	return nil
}

func cloneCallback(cb *Callback) Callback {
	c := *cb
	c.Events = slices.Clone(cb.Events)
	return c
}

// cmpTime is t in whole seconds, or fallback when t is zero.
func cmpTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t.UTC().Truncate(time.Second)
}
