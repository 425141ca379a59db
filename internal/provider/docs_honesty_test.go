package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
)

// documents are the hand-written pages: the README, the templates docs/ is generated from, and the
// example module's README. docs/ itself is generated from them and from examples/, which
// TestAccExamplesValidate validates.
func documents(t *testing.T) []string {
	t.Helper()
	files := []string{"../../README.md", "../../examples/modules/recording-callbacks/README.md", "../../internal/cmd/live-bench/README.md"}
	err := filepath.WalkDir("../../templates", func(path string, entry os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".md.tmpl") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// hclBlock is a terraform or hcl code block of a document, and whether it is marked as a fragment
// (an HTML comment "<!-- fragment: why -->" on the line before its fence).
type hclBlock struct {
	file, code string
	line       int
	fragment   bool
}

var fencePattern = regexp.MustCompile("(?m)^```(terraform|hcl)\n((?s:.*?))^```")

func hclBlocks(t *testing.T) []hclBlock {
	t.Helper()
	var blocks []hclBlock
	for _, file := range documents(t) {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(content)
		for _, match := range fencePattern.FindAllStringSubmatchIndex(text, -1) {
			before := strings.TrimSuffix(text[:match[0]], "\n")
			previous := before[strings.LastIndex(before, "\n")+1:]
			blocks = append(blocks, hclBlock{file: file, code: text[match[4]:match[5]], line: strings.Count(text[:match[0]], "\n") + 1,
				fragment: strings.HasPrefix(previous, "<!-- fragment: ")})
		}
	}
	return blocks
}

// TestAccDocsHCLValidates: every terraform block of the docs that is not marked as a fragment is a
// whole configuration that `validate` accepts (with the live provider's required_providers when it
// has none). On CLIs with write-only attributes, which the README's quick start needs.
func TestAccDocsHCLValidates(t *testing.T) {
	h := newCLIHarness(t)
	h.skipWithout(clifeatures.WriteOnly)
	checked := 0
	for _, block := range hclBlocks(t) {
		if block.fragment {
			continue
		}
		if err := os.RemoveAll(h.work); err != nil {
			t.Fatal(err)
		}
		h.write("main.tf", block.code)
		if !strings.Contains(block.code, "required_providers") {
			h.write("providers.tf", requiredProviders)
		}
		if stdout, stderr, err := h.run("validate"); err != nil {
			t.Errorf("%s:%d does not validate (mark it <!-- fragment: why --> if it is one): %v\n%s%s", block.file, block.line, err, stdout, stderr)
		}
		checked++
	}
	if checked < 2 {
		t.Fatalf("only %d whole configurations found in the docs", checked)
	}
}

// TestDocsRequiredProvidersHaveAVersion: every required_providers entry of the live provider, in the
// docs and the examples, has a version constraint.
func TestDocsRequiredProvidersHaveAVersion(t *testing.T) {
	files := documents(t)
	err := filepath.WalkDir("../../examples", func(path string, entry os.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(path, ".tf") || strings.HasSuffix(path, ".md")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	entry := regexp.MustCompile(`(?s)live\s*=\s*\{([^}]*)\}`)
	found := 0
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, match := range entry.FindAllStringSubmatch(string(content), -1) {
			if !strings.Contains(match[1], `"platform-tools/live"`) {
				continue
			}
			found++
			if !regexp.MustCompile(`(?m)^\s*version\s*=`).MatchString(match[1]) {
				t.Errorf("%s: required_providers gives the live provider no version constraint:%s", file, match[1])
			}
		}
	}
	if found < 5 {
		t.Fatalf("only %d required_providers entries found", found)
	}
}

// TestDocsRunNoRepositoryCommands: the docs give installed commands (go install ...@version, a
// release archive), never `go run ./internal/...`, which works only in a clone.
func TestDocsRunNoRepositoryCommands(t *testing.T) {
	files := documents(t)
	generated, err := filepath.Glob("../../docs/*/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range append(append(files, "../../docs/index.md"), generated...) {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(content), "go run ./internal/") {
			t.Errorf("%s runs go run ./internal/...: give the installed command", file)
		}
	}
}
