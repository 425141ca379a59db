package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// TestAccAdoptingEveryCallbackInOnePlan runs the guide's configuration
// (examples/guides/adopting-every-callback) with the real CLI against an emulator that holds 25
// configurations made elsewhere: one plan imports all 25 and creates, updates and destroys nothing;
// after the apply, the next plan is empty.
func TestAccAdoptingEveryCallbackInOnePlan(t *testing.T) {
	h := newCLIHarness(t)
	h.skipWithout(clifeatures.ImportForEach)
	e := newTestEmulator(t)
	for i := range 25 {
		events := []string{"RECORD_FILE_COMPLETE"}
		if i%3 == 0 {
			events = []string{"RECORD_NEW_FILE_START", "RECORD_OVER"}
		}
		if _, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: fmt.Sprintf("d%d.example.com", i%5),
			App: fmt.Sprintf("app%d", i/5), NotifyCallbackURL: fmt.Sprintf("https://hooks.example.com/%d", i), Events: events,
			SignType: []string{"MD5", "HMACSHA256"}[i%2]}); err != nil {
			t.Fatal(err)
		}
	}
	guide, err := os.ReadFile("../../examples/guides/adopting-every-callback/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	h.write("main.tf", requiredProviders+e.providerConfig()+string(guide))
	h.mustRun("plan", "-input=false", "-out=adopt.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("show", "-json", "adopt.tfplan")), &plan); err != nil {
		t.Fatal(err)
	}
	imported := 0
	for _, rc := range plan.ResourceChanges {
		if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "no-op" {
			t.Errorf("%s is planned to %v: the adoption must change nothing", rc.Address, rc.Change.Actions)
		}
		if len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null" {
			imported++
		}
	}
	if imported != 25 {
		t.Fatalf("the plan imports %d callbacks, want 25", imported)
	}
	h.mustRun("apply", "-input=false", "adopt.tfplan")
	if _, stderr, err := h.run("plan", "-input=false", "-detailed-exitcode"); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 2 {
			t.Fatalf("the plan after the adoption is not empty:\n%s", h.outputs.String())
		}
		t.Fatalf("plan: %v\n%s", err, stderr)
	}
	if n := len(e.Callbacks()); n != 25 || e.RequestCounts()[liveemulator.OperationUpdate] != 0 || e.RequestCounts()[liveemulator.OperationCreate] != 0 {
		t.Fatalf("the emulator holds %d configurations after %v, want the 25 adopted and nothing written", n, e.RequestCounts())
	}
}
