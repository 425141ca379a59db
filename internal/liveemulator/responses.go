package liveemulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// writeAPINotFound answers a path or method that is not an API, as the API gateway does.
func writeAPINotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, livespec.ErrorCodeAPINotPublished, "The API does not exist or has not been published in the environment")
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, livespec.ErrorCodeCallbackNotExists, "The resource does not exist")
}

// writeError answers an error as Live and the gateway do, with the request id in the body too.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg, "request_id": w.Header().Get("X-Request-Id")})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		fmt.Fprintf(os.Stderr, "live-emulator: writing a response: %v\n", err)
	}
}

func writeAlreadyExists(w http.ResponseWriter, publishDomain, app string) {
	writeError(w, http.StatusBadRequest, livespec.ErrorCodeAlreadyExists,
		fmt.Sprintf("The resource already exists: a recording callback for publish_domain %q and app %q", publishDomain, app))
}

// writeStoreError answers a change the store refused: a pair taken, an id unknown, or a data file that
// could not be saved (the change undone).
func writeStoreError(w http.ResponseWriter, err error, spec callbackSpec) {
	switch {
	case errors.Is(err, errPairTaken):
		writeAlreadyExists(w, spec.PublishDomain, spec.App)
	case errors.Is(err, ErrNoSuchCallback):
		writeNotFound(w)
	default:
		writeSaveError(w, err)
	}
}

// writeSaveError answers a change that was undone because the data file could not be written.
func writeSaveError(w http.ResponseWriter, err error) {
	writeError(w, http.StatusInternalServerError, "EMULATOR.500", "The emulator could not save its data file, so the change "+
		"was not made: "+err.Error())
}

// writeIAMError answers an error of IAM itself (not the gateway's), in IAM's own shape.
func writeIAMError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg, "title": http.StatusText(status)},
		"request_id": w.Header().Get("X-Request-Id")})
}
