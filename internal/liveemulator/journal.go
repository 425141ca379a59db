package liveemulator

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// JournalEntry is one request the emulator received, its admin endpoint's excepted: what a test
// asserts on ("no PUT was sent") without a proxy in between.
type JournalEntry struct {
	Time time.Time `json:"time"`
	// Account is the signing account's domain name, and AccessKey its key, once the request named one.
	Account   string `json:"account,omitempty"`
	AccessKey string `json:"access_key,omitempty"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Query     string `json:"query,omitempty"`
	// Operation is the route's operation (create, list_projects...); empty for a path no API has.
	Operation string `json:"operation,omitempty"`
	// Status is the HTTP status answered; 0 when none was (a dropped connection, a client gone).
	Status    int    `json:"status"`
	ErrorCode string `json:"error_code,omitempty"`
	// Reason is why the request was refused or faulted, beyond what the answer tells the client.
	Reason    string        `json:"reason,omitempty"`
	RequestID string        `json:"request_id"`
	UserAgent string        `json:"user_agent,omitempty"`
	Latency   time.Duration `json:"latency_ns"`
}

// MaxJournalEntries is how many requests the journal keeps, as the delivery log does.
const MaxJournalEntries = 10_000

// JournalDroppedHeader tells, with the journal, how many older entries it dropped.
const JournalDroppedHeader = "X-Journal-Dropped"

type journalKey struct{}

// journalOf is the journal entry of the request being served, for its handlers to fill in.
func journalOf(r *http.Request) *JournalEntry {
	if entry, ok := r.Context().Value(journalKey{}).(*JournalEntry); ok {
		return entry
	}
	return &JournalEntry{} // a request served outside ServeHTTP: nothing to keep
}

// serveJournaled serves r through next and keeps its journal entry, however the handler ends (a
// dropped connection included).
func (s *Server) serveJournaled(w http.ResponseWriter, r *http.Request, next http.Handler) {
	entry := &JournalEntry{Time: s.now().UTC(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		RequestID: w.Header().Get("X-Request-Id"), UserAgent: r.UserAgent()}
	recorder := &journalWriter{ResponseWriter: w}
	start := time.Now()
	defer func() {
		entry.Latency = time.Since(start)
		entry.Status, entry.ErrorCode = recorder.status, errorCodeOf(recorder.errorBody)
		s.mu.Lock()
		s.journal.Add(*entry)
		s.mu.Unlock()
	}()
	next.ServeHTTP(recorder, r.WithContext(context.WithValue(r.Context(), journalKey{}, entry)))
}

// Journal returns the last MaxJournalEntries requests received, oldest first.
func (s *Server) Journal() []JournalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.journal.Entries()
}

// JournalDropped returns how many older entries were dropped from the journal.
func (s *Server) JournalDropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.journal.Dropped()
}

// maxErrorBody is how much of an error answer the journal reads for its error code.
const maxErrorBody = 4 << 10

// journalWriter sees the status and the start of an error answer as they are written.
type journalWriter struct {
	http.ResponseWriter
	status    int
	errorBody []byte
}

func (j *journalWriter) WriteHeader(status int) {
	if j.status == 0 {
		j.status = status
	}
	j.ResponseWriter.WriteHeader(status)
}

func (j *journalWriter) Write(p []byte) (int, error) {
	if j.status == 0 {
		j.status = http.StatusOK
	}
	if j.status >= http.StatusBadRequest && len(j.errorBody) < maxErrorBody {
		j.errorBody = append(j.errorBody, p[:min(len(p), maxErrorBody-len(j.errorBody))]...)
	}
	return j.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection: a dropping fault hijacks it, and the
// entry keeps status 0, as nothing was written.
func (j *journalWriter) Unwrap() http.ResponseWriter {
	return j.ResponseWriter
}

// errorCodeOf reads the error code of an error answer: Live's and the gateway's error_code, or
// IAM's error.code.
func errorCodeOf(body []byte) string {
	var answer struct {
		ErrorCode string `json:"error_code"`
		Error     struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if len(body) == 0 || json.Unmarshal(body, &answer) != nil {
		return ""
	}
	if answer.ErrorCode != "" {
		return answer.ErrorCode
	}
	return answer.Error.Code
}
