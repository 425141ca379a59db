package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/platform-tools/terraform-provider-live/internal/provider"
)

// Set by goreleaser through ldflags; version also reaches the provider's User-Agent.
var (
	version = "dev"
	commit  = "" //nolint:unused // set by ldflags for release builds
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()
	skipUnrequestedLogs()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/platform-tools/live",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// skipUnrequestedLogs turns the SDK's and the provider's logging off when no TF_LOG variable asks for
// it: Terraform then discards provider logs, yet terraform-plugin-go would format every line, at
// Trace level, as JSON.
func skipUnrequestedLogs() {
	for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_LIVE", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER"} {
		if err := os.Setenv(name, "OFF"); err != nil {
			log.Printf("[WARN] %s: %v", name, err)
		}
	}
}
