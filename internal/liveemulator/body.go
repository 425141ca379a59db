package liveemulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// wireCallback is a configuration as show, create, update and list return it: never with its key.
type wireCallback struct {
	ID                      string   `json:"id"`
	PublishDomain           string   `json:"publish_domain"`
	App                     string   `json:"app"`
	NotifyCallbackURL       string   `json:"notify_callback_url,omitempty"`
	NotifyEventSubscription []string `json:"notify_event_subscription"`
	SignType                string   `json:"sign_type"`
	CreateTime              string   `json:"create_time"`
	UpdateTime              string   `json:"update_time"`
}

func wireFrom(cb *Callback) wireCallback {
	return wireCallback{
		ID:                      cb.ID,
		PublishDomain:           cb.PublishDomain,
		App:                     cb.App,
		NotifyCallbackURL:       cb.NotifyCallbackURL,
		NotifyEventSubscription: slices.Clone(cb.Events),
		SignType:                cb.SignType,
		CreateTime:              cb.CreateTime.Format(livespec.TimeLayout),
		UpdateTime:              cb.UpdateTime.Format(livespec.TimeLayout),
	}
}

// callbackBody is the create and update request body; pointers tell absent fields from empty ones.
type callbackBody struct {
	PublishDomain           *string   `json:"publish_domain"`
	App                     *string   `json:"app"`
	NotifyCallbackURL       *string   `json:"notify_callback_url"`
	NotifyEventSubscription *[]string `json:"notify_event_subscription"`
	SignType                *string   `json:"sign_type"`
	Key                     *string   `json:"key"`
}

// callbackSpec is a validated body with the API's defaults applied.
type callbackSpec struct {
	PublishDomain     string
	App               string
	NotifyCallbackURL string
	Events            []string
	SignType          string
	Key               string
}

func (spec callbackSpec) applyTo(cb *Callback) {
	cb.PublishDomain = spec.PublishDomain
	cb.App = spec.App
	cb.NotifyCallbackURL = spec.NotifyCallbackURL
	cb.Events = spec.Events
	cb.SignType = spec.SignType
	cb.Key = spec.Key
}

// parseCallbackBody validates a create or update body; a non-empty message is the error_msg of a
// 400 LIVE.100011001 answer and names the field at fault.
func parseCallbackBody(raw []byte) (callbackSpec, string) {
	var body callbackBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return callbackSpec{}, "Request Illegal: the request body is not a valid JSON object"
	}
	spec := callbackSpec{
		PublishDomain:     deref(body.PublishDomain),
		App:               deref(body.App),
		NotifyCallbackURL: deref(body.NotifyCallbackURL),
		SignType:          cmp.Or(deref(body.SignType), livespec.DefaultSignType),
		Key:               deref(body.Key),
	}
	if body.NotifyEventSubscription != nil {
		spec.Events = *body.NotifyEventSubscription
	}
	if len(spec.Events) == 0 {
		spec.Events = []string{livespec.DefaultEvent}
	}
	if msg := spec.invalid(); msg != "" {
		return callbackSpec{}, msg
	}
	return spec, ""
}

// invalid is the error_msg of a 400 answer naming the first field the emulator's rules refuse, or "".
func (spec callbackSpec) invalid() string {
	for _, check := range []struct {
		field string
		why   string
	}{
		{"publish_domain", checkPublishDomain(spec.PublishDomain)},
		{"app", checkApp(spec.App)},
		{"notify_callback_url", checkCallbackURL(spec.NotifyCallbackURL)},
		{"notify_event_subscription", checkEvents(spec.Events)},
		{"sign_type", checkSignType(spec.SignType)},
		{"key", checkKey(spec.Key)}, // never echoes the key
	} {
		if check.why != "" {
			return "Request Illegal: " + check.field + " " + check.why
		}
	}
	return ""
}

// InvalidStored reports why a stored configuration breaks the rules that create and update apply
// (the same ones), or "" when it keeps them: what a store may never hold, however it was filled.
func InvalidStored(cb Callback) string {
	if len(cb.Events) == 0 {
		return "notify_event_subscription is empty, which the API stores as its default event"
	}
	spec := callbackSpec{PublishDomain: cb.PublishDomain, App: cb.App, NotifyCallbackURL: cb.NotifyCallbackURL,
		Events: cb.Events, SignType: cb.SignType, Key: cb.Key}
	return spec.invalid()
}

// ValidateCallbackBody reports why the emulator refuses body as a create or update request, with the
// message of its 400 answer, or nil when it accepts it.
func ValidateCallbackBody(body []byte) error {
	if _, msg := parseCallbackBody(body); msg != "" {
		return errors.New(msg)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
