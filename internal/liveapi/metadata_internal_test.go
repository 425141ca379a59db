package liveapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// metadataServer answers as the ECS metadata service; withToken serves session tokens, and keys
// numbers the credentials it hands out.
func metadataServer(t *testing.T, withToken bool, keys *int) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == metadataTokenPath && r.Method == http.MethodPut:
			if !withToken {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			fmt.Fprint(w, "session")
		case r.URL.Path == metadataSecurityKeyPath && (!withToken || r.Header.Get(metadataTokenHeader) == "session"):
			*keys++
			fmt.Fprintf(w, `{"credential": {"access": "AK%d", "secret": "SK", "securitytoken": "T", "expires_at": %q}}`,
				*keys, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"))
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(server.Close)
	return server
}

func TestMetadataSource(t *testing.T) {
	for _, withToken := range []bool{true, false} {
		t.Run(fmt.Sprintf("session token %v", withToken), func(t *testing.T) {
			handedOut := 0
			ring := renewedKeys(metadataKeys(metadataServer(t, withToken, &handedOut).URL))
			got, err := ring.get(context.Background())
			if err != nil || got.access != "AK1" {
				t.Fatalf("got %+v, %v", got, err)
			}
			if got, _ := ring.get(context.Background()); got.access != "AK1" || handedOut != 1 {
				t.Fatalf("fresh keys were fetched again: %+v after %d", got, handedOut)
			}
			// Near expiry they are renewed.
			ring.schedule.now = func() time.Time { return time.Now().Add(31 * time.Minute) } // half the hour's life
			if got, err := ring.get(context.Background()); err != nil || got.access != "AK2" {
				t.Fatalf("not renewed: %+v, %v", got, err)
			}
		})
	}
}

func TestMetadataSourceRefusals(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == metadataSecurityKeyPath {
			http.Error(w, "Please configure Cloud Service Agency first", http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusMethodNotAllowed)
	}))
	t.Cleanup(server.Close)
	if _, err := metadataKeys(server.URL)(context.Background()); !errors.Is(err, ErrNoMetadataCredentials) {
		t.Fatalf("got %v", err)
	}
	server.Close()
	if _, err := metadataKeys(server.URL)(context.Background()); !errors.Is(err, ErrNoMetadataCredentials) {
		t.Fatalf("no service: got %v", err)
	}
}

// TestMetadataSourceIgnoresProxies: the service is asked directly, whatever HTTP_PROXY says.
func TestMetadataSourceIgnoresProxies(t *testing.T) {
	transport, ok := newMetadataSource(DefaultMetadataEndpoint).client.Transport.(*http.Transport)
	if !ok || transport.Proxy != nil {
		t.Fatal("the metadata client would use a proxy")
	}
}
