package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"cornershop/core"
)

func (s *server) listIdeas() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &query{r: r}
		f := core.IdeaFilter{Order: core.IdeaOrder(q.str("order", 10)), Limit: q.limit()}
		if f.Order == "" {
			f.Order = core.IdeasTop
		}
		if f.Order != core.IdeasTop && f.Order != core.IdeasNew {
			q.fail("order", "want top or new")
		}
		if st := core.IdeaStatus(q.str("status", 20)); st != "" {
			if !st.Valid() {
				q.fail("status", "not an idea status")
			}
			f.Statuses = []core.IdeaStatus{st}
		}
		if q.err != nil {
			s.fail(w, r, q.err, "")
			return
		}
		is, err := s.o.Ideas.Ideas(r.Context(), f)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		out := make([]ideaJSON, len(is))
		for i, idea := range is {
			out[i] = toIdeaJSON(idea)
		}
		writeJSON(w, http.StatusOK, page[ideaJSON]{Data: out})
	})
}

func (s *server) idea(r *http.Request, id core.IdeaID) (ideaJSON, error) {
	var out ideaJSON
	err := s.o.Store.InTx(r.Context(), func(tx core.Tx) error {
		i, err := tx.Idea(id)
		out = toIdeaJSON(i)
		return err
	})
	return out, err
}

func (s *server) getIdea() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		i, err := s.idea(r, core.IdeaID(id))
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		writeJSON(w, http.StatusOK, i)
	})
}

// ideaStatus is POST /ideas/{id}/status.
type ideaStatus struct {
	StaffID string `json:"staff_id"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// statusResult is the idea after the change and what the desk was told.
type statusResult struct {
	Idea ideaJSON `json:"idea"`
	Said string   `json:"said"`
}

func (s *server) setIdeaStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var body ideaStatus
		if err := decode(w, r, &body); err != nil {
			s.fail(w, r, err, "")
			return
		}
		st := core.IdeaStatus(body.Status)
		switch {
		case strings.TrimSpace(body.StaffID) == "":
			err = invalid("staff_id", "required: the moderator who decides")
		case !st.Valid() || st == core.IdeaDuplicate:
			err = invalid("status", "want new, under_review, planned, in_progress, done or declined (merge duplicates in the chat)")
		case utf8.RuneCountInString(body.Message) > 1000:
			err = invalid("message", "at most 1000 characters")
		}
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		said, err := s.o.Operator.SetIdeaStatus(r.Context(), core.IdeaID(id), core.StaffID(body.StaffID), actor(r.Context()), st, strings.TrimSpace(body.Message))
		if err != nil {
			s.fail(w, r, err, "staff_id")
			return
		}
		i, err := s.idea(r, core.IdeaID(id))
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		writeJSON(w, http.StatusOK, statusResult{Idea: i, Said: said})
	})
}
