package liveemulator_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEmulatorKnowsNothingOfTheClient: the emulator judges the client, so it must not share its code:
// it depends on the documentation's facts (livespec) only, never on liveapi or the provider.
func TestEmulatorKnowsNothingOfTheClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../internal/liveemulator/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasSuffix(dep, "/internal/liveapi") || strings.HasSuffix(dep, "/internal/provider") {
			t.Errorf("the emulator depends on %s", dep)
		}
	}
}
