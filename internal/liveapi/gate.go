package liveapi

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// credentialsGate keeps the client from locking its own access key: the API gateway locks a key for
// five minutes after more than five refused signatures in a row, and Terraform sends many requests
// at once. The first Live API request with a set of keys goes alone, the others wait for its
// outcome; once the gateway refuses the keys (401 APIGW.0301), in that request or a later one, the
// requests with the same keys fail without being sent, with that refusal. New keys (a renewal)
// start over.
type credentialsGate struct {
	mu       sync.Mutex
	access   string // the access key of the keys that what follows is about
	accepted bool
	refused  error
	probing  chan struct{} // closed when the request in flight with keys not yet accepted has its answer
}

// enter waits for a request's turn with the keys of access key access. It returns done, to be called
// with the request's outcome, or the refusal those keys already met, or ctx's error.
func (g *credentialsGate) enter(ctx context.Context, access string) (done func(outcome error), err error) {
	for {
		g.mu.Lock()
		if g.access != access {
			g.access, g.accepted, g.refused = access, false, nil
		}
		switch {
		case g.refused != nil:
			refused := g.refused
			g.mu.Unlock()
			return nil, &refusedEarlierError{err: refused}
		case g.accepted:
			g.mu.Unlock()
			return func(outcome error) { g.settle(access, nil, outcome) }, nil
		case g.probing == nil:
			probing := make(chan struct{})
			g.probing = probing
			g.mu.Unlock()
			return func(outcome error) { g.settle(access, probing, outcome) }, nil
		}
		wait := g.probing
		g.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// settle records what the gateway made of the keys, from any request with them: refused, and the
// requests that follow fail unsent; else open to every request, as after an answer of the API, and
// after none (a network failure), which tells nothing: holding requests back behind one that may
// hang would add its wait to every other's. probing is the request's turn, nil when it had none.
func (g *credentialsGate) settle(access string, probing chan struct{}, outcome error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var apiErr *sdkerr.ServiceResponseError
	if g.access == access {
		if errors.As(outcome, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized && apiErr.ErrorCode == livespec.ErrorCodeGatewayAuth {
			g.accepted, g.refused = false, outcome
		} else if g.refused == nil {
			g.accepted = true
		}
	}
	if probing != nil {
		if g.probing == probing {
			g.probing = nil
		}
		close(probing)
	}
}

// refusedEarlierError fails a request that was not sent because the gateway refused its keys in an
// earlier request: sending more would lock the access key.
type refusedEarlierError struct{ err error }

func (e *refusedEarlierError) Error() string {
	return "not sent: the API gateway refused these credentials in an earlier request: " + e.err.Error()
}

func (e *refusedEarlierError) Unwrap() error { return e.err }
