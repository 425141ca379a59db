package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// resourceHarness drives the resource's CRUD methods directly, without Terraform, so that the API
// requests of each operation can be counted exactly.
type resourceHarness struct {
	resource *liveRecordCallbackResource
	schema   schema.Schema
	emulator testEmulator
}

func newResourceHarness(tb testing.TB) resourceHarness {
	tb.Helper()
	e := newTestEmulator(tb)
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.url, ProjectID: testProjectID,
		AccessKey: testAccessKey, SecretKey: testSecretKey, UserAgent: "terraform-provider-live/test"})
	if err != nil {
		tb.Fatal(err)
	}
	r := resourceWith(providerData{client: client})
	var schemaResp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &schemaResp)
	return resourceHarness{resource: r, schema: schemaResp.Schema, emulator: e}
}

func (h resourceHarness) plan(tb testing.TB, publishDomain, url string) tfsdk.Plan {
	tb.Helper()
	ctx := context.Background()
	timeoutsType, ok := h.schema.Attributes["timeouts"].GetType().(timeouts.Type)
	if !ok {
		tb.Fatal("the timeouts attribute is not of timeouts.Type")
	}
	model := callbackResourceModel{
		callbackAttributesModel: callbackAttributesModel{
			ID:                      types.StringUnknown(),
			PublishDomain:           types.StringValue(publishDomain),
			App:                     types.StringValue("live"),
			NotifyCallbackURL:       types.StringValue(url),
			NotifyEventSubscription: stringSet("RECORD_FILE_COMPLETE"),
			SignType:                types.StringValue("HMACSHA256"),
			CreateTime:              types.StringUnknown(),
			UpdateTime:              types.StringUnknown(),
		},
		Key:      types.StringValue(testCallbackKey),
		Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsType.AttrTypes)},
	}
	plan := tfsdk.Plan{Schema: h.schema}
	if diags := plan.Set(ctx, &model); diags.HasError() {
		tb.Fatal(diags)
	}
	return plan
}

// configOf is the configuration that a plan came from: the harness's plans set no computed value.
func configOf(plan tfsdk.Plan) tfsdk.Config {
	return tfsdk.Config(plan)
}

func (h resourceHarness) emptyState() tfsdk.State {
	return tfsdk.State{Schema: h.schema, Raw: tftypes.NewValue(h.schema.Type().TerraformType(context.Background()), nil)}
}

func (h resourceHarness) create(tb testing.TB, publishDomain string) tfsdk.State {
	tb.Helper()
	resp := resource.CreateResponse{State: h.emptyState()}
	plan := h.plan(tb, publishDomain, "https://a.example.com/n")
	h.resource.Create(context.Background(), resource.CreateRequest{Config: configOf(plan), Plan: plan}, &resp)
	if resp.Diagnostics.HasError() {
		tb.Fatal(resp.Diagnostics)
	}
	return resp.State
}

func (h resourceHarness) read(tb testing.TB, state tfsdk.State) tfsdk.State {
	tb.Helper()
	resp := resource.ReadResponse{State: state}
	h.resource.Read(context.Background(), resource.ReadRequest{State: state}, &resp)
	if resp.Diagnostics.HasError() {
		tb.Fatal(resp.Diagnostics)
	}
	return resp.State
}

func (h resourceHarness) update(tb testing.TB, state tfsdk.State, publishDomain, url string) tfsdk.State {
	tb.Helper()
	plan := h.plan(tb, publishDomain, url)
	var id types.String
	state.GetAttribute(context.Background(), path.Root("id"), &id)
	plan.SetAttribute(context.Background(), path.Root("id"), id)
	resp := resource.UpdateResponse{State: state}
	h.resource.Update(context.Background(), resource.UpdateRequest{Config: configOf(plan), Plan: plan, State: state}, &resp)
	if resp.Diagnostics.HasError() {
		tb.Fatal(resp.Diagnostics)
	}
	return resp.State
}

func (h resourceHarness) delete(tb testing.TB, state tfsdk.State) {
	tb.Helper()
	resp := resource.DeleteResponse{State: state}
	h.resource.Delete(context.Background(), resource.DeleteRequest{State: state}, &resp)
	if resp.Diagnostics.HasError() {
		tb.Fatal(resp.Diagnostics)
	}
}

// requestsOf returns how many API requests fn made.
func (h resourceHarness) requestsOf(fn func()) int {
	total := func() (n int) {
		for _, count := range h.emulator.RequestCounts() {
			n += count
		}
		return n
	}
	before := total()
	fn()
	return total() - before
}

func TestLiveRecordCallbackResource_oneRequestPerOperation(t *testing.T) {
	h := newResourceHarness(t)
	var state tfsdk.State
	operations := []struct {
		name string
		run  func()
	}{
		{"create", func() { state = h.create(t, "publish.example.com") }},
		{"read", func() { state = h.read(t, state) }},
		{"update", func() { state = h.update(t, state, "publish.example.com", "https://b.example.com/n") }},
		{"delete", func() { h.delete(t, state) }},
	}
	for _, op := range operations {
		if n := h.requestsOf(op.run); n != 1 {
			t.Errorf("%s made %d API requests, want 1", op.name, n)
		}
	}
	if n := len(h.emulator.Callbacks()); n != 0 {
		t.Fatalf("%d callbacks left", n)
	}
}

// BenchmarkLiveRecordCallbackResource reports the API requests and time per operation.
func BenchmarkLiveRecordCallbackResource(b *testing.B) {
	h := newResourceHarness(b)
	report := func(b *testing.B, requests int) {
		b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	}
	b.Run("create", func(b *testing.B) {
		var states []tfsdk.State
		requests := h.requestsOf(func() {
			for i := range b.N {
				states = append(states, h.create(b, fmt.Sprintf("c%d.example.com", i)))
			}
		})
		report(b, requests)
		b.StopTimer()
		for _, s := range states {
			h.delete(b, s)
		}
	})
	state := h.create(b, "publish.example.com")
	b.Run("read", func(b *testing.B) {
		report(b, h.requestsOf(func() {
			for range b.N {
				h.read(b, state)
			}
		}))
	})
	b.Run("update", func(b *testing.B) {
		report(b, h.requestsOf(func() {
			for i := range b.N {
				state = h.update(b, state, "publish.example.com", fmt.Sprintf("https://b.example.com/n%d", i))
			}
		}))
	})
	b.Run("delete", func(b *testing.B) {
		b.StopTimer()
		states := make([]tfsdk.State, b.N)
		for i := range b.N {
			states[i] = h.create(b, fmt.Sprintf("d%d.example.com", i))
		}
		b.StartTimer()
		report(b, h.requestsOf(func() {
			for _, s := range states {
				h.delete(b, s)
			}
		}))
	})
}
