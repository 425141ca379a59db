package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/provider"
)

// TestDemoStopsEveryServerItStarts runs the start and stop code of make demo (scripts/processes.sh)
// with two servers and checks that neither survives the script, however it ends.
func TestDemoStopsEveryServerItStarts(t *testing.T) {
	const script = `set -euo pipefail
source scripts/processes.sh
start_server one "$DIR" bash -c 'echo http://127.0.0.1:1/one; exec sleep 300'
[ "$started_url" = http://127.0.0.1:1/one ]
start_server two "$DIR" bash -c 'echo http://127.0.0.1:1/two; exec sleep 300'
[ "$started_url" = http://127.0.0.1:1/two ]
echo "${started_pids[@]}" > "$DIR/pids"
case "$ENDING" in
success) exit 0 ;;
failure) false ;;
interrupt) while true; do sleep 0.1; done ;;
broken-server) start_server three "$DIR" bash -c 'echo cannot listen >&2; exit 1' ;;
esac
`
	for ending, wantStatus := range map[string]int{"success": 0, "failure": 1, "interrupt": 130, "broken-server": 1} {
		t.Run(ending, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("bash", "-c", script)
			cmd.Env = append(os.Environ(), "DIR="+dir, "ENDING="+ending)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pids := startedPIDs(t, filepath.Join(dir, "pids"))
			if ending == "interrupt" {
				if err := cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
			}
			status := 0
			if err := cmd.Wait(); err != nil {
				var exitErr *exec.ExitError
				if !errors.As(err, &exitErr) {
					t.Fatal(err)
				}
				status = exitErr.ExitCode()
			}
			if status != wantStatus {
				t.Fatalf("the script exited with %d, want %d; stderr:\n%s", status, wantStatus, stderr.String())
			}
			for _, pid := range pids {
				// A stand-in server is a sleep; another program under a reused pid is not ours.
				if exe, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); running(pid) && filepath.Base(exe) == "sleep" {
					t.Errorf("server %d is still running after the script ended", pid)
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			if ending == "broken-server" && !strings.Contains(stderr.String(), "three exited before printing its URL") {
				t.Errorf("stderr: %s", stderr.String())
			}
		})
	}
}

// startedPIDs waits for the script to write the pids of the servers it started.
func startedPIDs(t *testing.T, file string) []int {
	t.Helper()
	for range 200 {
		if data, err := os.ReadFile(file); err == nil && strings.HasSuffix(string(data), "\n") {
			var pids []int
			for _, field := range strings.Fields(string(data)) {
				pid, err := strconv.Atoi(field)
				if err != nil {
					t.Fatal(err)
				}
				pids = append(pids, pid)
			}
			if len(pids) != 2 {
				t.Fatalf("pids %v, want 2", pids)
			}
			return pids
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the script never started its servers")
	return nil
}

// running reports whether pid is a live process (not gone, not a zombie waiting to be reaped).
func running(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// TestDemoScriptLeavesNoServerBehind runs scripts/demo.sh itself, in a directory of its own, with a
// stand-in for Terraform whose apply fails or is interrupted (Ctrl-C reaching the script and
// terraform, not the servers, so that only the script's own cleanup can stop them), and checks that
// the emulator and the receiver it started are gone when it ends. It builds the demo's binaries, so
// it runs with the acceptance tests.
func TestDemoScriptLeavesNoServerBehind(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the demo: runs with TF_ACC=1 (make test)")
	}
	for ending, stub := range map[string]string{
		"failed apply": `echo $$ > "$MARKER"; while [ ! -e "$MARKER.go" ]; do sleep 0.1; done; exit 1`,
		"interrupt":    `echo $$ > "$MARKER"; exec sleep 300`,
	} {
		t.Run(ending, func(t *testing.T) {
			dir, demoDir := t.TempDir(), t.TempDir()
			terraform := filepath.Join(dir, "terraform")
			if err := os.WriteFile(terraform, []byte("#!/bin/sh\n"+stub+"\n"), 0o755); err != nil { //nolint:gosec // an executable stand-in
				t.Fatal(err)
			}
			marker := filepath.Join(dir, "applying")
			cmd := exec.Command("bash", "scripts/demo.sh")
			cmd.Env = append(os.Environ(), "TERRAFORM="+terraform, "MARKER="+marker, "DEMO_DIR="+demoDir)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var output strings.Builder
			cmd.Stdout, cmd.Stderr = &output, &output
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ended := make(chan error, 1)
			go func() { ended <- cmd.Wait() }()
			// Whatever happens to the test, nothing it started outlives it.
			t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); killUnder(demoDir) })

			stubPID := waitForPID(t, marker, 5*time.Minute)
			servers := processesUnder(demoDir)
			if len(servers) != 2 {
				t.Fatalf("want the emulator and the receiver running while terraform runs, found %v", servers)
			}
			if ending == "interrupt" {
				// The script first: it runs its trap once terraform, signalled next, has ended.
				for _, pid := range []int{cmd.Process.Pid, stubPID} {
					if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
						t.Fatal(err)
					}
				}
			} else if err := os.WriteFile(marker+".go", nil, 0o600); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-ended:
				if err == nil {
					t.Fatalf("the demo succeeded with a failing terraform:\n%s", output.String())
				}
			case <-time.After(time.Minute):
				t.Fatalf("the demo did not end within a minute of terraform's end:\n%s", output.String())
			}
			if left := processesUnder(demoDir); len(left) > 0 {
				t.Fatalf("servers %v are still running after the demo ended:\n%s", left, output.String())
			}
		})
	}
}

// killUnder stops the processes whose executable lies in dir.
func killUnder(dir string) {
	for _, pid := range processesUnder(dir) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// processesUnder lists the live processes whose executable lies in dir.
func processesUnder(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", entry.Name(), "exe"))
		if err == nil && strings.HasPrefix(exe, dir+string(filepath.Separator)) && running(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitForPID waits for file to hold a process id, and returns it.
func waitForPID(t *testing.T, file string, limit time.Duration) int {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if data, err := os.ReadFile(file); err == nil && strings.HasSuffix(string(data), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
	}
	t.Fatalf("%s held no process id within %s", file, limit)
	return 0
}

// TestWithoutProviderEnv: scripts/without-provider-env.sh runs its command without any variable that
// the provider reads, and with the others.
func TestWithoutProviderEnv(t *testing.T) {
	cmd := exec.Command("scripts/without-provider-env.sh", "env")
	cmd.Env = append(os.Environ(), "KEPT_BY_THE_SCRIPT=yes")
	cleared := append(provider.EnvironmentVariables(), provider.EnvironmentPrefix+"LIVE_CN_NORTH_4")
	for _, name := range cleared {
		cmd.Env = append(cmd.Env, name+"=from-the-developer")
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range cleared {
		if strings.Contains(string(out), "\n"+name+"=") || strings.HasPrefix(string(out), name+"=") {
			t.Errorf("%s reached the command", name)
		}
	}
	if !strings.Contains(string(out), "KEPT_BY_THE_SCRIPT=yes") {
		t.Error("the script dropped a variable the provider does not read")
	}
}

// TestContributingNamesEveryFile: CONTRIBUTING.md's table of files names every non-test Go file, and
// only files that exist.
func TestContributingNamesEveryFile(t *testing.T) {
	contributing, err := os.ReadFile("CONTRIBUTING.md")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, match := range regexp.MustCompile("(?m)^\\| `([^`]+\\.go)` \\|").FindAllStringSubmatch(string(contributing), -1) {
		named[match[1]] = true
	}
	if len(named) == 0 {
		t.Fatal("CONTRIBUTING.md has no table of files")
	}
	onDisk := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, entry os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case entry.IsDir() && (strings.HasPrefix(entry.Name(), ".") && path != "." || entry.Name() == "testdata" || entry.Name() == "dist"):
			return filepath.SkipDir
		case !entry.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			onDisk[filepath.ToSlash(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for path := range onDisk {
		if !named[path] {
			t.Errorf("CONTRIBUTING.md does not say what %s is for", path)
		}
	}
	for path := range named {
		if !onDisk[path] {
			t.Errorf("CONTRIBUTING.md names %s, which does not exist", path)
		}
	}
}
