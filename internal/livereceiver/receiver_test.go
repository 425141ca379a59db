package livereceiver_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/livereceiver"
)

// The expected signatures were computed apart from this code, with Python's hashlib and hmac.
const (
	key  = "abcdefghijklmnopqrstuvwxyz012345"
	body = `{"event_type":"RECORD_OVER","publish_domain":"publish.example.com","app":"live","stream":"s1",` +
		`"download_url":"https://obs.example.com/a.mp4","play_url":"https://publish.example.com/a.mp4","auth_timestamp":1795725000,"auth_sign":"%s"}`
	md5Sign  = "75138244afd15940f7c4462bea861bfe"
	hmacSign = "536671a9dfad09c1a58a78ab49c7d814105538f3ffd83bf6a887e4357672ef7c"
)

func withSign(sign string) []byte { return []byte(strings.Replace(body, "%s", sign, 1)) }

func TestVerify(t *testing.T) {
	for signType, sign := range map[string]string{"MD5": md5Sign, "HMACSHA256": hmacSign} {
		event, err := livereceiver.Verify(withSign(sign), signType, key)
		if err != nil || event.EventType != "RECORD_OVER" || event.Stream != "s1" {
			t.Fatalf("%s: %+v %v", signType, event, err)
		}
		if _, err := livereceiver.Verify(withSign(sign), signType, strings.ToUpper(key)); !errors.Is(err, livereceiver.ErrBadSignature) {
			t.Fatalf("%s with a wrong key: %v", signType, err)
		}
		if _, err := livereceiver.Verify(withSign(""), signType, key); !errors.Is(err, livereceiver.ErrBadSignature) {
			t.Fatalf("%s unsigned: %v", signType, err)
		}
	}
	// HMACSHA256 signs the event; MD5 does not.
	tampered := strings.Replace(string(withSign(hmacSign)), "RECORD_OVER", "RECORD_FAILED", 1)
	if _, err := livereceiver.Verify([]byte(tampered), "HMACSHA256", key); !errors.Is(err, livereceiver.ErrBadSignature) {
		t.Fatalf("a tampered event: %v", err)
	}
}

// signedAt is the auth_timestamp of body.
var signedAt = time.Unix(1795725000, 0)

func TestReceiverAnswers(t *testing.T) {
	receiver := &livereceiver.Receiver{SignType: "MD5", Key: key, Now: func() time.Time { return signedAt.Add(time.Minute) }}
	server := httptest.NewServer(receiver)
	defer server.Close()
	for sign, want := range map[string]int{md5Sign: http.StatusOK, hmacSign: http.StatusUnauthorized} {
		resp, err := http.Post(server.URL, "application/json", strings.NewReader(string(withSign(sign))))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("sign %s: %d, want %d", sign, resp.StatusCode, want)
		}
	}
	if n := len(receiver.Received()); n != 2 {
		t.Fatalf("%d received", n)
	}
}

// TestReceiverRefusesReplays: a notification signed more than 5 minutes from the receiver's clock,
// in either direction, is refused although its signature verifies.
func TestReceiverRefusesReplays(t *testing.T) {
	for offset, want := range map[time.Duration]int{
		0: http.StatusOK, 5 * time.Minute: http.StatusOK, -5 * time.Minute: http.StatusOK,
		5*time.Minute + time.Second: http.StatusUnauthorized, -5*time.Minute - time.Second: http.StatusUnauthorized, 24 * time.Hour: http.StatusUnauthorized,
	} {
		receiver := &livereceiver.Receiver{SignType: "MD5", Key: key, Now: func() time.Time { return signedAt.Add(offset) }}
		recorder := httptest.NewRecorder()
		receiver.ServeHTTP(recorder, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(withSign(md5Sign)))))
		if recorder.Code != want {
			t.Errorf("received %s after signing: %d, want %d", offset, recorder.Code, want)
		}
		if want != http.StatusOK && !errors.Is(receiver.Received()[0].Err, livereceiver.ErrStale) {
			t.Errorf("%s: %v, want ErrStale", offset, receiver.Received()[0].Err)
		}
	}
}

// TestReceiverIsBounded: the body is capped, and the record keeps the last MaxReceived.
func TestReceiverIsBounded(t *testing.T) {
	receiver := &livereceiver.Receiver{SignType: "MD5", Key: key, Now: func() time.Time { return signedAt }}
	recorder := httptest.NewRecorder()
	huge := `{"stream":"` + strings.Repeat("a", livereceiver.MaxBodyBytes) + `"}`
	receiver.ServeHTTP(recorder, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(huge)))
	if recorder.Code != http.StatusRequestEntityTooLarge || len(receiver.Received()) != 0 {
		t.Fatalf("a body over the cap: %d, %d recorded", recorder.Code, len(receiver.Received()))
	}
	for i := range livereceiver.MaxReceived + 3 {
		body := strings.Replace(string(withSign(md5Sign)), `"s1"`, fmt.Sprintf(`"s%d"`, i), 1)
		receiver.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
	}
	received := receiver.Received()
	if len(received) != livereceiver.MaxReceived || receiver.Dropped() != 3 || received[0].Event.Stream != "s3" {
		t.Fatalf("kept %d, dropped %d, oldest %q", len(received), receiver.Dropped(), received[0].Event.Stream)
	}
}
