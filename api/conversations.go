package api

import (
	"net/http"
	"strings"

	"cornershop/core"
)

func (s *server) listConversations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &query{r: r}
		cq := core.ConversationQuery{
			Status: core.Status(q.str("status", 20)), Assignee: core.StaffID(q.str("assignee", 200)),
			UpdatedSince: q.time("updated_since"), After: core.ConversationID(q.cursor("conversations")),
		}
		if cq.Status != "" && !cq.Status.Valid() {
			q.fail("status", "want open, waiting or closed")
		}
		if desk := q.str("desk", 200); desk != "" {
			platform, chat, ok := strings.Cut(desk, ":")
			cq.Desk = core.Place{Platform: core.PlatformName(platform), Chat: chat}
			if !ok || chat == "" || !cq.Desk.Platform.Valid() {
				q.fail("desk", "want <platform>:<channel>, e.g. slack:C0123")
			}
		}
		if v := q.str("contact_id", 20); v != "" {
			r2 := *r
			r2.SetPathValue("id", v)
			id, err := pathID(&r2)
			if err != nil {
				q.fail("contact_id", "want a positive whole number")
			}
			cq.Contact = core.ContactID(id)
		}
		limit := q.limit()
		if q.err != nil {
			s.fail(w, r, q.err, "")
			return
		}
		writePage(s, w, r, "conversations", limit, func(n int) ([]core.Conversation, error) {
			cq.Limit = n
			return s.o.Records.ListConversations(r.Context(), cq)
		}, toConversationJSON, func(c conversationJSON) int64 { return c.ID })
	})
}

// maxInline is how many messages GET /conversations/{id} includes; the
// rest are at /conversations/{id}/messages.
const maxInline = 100

func (s *server) getConversation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var out conversationJSON
		err = s.o.Store.InTx(r.Context(), func(tx core.Tx) error {
			c, err := tx.Conversation(core.ConversationID(id))
			if err != nil {
				return err
			}
			out = toConversationJSON(c)
			return nil
		})
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		ms, err := s.o.Records.ListMessages(r.Context(), core.MessageQuery{Conversation: core.ConversationID(id), Limit: maxInline})
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		out.Messages = make([]messageJSON, len(ms))
		for i, m := range ms {
			out.Messages[i] = toMessageJSON(m)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func (s *server) listMessages() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		q := &query{r: r}
		after := q.cursor("messages")
		limit := q.limit()
		if q.err != nil {
			s.fail(w, r, q.err, "")
			return
		}
		err = s.o.Store.InTx(r.Context(), func(tx core.Tx) error {
			_, err := tx.Conversation(core.ConversationID(id))
			return err
		})
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		writePage(s, w, r, "messages", limit, func(n int) ([]core.Message, error) {
			return s.o.Records.ListMessages(r.Context(), core.MessageQuery{Conversation: core.ConversationID(id), After: core.MessageID(after), Limit: n})
		}, toMessageJSON, func(m messageJSON) int64 { return m.ID })
	})
}

func (s *server) reply() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var body say
		if err := decode(w, r, &body); err != nil {
			s.fail(w, r, err, "")
			return
		}
		if err := body.check(); err != nil {
			s.fail(w, r, err, "")
			return
		}
		m, err := s.o.Operator.Reply(r.Context(), core.ConversationID(id), core.StaffID(body.StaffID), actor(r.Context()), body.Text)
		if err != nil {
			s.fail(w, r, err, "staff_id")
			return
		}
		writeJSON(w, http.StatusCreated, toMessageJSON(m))
	})
}
