package liveemulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// dataFormat is the version of the data file's layout; a file of another version is refused.
const dataFormat = 1

// dataFile is what Persist keeps on disk: every configuration, keys included, in creation order.
type dataFile struct {
	Format    int            `json:"format"`
	Callbacks []dataCallback `json:"callbacks"`
}

type dataCallback struct {
	ID                string   `json:"id"`
	ProjectID         string   `json:"project_id"`
	PublishDomain     string   `json:"publish_domain"`
	App               string   `json:"app"`
	NotifyCallbackURL string   `json:"notify_callback_url"`
	Events            []string `json:"notify_event_subscription"`
	SignType          string   `json:"sign_type"`
	Key               string   `json:"key"`
	CreateTime        string   `json:"create_time"`
	UpdateTime        string   `json:"update_time"`
}

// Persist loads the configurations saved in the file at path into the store, which must be empty,
// and from then on saves the store to that file after every change: into a temporary file of the
// same directory, then renamed over it, so that a crash leaves the old or the new file, never a
// mix. A missing or empty file starts an empty store. A file that cannot be read or is not a valid
// data file is an error, and is left as it is; so is a directory where the file cannot be written.
// One emulator at a time may use a file: Persist takes an exclusive lock on it (on a lock file
// beside it, as the data file itself is replaced at every save) until Close, and refuses a file that
// another emulator holds. Temporary files that a crashed emulator left are removed: they hold keys.
func (s *Server) Persist(path string) error {
	return s.store.persist(path)
}

func (st *store) persist(path string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	// Through a symbolic link, the file it names: one lock per file, and a save replaces the file,
	// not the link.
	path = resolvedPath(path)
	if len(st.callbacks) != 0 || st.dataPath != "" {
		return errors.New("persist: the store already holds configurations or a data file")
	}
	lock, err := lockDataFile(path)
	if err != nil {
		return err
	}
	loaded, err := readDataFile(path)
	if err == nil {
		err = removeStaleTemporaryFiles(path)
	}
	if err == nil {
		// Fail now rather than at the first change, which would then be refused.
		err = probeWritable(path)
	}
	if err != nil {
		_ = lock.Close()
		return err
	}
	for _, cb := range loaded {
		st.nextSeq++
		cb.seq = st.nextSeq
		st.put(cb)
	}
	st.dataPath, st.dataLock = path, lock
	return nil
}

// Close releases the data file, for another emulator to use: from then on every change is refused,
// as it could not be saved.
func (s *Server) Close() error {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.dataLock == nil {
		return nil
	}
	err := st.dataLock.Close()
	st.dataLock, st.closed = nil, true
	return err
}

var errLocked = errors.New("locked")

// resolvedPath is path with its symbolic links followed, even to a file that does not exist yet.
func resolvedPath(path string) string {
	for range 40 { // as the system's own bound on links
		info, err := os.Lstat(path)
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			break
		}
		target, err := os.Readlink(path)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		return filepath.Join(dir, filepath.Base(path))
	}
	return path
}

// lockPath is the lock file of the data file at path.
func lockPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
}

// temporaryPattern names the temporary files that saves write beside the data file.
func temporaryPattern(path string) string {
	return "." + filepath.Base(path) + ".*.tmp"
}

func lockDataFile(path string) (*os.File, error) {
	lock, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the data file %s cannot be written: creating its lock file: %w", path, err)
	}
	if err := lockExclusive(lock); err != nil {
		_ = lock.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("the data file %s is in use by another emulator (it holds the lock on %s): "+
				"stop that one, or give this one another --data file", path, lockPath(path))
		}
		return nil, fmt.Errorf("the data file %s cannot be locked: %w", path, err)
	}
	return lock, nil
}

// removeStaleTemporaryFiles removes what saves interrupted by a crash left; with the lock held, no
// save is under way.
func removeStaleTemporaryFiles(path string) error {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("the data file %s cannot be written: %w", path, err)
	}
	prefix, suffix := "."+filepath.Base(path)+".", ".tmp" // temporaryPattern's two sides
	for _, entry := range entries {
		// A name match, not a glob: the data file's own name may hold [ or *.
		if name := entry.Name(); !entry.IsDir() && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
			stale := filepath.Join(filepath.Dir(path), name)
			if err := os.Remove(stale); err != nil {
				return fmt.Errorf("removing %s, which an interrupted save left beside the data file: %w", stale, err)
			}
		}
	}
	return nil
}

func probeWritable(path string) error {
	probe, err := os.CreateTemp(filepath.Dir(path), temporaryPattern(path))
	if err != nil {
		return fmt.Errorf("the data file %s cannot be written: %w", path, err)
	}
	_ = probe.Close()
	return os.Remove(probe.Name())
}

func readDataFile(path string) ([]*Callback, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the data file: %w", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil // such as a file just made by mktemp
	}
	var data dataFile
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&data); err != nil {
		return nil, corruptDataFile(path, err.Error())
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return nil, corruptDataFile(path, "data after the JSON document")
	}
	if data.Format != dataFormat {
		return nil, corruptDataFile(path, fmt.Sprintf("format %d, this emulator reads format %d", data.Format, dataFormat))
	}
	ids := map[string]bool{}
	pairs := map[domainApp]bool{}
	callbacks := make([]*Callback, 0, len(data.Callbacks))
	for i, d := range data.Callbacks {
		cb, problem := d.callback()
		pair := pairOf(cb.ProjectID, cb.PublishDomain, cb.App)
		switch {
		case problem != "":
		case ids[cb.ID]:
			problem = "its id is used twice"
		case pairs[pair]:
			problem = "another configuration has the same project, publish_domain and app"
		}
		if problem != "" {
			return nil, corruptDataFile(path, fmt.Sprintf("configuration %d (id %q): %s", i+1, d.ID, problem))
		}
		ids[cb.ID], pairs[pair] = true, true
		callbacks = append(callbacks, cb)
	}
	return callbacks, nil
}

func corruptDataFile(path, problem string) error {
	return fmt.Errorf("the data file %s is not a valid emulator data file (%s); it was left unchanged: "+
		"fix it, move it away or give another --data file", path, problem)
}

// callback checks a saved configuration with the API's own rules and converts it.
func (d dataCallback) callback() (*Callback, string) {
	cb := &Callback{ID: d.ID, ProjectID: d.ProjectID, PublishDomain: d.PublishDomain, App: d.App,
		NotifyCallbackURL: d.NotifyCallbackURL, Events: d.Events, SignType: d.SignType, Key: d.Key}
	if d.ID == "" || d.ProjectID == "" {
		return cb, "it has no id or no project_id"
	}
	if problem := InvalidStored(*cb); problem != "" {
		return cb, problem
	}
	var err error
	if cb.CreateTime, err = time.Parse(livespec.TimeLayout, d.CreateTime); err != nil {
		return cb, "create_time: " + err.Error()
	}
	if cb.UpdateTime, err = time.Parse(livespec.TimeLayout, d.UpdateTime); err != nil {
		return cb, "update_time: " + err.Error()
	}
	return cb, ""
}

// save writes the whole store to the data file atomically. st.mu is held.
func (st *store) save() error {
	data := dataFile{Format: dataFormat, Callbacks: []dataCallback{}}
	for _, cb := range st.sorted() {
		data.Callbacks = append(data.Callbacks, toData(cb))
	}
	raw, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	// CreateTemp makes the file readable by its owner only: it holds the keys.
	tmp, err := os.CreateTemp(filepath.Dir(st.dataPath), temporaryPattern(st.dataPath))
	if err != nil {
		return fmt.Errorf("saving the data file: %w", err)
	}
	_, err = tmp.Write(append(raw, '\n'))
	err = errors.Join(err, tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), st.dataPath)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("saving the data file: %w", err)
	}
	// The rename itself reaches the disk with the directory; not every system can sync one.
	if dir, err := os.Open(filepath.Dir(st.dataPath)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}

func toData(cb *Callback) dataCallback {
	return dataCallback{ID: cb.ID, ProjectID: cb.ProjectID, PublishDomain: cb.PublishDomain, App: cb.App,
		NotifyCallbackURL: cb.NotifyCallbackURL, Events: cb.Events, SignType: cb.SignType, Key: cb.Key,
		CreateTime: cb.CreateTime.Format(livespec.TimeLayout), UpdateTime: cb.UpdateTime.Format(livespec.TimeLayout)}
}
