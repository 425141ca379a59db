package liveemulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

type handler func(w http.ResponseWriter, r *http.Request, projectID string, body []byte)

// operation reads the capped body, authenticates the request and counts it before calling h.
func (s *Server) operation(name string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		journalOf(r).Operation = name
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, livespec.ErrorCodeInvalidParameter,
					fmt.Sprintf("Request Illegal: the request body exceeds %d bytes", maxBodyBytes))
				return
			}
			writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, "Request Illegal: unreadable request body")
			return
		}
		projectID := r.PathValue("project_id")
		if _, ok := s.authenticate(w, r, body, projectID); !ok {
			return
		}
		s.mu.Lock()
		s.userAgents[r.UserAgent()] = true
		s.requests[name]++
		s.mu.Unlock()
		s.serveWithFaults(w, r, name, func(w http.ResponseWriter) { h(w, r, projectID, body) })
	}
}

// iamOperation counts a request of an IAM route, and serves it through the faults of its operation;
// h authenticates it.
func (s *Server) iamOperation(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		journalOf(r).Operation = name
		s.mu.Lock()
		s.requests[name]++
		s.mu.Unlock()
		s.serveWithFaults(w, r, name, func(w http.ResponseWriter) { h(w, r) })
	}
}

func (s *Server) create(w http.ResponseWriter, _ *http.Request, projectID string, body []byte) {
	spec, msg := parseCallbackBody(body)
	if msg != "" {
		writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, msg)
		return
	}
	cb := Callback{ProjectID: projectID}
	spec.applyTo(&cb)
	stored, err := s.store.insert(cb)
	if err != nil {
		writeStoreError(w, err, spec)
		return
	}
	writeJSON(w, http.StatusCreated, wireFrom(&stored))
}

func (s *Server) show(w http.ResponseWriter, r *http.Request, projectID string, _ []byte) {
	cb, ok := s.store.get(projectID, r.PathValue("id"))
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, wireFrom(&cb))
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, projectID string, body []byte) {
	spec, msg := parseCallbackBody(body)
	if msg != "" {
		writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, msg)
		return
	}
	// A full replace: publish_domain and app may change too, to a pair that no other configuration has.
	cb, err := s.store.replace(projectID, r.PathValue("id"), spec.applyTo)
	if err != nil {
		writeStoreError(w, err, spec)
		return
	}
	writeJSON(w, http.StatusOK, wireFrom(&cb))
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, projectID string, _ []byte) {
	if err := s.store.remove(projectID, r.PathValue("id")); err != nil {
		writeStoreError(w, err, callbackSpec{})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, projectID string, _ []byte) {
	query := r.URL.Query()
	limit, msg := intParam(query.Get("limit"), "limit", livespec.ListLimitDefault, 1, livespec.ListLimitMax)
	if msg == "" {
		var offset int
		offset, msg = intParam(query.Get("offset"), "offset", 0, 0, livespec.ListOffsetMax)
		if msg == "" {
			if s.limitCap > 0 {
				limit = min(limit, s.limitCap)
			}
			if s.offsetPages {
				offset = max(offset-s.firstPage, 0) * limit
			}
			writeJSON(w, http.StatusOK, s.page(projectID, query.Get("publish_domain"), query.Get("app"), offset, limit))
			return
		}
	}
	writeError(w, http.StatusBadRequest, livespec.ErrorCodeInvalidParameter, msg)
}

type wireList struct {
	Total          int            `json:"total"`
	CallbackConfig []wireCallback `json:"callback_config"`
}

func (s *Server) page(projectID, publishDomain, app string, offset, limit int) wireList {
	matches := s.store.list(func(cb *Callback) bool {
		return cb.ProjectID == projectID &&
			(publishDomain == "" || strings.EqualFold(cb.PublishDomain, publishDomain)) &&
			(app == "" || cb.App == app || cb.App == livespec.AppWildcard)
	})
	out := wireList{Total: len(matches), CallbackConfig: []wireCallback{}}
	for i := offset; i < len(matches) && i < offset+limit; i++ {
		out.CallbackConfig = append(out.CallbackConfig, wireFrom(&matches[i]))
	}
	return out
}

func intParam(raw, name string, def, lowest, highest int) (int, string) {
	if raw == "" {
		return def, ""
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lowest || n > highest {
		return 0, fmt.Sprintf("Request Illegal: %s must be an integer from %d to %d", name, lowest, highest)
	}
	return n, ""
}
