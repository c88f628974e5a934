package telegram_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// pushes keeps every webhook push that reached the bot, byte for byte.
type pushes struct {
	mu     sync.Mutex
	next   http.Handler
	bodies [][]byte
	secret string
}

func (p *pushes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.mu.Lock()
	next := p.next
	p.bodies = append(p.bodies, body)
	p.secret = r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	p.mu.Unlock()
	if next == nil {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	next.ServeHTTP(w, r)
}

// last returns the newest push containing want.
func (p *pushes) last(t *testing.T, want string) []byte {
	t.Helper()
	var got []byte
	bottest.Eventually(t, wait, "a push with "+want, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		for i := len(p.bodies) - 1; i >= 0; i-- {
			if bytes.Contains(p.bodies[i], []byte(want)) {
				got = p.bodies[i]
				return true
			}
		}
		return false
	})
	return got
}

// TestReplayedWebhookActsOnce pushes a webhook update again, byte for byte
// with the right secret — a retry after a lost 200, or a replay by whoever
// saw it: a vote button pressed once and a /vote command sent once each
// count once, and the query, which Telegram lets be answered only once,
// is answered once.
func TestReplayedWebhookActsOnce(t *testing.T) {
	w := newWorld(t)
	dave := w.fake.AddUser("Dave", "Voter", "dave")
	board := w.fake.AddSupergroup("Ideas", true, w.customer, dave)
	p := &pushes{}
	srv := httptest.NewServer(http.StripPrefix("/telegram", p))
	t.Cleanup(srv.Close)
	bot := w.bot(t, func(o *telegram.Options) {
		o.IdeaBoards = []string{id(board.ID)}
		o.Mode, o.WebhookURL, o.WebhookSecret = "webhook", srv.URL+"/telegram/webhook", "s3cret-token"
	})
	p.mu.Lock()
	p.next = bot.Handler()
	p.mu.Unlock()
	cfg := relayConfig(w)
	cfg.Ideas = relay.Ideas{Boards: []core.Place{{Platform: core.Telegram, Chat: id(board.ID)}}}
	s := bottest.Start(t, cfg, bot)
	bottest.Eventually(t, wait, "the webhook registered", bot.Ready)

	votes := func() int {
		var i core.Idea
		if err := s.Store.InTx(context.Background(), func(tx core.Tx) (err error) { i, err = tx.Idea(1); return err }); err != nil {
			t.Fatal(err)
		}
		return i.Votes
	}
	replay := func(body []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/telegram/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("replayed push answered %d, want 200 (else Telegram sends it again)", resp.StatusCode)
		}
	}
	answers := func() (n int) {
		for _, c := range w.fake.Calls() {
			if strings.EqualFold(c.Method, "answerCallbackQuery") {
				n++
			}
		}
		return n
	}

	if _, err := w.fake.SendText(board.ID, 0, w.customer, "Dark mode — easier on the eyes at night"); err != nil {
		t.Fatal(err)
	}
	var card telegramfake.Message
	bottest.Eventually(t, wait, "the idea's card", func() bool {
		ms := w.fake.BotMessages(board.ID, 0)
		if len(ms) > 0 {
			card = ms[0]
		}
		return len(ms) > 0
	})
	qid, err := w.fake.Press(board.ID, card.ID, dave, "act:vote:1")
	if err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the press answered", func() bool { _, ok := w.fake.CallbackAnswer(qid); return ok })
	if v := votes(); v != 2 {
		t.Fatalf("idea #1 has %d votes after Dave's press, want 2", v)
	}
	before := answers()
	replay(p.last(t, `"callback_query"`))
	if v := votes(); v != 2 {
		t.Errorf("idea #1 has %d votes after the press was pushed again, want 2 (the replay withdrew the vote)", v)
	}
	if n := answers() - before; n != 0 {
		t.Errorf("the replayed press was answered %d more times; Telegram takes one answer", n)
	}

	if _, err := w.fake.SendText(dave.ID, 0, dave, "/vote 1"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "Dave's vote withdrawn by /vote", func() bool { return votes() == 1 })
	bottest.Eventually(t, wait, "the answer to /vote", func() bool { return botSays(w, dave.ID, "withdrawn") })
	sent := len(w.fake.BotMessages(dave.ID, 0))
	replay(p.last(t, `"/vote 1"`))
	if v := votes(); v != 1 {
		t.Errorf("idea #1 has %d votes after /vote was pushed again, want 1", v)
	}
	if n := len(w.fake.BotMessages(dave.ID, 0)); n != sent {
		t.Errorf("the replayed /vote was answered again (%d messages to Dave, had %d)", n, sent)
	}
}
