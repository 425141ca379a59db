// Command cli-features prints what make test skips on a CLI, from the one table of what each feature
// needs (internal/clifeatures):
//
//	cli-features skipped PATH   one SKIPPED line for the CLI at PATH, or nothing
//	cli-features table          the Markdown table the README and the docs show
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cli-features:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "skipped":
		cli, err := clifeatures.Detect(args[1])
		if err != nil {
			return err
		}
		if line := cli.Skipped(); line != "" {
			fmt.Fprintln(stdout, line)
		}
		return nil
	case len(args) == 1 && args[0] == "table":
		fmt.Fprint(stdout, clifeatures.Table())
		return nil
	}
	return errors.New("usage: cli-features skipped PATH | cli-features table")
}
