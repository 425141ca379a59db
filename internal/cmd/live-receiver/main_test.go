package main

import (
	"bufio"
	"context"
	"crypto/md5" //nolint:gosec // the documented MD5 notification signature
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testKey = "ReceiverKey0123456789abcdefXYZ0123"

// TestRunPrintsNotificationsSafely: the URL comes first, then one line per notification, with
// control characters from the notification escaped.
func TestRunPrintsNotificationsSafely(t *testing.T) {
	t.Setenv("LIVE_RECEIVER_KEY", testKey)
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--sign-type", "MD5"}, stdout, io.Discard)
		stdout.Close()
	}()
	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	url := lines.Text()
	printed := make(chan string, 10)
	go func() {
		for lines.Scan() {
			printed <- lines.Text()
		}
		close(printed)
	}()

	// MD5 signs the key and the timestamp only: the stream is the sender's to choose.
	timestamp := time.Now().Unix()
	sum := md5.Sum([]byte(testKey + strconv.FormatInt(timestamp, 10))) //nolint:gosec // the documented algorithm
	body, _ := json.Marshal(map[string]any{"event_type": "RECORD_OVER", "publish_domain": "publish.example.com", "app": "live",
		"stream": "s1\n\x1b[2JFORGED LINE", "auth_timestamp": timestamp, "auth_sign": hex.EncodeToString(sum[:])})
	resp, err := http.Post(url, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a signed notification: %d", resp.StatusCode)
	}
	line := <-printed
	if want := `publish.example.com/live/"s1\n\x1b[2JFORGED LINE"  signature verified`; !strings.Contains(line, want) || strings.ContainsRune(line, 0x1b) {
		t.Fatalf("printed %q, want it to contain %q", line, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestVersion: --version prints the release's version, else "dev" for a build from a clone.
func TestVersion(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"--version"}, &out, io.Discard); err != nil || out.String() != "live-receiver dev\n" {
		t.Fatalf("--version: %q %v", out.String(), err)
	}
	version = "1.2.3"
	defer func() { version = "" }()
	out.Reset()
	if err := run(context.Background(), []string{"--version"}, &out, io.Discard); err != nil || out.String() != "live-receiver 1.2.3\n" {
		t.Fatalf("--version of a release: %q %v", out.String(), err)
	}
}
