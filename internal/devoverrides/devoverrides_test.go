package devoverrides_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/devoverrides"
)

func TestWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "terraform.rc")
	if err := devoverrides.Write(path, map[string]string{"platform-tools/noop": "/p/n", "platform-tools/live": `/p/"l"`}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "provider_installation {\n  dev_overrides {\n    \"platform-tools/live\" = \"/p/\\\"l\\\"\"\n    \"platform-tools/noop\" = \"/p/n\"\n  }\n  direct {}\n}\n"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
