package slack_test

import (
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

// FuzzSignedRequests feeds arbitrary but correctly signed bodies to the
// Events API, slash command and interactivity endpoints: every one gets an
// answer and none crashes the service.
func FuzzSignedRequests(f *testing.F) {
	for _, seed := range []string{
		`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"hi","ts":"1.1"}}`,
		`{"type":"event_callback","event":{"type":"message","subtype":"message_changed","channel":"D1","message":null}}`,
		`{"type":"event_callback","event":{"type":"message","subtype":"message_deleted","channel":"D1"}}`,
		`{"type":"event_callback","event":{"type":"reaction_added","item":{}}}`,
		`{"type":"url_verification","challenge":"x"}`,
		`payload={"type":"block_actions","actions":[]}`,
		`payload=%7B%22type%22%3A%22message_action%22%7D`,
		`command=%2Fcornershop&text=close&channel_id=C1&user_id=U1`,
		`{`, `[]`, "\x00", strings.Repeat("[", 5000),
	} {
		f.Add(seed)
	}
	const secret = "fuzz-secret"
	bot, err := slack.New(slack.Options{BotToken: "xoxb-x", APIURL: "http://127.0.0.1:1/api/", Mode: "events", SigningSecret: secret, DeskChannels: []string{"C1"}})
	if err != nil {
		f.Fatal(err)
	}
	bottest.Start(f, relay.Config{Desks: []relay.Desk{{Name: "d", Place: core.Place{Platform: core.Slack, Chat: "C1"}}}}, bot)
	h := bot.Handler()
	post := func(path, body string) *httptest.ResponseRecorder {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", slackfake.Sign(secret, ts, []byte(body)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// The handler answers 503 until the bot's Run has started.
	bottest.Eventually(f, 10*time.Second, "the events handler running", func() bool { return post("/events", "{").Code != http.StatusServiceUnavailable })
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/events", "/commands", "/interactive"} {
			rec := post(path, body)
			if rec.Code == 0 {
				t.Fatalf("%s: no status", path)
			}
		}
	})
}
