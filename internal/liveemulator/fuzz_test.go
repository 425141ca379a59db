package liveemulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
)

// FuzzEmulatorRequest sends arbitrary requests, signed or not, and checks that the emulator answers
// each with a request id and a JSON body, and never stores a configuration that its own rules (the
// ones create and update apply, one source) refuse.
func FuzzEmulatorRequest(f *testing.F) {
	base := "/v1/" + testProjectID + "/record/callbacks"
	f.Add("POST", base, []byte(`{"publish_domain":"p.example.com","app":"live","key":"abcdefghijklmnopqrstuvwxyz012345"}`), true)
	// What the documentation allows and an older oracle refused: one label in upper case, an app
	// with a space, an event twice.
	f.Add("POST", base, []byte(`{"publish_domain":"M","app":"a b","notify_event_subscription":["RECORD_OVER","RECORD_OVER"]}`), true)
	f.Add("PUT", base+"/x", []byte(`{"publish_domain":"p.example.com","app":"*","notify_event_subscription":["RECORD_OVER"]}`), true)
	f.Add("GET", base+"?limit=100&offset=4096&app=%2A", []byte(nil), true)
	f.Add("DELETE", base+"/x", []byte(nil), false)
	f.Add("GET", "/v3/projects?name=cn-north-4", []byte(nil), true)
	f.Add("POST", liveemulator.AdminPrefix+"faults", []byte("create:status=500"), false)

	f.Fuzz(func(t *testing.T, method, target string, body []byte, sign bool) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, liveemulator.AdminPrefix) {
			return // not a request a client can send; the admin endpoint changes the emulator's behaviour
		}
		req := &http.Request{Method: method, URL: u, Host: "127.0.0.1", Header: http.Header{},
			Body: readCloser{bytes.NewReader(body)}, RemoteAddr: "127.0.0.1:1", ContentLength: int64(len(body))}
		if sign {
			req.Header.Set("X-Sdk-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("Content-Type", "application/json")
			signed := []string{"content-type", "x-sdk-date"}
			req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
				testAccessKey, strings.Join(signed, ";"), liveemulator.Signature(req, body, signed, testSecretKey)))
		}
		// A fresh emulator for each input, so that a failure is this input's and names it.
		emulator := liveemulator.New(liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: testAccessKey, SecretKey: testSecretKey, Projects: testProjects}}})
		recorder := httptest.NewRecorder()
		emulator.ServeHTTP(recorder, req)

		if recorder.Header().Get("X-Request-Id") == "" {
			t.Fatalf("%s %s: no X-Request-Id", method, target)
		}
		if recorder.Code != http.StatusNoContent && !json.Valid(recorder.Body.Bytes()) {
			t.Fatalf("%s %s: %d with a body that is not JSON: %q", method, target, recorder.Code, recorder.Body.String())
		}
		for _, cb := range emulator.Callbacks() {
			if why := liveemulator.InvalidStored(cb); why != "" {
				t.Fatalf("an invalid configuration was stored (%s): %+v", why, cb)
			}
		}
	})
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// FuzzParseFault checks that whatever the fault syntax parses is a fault the emulator accepts.
func FuzzParseFault(f *testing.F) {
	for _, seed := range []string{"create:status=500,code=LIVE.100011005,times=2", "update:drop=after,times=1", "show:latency=2s", "*:status=429,retry_after=1"} {
		f.Add(seed)
	}
	emulator := liveemulator.New(liveemulator.Options{})
	f.Fuzz(func(t *testing.T, text string) {
		fault, err := liveemulator.ParseFault(text)
		if err != nil {
			return
		}
		if err := emulator.InjectFault(fault); err != nil {
			t.Fatalf("%q parsed to %+v, which InjectFault refuses: %v", text, fault, err)
		}
		emulator.ClearFaults()
	})
}
