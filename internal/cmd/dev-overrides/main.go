// Command dev-overrides writes a Terraform CLI configuration that installs providers from local
// directories, for scripts such as make demo:
//
//	dev-overrides FILE platform-tools/live=DIR [SOURCE=DIR ...]
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/platform-tools/terraform-provider-live/internal/devoverrides"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dev-overrides:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return errors.New("usage: dev-overrides FILE SOURCE=DIR [SOURCE=DIR ...]")
	}
	dirs := map[string]string{}
	for _, arg := range args[1:] {
		source, dir, ok := strings.Cut(arg, "=")
		if !ok || source == "" || dir == "" {
			return fmt.Errorf("%q is not SOURCE=DIR", arg)
		}
		dirs[source] = dir
	}
	return devoverrides.Write(args[0], dirs)
}
