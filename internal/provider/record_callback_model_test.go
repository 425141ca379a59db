package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

func stringSet(values ...string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

func TestExpand(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		model callbackResourceModel
		want  string
	}{
		"everything set": {
			model: callbackResourceModel{
				callbackAttributesModel: callbackAttributesModel{
					PublishDomain:           types.StringValue("p.example.com"),
					App:                     types.StringValue("live"),
					NotifyCallbackURL:       types.StringValue("https://h.example.com/n"),
					NotifyEventSubscription: stringSet("RECORD_FAILED", "RECORD_OVER", "RECORD_NEW_FILE_START"),
					SignType:                types.StringValue("MD5"),
				},
				Key: types.StringValue("k"),
			},
			// Events in the order a recording produces them, whatever the set's order.
			want: "p.example.com live https://h.example.com/n [RECORD_NEW_FILE_START RECORD_OVER RECORD_FAILED] MD5 k",
		},
		"optional settings null": {
			model: callbackResourceModel{
				callbackAttributesModel: callbackAttributesModel{
					PublishDomain:           types.StringValue("p.example.com"),
					App:                     types.StringValue("*"),
					NotifyCallbackURL:       types.StringNull(),
					NotifyEventSubscription: types.SetNull(types.StringType),
					SignType:                types.StringNull(),
				},
				Key: types.StringNull(),
			},
			want: "p.example.com * <nil> [] <nil> <nil>",
		},
		"write-only key": {
			model: callbackResourceModel{
				callbackAttributesModel: callbackAttributesModel{
					PublishDomain:           types.StringValue("p.example.com"),
					App:                     types.StringValue("live"),
					NotifyEventSubscription: stringSet("RECORD_OVER"),
				},
				Key:   types.StringNull(),
				KeyWO: types.StringValue("wo"),
			},
			want: "p.example.com live <nil> [RECORD_OVER] <nil> wo",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec, diags := tc.model.expand(ctx)
			if diags.HasError() {
				t.Fatal(diags)
			}
			got := fmt.Sprintf("%s %s %s %v %s %s", spec.PublishDomain, spec.App, deref(spec.NotifyCallbackURL),
				spec.Events, deref(spec.SignType), deref(spec.Key))
			if got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestFlatten(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		callback liveapi.Callback
		want     callbackAttributesModel
	}{
		"full response": {
			callback: liveapi.Callback{ID: "id1", PublishDomain: "p.example.com", App: "live",
				NotifyCallbackURL: "https://h.example.com/n", Events: []string{"RECORD_OVER", "RECORD_FAILED"},
				SignType: "MD5", CreateTime: "2026-11-26T19:18:56Z", UpdateTime: "2026-11-26T19:20:00Z"},
			want: callbackAttributesModel{ID: types.StringValue("id1"), PublishDomain: types.StringValue("p.example.com"),
				App: types.StringValue("live"), NotifyCallbackURL: types.StringValue("https://h.example.com/n"),
				NotifyEventSubscription: stringSet("RECORD_FAILED", "RECORD_OVER"), SignType: types.StringValue("MD5"),
				CreateTime: types.StringValue("2026-11-26T19:18:56Z"),
				UpdateTime: types.StringValue("2026-11-26T19:20:00Z")},
		},
		"a domain spelled in upper case outside Terraform is the same domain": {
			callback: liveapi.Callback{ID: "id3", PublishDomain: "Publish.Example.COM", App: "Live",
				Events: []string{"RECORD_OVER"}, SignType: "MD5", CreateTime: "2026-11-26T19:18:56Z", UpdateTime: "2026-11-26T19:18:56Z"},
			want: callbackAttributesModel{ID: types.StringValue("id3"), PublishDomain: types.StringValue("publish.example.com"),
				App: types.StringValue("Live"), NotifyCallbackURL: types.StringNull(),
				NotifyEventSubscription: stringSet("RECORD_OVER"), SignType: types.StringValue("MD5"),
				CreateTime: types.StringValue("2026-11-26T19:18:56Z"),
				UpdateTime: types.StringValue("2026-11-26T19:18:56Z")},
		},
		"an event listed twice by another client, an internationalized domain in Unicode": {
			callback: liveapi.Callback{ID: "id4", PublishDomain: "直播.例え.jp", App: "live",
				Events: []string{"RECORD_OVER", "RECORD_FAILED", "RECORD_OVER"}, SignType: "MD5",
				CreateTime: "2026-11-26T19:18:56Z", UpdateTime: "2026-11-26T19:18:56Z"},
			want: callbackAttributesModel{ID: types.StringValue("id4"), PublishDomain: types.StringValue("xn--z6ut02b.xn--r8jz45g.jp"),
				App: types.StringValue("live"), NotifyCallbackURL: types.StringNull(),
				NotifyEventSubscription: stringSet("RECORD_FAILED", "RECORD_OVER"), SignType: types.StringValue("MD5"),
				CreateTime: types.StringValue("2026-11-26T19:18:56Z"),
				UpdateTime: types.StringValue("2026-11-26T19:18:56Z")},
		},
		"fields the API left out take its documented defaults": {
			callback: liveapi.Callback{ID: "id2", PublishDomain: "p.example.com", App: "*",
				CreateTime: "2026-11-26T19:18:56Z", UpdateTime: "2026-11-26T19:18:56Z"},
			want: callbackAttributesModel{ID: types.StringValue("id2"), PublishDomain: types.StringValue("p.example.com"),
				App: types.StringValue("*"), NotifyCallbackURL: types.StringNull(),
				NotifyEventSubscription: stringSet("RECORD_FILE_COMPLETE"), SignType: types.StringValue("HMACSHA256"),
				CreateTime: types.StringValue("2026-11-26T19:18:56Z"),
				UpdateTime: types.StringValue("2026-11-26T19:18:56Z")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got callbackAttributesModel
			if diags := got.flatten(ctx, tc.callback); diags.HasError() {
				t.Fatal(diags)
			}
			gotValues, wantValues := got.values(), tc.want.values()
			for i := range gotValues {
				if !gotValues[i].Equal(wantValues[i]) {
					t.Fatalf("got  %v\nwant %v", got, tc.want)
				}
			}
		})
	}
}

// values lists the model's attributes for comparison with Equal, which ignores the order of sets.
func (m callbackAttributesModel) values() []attr.Value {
	return []attr.Value{m.ID, m.PublishDomain, m.App, m.NotifyCallbackURL, m.NotifyEventSubscription,
		m.SignType, m.CreateTime, m.UpdateTime}
}

func TestIncomplete(t *testing.T) {
	full := liveapi.Callback{ID: "i", PublishDomain: "p.example.com", App: "*", CreateTime: "t", UpdateTime: "t"}
	if incomplete(full) {
		t.Fatal("a full response is complete")
	}
	full.CreateTime = ""
	if !incomplete(full) {
		t.Fatal("a response without create_time is incomplete")
	}
}

func BenchmarkExpand(b *testing.B) {
	ctx := context.Background()
	model := callbackResourceModel{
		callbackAttributesModel: callbackAttributesModel{
			PublishDomain: types.StringValue("p.example.com"), App: types.StringValue("live"),
			NotifyCallbackURL:       types.StringValue("https://h.example.com/n"),
			NotifyEventSubscription: stringSet("RECORD_FAILED", "RECORD_OVER", "RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE"),
			SignType:                types.StringValue("MD5"),
		},
		Key: types.StringValue("k"),
	}
	for range b.N {
		if _, diags := model.expand(ctx); diags.HasError() {
			b.Fatal(diags)
		}
	}
}

func BenchmarkFlatten(b *testing.B) {
	ctx := context.Background()
	callback := liveapi.Callback{ID: "id1", PublishDomain: "p.example.com", App: "live", NotifyCallbackURL: "https://h.example.com/n",
		Events: livespec.Events, SignType: "MD5", CreateTime: "2026-11-26T19:18:56Z", UpdateTime: "2026-11-26T19:20:00Z"}
	var model callbackAttributesModel
	for range b.N {
		if diags := model.flatten(ctx, callback); diags.HasError() {
			b.Fatal(diags)
		}
	}
}

// TestRecordCallbackAttrTypesMatchTheSchema: the object type that flatten builds for the list data
// source is the one its schema declares, attribute for attribute.
func TestRecordCallbackAttrTypesMatchTheSchema(t *testing.T) {
	var resp datasource.SchemaResponse
	NewLiveRecordCallbacksDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	list, ok := resp.Schema.Attributes["callbacks"].GetType().(types.ListType)
	if !ok {
		t.Fatal("callbacks is not a list")
	}
	object, ok := list.ElemType.(types.ObjectType)
	if !ok {
		t.Fatal("callbacks does not hold objects")
	}
	declared := object.AttrTypes
	if len(declared) != len(callbackAttributesAttrTypes) {
		t.Fatalf("the schema declares %d attributes, callbackAttributesAttrTypes %d", len(declared), len(callbackAttributesAttrTypes))
	}
	for name, want := range declared {
		if got, ok := callbackAttributesAttrTypes[name]; !ok || !got.Equal(want) {
			t.Errorf("%s: callbackAttributesAttrTypes has %v, the schema %v", name, got, want)
		}
	}
}
