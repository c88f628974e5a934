package api

import (
	"cmp"
	"net/http"
	"slices"

	"cornershop/core"
)

// listAnswers is GET /answers. Without q it pages every answer by id with
// a cursor, like the other lists; the answers are a staff-written set, so
// the page is cut from the whole list read in one transaction. With q it
// is one page of the store's full-text search, best first, at most limit
// hits and no cursor. tag keeps answers carrying that tag.
func (s *server) listAnswers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &query{r: r}
		text, tag := q.str("q", 500), q.str("tag", 64)
		after, limit := q.cursor("answers"), q.limit()
		if text != "" && r.URL.Query().Has("cursor") {
			q.fail("cursor", "a search is one page, best first: drop the cursor or q")
		}
		if q.err != nil {
			s.fail(w, r, q.err, "")
			return
		}
		var out []answerJSON
		err := s.o.Store.InTx(r.Context(), func(tx core.Tx) error {
			out = nil
			if text != "" {
				hs, err := tx.SearchAnswers(core.AnswerQuery{Text: text, Limit: limit})
				for _, h := range hs {
					if tag == "" || core.HasTag(h.Answer.Tags, tag) {
						a := toAnswerJSON(h.Answer)
						a.Score = &h.Score
						out = append(out, a)
					}
				}
				return err
			}
			as, err := tx.Answers(0)
			for _, a := range as {
				if int64(a.ID) > after && (tag == "" || core.HasTag(a.Tags, tag)) {
					out = append(out, toAnswerJSON(a))
				}
			}
			return err
		})
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		if text != "" {
			if out == nil {
				out = []answerJSON{}
			}
			writeJSON(w, http.StatusOK, page[answerJSON]{Data: out})
			return
		}
		slices.SortFunc(out, func(a, b answerJSON) int { return cmp.Compare(a.ID, b.ID) })
		writeJSON(w, http.StatusOK, newPage("answers", out, limit, func(a answerJSON) int64 { return a.ID }))
	})
}

func (s *server) getAnswer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var out answerJSON
		err = s.o.Store.InTx(r.Context(), func(tx core.Tx) error {
			a, err := tx.Answer(core.AnswerID(id))
			out = toAnswerJSON(a)
			return err
		})
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}
