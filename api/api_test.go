package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/core"
)

// TestAuth: without a token, with a wrong one, and with too small a scope,
// on every kind of route; the document itself needs none.
func TestAuth(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		routes := []struct {
			method, path string
			scope        string
			body         any
		}{
			{"GET", "/contacts", "read", nil},
			{"GET", "/contacts/1", "read", nil},
			{"PATCH", "/contacts/1", "write", map[string]any{"tags": []string{"x"}}},
			{"POST", "/contacts/1/messages", "write", map[string]any{"staff_id": "alice", "text": "hi"}},
			{"GET", "/conversations", "read", nil},
			{"GET", "/conversations/1", "read", nil},
			{"GET", "/conversations/1/messages", "read", nil},
			{"POST", "/conversations/1/replies", "write", map[string]any{"staff_id": "alice", "text": "hi"}},
			{"GET", "/ideas", "read", nil},
			{"GET", "/ideas/1", "read", nil},
			{"POST", "/ideas/1/status", "write", map[string]any{"staff_id": "mo", "status": "planned"}},
			{"GET", "/audit", "admin", nil},
		}
		for _, r := range routes {
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				h.t = t
				res := h.want(http.StatusUnauthorized, call{method: r.method, path: r.path, body: r.body})
				if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") || res.err(t).Code != "unauthorized" {
					t.Errorf("missing token: %v %s", res.header, res.body)
				}
				res = h.want(http.StatusUnauthorized, call{method: r.method, path: r.path, body: r.body, token: readSecret + "x"})
				if !strings.Contains(res.header.Get("WWW-Authenticate"), "invalid_token") {
					t.Errorf("wrong token: WWW-Authenticate %q", res.header.Get("WWW-Authenticate"))
				}
				under := map[string]string{"write": readSecret, "admin": writeSecret}[r.scope]
				if under != "" {
					if e := h.want(http.StatusForbidden, call{method: r.method, path: r.path, body: r.body, token: under}).err(t); e.Code != "forbidden" || !strings.Contains(e.Message, r.scope) {
						t.Errorf("insufficient scope: %+v", e)
					}
				}
			})
		}
		h.t = t
		h.want(http.StatusOK, call{method: "GET", path: "/openapi.json"})
	})
}

// TestContactsPagination: pages by cursor with contacts inserted between
// pages: every contact once, in order; the cursor of one list is refused
// by another; search, platform and tag filters.
func TestContactsPagination(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		want := h.seedContacts("Pat", 5)
		var got []int64
		cursor := ""
		for page := 0; page < 20; page++ {
			var p struct {
				Data       []struct{ ID int64 }
				NextCursor string `json:"next_cursor"`
				HasMore    bool   `json:"has_more"`
			}
			h.want(http.StatusOK, call{method: "GET", path: "/contacts?limit=2&platform=telegram&cursor=" + cursor, token: readSecret}).decode(t, &p)
			for _, c := range p.Data {
				got = append(got, c.ID)
			}
			if page < 3 {
				want = append(want, h.seedContacts(fmt.Sprintf("New%d", page), 1)...)
			}
			if !p.HasMore && page >= 3 {
				break
			}
			cursor = p.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged %v, want %v", got, want)
		}
		var conv struct {
			NextCursor string `json:"next_cursor"`
		}
		h.want(http.StatusOK, call{method: "GET", path: "/conversations", token: readSecret}).decode(t, &conv)
		if e := h.want(http.StatusBadRequest, call{method: "GET", path: "/contacts?cursor=" + encodeOther(), token: readSecret}).err(t); e.Field != "cursor" {
			t.Errorf("foreign cursor: %+v", e)
		}
		var found struct{ Data []struct{ Name string } }
		h.want(http.StatusOK, call{method: "GET", path: "/contacts?q=new1", token: readSecret}).decode(t, &found)
		if len(found.Data) != 1 || found.Data[0].Name != "New1 1" {
			t.Errorf("q=new1 found %+v", found.Data)
		}
		h.want(http.StatusOK, call{method: "GET", path: "/contacts?q=%22%29%28NEAR%2A", token: readSecret}) // query syntax is only text
	})
}

// encodeOther is a cursor of another list (conversations, id 1).
func encodeOther() string { return "djE6Y29udmVyc2F0aW9uczox" }

// TestContactGetAndPatch: fields and tags change through the relay, are
// audited, and show on GET; bad bodies get 400 with the field's path.
func TestContactGetAndPatch(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		ids := h.seedContacts("Kim", 1)
		path := fmt.Sprintf("/contacts/%d", ids[0])
		var c struct {
			Name   string
			Tags   []string
			Fields map[string]string
		}
		h.want(http.StatusOK, call{method: "PATCH", path: path, token: writeSecret, body: map[string]any{"fields": map[string]string{"plan": "Pro", "city": "Lyon"}, "tags": []string{"VIP", "#beta", "vip"}}}).decode(t, &c)
		if c.Fields["plan"] != "Pro" || !slices.Equal(c.Tags, []string{"vip", "beta"}) {
			t.Errorf("after patch: %+v", c)
		}
		h.want(http.StatusOK, call{method: "PATCH", path: path, token: writeSecret, body: map[string]any{"fields": map[string]string{"city": ""}}})
		c.Fields = nil
		h.want(http.StatusOK, call{method: "GET", path: path, token: readSecret}).decode(t, &c)
		if _, ok := c.Fields["city"]; ok || c.Fields["plan"] != "Pro" || c.Name != "Kim 1" {
			t.Errorf("get: %+v", c)
		}
		var tagged struct{ Data []struct{ ID int64 } }
		h.want(http.StatusOK, call{method: "GET", path: "/contacts?tag=VIP", token: readSecret}).decode(t, &tagged)
		if len(tagged.Data) != 1 || tagged.Data[0].ID != ids[0] {
			t.Errorf("tag filter: %+v", tagged)
		}
		var found struct{ Data []struct{ ID int64 } }
		h.want(http.StatusOK, call{method: "GET", path: "/contacts?q=pro", token: readSecret}).decode(t, &found)
		if len(found.Data) != 1 {
			t.Errorf("profile value search: %+v", found)
		}
		var audit struct {
			Data []struct{ Actor, Action, Object string }
		}
		h.want(http.StatusOK, call{method: "GET", path: "/audit?action=profile", token: adminSecret}).decode(t, &audit)
		if len(audit.Data) != 3 || audit.Data[0].Actor != "api:crm" || audit.Data[0].Object != fmt.Sprintf("contact#%d", ids[0]) {
			t.Errorf("audit: %+v", audit)
		}

		bad := []struct {
			name    string
			body    any
			status  int
			field   string
			invalid bool
		}{
			{"unknown field", `{"tags": [], "nmae": "x"}`, 400, "nmae", true},
			{"tag with a space", map[string]any{"tags": []string{"ok", "two words"}}, 400, "tags[1]", false},
			{"empty tag", map[string]any{"tags": []string{""}}, 400, "tags[0]", false},
			{"tags not a list", `{"tags": "vip"}`, 400, "tags", true},
			{"field value not a string", `{"fields": {"plan": 3}}`, 400, "fields", true},
			{"field too long", map[string]any{"fields": map[string]string{"plan": strings.Repeat("x", 501)}}, 400, "fields.plan", true},
			{"field name too long", map[string]any{"fields": map[string]string{strings.Repeat("k", 41): "x"}}, 400, "fields", false},
			{"malformed", `{"tags": [`, 400, "", true},
			{"not json", `hello`, 400, "", true},
			{"two values", `{} {}`, 400, "", true},
			{"empty body", ``, 400, "", true},
			{"huge", `{"fields": {"plan": "` + strings.Repeat("x", 2<<20) + `"}}`, 413, "", true},
		}
		for _, b := range bad {
			t.Run(b.name, func(t *testing.T) {
				h.t = t
				e := h.want(b.status, call{method: "PATCH", path: path, token: writeSecret, body: b.body, invalid: b.invalid}).err(t)
				if e.Field != b.field || e.Message == "" {
					t.Errorf("error %+v, want field %q", e, b.field)
				}
			})
		}
		h.t = t
		h.want(http.StatusNotFound, call{method: "GET", path: "/contacts/999999", token: readSecret})
		h.want(http.StatusNotFound, call{method: "PATCH", path: "/contacts/999999", token: writeSecret, body: map[string]any{"tags": []string{}}})
		for _, p := range []string{"/contacts/abc", "/contacts/0", "/contacts/99999999999999999999"} {
			if e := h.want(http.StatusBadRequest, call{method: "GET", path: p, token: readSecret, invalid: true}).err(t); e.Field != "id" {
				t.Errorf("%s: %+v", p, e)
			}
		}
		for _, q := range []string{"limit=0", "limit=101", "limit=x", "platform=icq", "updated_since=yesterday", "cursor=!!!", "cursor=djE6Y29udGFjdHM6LTE"} {
			name, _, _ := strings.Cut(q, "=")
			if e := h.want(http.StatusBadRequest, call{method: "GET", path: "/contacts?" + q, token: readSecret, invalid: true}).err(t); e.Field != name {
				t.Errorf("%s: %+v", q, e)
			}
		}
	})
}

// TestReplyReachesTelegramCustomer: a reply through the API leaves like
// one typed in the desk: in the staff member's voice (on Telegram, a
// signature line), shown in the desk topic, audited; and the
// conversation, its messages and the lists show it.
func TestReplyReachesTelegramCustomer(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		conv := h.customerWrites("Where is my order?")
		path := fmt.Sprintf("/conversations/%d/replies", conv.ID)
		var m struct {
			ID        int64
			Direction string
			Author    string
		}
		h.want(http.StatusCreated, call{method: "POST", path: path, token: writeSecret, body: map[string]string{"staff_id": "alice", "text": "It ships <today>!"}}).decode(t, &m)
		if m.Direction != "reply" || m.Author != "staff:alice" {
			t.Errorf("reply = %+v", m)
		}
		bottest.Eventually(t, wait, "the reply at the customer", func() bool {
			for _, got := range h.fake.BotMessages(h.customer.ID, 0) {
				if got.Text == "Alice Martin · Support\nIt ships <today>!" {
					return true
				}
			}
			return false
		})
		th := 0
		fmt.Sscan(conv.Desk.Thread, &th)
		bottest.Eventually(t, wait, "the reply shown in the desk topic", func() bool {
			for _, got := range h.fake.BotMessages(h.desk.ID, th) {
				if strings.Contains(got.Text, "It ships <today>!") {
					return true
				}
			}
			return false
		})
		var full struct {
			Status   string
			Messages []struct{ Direction, Text string }
		}
		h.want(http.StatusOK, call{method: "GET", path: fmt.Sprintf("/conversations/%d", conv.ID), token: readSecret}).decode(t, &full)
		if full.Status != "waiting" || len(full.Messages) < 2 || full.Messages[0].Text != "Where is my order?" {
			t.Errorf("conversation = %+v", full)
		}
		var msgs struct {
			Data       []struct{ ID int64 }
			NextCursor string `json:"next_cursor"`
		}
		h.want(http.StatusOK, call{method: "GET", path: fmt.Sprintf("/conversations/%d/messages?limit=1", conv.ID), token: readSecret}).decode(t, &msgs)
		first := msgs.Data[0].ID
		h.want(http.StatusOK, call{method: "GET", path: fmt.Sprintf("/conversations/%d/messages?limit=1&cursor=%s", conv.ID, msgs.NextCursor), token: readSecret}).decode(t, &msgs)
		if len(msgs.Data) != 1 || msgs.Data[0].ID <= first {
			t.Errorf("second page %+v after %d", msgs, first)
		}
		var list struct{ Data []struct{ ID int64 } }
		h.want(http.StatusOK, call{method: "GET", path: fmt.Sprintf("/conversations?status=waiting&contact_id=%d&desk=telegram:%d", conv.ContactID, h.desk.ID), token: readSecret}).decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != int64(conv.ID) {
			t.Errorf("filtered conversations = %+v", list)
		}
		h.want(http.StatusOK, call{method: "GET", path: "/conversations?status=open", token: readSecret}).decode(t, &list)
		if len(list.Data) != 0 {
			t.Errorf("open conversations = %+v", list)
		}
		var audit struct {
			Data []struct{ Actor, Detail string }
		}
		h.want(http.StatusOK, call{method: "GET", path: fmt.Sprintf("/audit?action=reply&object=conversation%%23%d", conv.ID), token: adminSecret}).decode(t, &audit)
		if len(audit.Data) != 1 || audit.Data[0].Actor != "staff:alice" || !strings.Contains(audit.Data[0].Detail, "api:crm") {
			t.Errorf("audit = %+v", audit)
		}

		for _, b := range []struct {
			name   string
			path   string
			body   any
			status int
			field  string
		}{
			{"unknown staff", path, map[string]string{"staff_id": "nobody", "text": "hi"}, 400, "staff_id"},
			{"no staff", path, `{"text": "hi"}`, 400, "staff_id"},
			{"blank text", path, map[string]string{"staff_id": "alice", "text": "   "}, 400, "text"},
			{"text too long", path, map[string]string{"staff_id": "alice", "text": strings.Repeat("é", 10001)}, 400, "text"},
			{"unknown field", path, `{"staff_id": "alice", "text": "hi", "as_team": true}`, 400, "as_team"},
			{"unknown conversation", "/conversations/999999/replies", map[string]string{"staff_id": "alice", "text": "hi"}, 404, ""},
		} {
			t.Run(b.name, func(t *testing.T) {
				h.t = t
				e := h.want(b.status, call{method: "POST", path: b.path, token: writeSecret, body: b.body, invalid: b.status == 400 && b.field != "staff_id" || b.name == "no staff"}).err(t)
				if e.Field != b.field {
					t.Errorf("error %+v, want field %q", e, b.field)
				}
			})
		}
	})
}

// TestOutreach: writing first reaches a Telegram customer who started the
// bot (in their open conversation, or a new one once it is closed) and is
// refused, with the platform's reason, for a contact who never wrote.
func TestOutreach(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		conv := h.customerWrites("hello")
		err := h.store().InTx(context.Background(), func(tx core.Tx) error {
			closed := core.StatusClosed
			at := conv.CreatedAt.Add(-48 * 3600e9)
			return tx.UpdateConversation(conv.ID, core.ConversationPatch{Status: &closed, ClosedAt: &at}, conv.CreatedAt)
		})
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Conversation struct {
				ID     int64
				Status string
			}
			Message struct{ Text string }
		}
		h.want(http.StatusCreated, call{method: "POST", path: fmt.Sprintf("/contacts/%d/messages", conv.ContactID), token: writeSecret, body: map[string]string{"staff_id": "alice", "text": "Your refund is done."}}).decode(t, &res)
		if res.Conversation.ID == int64(conv.ID) || res.Conversation.Status != "waiting" {
			t.Errorf("outreach opened %+v, want a new conversation after closed %d", res.Conversation, conv.ID)
		}
		bottest.Eventually(t, wait, "the first message at the customer", func() bool {
			for _, got := range h.fake.BotMessages(h.customer.ID, 0) {
				if got.Text == "Alice Martin · Support\nYour refund is done." {
					return true
				}
			}
			return false
		})
		bottest.Eventually(t, wait, "a desk topic for the new conversation", func() bool {
			return len(h.fake.Topics(h.desk.ID)) == 2
		})
		stranger := h.seedContacts("Stranger", 1)[0]
		e := h.want(http.StatusUnprocessableEntity, call{method: "POST", path: fmt.Sprintf("/contacts/%d/messages", stranger), token: writeSecret, body: map[string]string{"staff_id": "alice", "text": "hi"}}).err(t)
		if e.Code != "platform_refuses" || !strings.Contains(e.Message, "Telegram") {
			t.Errorf("stranger: %+v", e)
		}
		h.want(http.StatusNotFound, call{method: "POST", path: "/contacts/999999/messages", token: writeSecret, body: map[string]string{"staff_id": "alice", "text": "hi"}})
		if err := h.store().InTx(context.Background(), func(tx core.Tx) error { return tx.SetContactBlocked(conv.ContactID, true) }); err != nil {
			t.Fatal(err)
		}
		if e := h.want(http.StatusForbidden, call{method: "POST", path: fmt.Sprintf("/contacts/%d/messages", conv.ContactID), token: writeSecret, body: map[string]string{"staff_id": "alice", "text": "hi"}}).err(t); !strings.Contains(e.Message, "blocked") {
			t.Errorf("blocked contact: %+v", e)
		}
	})
}

// TestIdeas: list and get; a status change as a moderator runs the same
// moderation as "!idea N status" (card, audit, the said line), and is
// refused for an agent.
func TestIdeas(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		conv := h.customerWrites("hello")
		var idea core.Idea
		err := h.store().InTx(context.Background(), func(tx core.Tx) error {
			idea = core.Idea{Title: "Dark mode", Body: "please", Status: core.IdeaNew, Author: conv.ContactID, AuthorName: "Carla",
				Origin: core.Place{Platform: core.Telegram, Chat: id(h.customer.ID)}, SourceID: "src1", CreatedAt: conv.CreatedAt, UpdatedAt: conv.CreatedAt}
			return tx.CreateIdea(&idea)
		})
		if err != nil {
			t.Fatal(err)
		}
		var list struct{ Data []struct{ ID int64 } }
		h.want(http.StatusOK, call{method: "GET", path: "/ideas?order=new", token: readSecret}).decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != int64(idea.ID) {
			t.Errorf("ideas = %+v", list)
		}
		path := fmt.Sprintf("/ideas/%d", idea.ID)
		h.want(http.StatusOK, call{method: "GET", path: path, token: readSecret})
		e := h.want(http.StatusForbidden, call{method: "POST", path: path + "/status", token: writeSecret, body: map[string]string{"staff_id": "alice", "status": "planned"}}).err(t)
		if !strings.Contains(e.Message, "moderator") {
			t.Errorf("agent: %+v", e)
		}
		var res struct {
			Idea struct{ Status, Message string }
			Said string
		}
		h.want(http.StatusOK, call{method: "POST", path: path + "/status", token: writeSecret, body: map[string]string{"staff_id": "mo", "status": "planned", "message": "Next month."}}).decode(t, &res)
		if res.Idea.Status != "planned" || res.Idea.Message != "Next month." || !strings.Contains(res.Said, "Idea #") {
			t.Errorf("status change = %+v", res)
		}
		var audit struct {
			Data []struct{ Actor, Detail string }
		}
		h.want(http.StatusOK, call{method: "GET", path: "/audit?action=idea.status", token: adminSecret}).decode(t, &audit)
		if len(audit.Data) != 1 || audit.Data[0].Actor != "staff:mo" || !strings.HasSuffix(audit.Data[0].Detail, "(via api:crm)") {
			t.Errorf("audit = %+v", audit)
		}
		for _, b := range []struct {
			body  string
			field string
		}{
			{`{"staff_id": "mo", "status": "duplicate"}`, "status"},
			{`{"staff_id": "mo", "status": "shipped"}`, "status"},
			{`{"status": "done"}`, "staff_id"},
			{`{"staff_id": "mo", "status": "done", "extra": 1}`, "extra"},
		} {
			if e := h.want(http.StatusBadRequest, call{method: "POST", path: path + "/status", token: writeSecret, body: b.body, invalid: b.field != "status" || strings.Contains(b.body, "shipped")}).err(t); e.Field != b.field {
				t.Errorf("%s: %+v", b.body, e)
			}
		}
		h.want(http.StatusNotFound, call{method: "POST", path: "/ideas/999999/status", token: writeSecret, body: map[string]string{"staff_id": "mo", "status": "done"}})
		h.want(http.StatusNotFound, call{method: "GET", path: "/ideas/999999", token: readSecret})
		h.want(http.StatusBadRequest, call{method: "GET", path: "/ideas?order=worst", token: readSecret, invalid: true})
	})
}
