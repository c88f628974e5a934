package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/relay"
)

const wait = 30 * time.Second

// world is the emulator with a customer, a staff member and a forum desk.
type world struct {
	fake     *telegramfake.Server
	customer telegramfake.User
	staff    telegramfake.User
	desk     telegramfake.Chat
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fake, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	w := &world{fake: fake}
	w.customer, w.staff, w.desk = fake.SeedDemo()
	return w
}

func (w *world) bot(t *testing.T, mod func(*telegram.Options)) *telegram.Bot {
	t.Helper()
	o := telegram.Options{Token: w.fake.Token(), APIURL: w.fake.URL(), PollTimeout: time.Second, DeskChats: []string{id(w.desk.ID)}}
	if mod != nil {
		mod(&o)
	}
	b, err := telegram.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// harness runs the adapter contract on Telegram: the customer in a private
// chat, the desk a forum supergroup.
type harness struct {
	w   *world
	bot *telegram.Bot
}

func (h *harness) Platform() core.Platform { return h.bot }
func (h *harness) Desk() core.Place {
	return core.Place{Platform: core.Telegram, Chat: id(h.w.desk.ID)}
}
func (h *harness) StaffUserID() string { return id(h.w.staff.ID) }

func (h *harness) CustomerWrites(t testing.TB, text string) (core.Place, string, string) {
	m, err := h.w.fake.SendText(h.w.customer.ID, 0, h.w.customer, text)
	if err != nil {
		t.Fatal(err)
	}
	return core.Place{Platform: core.Telegram, Chat: id(h.w.customer.ID)}, id(h.w.customer.ID), strconv.Itoa(m.ID)
}

func topic(t testing.TB, thread core.Place) int {
	n, err := strconv.Atoi(thread.Thread)
	if err != nil {
		t.Fatalf("desk thread %q is not a topic id", thread.Thread)
	}
	return n
}

func (h *harness) StaffWrites(t testing.TB, thread core.Place, text string) string {
	m, err := h.w.fake.SendText(h.w.desk.ID, topic(t, thread), h.w.staff, text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(m.ID)
}

func (h *harness) StaffEdits(t testing.TB, thread core.Place, msgID, text string) {
	n, _ := strconv.Atoi(msgID)
	if err := h.w.fake.Edit(h.w.desk.ID, n, text); err != nil {
		t.Fatal(err)
	}
}

// StaffDeletes: Telegram sends bots no delete events in ordinary chats.
func (h *harness) StaffDeletes(testing.TB, core.Place, string) bool { return false }

func (h *harness) Shown(t testing.TB, place core.Place) []bottest.Shown {
	chat, _ := strconv.ParseInt(place.Chat, 10, 64)
	thread, _ := strconv.Atoi(place.Thread)
	var out []bottest.Shown
	for _, m := range h.w.fake.BotMessages(chat, thread) {
		out = append(out, bottest.Shown{ID: strconv.Itoa(m.ID), Text: m.Text, Deleted: m.Deleted})
	}
	return out
}

func (h *harness) RateLimitNext(d time.Duration) {
	h.w.fake.RateLimitNext("sendMessage", 1, int(d/time.Second))
}

func TestContract(t *testing.T) {
	w := newWorld(t)
	bottest.Contract(t, &harness{w: w, bot: w.bot(t, nil)})
}

func relayConfig(w *world) relay.Config {
	return relay.Config{
		Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: core.Place{Platform: core.Telegram, Chat: id(w.desk.ID)}}},
		Staff: []core.Staff{{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support"}, Roles: []core.Role{core.RoleAgent},
			Identities: map[core.PlatformName]string{core.Telegram: id(w.staff.ID)}}},
	}
}

// conv waits for the customer's conversation to have a desk topic.
func conv(t *testing.T, s *bottest.Stack, w *world) core.Conversation {
	t.Helper()
	var c core.Conversation
	bottest.Eventually(t, wait, "a desk topic", func() bool {
		got, ok := s.Conversation(t, core.Telegram, id(w.customer.ID), core.Place{Platform: core.Telegram, Chat: id(w.customer.ID)})
		c = got
		return ok && c.Desk.Thread != ""
	})
	return c
}

func TestTopicCardAndSignedReply(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w), w.bot(t, nil))
	if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, "Is my <order> shipped?"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	topics := w.fake.Topics(w.desk.ID)
	if len(topics) != 1 || topics[0].Name != "🟢 Carla Customer · telegram" {
		t.Fatalf("topics = %+v", topics)
	}
	th := topic(t, c.Desk)
	bottest.Eventually(t, wait, "card and copy in the topic", func() bool { return len(w.fake.BotMessages(w.desk.ID, th)) == 2 })
	msgs := w.fake.BotMessages(w.desk.ID, th)
	if !strings.Contains(msgs[0].Text, "Carla Customer") || !strings.Contains(msgs[0].Text, "telegram: @carla") {
		t.Errorf("card = %q", msgs[0].Text)
	}
	if msgs[1].Text != "Carla Customer (@carla)\nIs my <order> shipped?" {
		t.Errorf("copy = %q", msgs[1].Text)
	}
	staffMsg, err := w.fake.SendText(w.desk.ID, th, w.staff, "Yes, it left today!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.SendText(w.desk.ID, th, w.staff, "// she asked twice"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the signed reply", func() bool { return len(w.fake.BotMessages(w.customer.ID, 0)) >= 1 })
	got := w.fake.BotMessages(w.customer.ID, 0)
	if len(got) != 1 || got[0].Text != "Alice Martin · Support\nYes, it left today!" || !strings.HasPrefix(got[0].HTML, "<b>Alice Martin</b>") {
		t.Errorf("customer sees %+v", got)
	}
	bottest.Eventually(t, wait, "the sent receipt on the staff message", func() bool {
		for _, m := range w.fake.Messages(w.desk.ID, th) {
			if m.ID == staffMsg.ID && len(m.Reactions) == 1 && m.Reactions[0] == "👌" {
				return true
			}
		}
		return false
	})
	if _, err := w.fake.SendText(w.desk.ID, th, w.staff, "!close"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the topic closed and renamed", func() bool {
		ts := w.fake.Topics(w.desk.ID)
		return len(ts) == 1 && ts[0].Closed && strings.HasPrefix(ts[0].Name, "✅")
	})
}

func TestPhotosBothWays(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w), w.bot(t, nil))
	photo := []byte("\x89PNG\r\n\x1a\n customer photo")
	if _, err := w.fake.SendPhoto(w.customer.ID, 0, w.customer, photo, "broken part"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	th := topic(t, c.Desk)
	bottest.Eventually(t, wait, "the photo in the desk", func() bool {
		for _, m := range w.fake.BotMessages(w.desk.ID, th) {
			if data, ok := w.fake.FileData(m.PhotoID); ok && bytes.Equal(data, photo) {
				return true
			}
		}
		return false
	})
	staffPhoto := []byte("\x89PNG\r\n\x1a\n label")
	if _, err := w.fake.SendPhoto(w.desk.ID, th, w.staff, staffPhoto, "Here is the return label"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the photo at the customer", func() bool {
		for _, m := range w.fake.BotMessages(w.customer.ID, 0) {
			if data, ok := w.fake.FileData(m.PhotoID); ok && bytes.Equal(data, staffPhoto) {
				return true
			}
		}
		return false
	})
	if got := w.fake.BotMessages(w.customer.ID, 0); !strings.Contains(got[0].Text, "Here is the return label") {
		t.Errorf("caption text not relayed: %+v", got)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w), w.bot(t, nil))
	if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, "hi"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	bottest.Eventually(t, wait, "the copy in the desk", func() bool { return len(w.fake.BotMessages(w.desk.ID, topic(t, c.Desk))) == 2 })
	w.fake.RateLimitNext("sendMessage", 1, 1)
	if _, err := w.fake.SendText(w.desk.ID, topic(t, c.Desk), w.staff, "answer"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the answer after the wait", func() bool { return len(w.fake.BotMessages(w.customer.ID, 0)) == 1 })
	if v := w.fake.Violations(); v != 0 {
		t.Errorf("%d calls inside the retry_after window", v)
	}
	var limited, delivered time.Time
	for _, call := range w.fake.Calls() {
		if call.Method == "sendMessage" && call.Params["chat_id"] == id(w.customer.ID) {
			if call.Status == 429 {
				limited = call.At
			} else if call.Status == 200 {
				delivered = call.At
			}
		}
	}
	if limited.IsZero() || delivered.IsZero() {
		t.Fatalf("the reply was not rate limited then delivered (limited %v, delivered %v)", limited, delivered)
	}
	if gap := delivered.Sub(limited); gap < time.Second {
		t.Errorf("retried %s after a 1s retry_after", gap)
	}
}

func TestWebhookNeedsSecret(t *testing.T) {
	w := newWorld(t)
	bot := w.bot(t, func(o *telegram.Options) {
		o.Mode, o.WebhookURL, o.WebhookSecret = "webhook", "http://127.0.0.1:1/telegram/webhook", "s3cret-token"
	})
	s := bottest.Start(t, relayConfig(w), bot)
	srv := httptest.NewServer(bot.Handler())
	defer srv.Close()
	body := `{"update_id":7,"message":{"message_id":1,"date":1700000000,"chat":{"id":` + id(w.customer.ID) + `,"type":"private"},"from":{"id":` + id(w.customer.ID) + `,"is_bot":false,"first_name":"Carla"},"text":"forged?"}}`
	for _, tc := range []struct {
		secret string
		want   int
	}{{"", 401}, {"wrong", 401}, {"s3cret-token", 200}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhook", strings.NewReader(body))
		if tc.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tc.secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("secret %q: status %d, want %d", tc.secret, resp.StatusCode, tc.want)
		}
		_, recorded := s.Conversation(t, core.Telegram, id(w.customer.ID), core.Place{Platform: core.Telegram, Chat: id(w.customer.ID)})
		if recorded != (tc.want == 200) {
			t.Errorf("secret %q: recorded = %v", tc.secret, recorded)
		}
	}
}

// flakyInbox fails the first n Handle calls as a store that is down would,
// the moment between receiving an update and recording it.
type flakyInbox struct {
	core.Inbox
	fail atomic.Int32
}

func (f *flakyInbox) Handle(ctx context.Context, e core.Event) error {
	if f.fail.Add(-1) >= 0 {
		return errors.New("database unavailable")
	}
	return f.Inbox.Handle(ctx, e)
}

func TestUpdateNotRecordedIsReceivedAgain(t *testing.T) {
	w := newWorld(t)
	bot := w.bot(t, nil)
	s := bottest.Start(t, relayConfig(w))
	in := &flakyInbox{Inbox: s.Relay}
	in.fail.Store(2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx, in) }()
	defer func() { cancel(); <-done }()
	if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, "only once please"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the update recorded after the failures", func() bool {
		_, ok := s.Conversation(t, core.Telegram, id(w.customer.ID), core.Place{Platform: core.Telegram, Chat: id(w.customer.ID)})
		return ok && w.fake.PendingUpdates() == 0
	})
	c, _ := s.Conversation(t, core.Telegram, id(w.customer.ID), core.Place{Platform: core.Telegram, Chat: id(w.customer.ID)})
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
		t.Errorf("recorded %d customer messages, want exactly 1", n)
	}
}

// TestGroupMessagesAddressedToTheBot: in a configured group only messages
// for the bot (a mention, a reply to it, a command) open conversations,
// and the mention is not part of the recorded text.
func TestGroupMessagesAddressedToTheBot(t *testing.T) {
	w := newWorld(t)
	group := w.fake.AddGroup("Fans", false, false, w.customer)
	bot := w.bot(t, func(o *telegram.Options) { o.Groups = []string{id(group.ID)} })
	s := bottest.Start(t, relayConfig(w), bot)
	if _, err := w.fake.SendText(group.ID, 0, w.customer, "just chatting with friends"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.SendText(group.ID, 0, w.customer, "@cornershop_bot is the shop open on Sunday?"); err != nil {
		t.Fatal(err)
	}
	place := core.Place{Platform: core.Telegram, Chat: id(group.ID)}
	var c core.Conversation
	bottest.Eventually(t, wait, "a conversation from the mention", func() bool {
		got, ok := s.Conversation(t, core.Telegram, id(w.customer.ID), place)
		c = got
		return ok && c.Desk.Thread != ""
	})
	var texts []string
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
		ms, err := tx.Messages(c.ID)
		for _, m := range ms {
			if m.Direction == core.Inbound {
				texts = append(texts, m.Text)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || texts[0] != "is the shop open on Sunday?" {
		t.Errorf("recorded %q, want only the message addressed to the bot, without the mention", texts)
	}
	// The reply answers in the group, as a reply to the customer's message.
	if _, err := w.fake.SendText(w.desk.ID, topic(t, c.Desk), w.staff, "Yes, 10 to 16."); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the reply in the group", func() bool { return len(w.fake.BotMessages(group.ID, 0)) == 1 })
	if got := w.fake.BotMessages(group.ID, 0)[0]; got.ReplyTo == 0 || !strings.Contains(got.Text, "Yes, 10 to 16.") {
		t.Errorf("group reply = %+v, want a signed reply to the customer's message", got)
	}
}

// TestStartGreets: /start in a private chat is answered with the greeting
// and opens no conversation.
func TestStartGreets(t *testing.T) {
	w := newWorld(t)
	cfg := relayConfig(w)
	cfg.Greeting = "Welcome to Acme!"
	s := bottest.Start(t, cfg, w.bot(t, nil))
	if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, "/start"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the greeting", func() bool {
		ms := w.fake.BotMessages(w.customer.ID, 0)
		return len(ms) == 1 && ms[0].Text == "Welcome to Acme!"
	})
	if _, ok := s.Conversation(t, core.Telegram, id(w.customer.ID), core.Place{Platform: core.Telegram, Chat: id(w.customer.ID)}); ok {
		t.Error("/start opened a conversation")
	}
}

// TestHugeTextIsSplitNotLost: a customer message far over Telegram's limit
// reaches a Telegram desk with its start in parts (a desk copy shows 4,000
// characters) and every word of it in the attached message-<id>.txt.
func TestHugeTextIsSplitNotLost(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w), w.bot(t, nil))
	var b strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&b, "w%04d ", i)
	}
	huge := strings.TrimSpace(b.String()) // 9,000 characters
	if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, huge); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	var file string
	bottest.Eventually(t, wait, "the start in the desk and the whole as a file", func() bool {
		var got strings.Builder
		for _, m := range w.fake.BotMessages(w.desk.ID, topic(t, c.Desk)) {
			got.WriteString(m.Text + " ")
			if data, ok := w.fake.FileData(m.DocumentID); ok && m.DocumentID != "" {
				file = string(data)
			}
		}
		return strings.Contains(got.String(), "w0000") && strings.Contains(got.String(), "more characters: the whole message is attached") && file != ""
	})
	if file != huge {
		t.Errorf("the attached file holds %d bytes, want the whole %d", len(file), len(huge))
	}
	if n := len(w.fake.BotMessages(w.desk.ID, topic(t, c.Desk))); n < 4 {
		t.Errorf("%d messages in the topic, want the card, at least 2 parts and the file", n)
	}
}

// TestWebhookAsksForMaxConnections: in webhook mode the adapter registers
// its URL, secret and max_connections with setWebhook (Telegram's default,
// 40, when none is configured).
func TestWebhookAsksForMaxConnections(t *testing.T) {
	for _, tc := range []struct{ set, want int }{{0, 40}, {100, 100}, {7, 7}} {
		w := newWorld(t)
		bot := w.bot(t, func(o *telegram.Options) {
			o.Mode, o.WebhookURL, o.WebhookSecret, o.WebhookMaxConnections = "webhook", "http://127.0.0.1:1/telegram/webhook", "s3cret-token", tc.set
		})
		bottest.Start(t, relayConfig(w), bot)
		var info struct {
			Result struct {
				URL            string `json:"url"`
				MaxConnections int    `json:"max_connections"`
			} `json:"result"`
		}
		deadline := time.Now().Add(5 * time.Second)
		for info.Result.URL == "" && time.Now().Before(deadline) {
			resp, err := http.Get(w.fake.URL() + "/bot" + w.fake.Token() + "/getWebhookInfo")
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(resp.Body).Decode(&info)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if info.Result.URL != "http://127.0.0.1:1/telegram/webhook" || info.Result.MaxConnections != tc.want {
			t.Errorf("configured %d: webhook info = %+v, want the URL and max_connections %d", tc.set, info.Result, tc.want)
		}
	}
	if _, err := telegram.New(telegram.Options{Token: "1:T", Mode: "webhook", WebhookURL: "http://x/telegram/webhook", WebhookSecret: "s", WebhookMaxConnections: 101}); err == nil {
		t.Error("max_connections 101 accepted; Telegram allows 1-100")
	}
}
