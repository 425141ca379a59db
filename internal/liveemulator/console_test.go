package liveemulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// TestAdminRefusesOtherPages: a page on loopback is reachable from every other page the developer
// has open. The admin endpoint refuses a Host that is not its own loopback address (a DNS rebinding
// page's), and changes or reads asked by another origin's page; the console's own requests, and
// tools that send neither header, are served.
func TestAdminRefusesOtherPages(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{})
	if _, err := e.AddCallback(liveemulator.Callback{ProjectID: testProjectID, PublishDomain: "publish.example.com", App: "live",
		Events: []string{livespec.EventRecordOver}, SignType: livespec.SignTypeMD5}); err != nil {
		t.Fatal(err)
	}
	port := e.URL[strings.LastIndex(e.URL, ":")+1:]
	own := "http://127.0.0.1:" + port
	type request struct {
		method, path string
		headers      map[string]string
	}
	refused := map[string]request{
		"reset from a rebinding page":       {http.MethodPost, "reset", map[string]string{"Host": "attacker.example.com:" + port}},
		"journal read by a rebinding page":  {http.MethodGet, "journal", map[string]string{"Host": "attacker.example.com:" + port}},
		"a loopback lookalike":              {http.MethodGet, "callbacks", map[string]string{"Host": "127.0.0.1.attacker.example.com:" + port}},
		"reset from another origin":         {http.MethodPost, "reset", map[string]string{"Origin": "https://attacker.example.com"}},
		"a fault from another origin":       {http.MethodPost, "faults", map[string]string{"Origin": "null"}},
		"a recording from another site":     {http.MethodPost, "recordings", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		"the clock from a sibling site":     {http.MethodPut, "clock-offset", map[string]string{"Sec-Fetch-Site": "same-site"}},
		"the journal read by another site":  {http.MethodGet, "journal", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}},
		"the console's script for another":  {http.MethodGet, "console.js", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}},
		"the console in another's frame":    {http.MethodGet, "", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"}},
		"faults cleared by another origin":  {http.MethodDelete, "faults", map[string]string{"Origin": "http://localhost:" + port + ".attacker.example.com"}},
		"reset by another port's page":      {http.MethodPost, "reset", map[string]string{"Origin": "http://127.0.0.1:1"}},
		"a throttle from another origin":    {http.MethodPut, "throttle", map[string]string{"Origin": "http://attacker.example.com", "Sec-Fetch-Site": "cross-site"}},
		"callbacks read by a rebinding IP6": {http.MethodGet, "callbacks", map[string]string{"Host": "[::ffff:7f00:1]:" + port + ".attacker"}},
	}
	send := func(tc request) (int, string) {
		req := mustRequest(t, tc.method, e.URL+liveemulator.AdminPrefix+tc.path, "")
		for header, value := range tc.headers {
			if header == "Host" {
				req.Host = value
			} else {
				req.Header.Set(header, value)
			}
		}
		status, body, _ := do(t, req)
		return status, body
	}
	for name, tc := range refused {
		if status, body := send(tc); status != http.StatusForbidden || !strings.Contains(body, "EMULATOR.403") {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	if n := len(e.Callbacks()); n != 1 {
		t.Fatalf("refused resets reached the emulator: %d callbacks left of 1", n)
	}

	served := map[string]request{
		"the console's reset":          {http.MethodPost, "reset", map[string]string{"Origin": own, "Sec-Fetch-Site": "same-origin"}},
		"the console's read":           {http.MethodGet, "journal", map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}},
		"a link to the console":        {http.MethodGet, "", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}},
		"the address bar":              {http.MethodGet, "", map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}},
		"a forwarded port":             {http.MethodGet, "journal", map[string]string{"Host": "127.0.0.1:9000"}},
		"curl":                         {http.MethodPost, "reset", nil},
		"localhost":                    {http.MethodGet, "accounts", map[string]string{"Host": "localhost:" + port}},
		"the console's fault, by name": {http.MethodDelete, "faults", map[string]string{"Host": "localhost:" + port, "Origin": "http://localhost:" + port}},
	}
	for name, tc := range served {
		if status, body := send(tc); status >= 300 {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
}

// TestConsolePage: the console is served at the admin prefix with a policy that allows only its own
// script, and shows no secret: the accounts come without their secret keys.
func TestConsolePage(t *testing.T) {
	e := emulatortest.Start(t, liveemulator.Options{})
	status, body, header := do(t, mustRequest(t, http.MethodGet, e.URL+liveemulator.AdminPrefix, ""))
	if status != http.StatusOK || !strings.Contains(body, `<script src="console.js"`) ||
		!strings.Contains(header.Get("Content-Security-Policy"), "default-src 'self'") || header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET %s: %d %v\n%s", liveemulator.AdminPrefix, status, header, body)
	}
	status, body, _ = do(t, mustRequest(t, http.MethodGet, e.URL+liveemulator.AdminPrefix+"accounts", ""))
	if status != http.StatusOK || !strings.Contains(body, emulatortest.AccessKey) || strings.Contains(body, emulatortest.SecretKey) {
		t.Fatalf("GET accounts: %d %s", status, body)
	}
}
