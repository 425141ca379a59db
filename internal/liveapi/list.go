package liveapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	live "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/model"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// ListFilter narrows a list request; empty fields are not sent.
type ListFilter struct {
	PublishDomain string
	App           string
	Offset        int32
	Limit         int32
}

// ListPage is one page of a list request. Total is -1 when the answer has none.
type ListPage struct {
	Total     int
	Callbacks []Callback
	server    serverClock // of the page's answer
}

// List sends a GET for one page.
func (c *Client) List(ctx context.Context, filter ListFilter) (ListPage, error) {
	var page ListPage
	err := c.withRetries(ctx, operationList, func(ctx context.Context) (time.Duration, error) {
		var retryAfter time.Duration
		var err error
		page, retryAfter, err = c.listAttempt(ctx, filter)
		return retryAfter, err
	}, nil)
	return page, err
}

// listOnce is List in one attempt, for settling an unknown outcome inside a retry loop.
func (c *Client) listOnce(ctx context.Context, filter ListFilter) (ListPage, error) {
	page, _, err := c.listAttempt(ctx, filter)
	return page, err
}

func (c *Client) listAttempt(ctx context.Context, filter ListFilter) (ListPage, time.Duration, error) {
	request := &model.ListRecordCallbackConfigsRequest{}
	if filter.PublishDomain != "" {
		request.PublishDomain = &filter.PublishDomain
	}
	if filter.App != "" {
		request.App = &filter.App
	}
	if filter.Offset > 0 {
		request.Offset = &filter.Offset
	}
	if filter.Limit > 0 {
		request.Limit = &filter.Limit
	}
	resp, answer, err := send[*model.ListRecordCallbackConfigsResponse](ctx, c, request, live.GenReqDefForListRecordCallbackConfigs())
	if err != nil {
		return ListPage{}, answer.retryAfter, err
	}
	page := listPageFrom(resp)
	page.server = answer.server
	return page, answer.retryAfter, nil
}

// FindByDomainApp returns the configuration for exactly this (publish_domain, app) pair, if any.
// The API's app filter also returns "*" configurations, so the match is checked here, over every
// page of the answer.
func (c *Client) FindByDomainApp(ctx context.Context, publishDomain, app string) (Callback, bool, error) {
	found, err := c.find(ctx, publishDomain, app, c.List)
	return found.callback, found.ok, err
}

// findOnce is FindByDomainApp without retries, for settling an unknown outcome inside a retry loop.
func (c *Client) findOnce(ctx context.Context, publishDomain, app string) (lookup, error) {
	return c.find(ctx, publishDomain, app, c.listOnce)
}

// lookup is what a lookup by pair found, and the server's clock when the list answered.
type lookup struct {
	callback Callback
	ok       bool
	server   serverClock
}

func (c *Client) find(ctx context.Context, publishDomain, app string, list listFunc) (lookup, error) {
	all, server, err := c.listAll(ctx, publishDomain, app, list)
	if err != nil {
		return lookup{}, err
	}
	// A domain is found whatever its case, so that one written otherwise (outside Terraform) is
	// reported rather than missed; the exact spelling first, should an API keep both.
	exact := slices.IndexFunc(all, func(cb Callback) bool { return cb.PublishDomain == publishDomain && cb.App == app })
	if exact < 0 {
		exact = slices.IndexFunc(all, func(cb Callback) bool { return strings.EqualFold(cb.PublishDomain, publishDomain) && cb.App == app })
	}
	if exact < 0 {
		return lookup{server: server}, nil
	}
	return lookup{callback: all[exact], ok: true, server: server}, nil
}

// listFunc fetches one list page: List, or listOnce inside a retry loop.
type listFunc func(ctx context.Context, filter ListFilter) (ListPage, error)

// ListAll returns every configuration that matches the filter's publish_domain and app, sorted by
// publish_domain, app and id, or an error: never a partial list. Servers differ in how they page:
// offset is an item offset (the API's docs), or a page number from 0 or from 1 (older docs), and a
// server may hold fewer items per page than limit asks. The first page tells the page size; a probe
// whose answer overlaps the first page by one item tells item offsets from page numbers. Ids are
// deduplicated, every walk is bounded, and a total that changes during the walk fails it.
func (c *Client) ListAll(ctx context.Context, publishDomain, app string) ([]Callback, error) {
	all, _, err := c.listAll(ctx, publishDomain, app, c.List)
	return all, err
}

// listAll is ListAll with the server's clock when the first page answered.
func (c *Client) listAll(ctx context.Context, publishDomain, app string, list listFunc) ([]Callback, serverClock, error) {
	filter := ListFilter{PublishDomain: publishDomain, App: app, Limit: livespec.ListLimitMax}
	first, err := list(ctx, filter)
	if err != nil {
		return nil, serverClock{}, err
	}
	if first.Total < 0 {
		return nil, serverClock{}, errors.New("the list answer has no total: whether it is complete cannot be told")
	}
	walk := listWalk{seen: map[string]bool{}, total: first.Total}
	if err := walk.add(first); err != nil {
		return nil, serverClock{}, err
	}
	if !walk.complete() && len(first.Callbacks) > 0 {
		if err := walk.rest(ctx, filter, first, list); err != nil {
			return nil, serverClock{}, err
		}
	}
	if len(walk.all) != walk.total {
		return nil, serverClock{}, fmt.Errorf("the list is incomplete: the API reports %d configurations, and paging through it found %d; "+
			"it may have changed while it was read: try again", walk.total, len(walk.all))
	}
	// Domains sort as the provider writes them, in lower case, so that a change of case elsewhere
	// does not reorder the list.
	slices.SortFunc(walk.all, func(a, b Callback) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.PublishDomain), strings.ToLower(b.PublishDomain)), cmp.Compare(a.App, b.App),
			cmp.Compare(a.ID, b.ID))
	})
	return walk.all, first.server, nil
}

// listWalk collects the distinct configurations of a walk over list pages.
type listWalk struct {
	seen  map[string]bool
	all   []Callback
	total int // as the first page reports it
}

// rest pages on after the first page until the walk is complete or the server has no more.
func (w *listWalk) rest(ctx context.Context, filter ListFilter, first ListPage, list listFunc) error {
	size := len(first.Callbacks)
	// Item offsets: the probe at size-1 starts with the first page's last item. Page numbers: it is
	// another page, or none. (With one item per page, page numbers from 0 are item offsets, and from
	// 1 they answer the probe with the first page again, which item offsets also walk through.)
	probeOffset := int32(max(size-1, 1)) //nolint:gosec // a page holds at most livespec.ListLimitMax items
	filter.Offset = probeOffset
	probe, err := list(ctx, filter)
	if err != nil {
		return err
	}
	if err := w.add(probe); err != nil {
		return err
	}
	pageNumbers := size > 1 && (len(probe.Callbacks) == 0 || probe.Callbacks[0].ID != first.Callbacks[size-1].ID)
	if pageNumbers {
		// Page numbers from 0 or from 1: offset 1 is the second page or the first again.
		filter.Offset = 1
		page, err := list(ctx, filter)
		if err != nil {
			return err
		}
		if err := w.add(page); err != nil {
			return err
		}
	}
	page := probe
	for !w.complete() {
		if pageNumbers {
			filter.Offset++
		} else {
			filter.Offset += int32(len(page.Callbacks)) //nolint:gosec // a page holds at most livespec.ListLimitMax items
		}
		if filter.Offset > livespec.ListOffsetMax {
			return fmt.Errorf("the list is incomplete: paging found %d of the %d configurations the API reports, and the rest lie "+
				"beyond the offsets it can page through (at most %d): narrow the filter", len(w.all), w.total, livespec.ListOffsetMax)
		}
		if page, err = list(ctx, filter); err != nil {
			return err
		}
		added := len(w.all)
		if err := w.add(page); err != nil {
			return err
		}
		// A page of nothing new ends the walk (the caller checks completeness), except the probe's
		// own page met again in its turn.
		if len(w.all) == added && (len(page.Callbacks) == 0 || !pageNumbers || filter.Offset != probeOffset) {
			return nil
		}
	}
	return nil
}

// add keeps the page's configurations not seen before; a page whose total differs from the first
// page's means the list changed while it was read, and offsets no longer line up.
func (w *listWalk) add(page ListPage) error {
	if page.Total != w.total {
		return fmt.Errorf("the list changed while it was read: %d of the %d configurations the API first reported were found "+
			"when it reported %d: try again", len(w.all), w.total, page.Total)
	}
	for _, cb := range page.Callbacks {
		if !w.seen[cb.ID] {
			w.seen[cb.ID] = true
			w.all = append(w.all, cb)
		}
	}
	return nil
}

func (w *listWalk) complete() bool {
	return len(w.all) >= w.total
}
