package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/devoverrides"
)

// cliVersion is the version the CLI tests build the provider binary with, through the same ldflags
// that goreleaser sets.
const cliVersion = "9.9.9-clitest"

// cliHarness runs the real Terraform (or OpenTofu) CLI against the provider binary, built for the
// test and installed through dev_overrides: a separate process, as in production.
type cliHarness struct {
	t         *testing.T
	terraform string
	work      string
	home      string // $HOME of the commands and of the provider they start
	env       []string
	outputs   bytes.Buffer // everything every command printed
}

func newCLIHarness(t *testing.T, extraEnv ...string) *cliHarness {
	t.Helper()
	return newCLIHarnessWithMetadata(t, "", extraEnv...)
}

// newCLIHarnessWithMetadata builds the provider with metadataEndpoint as its ECS metadata service
// (the release's when empty).
func newCLIHarnessWithMetadata(t *testing.T, metadataEndpoint string, extraEnv ...string) *cliHarness {
	t.Helper()
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraform == "" {
		t.Skip("TF_ACC and TF_ACC_TERRAFORM_PATH must be set")
	}
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	ldflags := "-X main.version=" + cliVersion
	if metadataEndpoint != "" {
		ldflags += " -X github.com/platform-tools/terraform-provider-live/internal/provider.metadataEndpoint=" + metadataEndpoint
	}
	build := exec.Command("go", "build", "-ldflags", ldflags,
		"-o", filepath.Join(plugins, "terraform-provider-live"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "terraform.rc")
	if err := devoverrides.Write(rc, map[string]string{"platform-tools/live": plugins}); err != nil {
		t.Fatal(err)
	}
	h := &cliHarness{t: t, terraform: terraform, work: filepath.Join(dir, "work"), home: dir}
	h.env = append([]string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"HOME=" + dir, "PATH=" + os.Getenv("PATH")}, extraEnv...)
	if err := os.MkdirAll(h.work, 0o755); err != nil {
		t.Fatal(err)
	}
	return h
}

// skipWithout skips the test when the CLI does not have the feature.
func (h *cliHarness) skipWithout(f clifeatures.Feature) {
	h.t.Helper()
	cli, err := clifeatures.Detect(h.terraform)
	if err != nil {
		h.t.Fatal(err)
	}
	if !cli.Has(f) {
		h.t.Skipf("%s needs %s or newer; the CLI is %s", f.Name, cli.Needs(f), cli)
	}
}

// requiredProviders is the terraform block a configuration needs to use the dev_overrides binary.
const requiredProviders = `
terraform {
  required_providers {
    live = { source = "platform-tools/live" }
  }
}
`

func (h *cliHarness) write(name, content string) {
	h.t.Helper()
	writeFile(h.t, filepath.Join(h.work, name), content)
}

// run runs one command in the working directory; it returns stdout, stderr and the exit error.
func (h *cliHarness) run(args ...string) (string, string, error) {
	cmd := exec.Command(h.terraform, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = h.work, h.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	h.outputs.Write(stdout.Bytes())
	h.outputs.Write(stderr.Bytes())
	return stdout.String(), stderr.String(), err
}

// mustRun runs one command that must succeed and returns its stdout.
func (h *cliHarness) mustRun(args ...string) string {
	h.t.Helper()
	stdout, stderr, err := h.run(args...)
	if err != nil {
		h.t.Fatalf("%s %s: %v\n%s\n%s", filepath.Base(h.terraform), strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
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
