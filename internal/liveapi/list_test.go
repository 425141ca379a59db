package liveapi_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/liveemulator"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

const (
	accessKey = emulatortest.AccessKey
	secretKey = emulatortest.SecretKey
	projectID = emulatortest.ProjectID
)

// newEmulatorClient starts an emulator holding n configurations on n/3 domains with apps a0..a2.
func newEmulatorClient(tb testing.TB, n int, opts liveemulator.Options) (*liveemulator.Server, *liveapi.Client) {
	tb.Helper()
	e := emulatortest.Start(tb, opts)
	for i := range n {
		_, err := e.AddCallback(liveemulator.Callback{ProjectID: projectID,
			PublishDomain: fmt.Sprintf("d%04d.example.com", i/3), App: fmt.Sprintf("a%d", i%3),
			Events: []string{livespec.DefaultEvent}, SignType: livespec.DefaultSignType})
		if err != nil {
			tb.Fatal(err)
		}
	}
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: e.URL, ProjectID: projectID,
		AccessKey: accessKey, SecretKey: secretKey, UserAgent: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	return e.Server, client
}

func checkComplete(t *testing.T, got []liveapi.Callback, want int) {
	t.Helper()
	if len(got) != want {
		t.Fatalf("%d configurations, want %d", len(got), want)
	}
	ids := map[string]bool{}
	for _, cb := range got {
		if ids[cb.ID] {
			t.Fatalf("%s listed twice", cb.ID)
		}
		ids[cb.ID] = true
	}
	if !slices.IsSortedFunc(got, func(a, b liveapi.Callback) int {
		return cmp.Or(cmp.Compare(a.PublishDomain, b.PublishDomain), cmp.Compare(a.App, b.App))
	}) {
		t.Fatal("not sorted by publish_domain and app")
	}
}

// listRequests is how many list requests a walk over n items at 100 per page takes with item
// offsets: the first page, a probe that overlaps it by one item, then 100 per page.
func listRequests(n int) int {
	if n <= 100 {
		return 1
	}
	return 2 + (max(n-199, 0)+99)/100
}

func TestListAllWalksEveryPage(t *testing.T) {
	for _, n := range []int{0, 1, 99, 100, 101, 199, 200, 250, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			emulator, client := newEmulatorClient(t, n, liveemulator.Options{})
			got, err := client.ListAll(context.Background(), "", "")
			if err != nil {
				t.Fatal(err)
			}
			checkComplete(t, got, n)
			if requests, want := emulator.RequestCounts()[liveemulator.OperationList], listRequests(n); requests != want {
				t.Fatalf("%d list requests, want %d", requests, want)
			}
		})
	}
}

// TestListAllPagingKinds: item offsets from 0, page numbers from 0 or from 1, and servers that hold
// fewer items per page than asked for: every walk is complete.
func TestListAllPagingKinds(t *testing.T) {
	kinds := map[string]liveemulator.Options{
		"item offsets":          {},
		"page numbers from 0":   {ListOffsetIsPageNumber: true},
		"page numbers from 1":   {ListOffsetIsPageNumber: true, ListFirstPage: 1},
		"item offsets, cap 10":  {ListLimitCap: 10},
		"pages from 0, cap 10":  {ListOffsetIsPageNumber: true, ListLimitCap: 10},
		"pages from 1, cap 10":  {ListOffsetIsPageNumber: true, ListFirstPage: 1, ListLimitCap: 10},
		"item offsets, cap 1":   {ListLimitCap: 1},
		"pages from 1, cap 1":   {ListOffsetIsPageNumber: true, ListFirstPage: 1, ListLimitCap: 1},
		"pages from 0, cap 2":   {ListOffsetIsPageNumber: true, ListLimitCap: 2},
		"pages from 1, cap 100": {ListOffsetIsPageNumber: true, ListFirstPage: 1, ListLimitCap: 100},
	}
	for name, opts := range kinds {
		for _, n := range []int{0, 1, 2, 3, 9, 10, 11, 99, 100, 101, 250, 1000} {
			if opts.ListLimitCap == 1 && n > 250 {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				_, client := newEmulatorClient(t, n, opts)
				got, err := client.ListAll(context.Background(), "", "")
				if err != nil {
					t.Fatal(err)
				}
				checkComplete(t, got, n)
			})
		}
	}
}

// TestListAllFailsRatherThanTruncate: a server whose total promises more than its pages hold gives
// an error that says how many of how many were found, never a shorter list.
func TestListAllFailsRatherThanTruncate(t *testing.T) {
	for _, n := range []int{5, 150} {
		emulator, _ := newEmulatorClient(t, n, liveemulator.Options{})
		inflated := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			recorder := httptest.NewRecorder()
			emulator.ServeHTTP(recorder, r)
			body := recorder.Body.Bytes()
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/record/callbacks") && recorder.Code == http.StatusOK {
				body = bytes.Replace(body, []byte(fmt.Sprintf(`"total":%d`, n)), []byte(fmt.Sprintf(`"total":%d`, n+3)), 1)
			}
			maps.Copy(w.Header(), recorder.Header())
			w.WriteHeader(recorder.Code)
			_, _ = w.Write(body)
		}))
		t.Cleanup(inflated.Close)
		client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: inflated.URL, ProjectID: projectID, AccessKey: accessKey, SecretKey: secretKey, UserAgent: "test"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := client.ListAll(context.Background(), "", "")
		if want := fmt.Sprintf("reports %d configurations, and paging through it found %d", n+3, n); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("want an error saying %q, got %d configurations and %v", want, len(got), err)
		}
	}
}

func TestListAllFilters(t *testing.T) {
	emulator, client := newEmulatorClient(t, 30, liveemulator.Options{})
	if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: projectID, PublishDomain: "d0001.example.com", App: "*"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := client.ListAll(ctx, "d0001.example.com", "")
	if err != nil || len(got) != 4 {
		t.Fatalf("by domain: %d %v", len(got), err)
	}
	got, err = client.ListAll(ctx, "d0001.example.com", "a1")
	if err != nil || len(got) != 2 || got[0].App != "*" || got[1].App != "a1" {
		t.Fatalf("an app filter also returns *: %+v %v", got, err)
	}
	got, err = client.ListAll(ctx, "", "a2")
	if err != nil || len(got) != 11 {
		t.Fatalf("by app: %d %v", len(got), err)
	}
}

// TestListAllSortsDomainsWhateverTheirCase: the order is the one of the domains as the provider
// writes them, in lower case, so that a domain respelled elsewhere keeps its place.
func TestListAllSortsDomainsWhateverTheirCase(t *testing.T) {
	emulator, client := newEmulatorClient(t, 0, liveemulator.Options{})
	for _, domain := range []string{"Zeta.Example.com", "alpha.example.com", "Beta.example.com"} {
		if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: projectID, PublishDomain: domain, App: "live"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := client.ListAll(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, cb := range got {
		order = append(order, cb.PublishDomain)
	}
	if want := "alpha.example.com Beta.example.com Zeta.Example.com"; strings.Join(order, " ") != want {
		t.Fatalf("order %v, want %s", order, want)
	}
}

func TestListAllBeyondTheOffsetBound(t *testing.T) {
	_, client := newEmulatorClient(t, livespec.ListOffsetMax+livespec.ListLimitMax+1, liveemulator.Options{})
	// Item offsets reach offset 3999, whose page ends at item 4098: 4099 of 4197 found.
	_, err := client.ListAll(context.Background(), "", "")
	if err == nil || !strings.Contains(err.Error(), "paging found 4099 of the 4197 configurations the API reports") {
		t.Fatalf("more configurations than offsets can reach must be an error that counts them, not a partial list: %v", err)
	}
}

func TestProjectDiscovery(t *testing.T) {
	cases := map[string]struct {
		projects []liveemulator.Project
		want     string
	}{
		"found":   {[]liveemulator.Project{{ID: "p-north", Name: "cn-north-4"}, {ID: "p-east", Name: "cn-east-3"}}, "p-north"},
		"none":    {[]liveemulator.Project{{ID: "p-east", Name: "cn-east-3"}}, ""},
		"several": {[]liveemulator.Project{{ID: "p1", Name: "cn-north-4"}, {ID: "p2", Name: "cn-north-4"}}, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The SDK caches discovered projects by AK and region: one AK per case.
			ak := "DISCOVERY" + name
			emulator := emulatortest.Start(t, liveemulator.Options{Credentials: []liveemulator.Credential{{AccessKey: ak, SecretKey: secretKey, Projects: tc.projects}}})
			client, err := liveapi.New(context.Background(), liveapi.Config{Region: "cn-north-4", Endpoint: emulator.URL, IAMEndpoint: emulator.URL,
				AccessKey: ak, SecretKey: secretKey, UserAgent: "test"})
			if tc.want == "" {
				if !errors.Is(err, liveapi.ErrProjectDiscovery) {
					t.Fatalf("want a discovery error, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if client.ProjectID() != tc.want {
				t.Fatalf("discovered %q, want %q", client.ProjectID(), tc.want)
			}
			if _, err := client.ListAll(context.Background(), "", ""); err != nil {
				t.Fatalf("the discovered project is used: %v", err)
			}
			if n := emulator.RequestCounts()[liveemulator.OperationListProjects]; n != 1 {
				t.Fatalf("%d IAM requests, want 1", n)
			}
		})
	}
}

// BenchmarkListAll reports the list requests per walk (see listRequests).
func BenchmarkListAll(b *testing.B) {
	for _, n := range []int{100, 250, 1000, 4000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			emulator, client := newEmulatorClient(b, n, liveemulator.Options{})
			b.ResetTimer()
			for range b.N {
				if got, err := client.ListAll(context.Background(), "", ""); err != nil || len(got) != n {
					b.Fatalf("%d %v", len(got), err)
				}
			}
			b.ReportMetric(float64(emulator.RequestCounts()[liveemulator.OperationList])/float64(b.N), "requests/op")
		})
	}
}

// TestListAllFailsWhenTheListChanges: a configuration deleted while the walk goes on shifts the
// offsets; the walk fails rather than return a list with a deleted one and without another.
func TestListAllFailsWhenTheListChanges(t *testing.T) {
	emulator, _ := newEmulatorClient(t, 5, liveemulator.Options{ListLimitCap: 2})
	var lists atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emulator.ServeHTTP(w, r)
		if r.Method == http.MethodGet && lists.Add(1) == 2 {
			if err := emulator.DeleteCallback(emulator.Callbacks()[0].ID); err != nil {
				t.Error(err)
			}
		}
	}))
	t.Cleanup(server.Close)
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: server.URL, ProjectID: projectID, AccessKey: accessKey, SecretKey: secretKey, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.ListAll(context.Background(), "", "")
	if err == nil || !strings.Contains(err.Error(), "changed while it was read: 3 of the 5 configurations the API first reported were found when it reported 4") {
		t.Fatalf("want an error, got %d configurations and %v", len(got), err)
	}
}

// TestFindByDomainAppPagesThroughTheAnswer: a server that puts one item per page answers the
// filter with the "*" configuration first; the exact one is on the next page and is found.
func TestFindByDomainAppPagesThroughTheAnswer(t *testing.T) {
	emulator, client := newEmulatorClient(t, 0, liveemulator.Options{ListLimitCap: 1})
	for _, app := range []string{"*", "live"} {
		if _, err := emulator.AddCallback(liveemulator.Callback{ProjectID: projectID, PublishDomain: "publish.example.com", App: app}); err != nil {
			t.Fatal(err)
		}
	}
	found, ok, err := client.FindByDomainApp(context.Background(), "publish.example.com", "live")
	if err != nil || !ok || found.App != "live" {
		t.Fatalf("want the exact configuration: %+v %v %v", found, ok, err)
	}
}
