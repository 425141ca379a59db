package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// hangingIAM is an emulator whose IAM accepts the ID token exchange and never answers, with an
// identity provider; the configuration federates it for three callbacks, with a project_id, so
// that the first IAM request is the creates'.
func hangingIAM(t *testing.T) (testEmulator, string) {
	t.Helper()
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider}})
	if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationTokenByIDToken, Latency: time.Hour}); err != nil {
		t.Fatal(err)
	}
	return e, e.federationConfig(idp.ID, idp.IDTokenFile(t, time.Hour, nil), fmt.Sprintf("project_id = %q", testProjectID))
}

const threeCallbacksIn10s = `
resource "live_record_callback" "test" {
  count          = 3
  publish_domain = "d${count.index}.example.com"
  timeouts = {
    create = "10s"
  }
}
`

// TestAccLiveProvider_iamHangsWithinTimeouts: against an IAM that accepts and never answers, three
// creates with a 10-second create timeout fail together once it passes (not after the HTTP
// client's 120 s each, nor one behind another), naming the exchange, and nothing is created.
func TestAccLiveProvider_iamHangsWithinTimeouts(t *testing.T) {
	e, provider := hangingIAM(t)
	start := time.Now()
	// Not parallel: the time measured is this test's own.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      provider + threeCallbacksIn10s,
			ExpectError: wrapped(`(?s)Unable to Create Live Record Callback.*obtaining temporary credentials from IAM failed.*deadline exceeded`),
		}},
	})
	// A bound, not a speed goal: 10 s of timeouts, and the SDK's 120 s per request before the fix.
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Fatalf("the apply took %s with a 10 s create timeout", elapsed.Round(time.Second))
	}
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks were created", n)
	}
}

// TestAccLiveProvider_iamHangInterrupted: the same hang, with an hour of create timeout, and Ctrl-C
// (SIGINT to the real CLI) once the apply is waiting: Terraform stops at once, not after the SDK's
// timeouts, and nothing is created.
func TestAccLiveProvider_iamHangInterrupted(t *testing.T) {
	e, provider := hangingIAM(t)
	h := newCLIHarness(t)
	h.write("main.tf", requiredProviders+provider+strings.ReplaceAll(threeCallbacksIn10s, `"10s"`, `"1h"`))
	cmd := exec.Command(h.terraform, "apply", "-input=false", "-auto-approve", "-no-color")
	cmd.Dir, cmd.Env = h.work, h.env
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Waiting once the exchanges were received; served (or not) is what the fault decides.
	for deadline := time.Now().Add(time.Minute); e.inFlightExchanges() < 1; {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no ID token exchange reached IAM:\n%s", output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("an interrupted apply succeeded:\n%s", output.String())
		}
		if took := time.Since(interrupted); took > 30*time.Second {
			t.Fatalf("Terraform took %s to stop after Ctrl-C:\n%s", took.Round(time.Second), output.String())
		}
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		t.Fatalf("Terraform did not stop within 90 s of Ctrl-C:\n%s", output.String())
	}
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks were created", n)
	}
}

// inFlightExchanges is how many ID token exchanges the emulator has received and not answered.
func (e testEmulator) inFlightExchanges() int {
	return e.InFlight(liveemulator.OperationTokenByIDToken)
}

// TestAccLiveProvider_renewalFailsMidApply: OIDC credentials live three seconds; the first renewal
// fails (IAM answers 500), and the apply of 50 callbacks (five seconds of creates) carries on with
// the credentials it has, renewing them at the next try.
func TestAccLiveProvider_renewalFailsMidApply(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		TemporaryCredentialsTTL: 3 * time.Second})
	config := e.federationConfig(idp.ID, idp.IDTokenFile(t, time.Hour, nil), fmt.Sprintf("project_id = %q", testProjectID)) + testAccLiveRecordCallbackResourceConfig_count(50)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The first exchange is served; the renewal's token request fails.
				if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationTokenByIDToken, Times: 1, Latency: time.Millisecond}); err != nil {
					t.Fatal(err)
				}
				if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationTokenByIDToken, Times: 1, Status: 500, ErrorCode: "IAM.0004"}); err != nil {
					t.Fatal(err)
				}
				// Creates that take a second: the apply outlasts the credentials.
				if err := e.InjectFault(liveemulator.Fault{Operation: liveemulator.OperationCreate, Latency: time.Second}); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			Check: func(*terraform.State) error {
				if n := len(e.Callbacks()); n != 50 {
					return fmt.Errorf("the emulator holds %d callbacks, want 50", n)
				}
				if n := e.PendingFaults(); n != 0 {
					return fmt.Errorf("%d faults were not met: no renewal failed", n)
				}
				if n := e.RequestCounts()[liveemulator.OperationSecurityToken]; n < 2 {
					return fmt.Errorf("the credentials were issued %d times, want a renewal after the failed one", n)
				}
				e.ClearFaults()
				return nil
			},
		}},
	})
}

// TestAccLiveProvider_oidcCredentialsLiveAsLongAsIAMSays: with credentials that live 30 minutes, an
// apply of 20 callbacks by the real CLI (one provider process) exchanges the ID token once and asks
// for credentials once; so does the destroy (without a refresh, its plan starts a provider that
// sends nothing).
func TestAccLiveProvider_oidcCredentialsLiveAsLongAsIAMSays(t *testing.T) {
	idp := emulatortest.NewIdentityProvider(t)
	e := newTestEmulator(t, liveemulator.Options{IdentityProviders: []liveemulator.IdentityProvider{idp.IdentityProvider},
		TemporaryCredentialsTTL: 30 * time.Minute})
	h := newCLIHarness(t)
	h.write("main.tf", requiredProviders+e.federationConfig(idp.ID, idp.IDTokenFile(t, time.Hour, nil), fmt.Sprintf("project_id = %q", testProjectID))+testAccLiveRecordCallbackResourceConfig_count(20))
	for i, command := range []string{"apply", "destroy"} {
		h.mustRun(command, "-input=false", "-auto-approve", "-refresh=false")
		counts := e.RequestCounts()
		if token, credentials := counts[liveemulator.OperationTokenByIDToken], counts[liveemulator.OperationSecurityToken]; token != i+1 || credentials != i+1 {
			t.Fatalf("after the %s: %d ID token exchanges and %d credentials, want %d of each: %v", command, token, credentials, i+1, counts)
		}
	}
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks left after the destroy", n)
	}
}
