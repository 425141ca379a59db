package liveemulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// hostileApp and hostileURL are what anyone with API access may store: markup and script that the
// console must show as text.
const (
	hostileApp    = `<img src=x onerror="window.__pwned='app'">`
	hostileURL    = `https://receiver.example.com/"><script>window.__pwned='url'</script>`
	hostileStream = `<img src=x onerror="window.__pwned='stream'">`
	hostilePath   = `/<script>window.__pwned='path'</script>`
)

// chromium finds the browser for the console's test: $CHROMIUM, else chromium on PATH. Without it
// the test skips, or fails when LIVE_BROWSER=required (make test-browser, which installs it).
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		if os.Getenv("LIVE_BROWSER") == "required" {
			t.Fatal("LIVE_BROWSER=required, and no chromium: set CHROMIUM or put chromium on PATH")
		}
		t.Skip("Skipping the console's browser test: no chromium on PATH (make test-browser installs Debian's where it can)")
	}
	return path
}

// TestConsoleInABrowser loads the console in headless Chromium against an emulator with two
// accounts and a few callbacks: they are shown (hostile text as text, nothing executed), a recording
// started through the form delivers verified notifications, a fault set through the form fails the
// next API call in the journal, and the reset asks first.
func TestConsoleInABrowser(t *testing.T) {
	browser := chromium(t)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(receiver.Close)
	e := emulatortest.Start(t, liveemulator.Options{Credentials: []liveemulator.Credential{
		{AccessKey: testAccessKey, SecretKey: testSecretKey, DomainID: emulatortest.DomainID, DomainName: emulatortest.DomainName,
			Projects: []liveemulator.Project{{ID: testProjectID, Name: emulatortest.Region}, {ID: "ea57ea57ea57ea57ea57ea57ea57ea57", Name: "cn-east-3"}}},
		{AccessKey: "SPORTSAK", SecretKey: "SportsSecretKey0123456789abcdef", DomainID: "5p0r75", DomainName: "sports",
			Projects: []liveemulator.Project{{ID: "5905755905755905755905755905755a", Name: "ap-southeast-3"}}},
	}})
	for _, cb := range []liveemulator.Callback{
		{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live", NotifyCallbackURL: receiver.URL + "/hook",
			Events:   []string{livespec.EventRecordNewFileStart, livespec.EventRecordFileComplete, livespec.EventRecordOver},
			SignType: livespec.SignTypeHMACSHA256, Key: testKey},
		{ProjectID: "5905755905755905755905755905755a", PublishDomain: "sports.example.com", App: hostileApp, NotifyCallbackURL: hostileURL,
			Events: []string{livespec.EventRecordOver}, SignType: livespec.SignTypeMD5, Key: testKey},
	} {
		if _, err := e.AddCallback(cb); err != nil {
			t.Fatal(err)
		}
	}

	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(browser), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1600),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true))
	defer cancelAllocator()
	ctx, cancel := chromedp.NewContext(allocator)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(selector string) string {
		t.Helper()
		value, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
		if err != nil {
			t.Fatal(err)
		}
		return value
	}
	evaluate := func(expression string) int {
		t.Helper()
		value, err := chromedp.Run(ctx, chromedp.Evaluate[int](expression))
		if err != nil {
			t.Fatal(err)
		}
		return value
	}

	do(chromedp.Navigate(e.URL+liveemulator.AdminPrefix), chromedp.WaitVisible(chromedp.CSS(`table.callbacks`)))
	accounts := text(`#accounts`)
	for _, want := range []string{"Account emulator", "Account sports", "cn-north-4", "cn-east-3", "ap-southeast-3",
		"publish.example.com", "sports.example.com", hostileApp, hostileURL} {
		if !strings.Contains(accounts, want) {
			t.Errorf("the console does not show %q:\n%s", want, accounts)
		}
	}
	if strings.Contains(accounts, testKey) {
		t.Error("the console shows a callback's key")
	}
	markup := func(where string) {
		t.Helper()
		// The page has one script, its own (console.js), and no image.
		if n := evaluate(`document.querySelectorAll('img, script:not([src="console.js"])').length`); n != 0 {
			t.Fatalf("markup from %s became %d elements", where, n)
		}
	}
	markup("a callback")

	// A recording through the form: its notifications are delivered, and their signatures verify.
	do(chromedp.SetValue(chromedp.CSS(`#record-project`), testProjectID),
		chromedp.SendKeys(chromedp.CSS(`#record-form input[name=publish_domain]`), "publish.example.com"),
		chromedp.SendKeys(chromedp.CSS(`#record-form input[name=app]`), "live"),
		chromedp.SendKeys(chromedp.CSS(`#record-form input[name=stream]`), hostileStream),
		chromedp.Click(chromedp.CSS(`#record-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#deliveries tbody tr:nth-child(3)`)))
	if deliveries := text(`#deliveries tbody`); strings.Count(deliveries, liveemulator.SignatureVerified) != 3 ||
		!strings.Contains(deliveries, livespec.EventRecordOver) || !strings.Contains(deliveries, receiver.URL+"/hook") ||
		!strings.Contains(deliveries, hostileStream) {
		t.Fatalf("the deliveries shown:\n%s", deliveries)
	}
	markup("a stream's name")

	// A fault through the form: the next API call fails, and the journal shows it.
	do(chromedp.SendKeys(chromedp.CSS(`#fault-form input[name=fault]`), "list:status=500,times=1"),
		chromedp.Click(chromedp.CSS(`#fault-form button[type=submit]`)),
		chromedp.WaitVisible(`//output[@id="fault-result"][contains(., "set:")]`),
		chromedp.WaitVisible(`//ul[@id="faults"]/li[contains(., "list:times=1,status=500 (1 more)")]`))
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.URL, ProjectID: testProjectID, AccessKey: testAccessKey,
		SecretKey: testSecretKey, UserAgent: "console-test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.List(context.Background(), liveapi.ListFilter{}); err == nil {
		t.Fatalf("the fault set through the form (%s) was not met", text(`#fault-result`))
	}
	if resp, err := http.Get(e.URL + hostilePath); err == nil {
		resp.Body.Close()
	}
	do(chromedp.WaitVisible(`//table[@id="journal"]//td[contains(., "window.__pwned='path'")]`))
	markup("a request's path")
	do(chromedp.SetValue(chromedp.CSS(`#journal-status`), "5"),
		chromedp.WaitVisible(`//table[@id="journal"]//td[contains(., "`+livespec.ErrorCodeInternal+`")]`))
	if journal := text(`#journal tbody`); !strings.Contains(journal, "500") || !strings.Contains(journal, "/record/callbacks") ||
		strings.Contains(journal, "200") {
		t.Fatalf("the journal filtered to 5xx:\n%s", journal)
	}
	if path := os.Getenv("LIVE_CONSOLE_SCREENSHOT"); path != "" {
		if evaluate(`(document.getElementById("journal-status").selectedIndex = 0, 0)`) != 0 {
			t.Fatal("the journal's filter was not cleared")
		}
		do(chromedp.Sleep(2500 * time.Millisecond)) // the next refresh shows the whole journal
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, shot, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The reset asks first: dismissed, nothing changes; accepted, the callbacks are gone.
	var accept atomic.Bool
	dialogs := make(chan string, 2)
	opened := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for dialog, err := range opened {
			if err != nil {
				return
			}
			dialogs <- dialog.Message
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept.Load()})
		}
	}()
	do(chromedp.Click(chromedp.CSS(`#reset`)))
	if message := <-dialogs; !strings.Contains(message, "Reset the emulator?") {
		t.Fatalf("the confirmation says %q", message)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(e.Callbacks()); n != 2 {
		t.Fatalf("a dismissed reset left %d callbacks", n)
	}
	accept.Store(true)
	do(chromedp.Click(chromedp.CSS(`#reset`)))
	<-dialogs
	do(chromedp.WaitNotPresent(chromedp.CSS(`table.callbacks`)))
	if n := len(e.Callbacks()); n != 0 {
		t.Fatalf("an accepted reset left %d callbacks", n)
	}
}
