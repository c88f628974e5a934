package api

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"cornershop/core"
)

func (s *server) listContacts() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &query{r: r}
		cq := core.ContactQuery{
			Text: q.str("q", 500), Platform: core.PlatformName(q.str("platform", 20)), Tag: q.str("tag", 64),
			UpdatedSince: q.time("updated_since"), After: core.ContactID(q.cursor("contacts")),
		}
		limit := q.limit()
		if cq.Platform != "" && !cq.Platform.Valid() {
			q.fail("platform", "want telegram, slack or discord")
		}
		if q.err != nil {
			s.fail(w, r, q.err, "")
			return
		}
		writePage(s, w, r, "contacts", limit, func(n int) ([]core.Contact, error) {
			cq.Limit = n
			return s.o.Records.ListContacts(r.Context(), cq)
		}, toContactJSON, func(c contactJSON) int64 { return c.ID })
	})
}

// contact reads one contact with its profile fields.
func (s *server) contact(r *http.Request, id core.ContactID) (contactJSON, error) {
	var out contactJSON
	err := s.o.Store.InTx(r.Context(), func(tx core.Tx) error {
		c, err := tx.Contact(id)
		if err != nil {
			return err
		}
		fs, err := tx.ContactFields(id)
		if err != nil {
			return err
		}
		out = toContactJSON(c)
		out.Fields = map[string]string{}
		for _, f := range fs {
			out.Fields[f.Key] = f.Value
		}
		return nil
	})
	return out, err
}

func (s *server) getContact() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		c, err := s.contact(r, core.ContactID(id))
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
}

// contactPatch is PATCH /contacts/{id}: fields to set ("" removes one)
// and, when present, the whole new list of tags.
type contactPatch struct {
	Fields map[string]string `json:"fields"`
	Tags   *[]string         `json:"tags"`
}

// Bounds on what a contact may hold.
const (
	maxTags       = 50
	maxTag        = 64
	maxFields     = 50
	maxFieldKey   = 40  // bytes, as "!profile" allows
	maxFieldValue = 500 // bytes
)

func (p contactPatch) check() (core.ContactPatch, error) {
	var out core.ContactPatch
	if len(p.Fields) > maxFields {
		return out, invalid("fields", fmt.Sprintf("at most %d fields at once", maxFields))
	}
	for k, v := range p.Fields {
		switch {
		case strings.TrimSpace(k) == "" || len(k) > maxFieldKey || !utf8.ValidString(k):
			return out, invalid("fields", fmt.Sprintf("a field name must be 1 to %d bytes", maxFieldKey))
		case len(v) > maxFieldValue || !utf8.ValidString(v):
			return out, invalid("fields."+k, fmt.Sprintf("at most %d bytes of UTF-8", maxFieldValue))
		}
		out.Fields = append(out.Fields, core.Field{Key: k, Value: v})
	}
	if p.Tags != nil {
		if len(*p.Tags) > maxTags {
			return out, invalid("tags", fmt.Sprintf("at most %d tags", maxTags))
		}
		tags := []string{}
		for i, t := range *p.Tags {
			t = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(t, "#")))
			if t == "" || utf8.RuneCountInString(t) > maxTag || strings.ContainsAny(t, " ,\n\t") {
				return out, invalid(fmt.Sprintf("tags[%d]", i), fmt.Sprintf("a tag is one word of 1 to %d characters", maxTag))
			}
			if !core.HasTag(tags, t) {
				tags = append(tags, t)
			}
		}
		out.Tags = &tags
	}
	return out, nil
}

func (s *server) patchContact() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		var body contactPatch
		if err := decode(w, r, &body); err != nil {
			s.fail(w, r, err, "")
			return
		}
		p, err := body.check()
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		if err := s.o.Operator.UpdateContact(r.Context(), core.ContactID(id), actor(r.Context()), p); err != nil {
			s.fail(w, r, err, "")
			return
		}
		c, err := s.contact(r, core.ContactID(id))
		if err != nil {
			s.fail(w, r, err, "")
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
}

// say is a body that speaks as a staff member: a reply or a first message.
type say struct {
	StaffID string `json:"staff_id"`
	Text    string `json:"text"`
}

// maxText bounds a message (platforms split long ones).
const maxText = 10000

func (b say) check() error {
	switch {
	case strings.TrimSpace(b.StaffID) == "":
		return invalid("staff_id", "required: who speaks")
	case strings.TrimSpace(b.Text) == "":
		return invalid("text", "required")
	case !utf8.ValidString(b.Text):
		return invalid("text", "not valid UTF-8")
	case utf8.RuneCountInString(b.Text) > maxText:
		return invalid("text", fmt.Sprintf("at most %d characters", maxText))
	}
	return nil
}

// reachResult is what POST /contacts/{id}/messages returns.
type reachResult struct {
	Conversation conversationJSON `json:"conversation"`
	Message      messageJSON      `json:"message"`
}

func (s *server) reachContact() http.Handler {
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
		conv, m, err := s.o.Operator.Reach(r.Context(), core.ContactID(id), core.StaffID(body.StaffID), actor(r.Context()), body.Text)
		if err != nil {
			s.fail(w, r, err, "staff_id")
			return
		}
		writeJSON(w, http.StatusCreated, reachResult{Conversation: toConversationJSON(conv), Message: toMessageJSON(m)})
	})
}
