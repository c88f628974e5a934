package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a request body; past it the answer is 413.
const maxBody = 1 << 20

// decode reads r's JSON body into v: at most maxBody bytes, one JSON
// value, no field v does not have. Errors are fieldErrors naming the
// field, or the *http.MaxBytesError.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return invalid("", "the body must be one JSON value")
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return err // over the limit after the value
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &typeErr):
		return invalid(typeErr.Field, fmt.Sprintf("want %s, got a JSON %s", typeErr.Type, typeErr.Value))
	case errors.As(err, &syntax):
		return invalid("", fmt.Sprintf("malformed JSON at byte %d", syntax.Offset))
	case errors.Is(err, io.EOF):
		return invalid("", "a JSON body is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("", "malformed JSON: the body ends too soon")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalid(strings.Trim(name, `"`), "unknown field")
	}
	return invalid("", "malformed JSON")
}

// query reads the URL's query parameters, checking each.
type query struct {
	r   *http.Request
	err error
}

func (q *query) fail(field, msg string) {
	if q.err == nil {
		q.err = invalid(field, msg)
	}
}

func (q *query) str(name string, max int) string {
	v := q.r.URL.Query().Get(name)
	if len(v) > max {
		q.fail(name, fmt.Sprintf("at most %d bytes", max))
		return ""
	}
	return v
}

func (q *query) time(name string) time.Time {
	v := q.r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		q.fail(name, "want an RFC 3339 time such as 2025-03-04T05:06:07Z")
	}
	return t
}

// Page sizes.
const (
	defaultLimit = 50
	maxLimit     = 100
)

func (q *query) limit() int {
	v := q.r.URL.Query().Get("limit")
	if v == "" {
		return defaultLimit
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		q.fail("limit", fmt.Sprintf("want a whole number from 1 to %d", maxLimit))
		return defaultLimit
	}
	return n
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n < 1 {
		return 0, invalid("id", "want a positive whole number")
	}
	return n, nil
}
