package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livereceiver"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

func TestRunPrintsTheBaseURLFirstAndServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--project-id", "pid"}, stdout, io.Discard)
		stdout.Close()
	}()

	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	baseURL := lines.Text()
	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") || strings.HasSuffix(baseURL, ":0") {
		t.Fatalf("the first line is %q, want the base URL with the chosen port", baseURL)
	}
	var rest []string
	for len(rest) < 3 && lines.Scan() {
		rest = append(rest, lines.Text())
	}
	if got := strings.Join(rest, "\n"); !strings.Contains(got, "access key: "+liveemulator.DefaultAccessKey) || !strings.Contains(got, "project id: pid") {
		t.Fatalf("the settings are not printed: %q", got)
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()

	resp, err := http.Get(baseURL + "/v1/pid/record/callbacks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("an unsigned request: %d", resp.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"--listen", "not-an-address"}, io.Discard, io.Discard); err == nil {
		t.Fatal("an invalid listen address must fail")
	}
	if err := run(context.Background(), []string{"--unknown"}, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown flag must fail")
	}
}

// TestRunStopsOnACorruptDataFile: the emulator does not start, says why, and keeps the file.
func TestRunStopsOnACorruptDataFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"--listen", "127.0.0.1:0", "--data", path}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), path+" is not a valid emulator data file") {
		t.Fatalf("got %v", err)
	}
	if content, _ := os.ReadFile(path); string(content) != "{not json" {
		t.Fatalf("the file was changed to %q", content)
	}
}

// TestRunRefusesADataFileInUse: a second emulator process started on the data file of a running one
// stops before it listens, naming the file and why; the first goes on serving.
func TestRunRefusesADataFileInUse(t *testing.T) {
	if os.Getenv("LIVE_EMULATOR_TEST_PROCESS") == "1" {
		return // the second process's own copy of this test does nothing
	}
	path := filepath.Join(t.TempDir(), "live.json")
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--data", path}, stdout, io.Discard)
		stdout.Close()
	}()
	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() {
		t.Fatal("the first emulator did not start")
	}
	baseURL := lines.Text()
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()

	second := exec.Command(os.Args[0], "-test.run=^TestSecondProcess$")
	second.Env = append(os.Environ(), "LIVE_EMULATOR_TEST_PROCESS=1", "LIVE_EMULATOR_TEST_DATA="+path)
	output, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(output), path+" is in use by another emulator") {
		t.Fatalf("the second process must refuse the file: %v\n%s", err, output)
	}
	resp, err := http.Get(baseURL + liveemulator.AdminPrefix + "callbacks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the first emulator: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSecondProcess is TestRunRefusesADataFileInUse's second process: it runs the emulator on the
// data file it is given, and fails as the command would.
func TestSecondProcess(t *testing.T) {
	if os.Getenv("LIVE_EMULATOR_TEST_PROCESS") != "1" {
		t.Skip("run by TestRunRefusesADataFileInUse")
	}
	if err := run(context.Background(), []string{"--listen", "127.0.0.1:0", "--data", os.Getenv("LIVE_EMULATOR_TEST_DATA")}, io.Discard, io.Discard); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func TestRecordAndDeliveriesSubcommands(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutReader, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--listen", "127.0.0.1:0"}, stdout, io.Discard) }()
	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	baseURL := lines.Text()
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()

	receiver := &livereceiver.Receiver{SignType: "MD5", Key: "SubcommandKey0123456789abcdefXYZ01"}
	receiverServer := httptest.NewServer(receiver)
	defer receiverServer.Close()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: baseURL, ProjectID: liveemulator.DefaultProjectID, AccessKey: liveemulator.DefaultAccessKey,
		SecretKey: liveemulator.DefaultSecretKey, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	url, signType, key := receiverServer.URL, "MD5", receiver.Key
	if _, err := client.Create(ctx, liveapi.CallbackSpec{PublishDomain: "publish.example.com", App: "*", NotifyCallbackURL: &url,
		Events: []string{livespec.EventRecordOver}, SignType: &signType, Key: &key}); err != nil {
		t.Fatal(err)
	}

	var out strings.Builder
	if err := run(ctx, []string{"record", "--emulator", baseURL, "--domain", "publish.example.com", "--app", "live", "--stream", "s"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "delivered RECORD_OVER") || !strings.Contains(out.String(), "HTTP 200") {
		t.Fatalf("record printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"deliveries", "--emulator", baseURL}, &out, io.Discard); err != nil || strings.Count(out.String(), "delivered") != 1 {
		t.Fatalf("deliveries printed %q, %v", out.String(), err)
	}
	if got := receiver.Received(); len(got) != 1 || got[0].Err != nil {
		t.Fatalf("the receiver got %+v", got)
	}
	// A recording that no configuration applies to fails.
	if err := run(ctx, []string{"record", "--emulator", baseURL, "--domain", "other.example.com", "--app", "live", "--stream", "s"}, io.Discard, io.Discard); err == nil {
		t.Fatal("want an error")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRunFederatesAnOIDCProvider: an ID token of the provider given by --oidc-provider is exchanged
// for a token.
func TestRunFederatesAnOIDCProvider(t *testing.T) {
	idp, keyFile := writeIdentityProviderKey(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutReader, stdout := io.Pipe()
	go func() {
		_ = run(ctx, []string{"--listen", "127.0.0.1:0", "--oidc-provider", "id=" + emulatortest.IdpID + ",issuer=" + emulatortest.Issuer +
			",audience=" + emulatortest.Audience + ",public-key=" + keyFile}, stdout, io.Discard)
		stdout.Close()
	}()
	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	baseURL := lines.Text()
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()
	req, err := http.NewRequest(http.MethodPost, baseURL+"/v3.0/OS-AUTH/id-token/tokens",
		strings.NewReader(`{"auth":{"id_token":{"id":"`+idp.IDToken(t, time.Hour, nil)+`"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Idp-Id", emulatortest.IdpID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Subject-Token") == "" {
		t.Fatalf("the exchange answered %d", resp.StatusCode)
	}

	for _, bad := range [][]string{{"--oidc-provider", "id=x"}, {"--oidc-provider", "id=x,issuer=i,audience=a,public-key=/nonexistent"}, {"--agency", "name=a"}} {
		if err := run(context.Background(), append([]string{"--listen", "127.0.0.1:0"}, bad...), io.Discard, io.Discard); err == nil {
			t.Errorf("%q must fail", bad)
		}
	}
}
