package telegram_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram"
	"cornershop/core"
	"cornershop/core/relay"
)

// FuzzWebhook feeds arbitrary bodies to the webhook: whatever arrives, the
// handler answers with a status and never panics; a body that is not JSON
// gets 400, JSON that is no update is acknowledged (200) so Telegram does
// not send it forever.
func FuzzWebhook(f *testing.F) {
	for _, seed := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi"}}`,
		`{"update_id":2,"edited_message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"x"}}`,
		`{"update_id":3,"callback_query":{"id":"c","from":{"id":5,"first_name":"A"},"data":"act:vote:1"}}`,
		`{"update_id":4,"message_reaction":{"chat":{"id":5,"type":"private"},"message_id":1,"new_reaction":[]}}`,
		`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"supergroup","is_forum":true},"message_thread_id":"x"}}`,
		`{"update_id":6,"message":{"message_id":1,"chat":null}}`,
		`[]`, `null`, `{`, "\x00\xff", strings.Repeat(`{"a":`, 1000),
	} {
		f.Add(seed)
	}
	bot, err := telegram.New(telegram.Options{Token: "1:T", APIURL: "http://127.0.0.1:1", Mode: "webhook", WebhookURL: "http://x/telegram/webhook", WebhookSecret: "s", DeskChats: []string{"-100"}})
	if err != nil {
		f.Fatal(err)
	}
	bottest.Start(f, relay.Config{Desks: []relay.Desk{{Name: "d", Place: core.Place{Platform: core.Telegram, Chat: "-100"}}}}, bot)
	h := bot.Handler()
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// The handler answers 503 until the bot's Run has started.
	bottest.Eventually(f, 10*time.Second, "the webhook handler running", func() bool { return post("{").Code != http.StatusServiceUnavailable })
	f.Fuzz(func(t *testing.T, body string) {
		rec := post(body)
		switch {
		case rec.Code == 0:
			t.Fatal("no status")
		case !json.Valid([]byte(body)) && rec.Code != http.StatusBadRequest:
			t.Fatalf("status %d for a body that is not JSON", rec.Code)
		}
	})
}
