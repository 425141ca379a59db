// Package livereceiver is a receiver of Live recording notifications that verifies their signatures,
// written from the documented algorithm alone: the emulator's tests and demo use it to check what
// the emulator sends, and it shows callback owners how to verify notifications.
package livereceiver

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // MD5 is one of the documented notification signatures
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// Event is a notification as received.
type Event struct {
	EventType     string `json:"event_type"`
	PublishDomain string `json:"publish_domain"`
	App           string `json:"app"`
	Stream        string `json:"stream"`
	DownloadURL   string `json:"download_url"`
	PlayURL       string `json:"play_url"`
	ErrorMessage  string `json:"error_message"`
	AuthTimestamp int64  `json:"auth_timestamp"`
	AuthSign      string `json:"auth_sign"`
}

// ErrBadSignature is returned for a notification whose auth_sign does not match the key.
var ErrBadSignature = errors.New("the notification's auth_sign does not match the key")

// Verify decodes a notification and checks its auth_sign with the key and sign type
// ("MD5" or "HMACSHA256"):
//
//	MD5:        hex(md5(key + auth_timestamp))
//	HMACSHA256: hex(hmac_sha256(key, auth_timestamp + event_type + publish_domain + app + stream + download_url + play_url))
//
// where auth_timestamp is written in decimal digits.
func Verify(body []byte, signType, key string) (Event, error) {
	var event Event
	if err := json.Unmarshal(body, &event); err != nil {
		return Event{}, fmt.Errorf("the notification is not JSON: %w", err)
	}
	timestamp := strconv.FormatInt(event.AuthTimestamp, 10)
	var expected []byte
	switch signType {
	case "MD5":
		sum := md5.Sum([]byte(key + timestamp)) //nolint:gosec // the documented algorithm
		expected = sum[:]
	case "HMACSHA256":
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write([]byte(timestamp + event.EventType + event.PublishDomain + event.App + event.Stream + event.DownloadURL + event.PlayURL))
		expected = mac.Sum(nil)
	default:
		return event, fmt.Errorf("unknown sign type %q", signType)
	}
	got, err := hex.DecodeString(event.AuthSign)
	if err != nil || subtle.ConstantTimeCompare(got, expected) != 1 {
		return event, ErrBadSignature
	}
	return event, nil
}

// Received is one notification and whether it verified.
type Received struct {
	Event Event
	Err   error
}

// Receiver is an http.Handler that verifies each notification with its key: it answers 200 to a
// verified one and 401 to any other, and keeps them all.
type Receiver struct {
	SignType string
	Key      string
	// OnReceive, when set, is called with each notification.
	OnReceive func(Received)

	mu       sync.Mutex
	received []Received
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	event, err := Verify(body, r.SignType, r.Key)
	received := Received{Event: event, Err: err}
	r.mu.Lock()
	r.received = append(r.received, received)
	r.mu.Unlock()
	if r.OnReceive != nil {
		r.OnReceive(received)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Received returns every notification received, in order.
func (r *Receiver) Received() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.received...)
}
