package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/core"
	"cornershop/core/relay"
)

const wait = 30 * time.Second

type world struct {
	fake                 *slackfake.Server
	desk, shared         slackfake.Channel
	alice, bob, customer slackfake.User
	events               *httptest.Server // events mode: cornershop's HTTP side
	handler              http.Handler
}

func newWorld(t *testing.T, eventsMode bool) *world {
	t.Helper()
	w := &world{}
	o := slackfake.Options{}
	if eventsMode {
		w.events = httptest.NewServer(http.StripPrefix("/slack", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if w.handler == nil {
				http.Error(rw, "not ready", http.StatusServiceUnavailable)
				return
			}
			w.handler.ServeHTTP(rw, r)
		})))
		t.Cleanup(w.events.Close)
		o.EventsURL = w.events.URL + "/slack/events"
	}
	fake, err := slackfake.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	w.fake = fake
	w.desk, w.alice, w.bob, w.customer, w.shared = fake.SeedDemo()
	return w
}

func (w *world) bot(t *testing.T) *slack.Bot {
	t.Helper()
	o := slack.Options{BotToken: w.fake.BotToken(), AppToken: w.fake.AppToken(), APIURL: w.fake.APIURL(),
		DeskChannels: []string{w.desk.ID}, CustomerChannels: []string{w.shared.ID}}
	if w.events != nil {
		o.Mode, o.SigningSecret = "events", w.fake.SigningSecret()
	}
	b, err := slack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if w.events != nil {
		w.handler = b.Handler()
	}
	return b
}

type harness struct {
	w   *world
	bot *slack.Bot
}

func (h *harness) Platform() core.Platform { return h.bot }
func (h *harness) Desk() core.Place        { return core.Place{Platform: core.Slack, Chat: h.w.desk.ID} }
func (h *harness) StaffUserID() string     { return h.w.alice.ID }

func (h *harness) CustomerWrites(t testing.TB, text string) (core.Place, string, string) {
	m, err := h.w.fake.Post(h.w.shared.ID, h.w.customer, text, "")
	if err != nil {
		t.Fatal(err)
	}
	return core.Place{Platform: core.Slack, Chat: h.w.shared.ID}, h.w.customer.ID, m.TS
}

func (h *harness) StaffWrites(t testing.TB, thread core.Place, text string) string {
	m, err := h.w.fake.Post(thread.Chat, h.w.alice, text, thread.Thread)
	if err != nil {
		t.Fatal(err)
	}
	return m.TS
}

func (h *harness) StaffEdits(t testing.TB, thread core.Place, id, text string) {
	if err := h.w.fake.Edit(thread.Chat, id, text); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) StaffDeletes(t testing.TB, thread core.Place, id string) bool {
	if err := h.w.fake.Delete(thread.Chat, id); err != nil {
		t.Fatal(err)
	}
	return true
}

func (h *harness) Shown(t testing.TB, place core.Place) []bottest.Shown {
	var out []bottest.Shown
	for _, m := range h.w.fake.BotMessages(place.Chat, place.Thread) {
		out = append(out, bottest.Shown{ID: m.TS, Author: m.Username, Text: m.Text, Deleted: m.Deleted})
	}
	return out
}

func (h *harness) RateLimitNext(d time.Duration) {
	h.w.fake.RateLimitNext("chat.postMessage", 1, int(d/time.Second))
}

func TestContractSocketMode(t *testing.T) {
	w := newWorld(t, false)
	bottest.Contract(t, &harness{w: w, bot: w.bot(t)})
}

func TestContractEventsAPI(t *testing.T) {
	w := newWorld(t, true)
	bottest.Contract(t, &harness{w: w, bot: w.bot(t)})
}

func relayConfig(w *world) relay.Config {
	return relay.Config{
		Team: core.Voice{Name: "Acme Support", AvatarURL: "https://example.com/acme.png", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: core.Place{Platform: core.Slack, Chat: w.desk.ID}}},
		Staff: []core.Staff{{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support", AvatarURL: "https://example.com/alice.png"},
			Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{core.Slack: w.alice.ID}}},
	}
}

func conv(t *testing.T, s *bottest.Stack, w *world) core.Conversation {
	t.Helper()
	var c core.Conversation
	bottest.Eventually(t, wait, "a desk thread", func() bool {
		got, ok := s.Conversation(t, core.Slack, w.customer.ID, core.Place{Platform: core.Slack, Chat: w.shared.ID})
		c = got
		return ok && c.Desk.Thread != ""
	})
	return c
}

func TestSlackConnectCustomerHearsStaffVoice(t *testing.T) {
	w := newWorld(t, false)
	s := bottest.Start(t, relayConfig(w), w.bot(t))
	first, err := w.fake.Post(w.shared.ID, w.customer, "<!channel> our invoices are wrong", "")
	if err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	bottest.Eventually(t, wait, "card and copy in the desk thread", func() bool { return len(w.fake.BotMessages(w.desk.ID, c.Desk.Thread)) == 2 })
	thread := w.fake.BotMessages(w.desk.ID, c.Desk.Thread)
	if !strings.Contains(thread[0].Blocks, "Dana from Globex") || !strings.Contains(thread[0].Blocks, "cornershop:close") {
		t.Errorf("card blocks = %s", thread[0].Blocks)
	}
	if thread[1].Text != "@channel our invoices are wrong" || thread[1].Username != "Dana from Globex" || thread[1].IconURL != "https://example.com/dana.png" {
		t.Errorf("customer copy = %+v (want plain text, her name and face)", thread[1])
	}
	if _, err := w.fake.Post(w.desk.ID, w.alice, "Checking <now> & fixing", c.Desk.Thread); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the reply in the shared channel", func() bool { return len(w.fake.BotMessages(w.shared.ID, "")) == 1 })
	got := w.fake.BotMessages(w.shared.ID, "")[0]
	if got.Username != "Alice Martin (Support)" || got.IconURL != "https://example.com/alice.png" || got.ThreadTS != first.TS || got.Text != "Checking &lt;now&gt; &amp; fixing" {
		t.Errorf("reply = %+v", got)
	}
	// The card's Close button closes the conversation and the card shows it.
	if _, err := w.fake.Click(w.desk.ID, c.Desk.Thread, w.alice, "cornershop:close", ""); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the card showing closed", func() bool {
		root := w.fake.BotMessages(w.desk.ID, c.Desk.Thread)[0]
		return strings.Contains(root.Blocks, "closed") && strings.Contains(root.Blocks, "cornershop:reopen")
	})
}

func TestForgedOrStaleSignatureRefused(t *testing.T) {
	w := newWorld(t, true)
	bot := w.bot(t)
	s := bottest.Start(t, relayConfig(w), bot)
	body := `{"type":"event_callback","team_id":"T00001","event_id":"EvFORGED","event":{"type":"message","channel":"` + w.shared.ID + `","channel_type":"channel","user":"` + w.customer.ID + `","text":"forged","ts":"1700000000.000100"}}`
	now := time.Now().Unix()
	for _, tc := range []struct {
		name string
		ts   int64
		sig  string
	}{
		{"no signature", now, ""},
		{"wrong secret", now, slackfake.Sign("not-the-secret", strconv.FormatInt(now, 10), []byte(body))},
		{"stale", now - 600, slackfake.Sign(w.fake.SigningSecret(), strconv.FormatInt(now-600, 10), []byte(body))},
	} {
		req, _ := http.NewRequest(http.MethodPost, w.events.URL+"/slack/events", strings.NewReader(body))
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(tc.ts, 10))
		if tc.sig != "" {
			req.Header.Set("X-Slack-Signature", tc.sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, resp.StatusCode)
		}
	}
	if _, ok := s.Conversation(t, core.Slack, w.customer.ID, core.Place{Platform: core.Slack, Chat: w.shared.ID}); ok {
		t.Error("a forged event was recorded")
	}
}

func TestRetriedEventRecordedOnce(t *testing.T) {
	w := newWorld(t, true)
	bot := w.bot(t)
	inner := bot.Handler()
	failed := false
	w.handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		// The first push is recorded but its answer is lost: Slack retries.
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		if !failed {
			failed = true
			rw.WriteHeader(http.StatusInternalServerError)
			return
		}
		rw.WriteHeader(rec.Code)
	})
	s := bottest.Start(t, relayConfig(w), bot)
	if _, err := w.fake.Post(w.shared.ID, w.customer, "only once", ""); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	bottest.Eventually(t, wait, "the retry", func() bool {
		ps := w.fake.Pushes()
		return len(ps) >= 2 && ps[len(ps)-1].Status == 200
	})
	var n int
	if err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
		ms, err := tx.Messages(c.ID)
		for _, m := range ms {
			if m.Direction == core.Inbound {
				n++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("recorded %d messages, want 1", n)
	}
}

func TestStaffFromDeskMembershipSpeakWithTheirSlackProfile(t *testing.T) {
	w := newWorld(t, false)
	cfg := relayConfig(w)
	cfg.Desks[0].StaffFromMembership = true
	s := bottest.Start(t, cfg, w.bot(t))
	if _, err := w.fake.Post(w.shared.ID, w.customer, "hello?", ""); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	// Bob is in the desk channel but not in the staff directory.
	if _, err := w.fake.Post(w.desk.ID, w.bob, "Hi Dana, Bob here.", c.Desk.Thread); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "Bob's reply at the customer", func() bool { return len(w.fake.BotMessages(w.shared.ID, "")) == 1 })
	got := w.fake.BotMessages(w.shared.ID, "")[0]
	if got.Username != "Bob Stone" || got.IconURL != "https://example.com/bob.png" {
		t.Errorf("reply shows as %q with %q, want Bob's Slack profile", got.Username, got.IconURL)
	}
}

func TestFilesBothWays(t *testing.T) {
	w := newWorld(t, false)
	s := bottest.Start(t, relayConfig(w), w.bot(t))
	invoice := []byte("%PDF-1.4 the invoice")
	if _, err := w.fake.Upload(w.shared.ID, w.customer, "invoice.pdf", invoice, "see attached", ""); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	found := func(channel, thread string, want []byte) bool {
		for _, m := range w.fake.BotMessages(channel, thread) {
			for _, id := range m.Files {
				if f, ok := w.fake.FileData(id); ok && string(f.Data) == string(want) {
					return true
				}
			}
		}
		return false
	}
	bottest.Eventually(t, wait, "the customer's file in the desk thread", func() bool { return found(w.desk.ID, c.Desk.Thread, invoice) })
	label := []byte("%PDF-1.4 return label")
	if _, err := w.fake.Upload(w.desk.ID, w.alice, "label.pdf", label, "Here is your label", c.Desk.Thread); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the staff file at the customer", func() bool { return found(w.shared.ID, "", label) })
}
