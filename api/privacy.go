package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"cornershop/core"
)

// Privacy exports and erases a contact (relay.Service does both).
type Privacy interface {
	// Export writes the contact's archive (a zip) to w; ErrNotFound for
	// an unknown contact.
	Export(ctx context.Context, id core.ContactID, w io.Writer) error
	// EraseContact erases the contact everywhere, as actor; ErrNotFound
	// for an unknown contact.
	EraseContact(ctx context.Context, id core.ContactID, actor string) (core.EraseReport, error)
}

// exportContact is GET /contacts/{id}/export: the archive, built whole
// before the first byte goes out so a failure is still an error status.
func (s *server) exportContact() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var buf bytes.Buffer
		if err := s.o.Privacy.Export(r.Context(), core.ContactID(id), &buf); err != nil {
			s.fail(w, r, err, "")
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="contact-%d-export.zip"`, id))
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(http.StatusOK)
		_, _ = buf.WriteTo(w)
	})
}

// erasure is the body of POST /contacts/{id}/erase: the contact's id
// again, so an erase is never one slip of a path away.
type erasure struct {
	Confirm int64 `json:"confirm"`
}

// erased is what an erase changed.
type erased struct {
	Contacts      []int64 `json:"contacts"`
	Conversations []int64 `json:"conversations"`
	DeskCopies    int     `json:"desk_copies"`
}

func (s *server) eraseContact() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var body erasure
		if err := decode(w, r, &body); err != nil {
			s.fail(w, r, err, "")
			return
		}
		if body.Confirm != id {
			s.fail(w, r, invalid("confirm", "repeat the contact's id to confirm the erase"), "")
			return
		}
		rep, err := s.o.Privacy.EraseContact(r.Context(), core.ContactID(id), actor(r.Context()))
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		out := erased{Contacts: []int64{}, Conversations: []int64{}, DeskCopies: len(rep.DeskCopies)}
		for _, c := range rep.Contacts {
			out.Contacts = append(out.Contacts, int64(c))
		}
		for _, c := range rep.Conversations {
			out.Conversations = append(out.Conversations, int64(c))
		}
		writeJSON(w, http.StatusOK, out)
	})
}
