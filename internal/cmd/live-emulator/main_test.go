package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
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
	if got := strings.Join(rest, "\n"); !strings.Contains(got, "access key: "+defaultAccessKey) || !strings.Contains(got, "project id: pid") {
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
