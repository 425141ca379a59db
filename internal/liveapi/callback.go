package liveapi

import (
	"encoding/json"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/model"
)

// Callback is one recording callback configuration as the API returns it (never with its key).
type Callback struct {
	ID                string
	PublishDomain     string
	App               string
	NotifyCallbackURL string // empty when none is set
	Events            []string
	SignType          string
	CreateTime        string
	UpdateTime        string
}

// WithKnownTimes fills the times an answer left out with those known from elsewhere (an earlier
// answer, state); "" knows nothing. An answer never blanks a time.
func (cb Callback) WithKnownTimes(createTime, updateTime string) Callback {
	if cb.CreateTime == "" {
		cb.CreateTime = createTime
	}
	if cb.UpdateTime == "" {
		cb.UpdateTime = updateTime
	}
	return cb
}

// CallbackSpec is the full body of a create or update request.
type CallbackSpec struct {
	PublishDomain     string
	App               string
	NotifyCallbackURL *string
	Events            []string
	SignType          *string
	Key               *string
}

func (s CallbackSpec) request() *model.RecordCallbackConfigRequest {
	body := &model.RecordCallbackConfigRequest{
		PublishDomain:     s.PublishDomain,
		App:               s.App,
		NotifyCallbackUrl: s.NotifyCallbackURL,
		Key:               s.Key,
	}
	if s.Events != nil {
		events := make([]model.RecordCallbackConfigRequestNotifyEventSubscription, len(s.Events))
		for i, event := range s.Events {
			events[i] = enumOf[model.RecordCallbackConfigRequestNotifyEventSubscription](event)
		}
		body.NotifyEventSubscription = &events
	}
	if s.SignType != nil {
		signType := enumOf[model.RecordCallbackConfigRequestSignType](*s.SignType)
		body.SignType = &signType
	}
	return body
}

// enumOf builds one of the SDK's enum structs from its wire value; their only setter is UnmarshalJSON.
func enumOf[E any, P interface {
	*E
	UnmarshalJSON([]byte) error
}](value string) E {
	var e E
	encoded, _ := json.Marshal(value) // a string always marshals
	_ = P(&e).UnmarshalJSON(encoded)  // the SDK's enums accept any string
	return e
}

type enumValue interface{ Value() string }

func valuesOf[E enumValue](enums *[]E) []string {
	if enums == nil {
		return nil
	}
	values := make([]string, len(*enums))
	for i, e := range *enums {
		values[i] = e.Value()
	}
	return values
}

func valueOf[E enumValue](e *E) string {
	if e == nil {
		return ""
	}
	return (*e).Value()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The SDK gives each operation its own response type with identical fields.

func callbackFromCreate(r *model.CreateRecordCallbackConfigResponse) Callback {
	return Callback{
		ID: deref(r.Id), PublishDomain: deref(r.PublishDomain), App: deref(r.App),
		NotifyCallbackURL: deref(r.NotifyCallbackUrl), Events: valuesOf(r.NotifyEventSubscription),
		SignType: valueOf(r.SignType), CreateTime: deref(r.CreateTime), UpdateTime: deref(r.UpdateTime),
	}
}

func callbackFromShow(r *model.ShowRecordCallbackConfigResponse) Callback {
	return Callback{
		ID: deref(r.Id), PublishDomain: deref(r.PublishDomain), App: deref(r.App),
		NotifyCallbackURL: deref(r.NotifyCallbackUrl), Events: valuesOf(r.NotifyEventSubscription),
		SignType: valueOf(r.SignType), CreateTime: deref(r.CreateTime), UpdateTime: deref(r.UpdateTime),
	}
}

func callbackFromUpdate(r *model.UpdateRecordCallbackConfigResponse) Callback {
	return Callback{
		ID: deref(r.Id), PublishDomain: deref(r.PublishDomain), App: deref(r.App),
		NotifyCallbackURL: deref(r.NotifyCallbackUrl), Events: valuesOf(r.NotifyEventSubscription),
		SignType: valueOf(r.SignType), CreateTime: deref(r.CreateTime), UpdateTime: deref(r.UpdateTime),
	}
}

func listPageFrom(r *model.ListRecordCallbackConfigsResponse) ListPage {
	page := ListPage{Total: -1}
	if r.Total != nil {
		page.Total = int(*r.Total)
	}
	if r.CallbackConfig != nil {
		page.Callbacks = make([]Callback, len(*r.CallbackConfig))
		for i, c := range *r.CallbackConfig {
			page.Callbacks[i] = Callback{
				ID: deref(c.Id), PublishDomain: c.PublishDomain, App: c.App,
				NotifyCallbackURL: deref(c.NotifyCallbackUrl), Events: valuesOf(c.NotifyEventSubscription),
				SignType: valueOf(c.SignType), CreateTime: deref(c.CreateTime), UpdateTime: deref(c.UpdateTime),
			}
		}
	}
	return page
}
