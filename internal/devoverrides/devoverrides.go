// Package devoverrides writes the Terraform CLI configuration that installs providers from local
// directories (dev_overrides): the one way the CLI tests, the benchmark and the demo run providers
// built from this repository.
package devoverrides

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// Write writes to path a CLI configuration that takes each provider source address (such as
// "platform-tools/live") from its directory, and every other provider as usual.
func Write(path string, dirs map[string]string) error {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, source := range slices.Sorted(maps.Keys(dirs)) {
		fmt.Fprintf(&b, "    %q = %q\n", source, dirs[source])
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
