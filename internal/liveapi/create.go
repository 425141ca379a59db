package liveapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	live "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/live/v1/model"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// Create sends a POST, retried as the retry policy allows. A POST is not idempotent: after an
// attempt whose outcome is unknown, it looks (publish_domain, app) up first and adopts a
// configuration that matches spec and was created, by the server's clock, since the earliest attempt
// that may have made it, instead of creating a second one; one that existed before is never adopted
// (see adoptableSince). When the error is not nil and the returned Callback has an ID, that
// configuration exists and is this create's: the caller must keep it.
func (c *Client) Create(ctx context.Context, spec CallbackSpec) (Callback, error) {
	outcome, err := c.post(ctx, spec)
	if err != nil {
		return Callback{}, err
	}
	created := outcome.created
	if created.ID == "" {
		// A 201 without an id: the configuration exists, so find it rather than lose it.
		ctx, cancel := settleContext(ctx)
		defer cancel()
		return c.findCreated(ctx, spec)
	}
	if !outcome.adopted {
		return created, nil
	}
	tflog.Warn(ctx, "Adopted the Live record callback that a create request with a lost response made", map[string]any{"id": created.ID})
	if spec.Key == nil {
		return created, nil
	}
	// The API never returns the key: set it again so that it is certainly the planned one.
	ctx, cancel := settleContext(ctx)
	defer cancel()
	updated, err := c.Update(ctx, created.ID, spec)
	if err != nil {
		return created, fmt.Errorf("the configuration %s was created, but setting its key failed: %w", created.ID, err)
	}
	updated = updated.WithKnownTimes(created.CreateTime, "") // the update time is the update's
	return updated, nil
}

// postOutcome is what the POSTs of a create came to: the configuration created or adopted.
type postOutcome struct {
	created Callback
	adopted bool
}

// post sends the POST until it succeeds, a lookup after an unknown outcome settles it, or the
// retry policy gives up.
func (c *Client) post(ctx context.Context, spec CallbackSpec) (postOutcome, error) {
	var outcome postOutcome
	// When the earliest attempt that may have made a configuration was sent (local monotonic clock):
	// zero while none may have. Attempts that certainly made nothing (not sent, 429, the throttle)
	// never open the window.
	var mayHaveMadeSince time.Time
	lookedUp, provenUnapplied := false, false
	decide := func(existing Callback, server serverClock) error {
		if mayHaveMadeSince.IsZero() {
			return &ConflictError{Existing: existing, Preexisting: true}
		}
		since, ok := adoptableSince(mayHaveMadeSince, server)
		if !ok || server.before(existing) {
			return &ConflictError{Existing: existing, NoServerClock: true}
		}
		if !createdSince(existing, since) {
			return &ConflictError{Existing: existing, Preexisting: true}
		}
		if !spec.matches(existing) {
			return &ConflictError{Existing: existing}
		}
		outcome.created, outcome.adopted = existing, true
		return nil
	}
	err := c.withRetries(ctx, operationCreate,
		func(ctx context.Context) (time.Duration, error) {
			if provenUnapplied {
				// A lookup found nothing: no earlier attempt made a configuration, so only later ones can.
				mayHaveMadeSince, provenUnapplied = time.Time{}, false
			}
			resp, answer, err := send[*model.CreateRecordCallbackConfigResponse](ctx, c,
				&model.CreateRecordCallbackConfigRequest{Body: spec.request()},
				live.GenReqDefForCreateRecordCallbackConfig())
			if err == nil {
				outcome.created = callbackFromCreate(resp)
				err = spec.aboutThisPair(outcome.created)
			}
			if err != nil && outcomeUnknown(err) && mayHaveMadeSince.IsZero() {
				mayHaveMadeSince = cmp.Or(answer.sentAt, time.Now())
			}
			return answer.retryAfter, err
		},
		func(ctx context.Context) (bool, error) {
			lookedUp = true
			found, err := c.findOnce(ctx, spec.PublishDomain, spec.App)
			if err != nil {
				return false, nil //nolint:nilerr // a failed lookup settles nothing: the POST is retried
			}
			if !found.ok {
				provenUnapplied = true
				return false, nil
			}
			if err := decide(found.callback, found.server); err != nil {
				return false, err
			}
			return true, nil
		})
	if err != nil && lookedUp && IsAlreadyExists(err) {
		// An earlier attempt's outcome was unknown and the last lookup could not tell whose the
		// configuration is: one more lookup, with retries, decides.
		err = c.settleRefusedCreate(ctx, err, spec, decide)
	}
	if notSent := (*notSentError)(nil); err != nil && !mayHaveMadeSince.IsZero() && errors.As(err, &notSent) {
		// The last attempt was not sent (its keys refused meanwhile, its time up), but an earlier
		// one may have made the configuration.
		err = fmt.Errorf("%w: %w", ErrCreateMayHaveApplied, err)
	}
	return outcome, err
}

// adoptableSince is the earliest create_time, on the server's clock, of a configuration that the
// attempts sent since (on the local monotonic clock) may have made: the server's time when the
// lookup answered (its Date header), less the time elapsed since then, less one second for the
// whole seconds of Date and create_time. Network delays only move it earlier than the truth. No
// readable Date: no time is known, and nothing may be adopted.
func adoptableSince(since time.Time, server serverClock) (time.Time, bool) {
	sent, ok := server.at(since)
	return sent.Add(-time.Second), ok
}

// settleRefusedCreate decides a create refused as a duplicate after an unknown outcome: adopted
// (decide returns nil), someone else's (decide's ConflictError), or unsettled.
func (c *Client) settleRefusedCreate(ctx context.Context, refused error, spec CallbackSpec, decide func(Callback, serverClock) error) error {
	ctx, cancel := settleContext(ctx)
	defer cancel()
	found, err := c.find(ctx, spec.PublishDomain, spec.App, c.List)
	if err != nil || !found.ok {
		return fmt.Errorf("%w: %w", ErrCreateUnsettled, refused)
	}
	return decide(found.callback, found.server)
}

// findCreated looks up the configuration that a create answered without an id. The 201 says that
// this create made one, and a pair has one configuration: the one found with this create's settings
// is this create's, whatever its create_time says of the two clocks. One with other settings (or
// another spelling of the domain) is named, never taken.
func (c *Client) findCreated(ctx context.Context, spec CallbackSpec) (Callback, error) {
	existing, found, err := c.FindByDomainApp(ctx, spec.PublishDomain, spec.App)
	switch {
	case err != nil:
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and looking the configuration up failed: %w", err)
	case !found:
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and no configuration for publish_domain %q and app %q was found",
			spec.PublishDomain, spec.App)
	case !spec.matches(existing):
		return Callback{}, fmt.Errorf("the create succeeded without returning an id, and the configuration found is not the one it sent: %w",
			&ConflictError{Existing: existing})
	}
	return existing, nil
}

// before reports whether this reading of the server's clock is earlier than cb's create_time or
// update_time (beyond their whole seconds): a Date that a proxy or a cache set, which says nothing
// of the server's clock.
func (s serverClock) before(cb Callback) bool {
	for _, value := range []string{cb.CreateTime, cb.UpdateTime} {
		if t, err := time.Parse(livespec.TimeLayout, value); err == nil && t.After(s.date.Add(time.Second)) {
			return true
		}
	}
	return false
}

// createdSince reports whether cb's create_time is no earlier than t; an unreadable time is not.
func createdSince(cb Callback, t time.Time) bool {
	createTime, err := time.Parse(livespec.TimeLayout, cb.CreateTime)
	return err == nil && !createTime.Before(t)
}
