package liveemulator

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // MD5 is one of the API's documented notification signatures
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// Notification is the JSON body that Live POSTs to a notify_callback_url. The field names are the
// documented ones. What the docs leave open is chosen here, once:
//   - auth_timestamp, start_time and end_time are Unix times in seconds, as JSON numbers;
//   - file_size is in bytes, record_duration in seconds, width and height in pixels, as JSON numbers;
//   - auth_sign is lowercase hex, and absent when the configuration has no key;
//   - the signed strings are built from the decimal digits of auth_timestamp (see NotificationSignature).
type Notification struct {
	ProjectID      string `json:"project_id"`
	PublishDomain  string `json:"publish_domain"`
	App            string `json:"app"`
	Stream         string `json:"stream"`
	EventType      string `json:"event_type"`
	RecordFormat   string `json:"record_format"`
	DownloadURL    string `json:"download_url"`
	PlayURL        string `json:"play_url"`
	AssetID        string `json:"asset_id"`
	FileSize       int64  `json:"file_size"`
	RecordDuration int64  `json:"record_duration"`
	StartTime      int64  `json:"start_time"`
	EndTime        int64  `json:"end_time"`
	Width          int    `json:"width"`
	Height         int    `json:"height"`
	OBSLocation    string `json:"obs_location"`
	OBSBucket      string `json:"obs_bucket"`
	OBSObject      string `json:"obs_object"`
	ErrorMessage   string `json:"error_message,omitempty"`
	AuthTimestamp  int64  `json:"auth_timestamp"`
	AuthSign       string `json:"auth_sign,omitempty"`
}

// NotificationSignature signs a notification as Live does:
//   - MD5: lowercase hex MD5 of key + auth_timestamp;
//   - HMACSHA256: lowercase hex HMAC-SHA256, keyed with key, of auth_timestamp + event_type +
//     publish_domain + app + stream + download_url + play_url.
func NotificationSignature(n Notification, signType, key string) string {
	timestamp := strconv.FormatInt(n.AuthTimestamp, 10)
	if signType == livespec.SignTypeMD5 {
		sum := md5.Sum([]byte(key + timestamp)) //nolint:gosec // the documented algorithm
		return hex.EncodeToString(sum[:])
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(timestamp + n.EventType + n.PublishDomain + n.App + n.Stream + n.DownloadURL + n.PlayURL))
	return hex.EncodeToString(mac.Sum(nil))
}

// Recording is a simulated recording of one stream.
type Recording struct {
	// ProjectID is the project whose configurations apply; the emulator's first project when empty.
	ProjectID     string `json:"project_id,omitempty"`
	PublishDomain string `json:"publish_domain"`
	App           string `json:"app"`
	Stream        string `json:"stream"`
	// Files is how many files the recording produces, 1 to MaxRecordingFiles; 0 means 1.
	Files int `json:"files"`
	// FailWith makes the recording fail after its first file started, with this error_message.
	FailWith string `json:"fail_with,omitempty"`
}

// Delivery is one notification sent to a receiver, as the delivery log keeps it.
type Delivery struct {
	Time       time.Time `json:"time"`
	ProjectID  string    `json:"project_id"`
	CallbackID string    `json:"callback_id"`
	// PublishDomain and App are the recording's; the callback may be the "*" one.
	PublishDomain string        `json:"publish_domain"`
	App           string        `json:"app"`
	URL           string        `json:"url"`
	EventType     string        `json:"event_type"`
	Stream        string        `json:"stream"`
	Status        int           `json:"status"` // 0 when no HTTP answer came
	Latency       time.Duration `json:"latency_ns"`
	Error         string        `json:"error,omitempty"`
	// Signature tells whether the signature the notification carried verifies with the key the
	// callback has when it is sent: SignatureVerified, SignatureUnsigned, SignatureMismatch or
	// SignatureGone.
	Signature string `json:"signature"`
}

// The values of Delivery.Signature.
const (
	SignatureVerified = "verified"
	SignatureUnsigned = "unsigned" // the callback has no key
	SignatureMismatch = "mismatch" // the key changed after the notification was signed
	SignatureGone     = "callback gone"
)

const (
	// MaxRecordingFiles bounds a simulated recording.
	MaxRecordingFiles = 1000
	// MaxDeliveries is how many deliveries the log keeps: an emulator left running stays bounded.
	MaxDeliveries = 10_000
)

// defaultDeliveryTimeout bounds each notification unless Options.DeliveryTimeout says otherwise: a
// receiver that is down or slow is reported, and the recording goes on.
const defaultDeliveryTimeout = 5 * time.Second

// Record simulates a recording: it picks the configuration that applies to (publish_domain, app) of
// the project (an exact app before "*"), and POSTs to its notify_callback_url each event it
// subscribes to, in the order a recording produces them, signed with its key and sign_type. It
// returns the deliveries, which the delivery log also keeps.
func (s *Server) Record(ctx context.Context, rec Recording) ([]Delivery, error) {
	projectID := cmp.Or(rec.ProjectID, s.defaultProject)
	if rec.PublishDomain == "" || rec.App == "" || rec.Stream == "" {
		return nil, errors.New("a recording needs publish_domain, app and stream")
	}
	if rec.Files < 0 || rec.Files > MaxRecordingFiles {
		return nil, fmt.Errorf("a recording produces 1 to %d files, not %d", MaxRecordingFiles, rec.Files)
	}
	rec.Files = max(rec.Files, 1)
	cb, ok := s.callbackFor(projectID, rec.PublishDomain, rec.App)
	if !ok {
		return nil, fmt.Errorf("no recording callback applies to publish_domain %q and app %q", rec.PublishDomain, rec.App)
	}
	if cb.NotifyCallbackURL == "" {
		return nil, fmt.Errorf("the recording callback %s has no notify_callback_url", cb.ID)
	}

	var deliveries []Delivery
	for _, n := range recordingEvents(projectID, rec, s.now()) {
		if err := ctx.Err(); err != nil {
			return deliveries, fmt.Errorf("the recording stopped after %d deliveries: %w", len(deliveries), err)
		}
		if !slices.Contains(cb.Events, n.EventType) {
			continue
		}
		// Signed when sent: a long recording's last notifications are as fresh as its first.
		n.AuthTimestamp = s.now().Unix()
		if cb.Key != "" {
			n.AuthSign = NotificationSignature(n, cb.SignType, cb.Key)
		}
		delivery := s.deliver(ctx, cb.NotifyCallbackURL, n)
		delivery.ProjectID, delivery.CallbackID, delivery.Stream = projectID, cb.ID, rec.Stream
		delivery.PublishDomain, delivery.App = rec.PublishDomain, rec.App
		delivery.Signature = s.signatureVerdict(projectID, cb.ID, n)
		deliveries = append(deliveries, delivery)
		s.mu.Lock()
		s.deliveries.Add(delivery)
		s.mu.Unlock()
	}
	return deliveries, nil
}

// signatureVerdict checks the notification's signature against the key the callback has now.
func (s *Server) signatureVerdict(projectID, callbackID string, n Notification) string {
	if n.AuthSign == "" {
		return SignatureUnsigned
	}
	current, ok := s.store.get(projectID, callbackID)
	if !ok {
		return SignatureGone // deleted while the notification was out
	}
	if current.Key == "" || !hmac.Equal([]byte(NotificationSignature(n, current.SignType, current.Key)), []byte(n.AuthSign)) {
		return SignatureMismatch
	}
	return SignatureVerified
}

// callbackFor picks the configuration for (publish_domain, app): the exact app, else "*".
func (s *Server) callbackFor(projectID, publishDomain, app string) (Callback, bool) {
	return s.store.getFirstPair(projectID, publishDomain, app, livespec.AppWildcard)
}

// recordingEvents are the notifications of a recording, in order, with plausible values: a file
// starts and completes for each file, then the recording is over; or, when it fails, the first file
// starts and the recording fails.
func recordingEvents(projectID string, rec Recording, now time.Time) []Notification {
	start := now.Add(-time.Duration(rec.Files) * 10 * time.Minute).Unix()
	file := func(i int, event string) Notification {
		object := fmt.Sprintf("record/%s/%s/%s/%d-%d.mp4", rec.PublishDomain, rec.App, rec.Stream, start, i)
		fileStart := start + int64(i)*600
		n := Notification{
			ProjectID: projectID, PublishDomain: rec.PublishDomain, App: rec.App, Stream: rec.Stream, EventType: event,
			RecordFormat: "MP4", AssetID: fmt.Sprintf("%s-%d", newID()[:16], i),
			DownloadURL: "https://obs.cn-north-4.myhuaweicloud.com/live-record/" + object,
			PlayURL:     "https://" + rec.PublishDomain + "/" + object,
			StartTime:   fileStart, Width: 1920, Height: 1080,
			OBSLocation: "cn-north-4", OBSBucket: "live-record", OBSObject: object,
		}
		if event == livespec.EventRecordFileComplete || event == livespec.EventRecordOver {
			n.EndTime, n.RecordDuration, n.FileSize = fileStart+600, 600, 150_000_000+int64(i)*1_000
		}
		return n
	}
	if rec.FailWith != "" {
		failed := file(0, livespec.EventRecordFailed)
		failed.ErrorMessage = rec.FailWith
		return []Notification{file(0, livespec.EventRecordNewFileStart), failed}
	}
	var events []Notification
	for i := range rec.Files {
		events = append(events, file(i, livespec.EventRecordNewFileStart), file(i, livespec.EventRecordFileComplete))
	}
	return append(events, file(rec.Files-1, livespec.EventRecordOver))
}

// deliver POSTs one notification and reports how it went; it never waits more than the delivery timeout.
func (s *Server) deliver(ctx context.Context, url string, n Notification) Delivery {
	delivery := Delivery{Time: s.now().UTC(), URL: url, EventType: n.EventType}
	body, err := json.Marshal(n)
	if err != nil {
		delivery.Error = err.Error()
		return delivery
	}
	ctx, cancel := context.WithTimeout(ctx, s.deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		delivery.Error = err.Error()
		return delivery
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "live-emulator")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	delivery.Latency = time.Since(start)
	if err != nil {
		delivery.Error = err.Error()
		return delivery
	}
	defer resp.Body.Close()
	delivery.Status = resp.StatusCode
	if resp.StatusCode >= 300 {
		delivery.Error = "the receiver answered " + resp.Status
	}
	return delivery
}

// Deliveries returns the delivery log: the last MaxDeliveries notifications sent, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries.Entries()
}

// DeliveriesDropped returns how many older deliveries were dropped from the delivery log.
func (s *Server) DeliveriesDropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries.Dropped()
}
