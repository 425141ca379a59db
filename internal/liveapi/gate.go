package liveapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// credentialsGate keeps the client from locking its own access key: the API gateway locks a key for
// five minutes after more than five refused signatures in a row, and Terraform sends many requests
// at once. The first Live API request with a set of keys goes alone, the others wait for its
// outcome; once the gateway refuses the keys' signature (401 APIGW.0301: a wrong key, an unknown one,
// a clock too far off, or a key locked already), in that request or a later one, the requests with
// the same keys fail without being sent, with that refusal. Each access key has its own state, so
// that new keys (a renewal) start over and a late request with old keys changes nothing of theirs.
type credentialsGate struct {
	mu   sync.Mutex
	keys map[string]*gateState // by access key
}

type gateState struct {
	accepted bool
	refused  error
	probing  chan struct{} // closed when the request in flight with keys not yet accepted has its outcome
}

// enter waits for a request's turn with the keys of access key access. It returns done, to be called
// with the request's outcome, or the refusal those keys already met, or why the wait ended.
func (g *credentialsGate) enter(ctx context.Context, access string) (done func(outcome error), err error) {
	for {
		g.mu.Lock()
		if g.keys == nil {
			g.keys = map[string]*gateState{}
		}
		state, ok := g.keys[access]
		if !ok { // kept after a renewal too: one entry per set of keys the run used
			state = &gateState{}
			g.keys[access] = state
		}
		switch {
		case state.refused != nil:
			refused := state.refused
			g.mu.Unlock()
			return nil, &refusedEarlierError{err: refused}
		case state.accepted:
			g.mu.Unlock()
			return func(outcome error) { g.settle(state, nil, outcome) }, nil
		case state.probing == nil:
			probing := make(chan struct{})
			state.probing = probing
			g.mu.Unlock()
			return func(outcome error) { g.settle(state, probing, outcome) }, nil
		}
		wait := state.probing
		g.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the first request with these credentials to be answered: %w", ctx.Err())
		}
	}
}

// settle records what a request with the keys learnt of them. A refusal of their signature fails the
// requests that follow, unsent. Any other answer of the API, or none (a network failure, which tells
// nothing: holding requests back behind one that may hang would add its wait to every other's),
// opens the gate to every request; a request that was not sent at all hands its turn to the next.
// probing is the request's turn, nil when it had none.
func (g *credentialsGate) settle(state *gateState, probing chan struct{}, outcome error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var notSent *notSentError
	switch {
	case signatureRefused(outcome):
		state.accepted, state.refused = false, outcome
	case errors.As(outcome, &notSent):
	case state.refused == nil:
		state.accepted = true
	}
	if probing != nil {
		if state.probing == probing {
			state.probing = nil
		}
		close(probing)
	}
}

// signatureRefused reports whether err is the gateway's refusal of a signature, which counts toward
// its lockout: not an expired token's ("decrypt token fail"), which a renewal ends.
func signatureRefused(err error) bool {
	var apiErr *sdkerr.ServiceResponseError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.ErrorCode != livespec.ErrorCodeGatewayAuth {
		return false
	}
	return apiErr.ErrorMessage != livespec.GatewayTokenFailed
}

// refusedEarlierError fails a request that was not sent because the gateway refused its keys in an
// earlier request: sending more would lock the access key.
type refusedEarlierError struct{ err error }

func (e *refusedEarlierError) Error() string {
	return "not sent: the API gateway refused these credentials in an earlier request: " + e.err.Error()
}

func (e *refusedEarlierError) Unwrap() error { return e.err }
