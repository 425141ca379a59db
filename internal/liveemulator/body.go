package liveemulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
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
		CreateTime:              cb.CreateTime.Format(liveapi.TimeLayout),
		UpdateTime:              cb.UpdateTime.Format(liveapi.TimeLayout),
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
		SignType:          deref(body.SignType),
		Key:               deref(body.Key),
	}
	if body.NotifyEventSubscription != nil {
		spec.Events = *body.NotifyEventSubscription
	}

	switch n := utf8.RuneCountInString(spec.PublishDomain); {
	case n == 0:
		return callbackSpec{}, "Request Illegal: publish_domain is required"
	case n > liveapi.PublishDomainMaxLength:
		return callbackSpec{}, fmt.Sprintf("Request Illegal: publish_domain must be at most %d characters", liveapi.PublishDomainMaxLength)
	case liveapi.CheckPublishDomain(spec.PublishDomain) != nil:
		return callbackSpec{}, "Request Illegal: publish_domain " + liveapi.CheckPublishDomain(spec.PublishDomain).Error()
	}
	switch n := utf8.RuneCountInString(spec.App); {
	case n == 0:
		return callbackSpec{}, "Request Illegal: app is required"
	case n > liveapi.AppMaxLength:
		return callbackSpec{}, fmt.Sprintf("Request Illegal: app must be at most %d characters", liveapi.AppMaxLength)
	case liveapi.CheckApp(spec.App) != nil:
		return callbackSpec{}, "Request Illegal: app " + liveapi.CheckApp(spec.App).Error()
	}
	if spec.NotifyCallbackURL != "" {
		if err := liveapi.CheckCallbackURL(spec.NotifyCallbackURL); err != nil {
			return callbackSpec{}, "Request Illegal: notify_callback_url " + err.Error()
		}
	}
	if len(spec.Events) == 0 {
		spec.Events = []string{liveapi.DefaultEvent}
	}
	seen := map[string]bool{}
	for _, event := range spec.Events {
		if !slices.Contains(liveapi.Events, event) {
			return callbackSpec{}, fmt.Sprintf("Request Illegal: notify_event_subscription has %q; allowed: %s",
				event, strings.Join(liveapi.Events, ", "))
		}
		if seen[event] {
			return callbackSpec{}, fmt.Sprintf("Request Illegal: notify_event_subscription has %q twice", event)
		}
		seen[event] = true
	}
	if spec.SignType == "" {
		spec.SignType = liveapi.DefaultSignType
	}
	if !slices.Contains(liveapi.SignTypes, spec.SignType) {
		return callbackSpec{}, fmt.Sprintf("Request Illegal: sign_type must be one of %s", strings.Join(liveapi.SignTypes, ", "))
	}
	if spec.Key != "" && !liveapi.KeyPattern.MatchString(spec.Key) {
		// Never echo the key.
		return callbackSpec{}, fmt.Sprintf("Request Illegal: key must be at least %d letters and digits", liveapi.KeyMinLength)
	}
	return spec, ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
