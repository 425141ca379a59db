package liveemulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AdminPrefix is where the admin endpoint lives: faults, throttle and a look at the store and the
// request counts, for rehearsing faults from outside the process. Only loopback clients may use it.
const AdminPrefix = "/_emulator/"

// DeliveriesDroppedHeader tells, with the delivery log, how many older deliveries it dropped.
const DeliveriesDroppedHeader = "X-Deliveries-Dropped"

func (s *Server) registerAdmin() {
	s.registerConsole()
	s.mux.HandleFunc("POST "+AdminPrefix+"faults", s.admin(func(w http.ResponseWriter, _ *http.Request, body string) {
		for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
			fault, err := ParseFault(strings.TrimSpace(line))
			if err == nil {
				err = s.InjectFault(fault)
			}
			if err != nil {
				writeError(w, http.StatusBadRequest, "EMULATOR.400", err.Error())
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	s.mux.HandleFunc("GET "+AdminPrefix+"faults", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		writeJSON(w, http.StatusOK, s.Faults())
	}))
	s.mux.HandleFunc("DELETE "+AdminPrefix+"faults", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	}))
	s.mux.HandleFunc("PUT "+AdminPrefix+"throttle", s.admin(func(w http.ResponseWriter, _ *http.Request, body string) {
		n, err := strconv.Atoi(strings.TrimSpace(body))
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "EMULATOR.400", "the body must be the maximum number of concurrent requests, 0 for none")
			return
		}
		s.SetThrottle(n)
		w.WriteHeader(http.StatusNoContent)
	}))
	s.mux.HandleFunc("PUT "+AdminPrefix+"clock-offset", s.admin(func(w http.ResponseWriter, _ *http.Request, body string) {
		offset, err := time.ParseDuration(strings.TrimSpace(body))
		if err != nil {
			writeError(w, http.StatusBadRequest, "EMULATOR.400", "the body must be the server clock's offset as a Go duration, such as 5m or -90s")
			return
		}
		s.SetClockOffset(offset)
		w.WriteHeader(http.StatusNoContent)
	}))
	s.mux.HandleFunc("GET "+AdminPrefix+"requests", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		writeJSON(w, http.StatusOK, s.RequestCounts())
	}))
	s.mux.HandleFunc("POST "+AdminPrefix+"recordings", s.admin(func(w http.ResponseWriter, r *http.Request, body string) {
		// Files as a pointer tells a given 0 (refused) from an absent count (one file).
		var given struct {
			Recording
			Files *int `json:"files"`
		}
		if err := json.Unmarshal([]byte(body), &given); err != nil {
			writeError(w, http.StatusBadRequest, "EMULATOR.400", "the body must be a JSON recording: "+err.Error())
			return
		}
		rec := given.Recording
		if given.Files != nil {
			if *given.Files < 1 {
				writeError(w, http.StatusBadRequest, "EMULATOR.400", fmt.Sprintf("files must be 1 to %d", MaxRecordingFiles))
				return
			}
			rec.Files = *given.Files
		}
		// A client that goes away stops the recording: no deliveries to a dead receiver pile up.
		deliveries, err := s.Record(r.Context(), rec)
		if err != nil {
			writeError(w, http.StatusBadRequest, "EMULATOR.400", err.Error())
			return
		}
		writeJSON(w, http.StatusOK, deliveries)
	}))
	s.mux.HandleFunc("GET "+AdminPrefix+"deliveries", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		w.Header().Set(DeliveriesDroppedHeader, strconv.Itoa(s.DeliveriesDropped()))
		writeJSON(w, http.StatusOK, s.Deliveries())
	}))
	s.mux.HandleFunc("POST "+AdminPrefix+"reset", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		if err := s.Reset(); err != nil {
			writeSaveError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	s.mux.HandleFunc("GET "+AdminPrefix+"journal", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		w.Header().Set(JournalDroppedHeader, strconv.Itoa(s.JournalDropped()))
		writeJSON(w, http.StatusOK, s.Journal())
	}))
	s.mux.HandleFunc("GET "+AdminPrefix+"callbacks", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		stored := s.Callbacks()
		type projectCallback struct {
			ProjectID string `json:"project_id"`
			wireCallback
		}
		out := make([]projectCallback, len(stored))
		for i := range stored {
			out[i] = projectCallback{stored[i].ProjectID, wireFrom(&stored[i])} // without keys, as the API shows them
		}
		writeJSON(w, http.StatusOK, out)
	}))
}

// admin serves h to the loopback clients that adminRefusal lets through, with the request body as text.
func (s *Server) admin(h func(w http.ResponseWriter, r *http.Request, body string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if refused := adminRefusal(r); refused != "" {
			writeError(w, http.StatusForbidden, "EMULATOR.403", refused)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			writeError(w, http.StatusBadRequest, "EMULATOR.400", "unreadable request body")
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h(w, r, string(body))
	}
}
