package liveemulator_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// newPersistentEnv starts an emulator that keeps its store in path.
func newPersistentEnv(t *testing.T, path string) testEnv {
	t.Helper()
	env := newTestEnv(t, liveemulator.Options{})
	if err := env.emulator.Persist(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.emulator.Close() })
	return env
}

// reloaded stops the running emulator and returns what a new one started on path holds, as stored
// returns it.
func reloaded(t *testing.T, running *liveemulator.Server, path string) []string {
	t.Helper()
	if err := running.Close(); err != nil {
		t.Fatal(err)
	}
	restarted := liveemulator.New(liveemulator.Options{})
	if err := restarted.Persist(path); err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	return stored(restarted)
}

// stored lists every field of every configuration of the emulator, in order.
func stored(emulator *liveemulator.Server) []string {
	var out []string
	for _, cb := range emulator.Callbacks() {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %v %s %s %s %s", cb.ID, cb.ProjectID, cb.PublishDomain, cb.App,
			cb.NotifyCallbackURL, cb.Events, cb.SignType, cb.Key, cb.CreateTime, cb.UpdateTime))
	}
	return out
}

// noTemporaryFiles asserts that the data file is alone in its directory with its lock file.
func noTemporaryFiles(t *testing.T, path string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		if entry.Name() != filepath.Base(path) && entry.Name() != "."+filepath.Base(path)+".lock" {
			t.Errorf("%s is left beside the data file", entry.Name())
		}
	}
}

func TestPersistAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	env := newPersistentEnv(t, path)
	ctx := context.Background()
	var ids []string
	for _, domain := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		created, err := env.client.Create(ctx, validSpec(domain, "live"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, created.ID)
	}
	update := validSpec("b.example.com", "live")
	update.NotifyCallbackURL = ptr("https://elsewhere.example.com/hook")
	if _, err := env.client.Update(ctx, ids[1], update); err != nil {
		t.Fatal(err)
	}
	if err := env.client.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}

	if callbacks := env.emulator.Callbacks(); len(callbacks) != 2 || callbacks[0].NotifyCallbackURL != "https://elsewhere.example.com/hook" ||
		callbacks[1].Key != testKey {
		t.Fatalf("unexpected store before the restart: %+v", callbacks)
	}
	want := stored(env.emulator)
	if got := reloaded(t, env.emulator, path); !reflect.DeepEqual(got, want) {
		t.Fatalf("after a restart\n got %+v\nwant %+v", got, want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Fatalf("the data file holds keys but its mode is %o", mode)
	}
	noTemporaryFiles(t, path)

	// The restarted emulator serves what it loaded, and goes on saving.
	restarted := newPersistentEnv(t, path)
	shown, err := restarted.client.Show(ctx, ids[2])
	if err != nil || shown.PublishDomain != "c.example.com" {
		t.Fatalf("show after restart: %+v, %v", shown, err)
	}
	if _, err := restarted.client.Create(ctx, validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if _, err := restarted.client.Create(ctx, validSpec("c.example.com", "live")); !liveapi.IsAlreadyExists(err) {
		t.Fatalf("a loaded pair must stay taken: %v", err)
	}
	if got := reloaded(t, restarted.emulator, path); len(got) != 3 {
		t.Fatalf("after a second restart: %d configurations, want 3", len(got))
	}
}

func TestPersistStartsEmptyWithoutAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	env := newPersistentEnv(t, path)
	if n := len(env.emulator.Callbacks()); n != 0 {
		t.Fatalf("%d configurations from a missing file", n)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the file is written before any change: %v", err)
	}
	noTemporaryFiles(t, path)
	// An empty file, such as mktemp makes, is an empty store too.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := reloaded(t, env.emulator, path); len(got) != 0 {
		t.Fatalf("%d configurations from an empty file", len(got))
	}
}

// TestPersistRefusesADirectoryItCannotWrite: the emulator stops at start, not at the first change.
func TestPersistRefusesADirectoryItCannotWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "live.json")
	err := liveemulator.New(liveemulator.Options{}).Persist(path)
	if err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Fatalf("got %v", err)
	}
}

// TestPersistRefusesWhatItCouldNotLoad: a configuration stored behind the API's back must be one
// that a restart can load.
func TestPersistRefusesWhatItCouldNotLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	env := newPersistentEnv(t, path)
	_, err := env.emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "a.example.com", App: "live", SignType: "MD5"})
	if err == nil || !strings.Contains(err.Error(), "notify_event_subscription") {
		t.Fatalf("got %v", err)
	}
	valid, err := env.emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "a.example.com", App: "live",
		Events: []string{"RECORD_OVER"}, SignType: "MD5"})
	if err != nil {
		t.Fatal(err)
	}
	before := stored(env.emulator)
	if err := env.emulator.ModifyCallback(valid.ID, func(cb *liveemulator.Callback) { cb.SignType = "SHA1" }); err == nil {
		t.Fatal("an invalid sign type was stored")
	}
	if after := stored(env.emulator); !reflect.DeepEqual(after, before) || !reflect.DeepEqual(reloaded(t, env.emulator, path), before) {
		t.Fatalf("refused changes were kept:\n got %v\nwant %v", after, before)
	}
}

func TestPersistRefusesAnInvalidFileAndKeepsIt(t *testing.T) {
	valid := func(id, domain string) string {
		return fmt.Sprintf(`{"id": %q, "project_id": %q, "publish_domain": %q, "app": "live", "notify_callback_url": "",
			"notify_event_subscription": ["RECORD_OVER"], "sign_type": "MD5", "key": "", "create_time": "2026-01-02T03:04:05Z",
			"update_time": "2026-01-02T03:04:05Z"}`, id, testProjectID, domain)
	}
	cases := map[string]struct{ content, want string }{
		"not JSON":       {`{"format": 1, "callbacks": [`, "unexpected EOF"},
		"trailing data":  {`{"format": 1, "callbacks": []} {}`, "data after the JSON document"},
		"unknown field":  {`{"format": 1, "callbacks": [], "extra": true}`, `unknown field "extra"`},
		"other format":   {`{"format": 2, "callbacks": []}`, "format 2"},
		"invalid domain": {`{"format": 1, "callbacks": [` + strings.Replace(valid("1", "a.example.com"), "a.example.com", "Not A Domain", 1) + `]}`, `configuration 1 (id "1")`},
		"duplicate id":   {`{"format": 1, "callbacks": [` + valid("1", "a.example.com") + `,` + valid("1", "b.example.com") + `]}`, "its id is used twice"},
		"duplicate pair": {`{"format": 1, "callbacks": [` + valid("1", "a.example.com") + `,` + valid("2", "a.example.com") + `]}`, "same project, publish_domain and app"},
		"duplicate pair but for the domain's case": {`{"format": 1, "callbacks": [` + valid("1", "A.example.com") + `,` + valid("2", "a.example.com") + `]}`,
			"same project, publish_domain and app"},
		"bad time": {`{"format": 1, "callbacks": [` + strings.Replace(valid("1", "a.example.com"), "2026-01-02T03:04:05Z", "yesterday", 1) + `]}`, "create_time"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "live.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			err := liveemulator.New(liveemulator.Options{}).Persist(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "left unchanged") {
				t.Fatalf("got %v, want an error naming the file and %q", err, tc.want)
			}
			if content, _ := os.ReadFile(path); string(content) != tc.content {
				t.Fatalf("the file was changed to %q", content)
			}
			noTemporaryFiles(t, path)
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		path := t.TempDir() // a directory cannot be read as a file
		if err := liveemulator.New(liveemulator.Options{}).Persist(path); err == nil || !strings.Contains(err.Error(), "reading the data file") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestPersistConcurrentWrites: concurrent creates, updates and deletes leave a file that holds
// exactly what the emulator holds, and no temporary file.
func TestPersistConcurrentWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	env := newPersistentEnv(t, path)
	ctx := context.Background()
	const n = 24
	concurrently(t, n, func(i int) error {
		spec := validSpec(fmt.Sprintf("d%d.example.com", i), "live")
		created, err := env.client.Create(ctx, spec)
		if err == nil {
			spec.NotifyCallbackURL = ptr(fmt.Sprintf("https://receiver.example.com/%d", i))
			_, err = env.client.Update(ctx, created.ID, spec)
		}
		if err == nil && i%3 == 0 {
			err = env.client.Delete(ctx, created.ID)
		}
		return err
	})
	want := stored(env.emulator)
	if len(want) != n-n/3 {
		t.Fatalf("%d configurations, want %d", len(want), n-n/3)
	}
	if got := reloaded(t, env.emulator, path); !reflect.DeepEqual(got, want) {
		t.Fatalf("the file disagrees with the emulator:\n got %+v\nwant %+v", got, want)
	}
	noTemporaryFiles(t, path)
}

// TestPersistFailureUndoesTheChange: a change that cannot be saved is answered 500 and not made, so
// that the emulator never holds what a restart would lose.
func TestPersistFailureUndoesTheChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	env := newPersistentEnv(t, filepath.Join(dir, "live.json"))
	ctx := context.Background()
	created, err := env.client.Create(ctx, validSpec("a.example.com", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil { // the next save cannot create its temporary file
		t.Fatal(err)
	}
	before := stored(env.emulator)
	update := validSpec("a.example.com", "live")
	update.NotifyCallbackURL = ptr("https://elsewhere.example.com/hook")
	_, err = env.client.Update(ctx, created.ID, update)
	apiError(t, err, http.StatusInternalServerError, "EMULATOR.500")
	err = env.client.Delete(ctx, created.ID)
	apiError(t, err, http.StatusInternalServerError, "EMULATOR.500")
	_, err = env.emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "b.example.com", App: "live"})
	if err == nil {
		t.Fatal("AddCallback succeeded without saving")
	}
	if err := env.emulator.DeleteCallback(created.ID); err == nil {
		t.Fatal("DeleteCallback succeeded without saving")
	}
	// An update that moves the configuration to another pair is undone whole: the old pair is taken
	// still, the new one free.
	_, err = env.client.Update(ctx, created.ID, validSpec("c.example.com", "vod"))
	apiError(t, err, http.StatusInternalServerError, "EMULATOR.500")
	if after := stored(env.emulator); !reflect.DeepEqual(after, before) {
		t.Fatalf("failed changes were kept:\n got %+v\nwant %+v", after, before)
	}
	if _, err := env.emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "A.example.com", App: "live"}); err == nil ||
		!strings.Contains(err.Error(), "exists") {
		t.Fatalf("the pair the failed update left must still be taken: %v", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := env.emulator.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "c.example.com", App: "vod",
		Events: []string{livespec.EventRecordOver}, SignType: livespec.SignTypeMD5}); err != nil {
		t.Fatalf("the pair the failed update took must be free: %v", err)
	}
}

// TestPersistHasOneOwner: a second emulator on a data file in use refuses to start, naming the file
// and why, and starts once the first is closed; temporary files that a crash left (keys in them)
// are removed at start.
func TestPersistHasOneOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	first := newPersistentEnv(t, path)
	if _, err := first.client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	second := liveemulator.New(liveemulator.Options{})
	if err := second.Persist(path); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "in use by another emulator") {
		t.Fatalf("want the file named as in use, got %v", err)
	}
	if len(second.Callbacks()) != 0 {
		t.Fatal("a refused emulator loaded the file")
	}
	if _, err := first.client.Create(context.Background(), validSpec("b.example.com", "live")); err != nil {
		t.Fatalf("the first emulator must go on saving: %v", err)
	}
	stale := filepath.Join(filepath.Dir(path), ".live.json.123456.tmp")
	if err := os.WriteFile(stale, []byte(`{"key":"abcdefghijklmnopqrstuvwxyz012345"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := reloaded(t, first.emulator, path); len(got) != 2 {
		t.Fatalf("after the first stopped: %d configurations, want 2", len(got))
	}
	noTemporaryFiles(t, path)
}

// TestPersistNamesWithGlobCharacters: a data file named with [ or * has its stale temporary files
// removed like any other, and starts.
func TestPersistNamesWithGlobCharacters(t *testing.T) {
	for _, name := range []string{"data[1].json", "x[.json", "a*b.json"} {
		path := filepath.Join(t.TempDir(), name)
		stale := filepath.Join(filepath.Dir(path), "."+name+".42.tmp")
		if err := os.WriteFile(stale, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		env := newPersistentEnv(t, path)
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("%s: the stale temporary file is left: %v", name, err)
		}
		if _, err := env.client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestPersistRefusesChangesOnceClosed: a change that arrives after Close (a request that outlived
// the shutdown) cannot be saved, so it is refused and not made.
func TestPersistRefusesChangesOnceClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	env := newPersistentEnv(t, path)
	if err := env.emulator.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := env.client.Create(context.Background(), validSpec("a.example.com", "live"))
	apiError(t, err, http.StatusInternalServerError, "EMULATOR.500")
	if n := len(env.emulator.Callbacks()); n != 0 {
		t.Fatalf("%d configurations made that no file holds", n)
	}
}

// TestPersistThroughASymlink: a data file reached through a symbolic link is the file it names: a
// second emulator on the link is refused while the first holds the file, and saves through the link
// keep it a link.
func TestPersistThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	path, link := filepath.Join(dir, "data.json"), filepath.Join(dir, "link.json")
	if err := os.Symlink("data.json", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	first := newPersistentEnv(t, path)
	if err := liveemulator.New(liveemulator.Options{}).Persist(link); err == nil || !strings.Contains(err.Error(), "in use by another emulator") {
		t.Fatalf("a second emulator through a link: %v", err)
	}
	if err := first.emulator.Close(); err != nil {
		t.Fatal(err)
	}
	viaLink := newPersistentEnv(t, link)
	if _, err := viaLink.client.Create(context.Background(), validSpec("a.example.com", "live")); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v", err)
	}
	if got := reloaded(t, viaLink.emulator, path); len(got) != 1 {
		t.Fatalf("the file the link names holds %d configurations, want 1", len(got))
	}
}
