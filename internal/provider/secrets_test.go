package provider

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// TestAccSecretsNeverLeak runs plan, apply, import and destroy with TF_LOG=TRACE through the real
// CLI and the built provider binary (a separate process, as in production, so that its logs reach
// Terraform's), and looks for the secret key, the security token and the callback key in every
// log line, every output and every error.
func TestAccSecretsNeverLeak(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraform == "" {
		t.Skip("TF_ACC and TF_ACC_TERRAFORM_PATH must be set")
	}
	const (
		accessKey     = "SECRETSTESTAK"
		secretKey     = "SecretKeyMustNotLeak0123456789XYZ"
		securityToken = "SecurityTokenMustNotLeak0123456789"
		callbackKey   = "CallbackKeyMustNotLeak0123456789XYZ"
	)
	secrets := []string{secretKey, securityToken, callbackKey}

	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	build := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-live"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}

	emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{
		AccessKey: accessKey, SecretKey: secretKey, SecurityToken: securityToken, Projects: testProjects,
	}}})
	server := httptest.NewServer(emulator)
	t.Cleanup(server.Close)

	work := filepath.Join(dir, "work")
	rc := filepath.Join(dir, "terraform.rc")
	writeFile(t, rc, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", "platform-tools/live", plugins))
	writeFile(t, filepath.Join(work, "main.tf"), fmt.Sprintf(`
terraform {
  required_providers {
    live = { source = "platform-tools/live" }
  }
}

provider "live" {
  endpoint       = %q
  project_id     = %q
  access_key     = %q
  secret_key     = %q
  security_token = %q
}

resource "live_record_callback" "test" {
  publish_domain      = "publish.example.com"
  notify_callback_url = "https://receiver.example.com/notify"
  key                 = %q
}
`, server.URL, testProjectID, accessKey, secretKey, securityToken, callbackKey))

	traceLog := filepath.Join(dir, "trace.log")
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_LOG=TRACE", "TF_LOG_PATH=" + traceLog, "CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1", "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	var outputs bytes.Buffer
	terraformRun := func(args ...string) (string, string, error) {
		cmd := exec.Command(terraform, append(args, "-no-color")...)
		cmd.Dir, cmd.Env = work, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		outputs.Write(stdout.Bytes())
		outputs.Write(stderr.Bytes())
		return stdout.String(), stderr.String(), err
	}
	run := func(args ...string) string {
		t.Helper()
		stdout, stderr, err := terraformRun(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s\n%s", strings.Join(args, " "), err, stdout, stderr)
		}
		return stdout
	}

	plan := run("plan", "-input=false")
	if !regexp.MustCompile(`key\s+= \(sensitive value\)`).MatchString(plan) {
		t.Fatalf("the plan does not show the key as sensitive:\n%s", plan)
	}
	// An error, with the API's answer in it.
	if err := emulator.InjectFault(liveemulator.Fault{Operation: "create", Times: 1, Status: 400, ErrorCode: "LIVE.100011001"}); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := terraformRun("apply", "-auto-approve", "-input=false"); err == nil || !strings.Contains(stderr, "LIVE.100011001") {
		t.Fatalf("want the injected error, got %v:\n%s", err, stderr)
	}
	run("apply", "-auto-approve", "-input=false")
	stored := emulator.Callbacks()
	if len(stored) != 1 || stored[0].Key != callbackKey {
		t.Fatalf("the emulator does not hold the callback with its key: %+v", stored)
	}
	run("state", "rm", "live_record_callback.test")
	run("import", "-input=false", "live_record_callback.test", "publish.example.com/*")
	if plan := run("plan", "-input=false"); !strings.Contains(plan, "(sensitive value)") {
		t.Fatalf("after import the plan sets the key again, shown as sensitive:\n%s", plan)
	}
	run("apply", "-auto-approve", "-input=false")
	run("destroy", "-auto-approve", "-input=false")
	if n := len(emulator.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks left after destroy", n)
	}

	trace, err := os.ReadFile(traceLog)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(trace, []byte("Live API request")) {
		t.Fatal("the trace log holds no provider log line: the test would not see a leak")
	}
	for _, secret := range secrets {
		for name, text := range map[string][]byte{"the trace log": trace, "stdout or stderr": outputs.Bytes()} {
			if bytes.Contains(text, []byte(secret)) {
				t.Errorf("%s contains a secret (%d characters)", name, len(secret))
			}
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
