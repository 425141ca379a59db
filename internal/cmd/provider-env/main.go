// Command provider-env prints the environment variables the provider reads, one per line, with those
// of the environment that start with the SDK's region prefix, so that scripts clear exactly those;
// with --emulator URL, it prints instead the shell commands that clear them and point the provider at
// that emulator's default account:
//
//	unset $(provider-env)
//	eval "$(provider-env --emulator http://127.0.0.1:8080)"
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/provider"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "provider-env:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("provider-env", flag.ContinueOnError)
	emulator := flags.String("emulator", "", "the emulator's base URL: print the commands that point the provider at its default account")
	if err := flags.Parse(args); err != nil {
		return err
	}
	names := provider.EnvironmentVariables()
	for _, variable := range os.Environ() {
		if name, _, _ := strings.Cut(variable, "="); strings.HasPrefix(name, provider.EnvironmentPrefix) {
			names = append(names, name)
		}
	}
	if *emulator == "" {
		fmt.Fprintln(stdout, strings.Join(names, "\n"))
		return nil
	}
	fmt.Fprintf(stdout, "unset %s\n", strings.Join(names, " "))
	for _, setting := range [][2]string{
		{"HW_LIVE_ENDPOINT", *emulator},
		{"HW_PROJECT_ID", liveemulator.DefaultProjectID},
		{"HW_ACCESS_KEY", liveemulator.DefaultAccessKey},
		{"HW_SECRET_KEY", liveemulator.DefaultSecretKey},
	} {
		fmt.Fprintf(stdout, "export %s=%q\n", setting[0], setting[1])
	}
	return nil
}
