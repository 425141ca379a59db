// Package clifeatures is what each feature of the provider needs of the Terraform and OpenTofu
// CLIs: the one table that the README and the provider's page show, that skips the acceptance tests
// a CLI is too old for, and that make test reads to say what each run skipped.
package clifeatures

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-version"
)

// Feature is one feature and the first version of each CLI that has it.
type Feature struct {
	Name      string
	Terraform string
	OpenTofu  string
}

// Features are the features whose tests need more than the oldest CLIs that make test runs
// (Terraform 1.5.7, OpenTofu 1.6.2) and those every supported CLI has, for the table.
var Features = []Feature{
	{Name: "import blocks", Terraform: "1.5.0", OpenTofu: "1.6.0"},
	{Name: "terraform test / tofu test", Terraform: "1.6.0", OpenTofu: "1.6.0"},
	{Name: "import blocks with for_each (every callback in one plan)", Terraform: "1.7.0", OpenTofu: "1.7.0"},
	{Name: "moved from huaweicloud_live_record_callback", Terraform: "1.8.0", OpenTofu: "1.10.0"},
	{Name: "key_wo (write-only key)", Terraform: "1.11.0", OpenTofu: "1.11.0"},
	{Name: "resource identity", Terraform: "1.12.0", OpenTofu: "1.12.0"},
}

// The features, by name, for the tests that need them.
var (
	ImportBlocks  = Features[0]
	TestCommand   = Features[1]
	ImportForEach = Features[2]
	MoveAcross    = Features[3]
	WriteOnly     = Features[4]
	Identity      = Features[5]
)

// CLI is a Terraform or OpenTofu CLI of a version.
type CLI struct {
	OpenTofu bool
	Version  *version.Version
}

// IsOpenTofu tells OpenTofu from Terraform by the CLI's file name, as make test names them.
func IsOpenTofu(path string) bool {
	return strings.HasPrefix(filepath.Base(path), "tofu")
}

// Detect asks the CLI at path for its version.
func Detect(path string) (CLI, error) {
	cmd := exec.CommandContext(context.Background(), path, "version", "-json") //nolint:gosec // the CLI make test runs
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")                     // no version check over the network
	out, err := cmd.Output()
	if err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	parsed, err := version.NewVersion(v.Version)
	if err != nil {
		return CLI{}, err
	}
	return CLI{OpenTofu: IsOpenTofu(path), Version: parsed}, nil
}

func (c CLI) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}

// Needs is the first version of this CLI's kind that has f.
func (c CLI) Needs(f Feature) *version.Version {
	if c.OpenTofu {
		return version.Must(version.NewVersion(f.OpenTofu))
	}
	return version.Must(version.NewVersion(f.Terraform))
}

// Has reports whether the CLI has f (a prerelease of a version counts as that version).
func (c CLI) Has(f Feature) bool {
	return !c.Version.Core().LessThan(c.Needs(f))
}

// Skipped says, in one line, the features whose tests this CLI skips, or "" when none.
func (c CLI) Skipped() string {
	var skipped []string
	for _, f := range Features {
		if !c.Has(f) {
			skipped = append(skipped, fmt.Sprintf("%s (%s)", f.Name, c.Needs(f)))
		}
	}
	if len(skipped) == 0 {
		return ""
	}
	return fmt.Sprintf("SKIPPED on %s: the tests of %s", c, strings.Join(skipped, ", "))
}

// Table is the Markdown table of the features and the versions they need.
func Table() string {
	var b strings.Builder
	b.WriteString("| feature | Terraform | OpenTofu |\n|---|---|---|\n")
	for _, f := range Features {
		fmt.Fprintf(&b, "| %s | %s or newer | %s or newer |\n", f.Name, short(f.Terraform), short(f.OpenTofu))
	}
	return b.String()
}

func short(v string) string {
	return strings.TrimSuffix(v, ".0")
}
