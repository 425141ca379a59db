package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// TestGoInstallAtAVersion installs the emulator the way the guide tells users to, `go install
// <module>/internal/cmd/live-emulator@<version>`, from a module proxy on disk that serves the
// committed tree as a release, and starts it. It fails on what only a published module shows: a
// replace directive, a file left out of the module, a package that needs the repository around it.
func TestGoInstallAtAVersion(t *testing.T) {
	const (
		modulePath = "github.com/platform-tools/terraform-provider-live"
		version    = "v0.0.1"
	)
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("a git checkout is needed to read the committed tree: %v", err)
	}
	proxy := t.TempDir()
	versions := filepath.Join(proxy, modulePath, "@v")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		t.Fatal(err)
	}
	archive, err := os.Create(filepath.Join(versions, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	err = modzip.CreateFromVCS(archive, module.Version{Path: modulePath, Version: version}, root, "HEAD", "")
	if closeErr := archive.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		t.Fatalf("making the module zip of HEAD: %v", err)
	}
	goMod, err := exec.Command("git", "-C", root, "show", "HEAD:go.mod").Output()
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"list":            version + "\n",
		version + ".info": fmt.Sprintf(`{"Version":%q,"Time":"2026-01-01T00:00:00Z"}`, version),
		version + ".mod":  string(goMod),
	} {
		if err := os.WriteFile(filepath.Join(versions, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	gobin := t.TempDir()
	install := exec.Command("go", "install", modulePath+"/internal/cmd/live-emulator@"+version)
	install.Dir = t.TempDir() // outside the module, as a user runs it
	// A module cache of its own, so that this tree is installed every time and the fixed version
	// never lands in the user's cache; dependencies come from the user's cache, else the proxy.
	install.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-modcacherw", "GONOSUMDB="+modulePath, "GOWORK=off",
		"GOMODCACHE="+t.TempDir(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download"))+
			","+goEnv(t, "GOPROXY"))
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}

	// The version it answers is the one installed.
	if out, err := exec.Command(filepath.Join(gobin, "live-emulator"), "--version").Output(); err != nil ||
		strings.TrimSpace(string(out)) != "live-emulator "+version {
		t.Fatalf("live-emulator --version: %q %v", out, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	emulator := exec.CommandContext(ctx, filepath.Join(gobin, "live-emulator"), "--listen", "127.0.0.1:0")
	stdout, err := emulator.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := emulator.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emulator.Process.Kill(); _ = emulator.Wait() }()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "http://127.0.0.1:") {
		t.Fatalf("the installed emulator printed %q, want its base URL", lines.Text())
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
