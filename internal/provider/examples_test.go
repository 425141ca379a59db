package provider

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// TestAccExamplesValidate validates every directory of examples under examples/ against the built
// provider. An example that uses key_wo, or an import block's identity, is validated only on CLIs
// that have them.
func TestAccExamplesValidate(t *testing.T) {
	var dirs []string
	err := filepath.WalkDir("../../examples", func(path string, entry fs.DirEntry, err error) error {
		if err == nil && entry.IsDir() {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		if len(files) == 0 || strings.Contains(filepath.ToSlash(dir), "/tests/") {
			continue // a module test's fixture: its module's tests run it (make test-modules)
		}
		t.Run(strings.TrimPrefix(dir, "../../examples/"), func(t *testing.T) {
			h := newCLIHarness(t)
			var all strings.Builder
			for _, file := range files {
				content, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				all.Write(content)
				h.write(filepath.Base(file), string(content))
			}
			if !strings.Contains(all.String(), "required_providers") {
				h.write("providers.tf", requiredProviders)
			}
			if strings.Contains(all.String(), "key_wo") {
				h.skipWithout(clifeatures.WriteOnly)
			}
			if strings.Contains(all.String(), "identity = {") {
				h.skipWithout(clifeatures.Identity)
			}
			if regexp.MustCompile(`import \{\s+for_each`).MatchString(all.String()) {
				h.skipWithout(clifeatures.ImportForEach)
			}
			if out := h.mustRun("validate"); !strings.Contains(out, "The configuration is valid") {
				t.Fatalf("validate: %s", out)
			}
		})
		checked++
	}
	if checked < 4 {
		t.Fatalf("only %d example directories found", checked)
	}
}

// TestAccGenerateConfig: terraform plan -generate-config-out for an import block writes a
// configuration that then plans with no changes.
func TestAccGenerateConfig(t *testing.T) {
	h := newCLIHarness(t)
	e := newTestEmulator(t)
	existing, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live",
		NotifyCallbackURL: "https://receiver.example.com/notify", Events: []string{"RECORD_OVER", "RECORD_FAILED"}, SignType: "MD5"})
	if err != nil {
		t.Fatal(err)
	}
	h.write("main.tf", requiredProviders+e.providerConfig()+`
import {
  to = live_record_callback.adopted
  id = "publish.example.com/live"
}
`)
	plan := h.mustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(h.work, "generated.tf"))
	if err != nil {
		t.Fatalf("no configuration generated: %v\n%s", err, plan)
	}
	for _, want := range []string{`resource "live_record_callback" "adopted"`, `publish_domain`, `"RECORD_FAILED"`, `sign_type`} {
		if !strings.Contains(string(generated), want) {
			t.Fatalf("the generated configuration lacks %s:\n%s", want, generated)
		}
	}
	plan = h.mustRun("plan", "-input=false")
	if !strings.Contains(plan, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the generated configuration must import with no change:\n%s\n%s", plan, generated)
	}
	h.mustRun("apply", "-input=false", "-auto-approve")
	if _, _, err := h.run("plan", "-input=false", "-detailed-exitcode"); err != nil {
		t.Fatalf("after the import, the plan must be empty: %v\n%s", err, h.outputs.String())
	}
	if stored := e.Callbacks(); len(stored) != 1 || stored[0].ID != existing.ID {
		t.Fatalf("the emulator must hold the adopted callback only: %+v", stored)
	}
}
