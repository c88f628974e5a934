package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"cornershop/core"
)

// errorBody is every error response: {"error": {"code", "message", "field"}}.
type errorBody struct {
	Error apiError `json:"error"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field is the path of the offending input ("tags[2]", "limit"), when
	// one is to blame.
	Field string `json:"field,omitempty"`
}

// fieldError is a request input that cannot be accepted.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func invalid(field, msg string) error { return &fieldError{field: field, msg: msg} }

func writeError(w http.ResponseWriter, status int, code, msg, field string) {
	writeJSON(w, status, errorBody{Error: apiError{Code: code, Message: msg, Field: field}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers err: input errors with their field, core's sentinels with
// their status, anything else as a 500 that is logged but not shown.
// field names the input a core.ErrInvalid is about, when the caller knows
// (the staff id, for the Operator's calls: the API checks the rest first).
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error, field string) {
	var fe *fieldError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &fe):
		writeError(w, http.StatusBadRequest, "invalid", fe.msg, fe.field)
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the request body is over 1 MiB", "")
	case errors.Is(err, core.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such record", "")
	case errors.Is(err, core.ErrInvalid):
		writeError(w, http.StatusBadRequest, "invalid", coreMessage(err, core.ErrInvalid), field)
	case errors.Is(err, core.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", coreMessage(err, core.ErrForbidden), "")
	case errors.Is(err, core.ErrUnsupported):
		writeError(w, http.StatusUnprocessableEntity, "platform_refuses", coreMessage(err, core.ErrUnsupported), "")
	default:
		s.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "route", r.Pattern, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "something went wrong; it is logged", "")
	}
}

// coreMessage is what a core error says after its sentinel: "forbidden:
// moderating ideas needs…" gives "moderating ideas needs…".
func coreMessage(err, sentinel error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, sentinel.Error()+": "); i >= 0 {
		return msg[i+len(sentinel.Error())+2:]
	}
	return msg
}
