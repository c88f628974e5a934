package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// A cursor is opaque to clients: base64url of "v1:<list>:<id>", where id
// is the last record of the page before. Lists are ordered by id, so a
// record inserted while a client pages (a higher id) comes on a later
// page and none is skipped or repeated. Naming the list stops a cursor
// from one list being used on another.

func encodeCursor(list string, after int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + list + ":" + strconv.FormatInt(after, 10)))
}

// decodeCursor reads the cursor query parameter of list (0 without one).
func (q *query) cursor(list string) int64 {
	v := q.r.URL.Query().Get("cursor")
	if v == "" {
		return 0
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		q.fail("cursor", "not a cursor this API gave")
		return 0
	}
	rest, ok := strings.CutPrefix(string(raw), "v1:"+list+":")
	n, err := strconv.ParseInt(rest, 10, 64)
	if !ok || err != nil || n < 0 {
		q.fail("cursor", "not a cursor of this list")
		return 0
	}
	return n
}

// page is a list response: the records and where to go on. NextCursor is
// set whenever the page is not empty, so a client can come back later for
// records added since; HasMore says whether more are there now.
type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
	HasMore    bool   `json:"has_more"`
}

// newPage trims items (fetched limit+1) to limit and sets the cursor from
// the last one's id.
func newPage[T any](list string, items []T, limit int, id func(T) int64) page[T] {
	p := page[T]{Data: items}
	if len(items) > limit {
		p.Data, p.HasMore = items[:limit], true
	}
	if p.Data == nil {
		p.Data = []T{}
	}
	if len(p.Data) > 0 {
		p.NextCursor = encodeCursor(list, id(p.Data[len(p.Data)-1]))
	}
	return p
}

// writePage answers a list request: read gets up to n records (limit+1,
// the one past the limit saying there are more), each is shown with
// toJSON, and the page of list with its cursor is written.
func writePage[T, J any](s *server, w http.ResponseWriter, r *http.Request, list string, limit int,
	read func(n int) ([]T, error), toJSON func(T) J, id func(J) int64) {
	items, err := read(limit + 1)
	if err != nil {
		s.fail(w, r, err, "")
		return
	}
	out := make([]J, len(items))
	for i, it := range items {
		out[i] = toJSON(it)
	}
	writeJSON(w, http.StatusOK, newPage(list, out, limit, id))
}
