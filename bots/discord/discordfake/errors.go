package discordfake

import (
	"net/http"
	"strings"
)

// apiError is a Discord error response: {"message","code"} and, for
// 50035, an "errors" tree.
type apiError struct {
	status int
	code   int
	msg    string
	errors map[string]any
}

func (e *apiError) body() map[string]any {
	out := map[string]any{"message": e.msg, "code": e.code}
	if e.errors != nil {
		out["errors"] = e.errors
	}
	return out
}

func notFound(code int, what string) *apiError {
	return &apiError{status: http.StatusNotFound, code: code, msg: "Unknown " + what}
}

// formError is 400/50035 Invalid Form Body with one error at a dotted
// field path ("embeds.0.description").
func formError(path, code, message string) *apiError {
	leaf := map[string]any{"_errors": []map[string]any{{"code": code, "message": message}}}
	parts := strings.Split(path, ".")
	tree := leaf
	for i := len(parts) - 1; i >= 0; i-- {
		tree = map[string]any{parts[i]: tree}
	}
	return &apiError{status: http.StatusBadRequest, code: 50035, msg: "Invalid Form Body", errors: tree}
}

var (
	errUnauthorized       = &apiError{status: http.StatusUnauthorized, code: 0, msg: "401: Unauthorized"}
	errNotFound           = &apiError{status: http.StatusNotFound, code: 0, msg: "404: Not Found"}
	errMethod             = &apiError{status: http.StatusMethodNotAllowed, code: 0, msg: "405: Method Not Allowed"}
	errMissing            = &apiError{status: http.StatusForbidden, code: 50001, msg: "Missing Access"}
	errDMClosed           = &apiError{status: http.StatusForbidden, code: 50007, msg: "Cannot send messages to this user"}
	errArchived           = &apiError{status: http.StatusBadRequest, code: 50083, msg: "Operation cannot be performed on an archived thread"}
	errNonText            = &apiError{status: http.StatusBadRequest, code: 50008, msg: "Cannot send messages in a non-text channel"}
	errEmpty              = &apiError{status: http.StatusBadRequest, code: 50006, msg: "Cannot send an empty message"}
	errNotAuthor          = &apiError{status: http.StatusForbidden, code: 50005, msg: "Cannot edit a message authored by another user"}
	errBadJSON            = &apiError{status: http.StatusBadRequest, code: 50109, msg: "The request body contains invalid JSON."}
	errTooManyHooks       = &apiError{status: http.StatusBadRequest, code: 30007, msg: "Maximum number of webhooks reached (15)"}
	errAcked              = &apiError{status: http.StatusBadRequest, code: 40060, msg: "Interaction has already been acknowledged."}
	errMissingPermissions = &apiError{status: http.StatusForbidden, code: 50013, msg: "Missing Permissions"}
	errThreadExists       = &apiError{status: http.StatusBadRequest, code: 160004, msg: "A thread has already been created for this message"}
	errUnknownEmoji       = &apiError{status: http.StatusBadRequest, code: 10014, msg: "Unknown Emoji"}
)
