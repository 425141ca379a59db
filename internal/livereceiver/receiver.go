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
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/lastn"
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

// ErrStale is returned for a notification whose auth_timestamp is further than MaxClockSkew from
// the receiver's clock: a replay of an old notification, or a clock that is wrong.
var ErrStale = errors.New("the notification's auth_timestamp is more than 5 minutes from the receiver's clock: a replay or a wrong clock")

const (
	// MaxClockSkew is how far auth_timestamp may be from the receiver's clock.
	MaxClockSkew = 5 * time.Minute
	// MaxBodyBytes caps a notification's body; a notification is about a kilobyte.
	MaxBodyBytes = 64 << 10
	// MaxReceived is how many notifications the receiver keeps: one left running stays bounded.
	MaxReceived = 10_000
)

// Received is one notification and whether it verified.
type Received struct {
	Event Event
	Err   error
}

// Receiver is an http.Handler that verifies each notification with its key and its freshness: it
// answers 200 to a verified one and 401 to any other, and keeps the last MaxReceived.
type Receiver struct {
	SignType string
	Key      string
	// OnReceive, when set, is called with each notification.
	OnReceive func(Received)
	// Now is the receiver's clock; time.Now when nil.
	Now func() time.Time

	mu       sync.Mutex
	received *lastn.Log[Received]
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBodyBytes))
	if err != nil {
		http.Error(w, "unreadable or too large body", http.StatusRequestEntityTooLarge)
		return
	}
	event, err := Verify(body, r.SignType, r.Key)
	if err == nil && !r.fresh(event.AuthTimestamp) {
		err = ErrStale
	}
	received := Received{Event: event, Err: err}
	r.mu.Lock()
	if r.received == nil {
		r.received = lastn.New[Received](MaxReceived)
	}
	r.received.Add(received)
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

func (r *Receiver) fresh(authTimestamp int64) bool {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	skew := now().Sub(time.Unix(authTimestamp, 0))
	return skew <= MaxClockSkew && skew >= -MaxClockSkew
}

// Received returns the last MaxReceived notifications received, in order.
func (r *Receiver) Received() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.received == nil {
		return nil
	}
	return r.received.Entries()
}

// Dropped returns how many notifications were dropped from what Received returns.
func (r *Receiver) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.received == nil {
		return 0
	}
	return r.received.Dropped()
}
