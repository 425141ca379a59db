// Command live-emulator serves the Live recording callback API emulator until interrupted. The first
// line it prints on stdout is the base URL to use as the provider's endpoint.
//
// live-emulator record --emulator URL --domain D --app A --stream S [--files N] [--fail MESSAGE]
// makes a running emulator simulate a recording and deliver its notifications;
// live-emulator deliveries --emulator URL prints its delivery log.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/buildinfo"
	"github.com/platform-tools/terraform-provider-live/internal/httpserve"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// defaultListen is where the emulator listens by default; its account is the emulator's default
// one (liveemulator.Default*), which the demo and the README use.
const defaultListen = "127.0.0.1:8080"

// version is set by release builds (goreleaser's ldflags).
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "live-emulator:", err)
		stop()
		os.Exit(1)
	}
}

// run serves until ctx is done, or runs the record subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "record" {
		return helpIsNoError(record(ctx, args[1:], stdout, stderr))
	}
	if len(args) > 0 && args[0] == "deliveries" {
		return helpIsNoError(deliveries(ctx, args[1:], stdout, stderr))
	}
	config, err := parseServeFlags(args, stderr)
	if err != nil {
		return helpIsNoError(err)
	}
	if config.printVersion {
		fmt.Fprintln(stdout, "live-emulator", buildinfo.Version(version))
		return nil
	}
	emulator, org, err := newEmulator(config)
	if err != nil {
		return err
	}
	defer emulator.Close()
	listener, err := (&net.ListenConfig{}).Listen(ctx, "tcp", config.listen)
	if err != nil {
		return err
	}
	if addr, ok := listener.Addr().(*net.TCPAddr); ok && !addr.IP.IsLoopback() {
		fmt.Fprintf(stderr, "live-emulator: warning: %s is not a loopback address; anyone who can reach it can use the emulator\n", addr)
	}

	announce(stdout, listener.Addr(), config, org)
	return httpserve.Serve(ctx, listener, emulator)
}

// helpIsNoError: --help prints the usage and succeeds.
func helpIsNoError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// serveConfig is what the flags of the serving command say.
type serveConfig struct {
	listen                              string
	accessKey, secretKey, securityToken string
	projectID, region                   string
	// The accounts beyond the default one, the identity providers and the agencies: --account,
	// --oidc-provider, --agency and --config.
	organisation     organisation
	configFile       string
	faults           []liveemulator.Fault
	faultSeed        uint64
	throttle         int
	temporaryTTL     time.Duration
	accessKeyLockout time.Duration
	dataFile         string
	clockOffset      time.Duration
	printVersion     bool
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var config serveConfig
	flags := flag.NewFlagSet("live-emulator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&config.listen, "listen", defaultListen, "address to listen on; port 0 picks a free port")
	flags.StringVar(&config.accessKey, "access-key", liveemulator.DefaultAccessKey, "access key (AK) of the default account, the first")
	flags.StringVar(&config.secretKey, "secret-key", liveemulator.DefaultSecretKey, "secret key (SK) of the default account")
	flags.StringVar(&config.securityToken, "security-token", "", "security token that the default account's requests must carry (temporary credentials); none when empty")
	flags.StringVar(&config.projectID, "project-id", liveemulator.DefaultProjectID, "project ID of the default account")
	flags.StringVar(&config.region, "region", liveemulator.DefaultRegion, "region of the default account's project: IAM lists the project under "+
		"this name; more regions after a +, e.g. cn-north-4+cn-east-3, whose project ids are derived (printed at start)")
	flags.Func("account", "another account, repeatable: domain=<name>,access-key=<AK>,secret-key=<SK>,regions=<region>[:<project id>]+... "+
		"[,domain-id=<id>][,security-token=<token>]; a project id not given is derived from the domain and region (printed at start)", func(s string) error {
		account, err := parseAccount(s)
		config.organisation.Accounts = append(config.organisation.Accounts, account)
		return err
	})
	flags.StringVar(&config.configFile, "config", "", "a JSON file of accounts, oidc_providers and agencies, as the flags give them (see the emulator's guide)")
	flags.Func("fault", "inject a fault, repeatable: <operation|*>:<setting>=<value>,... with settings "+
		"times, rate, status, code, retry_after, drop (before|after), latency, apply, not_published, omit, other_body and redirect; "+
		"e.g. create:status=500,times=2 or *:status=503,rate=0.2", func(s string) error {
		fault, err := liveemulator.ParseFault(s)
		config.faults = append(config.faults, fault)
		return err
	})
	flags.Uint64Var(&config.faultSeed, "fault-seed", 0, "seed of the draws of faults with a rate, for runs that repeat; random when 0")
	flags.IntVar(&config.throttle, "throttle", 0, "answer 500 LIVE.100011007 beyond this many concurrent requests; 0 for no throttle")
	flags.Func("oidc-provider", "federate an OpenID Connect identity provider, repeatable: id=<X-Idp-Id>,issuer=<iss>,"+
		"audience=<aud>,public-key=<PEM file of its RS256 or ES256 key>[,account=<domain>]; its users get the account's projects "+
		"(the default account's when not given)", func(s string) error {
		idp, err := parseIdentityProvider(s)
		config.organisation.IdentityProviders = append(config.organisation.IdentityProviders, idp)
		return err
	})
	flags.Func("agency", "an agency, repeatable: name=<agency>,domain=<domain name>[,domain-id=<id>][,trust=<AK>+idp:<identity provider id>+...]; "+
		"for the projects of the account of that domain (else the default account's), trusting the default account's key when trust is not given",
		func(s string) error {
			agency, err := parseAgency(s)
			config.organisation.Agencies = append(config.organisation.Agencies, agency)
			return err
		})
	flags.DurationVar(&config.temporaryTTL, "temporary-credentials-ttl", liveemulator.DefaultTemporaryCredentialsTTL,
		"longest life of the tokens and temporary credentials that IAM issues")
	flags.DurationVar(&config.accessKeyLockout, "access-key-lockout", livespec.GatewayLockout,
		"how long the gateway locks an access key after more than 5 failed signatures in a row; 0 turns the lockout off")
	flags.StringVar(&config.dataFile, "data", "", "keep the configurations in this JSON file across restarts (keys included, mode 0600): "+
		"loaded at start, saved after each change; none when empty")
	flags.DurationVar(&config.clockOffset, "clock-offset", 0, "run the server's clock this far ahead of the machine's (negative: behind), "+
		"for create_time, update_time, the Date header and expiries; e.g. 5m")
	flags.BoolVar(&config.printVersion, "version", false, "print the version and exit")
	err := flags.Parse(args)
	return config, err
}

// newEmulator serves the default account first, then the other accounts, and loads the --data file.
func newEmulator(config serveConfig) (*liveemulator.Server, organisation, error) {
	org := organisation{Accounts: []accountConfig{{
		Domain: liveemulator.DefaultDomainName, DomainID: liveemulator.DefaultDomainID, AccessKey: config.accessKey,
		SecretKey: config.secretKey, SecurityToken: config.securityToken, Projects: parseRegions(config.region),
	}}}
	org.Accounts[0].Projects[0].ID = config.projectID // --project-id is the first region's
	if config.configFile != "" {
		fromFile, err := readOrganisation(config.configFile)
		if err != nil {
			return nil, org, err
		}
		org.merge(fromFile)
	}
	org.merge(config.organisation)
	opts, err := org.options()
	if err != nil {
		return nil, org, err
	}
	opts.TemporaryCredentialsTTL = config.temporaryTTL
	opts.ClockOffset = config.clockOffset
	opts.FaultSeed = config.faultSeed
	opts.Faults, opts.Throttle = config.faults, config.throttle
	opts.AccessKeyLockout = config.accessKeyLockout
	if opts.AccessKeyLockout == 0 {
		opts.AccessKeyLockout = -1 // the flag's 0 is off
	}
	emulator := liveemulator.New(opts)
	if config.dataFile != "" {
		if err := emulator.Persist(config.dataFile); err != nil {
			return nil, org, err
		}
	}
	return emulator, org, nil
}

// announce prints the base URL first (scripts read that line), then what a user needs to connect.
func announce(stdout io.Writer, addr net.Addr, config serveConfig, org organisation) {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		// Every address of the machine: this machine's clients (and the console) use loopback.
		addr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: tcp.Port}
	}
	fmt.Fprintf(stdout, "http://%s\n", addr)
	defaultAccount := org.Accounts[0]
	fmt.Fprintf(stdout, "access key: %s\nproject id: %s\nregion: %s\n", config.accessKey, config.projectID, defaultAccount.Projects[0].Region)
	fmt.Fprintf(stdout, "console and admin endpoint (loopback clients only): http://%s%s\n", addr, liveemulator.AdminPrefix)
	if config.secretKey == liveemulator.DefaultSecretKey {
		fmt.Fprintf(stdout, "secret key: %s (the default)\n", liveemulator.DefaultSecretKey)
	} else {
		fmt.Fprintln(stdout, "secret key: as given by --secret-key")
	}
	for _, more := range defaultAccount.Projects[1:] {
		fmt.Fprintf(stdout, "also region %s: project id %s\n", more.Region, more.ID)
	}
	for _, account := range org.Accounts[1:] {
		var projects []string
		for _, p := range account.Projects {
			projects = append(projects, p.Region+" "+p.ID)
		}
		fmt.Fprintf(stdout, "account %s: access key %s, projects %s\n", account.Domain, account.AccessKey, strings.Join(projects, ", "))
	}
}

// record asks a running emulator, through its admin endpoint, to simulate a recording, and prints
// the deliveries; it fails when a notification was not delivered.
func record(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("live-emulator record", flag.ContinueOnError)
	flags.SetOutput(stderr)
	emulatorURL := flags.String("emulator", "http://"+defaultListen, "base URL of the running emulator")
	var rec liveemulator.Recording
	flags.StringVar(&rec.ProjectID, "project", "", "project whose callbacks apply; the default account's first project when empty")
	flags.StringVar(&rec.PublishDomain, "domain", "", "ingest domain of the stream")
	flags.StringVar(&rec.App, "app", "", "application of the stream")
	flags.StringVar(&rec.Stream, "stream", "", "stream name")
	flags.IntVar(&rec.Files, "files", 1, "files the recording produces")
	flags.StringVar(&rec.FailWith, "fail", "", "make the recording fail with this error message")
	if err := flags.Parse(args); err != nil {
		return err
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	delivered, _, err := callAdmin(ctx, http.MethodPost, *emulatorURL, "recordings", body)
	if err != nil {
		return err
	}
	return printDeliveries(stdout, delivered)
}

// deliveries prints the delivery log of a running emulator.
func deliveries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("live-emulator deliveries", flag.ContinueOnError)
	flags.SetOutput(stderr)
	emulatorURL := flags.String("emulator", "http://"+defaultListen, "base URL of the running emulator")
	if err := flags.Parse(args); err != nil {
		return err
	}
	logged, dropped, err := callAdmin(ctx, http.MethodGet, *emulatorURL, "deliveries", nil)
	if err != nil {
		return err
	}
	if dropped != "" && dropped != "0" {
		fmt.Fprintf(stdout, "(%s older deliveries were dropped from the log, which keeps the last %d)\n", dropped, liveemulator.MaxDeliveries)
	}
	return printDeliveries(stdout, logged)
}

// callAdmin calls the admin endpoint of a running emulator and decodes the deliveries it answers,
// with how many older ones the log dropped, when it says.
func callAdmin(ctx context.Context, method, emulatorURL, path string, body []byte) (delivered []liveemulator.Delivery, dropped string, err error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(emulatorURL, "/")+liveemulator.AdminPrefix+path, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("the emulator answered %s: %s", resp.Status, answer)
	}
	if err := json.Unmarshal(answer, &delivered); err != nil {
		return nil, "", err
	}
	return delivered, resp.Header.Get(liveemulator.DeliveriesDroppedHeader), nil
}

// printDeliveries prints one line per delivery; it fails when a notification was not accepted.
func printDeliveries(stdout io.Writer, delivered []liveemulator.Delivery) error {
	failed := 0
	for _, d := range delivered {
		outcome := fmt.Sprintf("HTTP %d", d.Status)
		if d.Error != "" {
			outcome, failed = d.Error, failed+1
		}
		fmt.Fprintf(stdout, "delivered %-22s to %s in %s: %s\n", d.EventType, d.URL, d.Latency.Round(time.Millisecond), outcome)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d notifications were not accepted", failed, len(delivered))
	}
	return nil
}

// settings parses "name=value,..." into a map, refusing names other than allowed and repeated ones.
func settings(s string, allowed ...string) (map[string]string, error) {
	values := map[string]string{}
	for _, setting := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(setting, "=")
		if !ok || value == "" || !slices.Contains(allowed, name) || values[name] != "" {
			return nil, fmt.Errorf("%q: want %s=<value>, each once", setting, strings.Join(allowed, "=..., "))
		}
		values[name] = value
	}
	return values, nil
}
