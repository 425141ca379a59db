// Command live-bench measures what the provider costs Terraform: apply, no-op plan and destroy of
// live_record_callback resources against the emulator, beside the same with terraform_data
// (Terraform's own floor), a do-nothing framework provider of one attribute (the plugin floor) and
// a do-nothing provider with live_record_callback's exact schema (the schema floor, the reference),
// with and without emulated network latency; the API requests per operation; and the provider
// process's start-up and peak RSS. It prints a markdown report and draws the scaling as an SVG
// chart. Run it from the repository root:
//
//	go run ./internal/cmd/live-bench -terraform .tools/terraform-1.5.7/terraform
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/devoverrides"
	"github.com/platform-tools/terraform-provider-live/internal/httpserve"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

const (
	accessKey = "BENCHACCESSKEY"
	secretKey = "BenchSecretKey0123456789abcdefXYZ"
	projectID = "0123456789abcdef0123456789abcdef"
)

type options struct {
	terraform   string
	runs        int
	sizes       []int
	latency     time.Duration
	latencySize int
	parallelism int
	out         string
	chart       string
}

func main() {
	var opts options
	var sizes string
	flag.StringVar(&opts.terraform, "terraform", "", "path of the Terraform CLI")
	flag.IntVar(&opts.runs, "runs", 3, "runs of each measurement")
	flag.StringVar(&sizes, "sizes", "1,10,100,1000", "numbers of resources")
	flag.DurationVar(&opts.latency, "latency", 50*time.Millisecond, "emulated latency per request in the latency runs")
	flag.IntVar(&opts.latencySize, "latency-resources", 1000, "resources in the latency runs")
	flag.IntVar(&opts.parallelism, "parallelism", 10, "terraform -parallelism in the latency runs")
	flag.StringVar(&opts.out, "out", "", "also write the report to this file")
	flag.StringVar(&opts.chart, "chart", "", "draw apply time against resources, one line per provider, as an SVG file")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail(fmt.Errorf("-sizes: %q is not a positive number", s))
		}
		opts.sizes = append(opts.sizes, n)
	}
	if opts.terraform == "" || opts.runs < 1 {
		fail(errors.New("-terraform is required and -runs must be positive"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report, err := run(ctx, opts)
	if err != nil {
		fail(err)
	}
	fmt.Print(report)
	if opts.out != "" {
		if err := os.WriteFile(opts.out, []byte(report), 0o644); err != nil { //nolint:gosec // a report, not a secret
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "live-bench:", err)
	os.Exit(1)
}

// bench holds what every measurement shares: the built providers, the CLI configuration and the
// emulator.
type bench struct {
	ctx      context.Context // cancelled on interrupt
	opts     options
	dir      string
	env      []string
	emulator *liveemulator.Server
	endpoint string
}

func run(ctx context.Context, opts options) (string, error) {
	terraform, err := filepath.Abs(opts.terraform)
	if err != nil {
		return "", err
	}
	opts.terraform = terraform
	dir, err := os.MkdirTemp("", "live-bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)

	plugins := filepath.Join(dir, "plugins")
	for name, pkg := range map[string]string{"terraform-provider-live": ".", "terraform-provider-noop": "./internal/cmd/live-bench/noop-provider",
		"terraform-provider-schemafloor": "./internal/cmd/live-bench/schema-floor-provider"} {
		build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(plugins, name), pkg) //nolint:gosec // fixed packages of this module
		if out, err := build.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building %s: %w\n%s", pkg, err, out)
		}
	}
	rc := filepath.Join(dir, "terraform.rc")
	if err := devoverrides.Write(rc, map[string]string{"platform-tools/live": plugins, "platform-tools/noop": plugins,
		"platform-tools/schemafloor": plugins}); err != nil {
		return "", err
	}

	emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{
		AccessKey: accessKey, SecretKey: secretKey, Projects: []liveemulator.Project{{ID: projectID, Name: "cn-north-4"}},
	}}})
	listener, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- httpserve.Serve(serveCtx, listener, emulator) }()
	defer func() {
		stopServing()
		if err := <-served; err != nil {
			fmt.Fprintln(os.Stderr, "live-bench: serving the emulator:", err)
		}
	}()

	b := &bench{ctx: ctx, opts: opts, dir: dir, emulator: emulator, endpoint: "http://" + listener.Addr().String(),
		// Every provider skips the logs that nobody asked for, as the live provider does on its own: the
		// floors then measure Terraform's cost, not the formatting of discarded log lines.
		env: []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "HOME=" + dir, "PATH=" + os.Getenv("PATH"),
			"TF_LOG_SDK=OFF", "TF_LOG_PROVIDER=OFF"}}
	return b.report()
}

// kinds are the things measured side by side: Terraform's floor, the plugin floor, the schema floor
// (the reference) and the provider.
var kinds = []string{"terraform_data", "noop", "schema", "live"}

// kindNames are the kinds as the report and the chart name them.
var kindNames = map[string]string{
	"terraform_data": "terraform_data", "noop": "plugin floor", "schema": "schema floor", "live": "live",
}

// providerBinary is the provider process whose peak RSS a kind measures.
func providerBinary(kind string) string {
	switch kind {
	case "noop":
		return "terraform-provider-noop"
	case "schema":
		return "terraform-provider-schemafloor"
	case "live":
		return "terraform-provider-live"
	}
	return ""
}

func (b *bench) config(kind string, n int) string {
	switch kind {
	case "terraform_data":
		return fmt.Sprintf("resource \"terraform_data\" \"r\" {\n  count = %d\n  input = \"x${count.index}\"\n}\n", n)
	case "noop":
		return fmt.Sprintf("terraform {\n  required_providers {\n    noop = { source = \"platform-tools/noop\" }\n  }\n}\n\n"+
			"resource \"noop_thing\" \"r\" {\n  count = %d\n  name  = \"x${count.index}\"\n}\n", n)
	case "schema":
		return fmt.Sprintf("terraform {\n  required_providers {\n    schemafloor = { source = \"platform-tools/schemafloor\" }\n  }\n}\n\n"+
			"resource \"schemafloor_record_callback\" \"r\" {\n  count          = %d\n  publish_domain = \"d${count.index}.bench.example.com\"\n}\n", n)
	default:
		return fmt.Sprintf("terraform {\n  required_providers {\n    live = { source = \"platform-tools/live\" }\n  }\n}\n\n"+
			"provider \"live\" {\n  endpoint   = %q\n  project_id = %q\n  access_key = %q\n  secret_key = %q\n}\n\n"+
			"resource \"live_record_callback\" \"r\" {\n  count          = %d\n  publish_domain = \"d${count.index}.bench.example.com\"\n}\n",
			b.endpoint, projectID, accessKey, secretKey, n)
	}
}

// samples are the durations of one command over the runs.
type samples []time.Duration

func (s samples) median() time.Duration {
	sorted := slices.Sorted(slices.Values(s))
	return sorted[len(sorted)/2]
}

func (s samples) String() string {
	return fmt.Sprintf("%s (%s–%s)", seconds(s.median()), seconds(slices.Min(s)), seconds(slices.Max(s)))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

var commands = []string{"apply", "plan", "destroy"}

// measurement is one kind at one size: the samples of each command, the API requests of one run,
// and the provider process's peak RSS.
type measurement struct {
	times    map[string]samples
	requests map[string]map[string]int // command -> operation -> requests, from the last run
	peakRSS  int64                     // KiB
}

// measure runs apply, a no-op plan and destroy runs times in a fresh working directory.
func (b *bench) measure(kind string, n int, extraArgs ...string) (measurement, error) {
	work, err := os.MkdirTemp(b.dir, kind+"-")
	if err != nil {
		return measurement{}, err
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(b.config(kind, n)), 0o600); err != nil {
		return measurement{}, err
	}
	m := measurement{times: map[string]samples{}, requests: map[string]map[string]int{}}
	args := map[string][]string{
		"apply":   append([]string{"apply", "-auto-approve", "-input=false"}, extraArgs...),
		"plan":    append([]string{"plan", "-input=false", "-detailed-exitcode"}, extraArgs...),
		"destroy": append([]string{"destroy", "-auto-approve", "-input=false"}, extraArgs...),
	}
	for range b.opts.runs {
		for _, command := range commands {
			before := b.emulator.RequestCounts()
			took, rss, err := b.terraform(work, providerBinary(kind), args[command]...)
			if err != nil {
				return measurement{}, fmt.Errorf("%s of %d %s: %w", command, n, kind, err)
			}
			m.times[command] = append(m.times[command], took)
			m.requests[command] = diff(b.emulator.RequestCounts(), before)
			m.peakRSS = max(m.peakRSS, rss)
		}
	}
	return m, nil
}

func diff(after, before map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range after {
		if d := n - before[op]; d > 0 {
			out[op] = d
		}
	}
	return out
}

// terraform runs one command and returns its wall time and the peak RSS (KiB) of the provider
// processes (of the binary named provider) that it started, read from /proc while it runs.
func (b *bench) terraform(work, provider string, args ...string) (time.Duration, int64, error) {
	cmd := exec.CommandContext(b.ctx, b.opts.terraform, append(args, "-no-color")...) //nolint:gosec // the CLI the user named
	cmd.Dir, cmd.Env = work, b.env
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	done := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(20 * time.Millisecond)
		defer ticker.Stop()
		for {
			peak = max(peak, peakRSS(provider))
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	close(done)
	wg.Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("%w\n%s", err, output.String())
	}
	return took, peak, nil
}

// peakRSS is the largest VmHWM (peak resident set, KiB) of the running processes of the binary.
func peakRSS(binary string) int64 {
	entries, _ := os.ReadDir("/proc")
	var peak int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || filepath.Base(exe) != binary {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				peak = max(peak, kib)
			}
		}
	}
	return peak
}

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

// results are the measurements of each kind at each size.
type results map[string]map[int]measurement

func (b *bench) report() (string, error) {
	all := results{}
	for _, kind := range kinds {
		all[kind] = map[int]measurement{}
		for _, n := range b.opts.sizes {
			m, err := b.measure(kind, n)
			if err != nil {
				return "", err
			}
			all[kind][n] = m
		}
	}
	if b.opts.chart != "" {
		if err := drawScaling(b.opts.chart, all, b.opts.sizes); err != nil {
			return "", err
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "## Benchmark results\n\nTerraform `%s`, %d runs each: median (min–max) wall time.\n\n", b.version(), b.opts.runs)
	writeTimes(&out, all, b.opts.sizes)
	writeRequests(&out, all, b.opts.sizes)
	latencyRatios, err := b.writeLatency(&out, all)
	if err != nil {
		return "", err
	}
	peak, err := b.writeProcess(&out, all)
	if err != nil {
		return "", err
	}
	b.writeTargets(&out, all, latencyRatios, peak)
	return out.String(), nil
}

// writeTimes is the table of wall times, against the schema floor and for context the other floors.
func writeTimes(out *strings.Builder, all results, sizes []int) {
	out.WriteString("| resources | command | terraform_data | plugin floor | schema floor | live | live ÷ schema floor | live ÷ plugin floor |\n" +
		"|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range sizes {
		for _, command := range commands {
			data, plugin, schema, live := all["terraform_data"][n].times[command], all["noop"][n].times[command],
				all["schema"][n].times[command], all["live"][n].times[command]
			fmt.Fprintf(out, "| %d | %s | %s | %s | %s | %s | %.2f× | %.2f× |\n", n, command, data, plugin, schema, live,
				ratio(live.median(), schema.median()), ratio(live.median(), plugin.median()))
		}
	}
}

// writeRequests is the table of API requests that the emulator counted for the live provider.
func writeRequests(out *strings.Builder, all results, sizes []int) {
	out.WriteString("\n### API requests, counted by the emulator\n\n| resources | command | requests | per resource |\n|---:|---|---|---:|\n")
	for _, n := range sizes {
		for _, command := range commands {
			requests := all["live"][n].requests[command]
			total := 0
			var parts []string
			for _, op := range slices.Sorted(maps.Keys(requests)) {
				total += requests[op]
				parts = append(parts, fmt.Sprintf("%d %s", requests[op], op))
			}
			fmt.Fprintf(out, "| %d | %s | %s | %.2f |\n", n, command, strings.Join(parts, ", "), float64(total)/float64(n))
		}
	}
}

// writeLatency measures the live provider with emulated latency and compares with the ideal,
// requests × latency ÷ parallelism; it returns measured ÷ ideal per command.
func (b *bench) writeLatency(out *strings.Builder, all results) (map[string]float64, error) {
	if err := b.emulator.InjectFault(liveemulator.Fault{Latency: b.opts.latency}); err != nil {
		return nil, err
	}
	latency, err := b.measure("live", b.opts.latencySize, fmt.Sprintf("-parallelism=%d", b.opts.parallelism))
	b.emulator.ClearFaults()
	if err != nil {
		return nil, err
	}
	// Terraform's own time for as many resources with the same schema, when measured, is what no
	// provider can save.
	floor, haveFloor := all["schema"][b.opts.latencySize]
	fmt.Fprintf(out, "\n### With %s of latency per request, %d resources, -parallelism=%d\n\n"+
		"The ideal is requests × latency ÷ parallelism; the schema floor column adds what the do-nothing provider with the same schema takes for as many resources without latency.\n\n"+
		"| command | requests | ideal | ideal + schema floor | measured | measured ÷ ideal | measured ÷ (ideal + floor) |\n|---|---:|---:|---:|---:|---:|---:|\n",
		b.opts.latency, b.opts.latencySize, b.opts.parallelism)
	ratios := map[string]float64{}
	for _, command := range commands {
		total := 0
		for _, n := range latency.requests[command] {
			total += n
		}
		ideal := time.Duration(total) * b.opts.latency / time.Duration(b.opts.parallelism)
		measured := latency.times[command].median()
		ratios[command] = ratio(measured, ideal)
		withFloor, withFloorRatio := "not measured", "–"
		if haveFloor {
			withFloor = seconds(ideal + floor.times[command].median())
			withFloorRatio = fmt.Sprintf("%.2f×", ratio(measured, ideal+floor.times[command].median()))
		}
		fmt.Fprintf(out, "| %s | %d | %s | %s | %s | %.2f× | %s |\n", command, total, seconds(ideal), withFloor,
			latency.times[command], ratios[command], withFloorRatio)
	}
	return ratios, nil
}

// writeProcess reports the provider process's start-up and peak RSS, and returns the live peak (KiB).
func (b *bench) writeProcess(out *strings.Builder, all results) (int64, error) {
	startLive, startFloor, err := b.startup()
	if err != nil {
		return 0, err
	}
	peaks := map[string]int64{}
	for _, kind := range kinds {
		for _, m := range all[kind] {
			peaks[kind] = max(peaks[kind], m.peakRSS)
		}
	}
	fmt.Fprintf(out, "\n### Provider process\n\n| measure | live | schema floor | plugin floor |\n|---|---:|---:|---:|\n"+
		"| `terraform providers schema -json` | %s | – | %s |\n| peak RSS of the provider process | %.1f MiB | %.1f MiB | %.1f MiB |\n",
		startLive, startFloor, float64(peaks["live"])/1024, float64(peaks["schema"])/1024, float64(peaks["noop"])/1024)
	return peaks["live"], nil
}

// writeTargets checks the targets: within 1.10× of the schema floor at 100 and 1000 resources, the
// latency ideal, one request per operation and the memory bound.
func (b *bench) writeTargets(out *strings.Builder, all results, latencyRatios map[string]float64, peak int64) {
	out.WriteString("\n### Targets\n\n| target | measured | met |\n|---|---|---|\n")
	target := func(name, measured string, met bool) {
		fmt.Fprintf(out, "| %s | %s | %s |\n", name, measured, map[bool]string{true: "yes", false: "**no**"}[met])
	}
	for _, n := range []int{100, 1000} {
		m, ok := all["live"][n]
		if !ok {
			continue
		}
		for _, command := range commands {
			r := ratio(m.times[command].median(), all["schema"][n].times[command].median())
			target(fmt.Sprintf("%s of %d within 1.10× of the schema floor", command, n), fmt.Sprintf("%.2f×", r), r <= 1.10)
		}
	}
	target(fmt.Sprintf("apply of %d at %s latency within 1.3× of the ideal", b.opts.latencySize, b.opts.latency),
		fmt.Sprintf("%.2f×", latencyRatios["apply"]), latencyRatios["apply"] <= 1.3)
	largest := slices.Max(b.opts.sizes)
	perResource := func(command, op string) float64 {
		return float64(all["live"][largest].requests[command][op]) / float64(largest)
	}
	target("one request per create (apply)", fmt.Sprintf("%.2f", perResource("apply", "create")), perResource("apply", "create") == 1)
	target("one request per refresh (plan)", fmt.Sprintf("%.2f", perResource("plan", "show")), perResource("plan", "show") == 1)
	target("one request per delete (destroy)", fmt.Sprintf("%.2f", perResource("destroy", "delete")), perResource("destroy", "delete") == 1)
	target("provider peak RSS under 64 MiB", fmt.Sprintf("%.1f MiB", float64(peak)/1024), peak > 0 && peak < 64*1024)
	out.WriteString("\nOne request per update is measured by `go test ./internal/provider -run '^$' -bench LiveRecordCallbackResource`.\n")
}

// startup times `terraform providers schema -json` with the live provider and with the plugin floor.
func (b *bench) startup() (samples, samples, error) {
	var live, floor samples
	for _, kind := range []string{"live", "noop"} {
		work, err := os.MkdirTemp(b.dir, "schema-")
		if err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(b.config(kind, 1)), 0o600); err != nil {
			return nil, nil, err
		}
		for range b.opts.runs {
			took, _, err := b.terraform(work, "", "providers", "schema", "-json")
			if err != nil {
				return nil, nil, err
			}
			if kind == "live" {
				live = append(live, took)
			} else {
				floor = append(floor, took)
			}
		}
	}
	return live, floor, nil
}

func (b *bench) version() string {
	out, err := exec.CommandContext(b.ctx, b.opts.terraform, "version").Output() //nolint:gosec // the CLI the user named
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return first
}
