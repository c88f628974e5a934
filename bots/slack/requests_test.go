package slack_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/core"
)

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHostileRequestsRefused: on every Events API endpoint, forged, stale,
// unsigned, oversized and malformed requests get the right status, reach
// nothing (no contact, no post, no change), and are logged with a reason
// but not the payload.
func TestHostileRequestsRefused(t *testing.T) {
	w := newWorld(t, true)
	var logs syncBuffer
	bot, err := slack.New(slack.Options{BotToken: w.fake.BotToken(), APIURL: w.fake.APIURL(), Mode: "events", SigningSecret: w.fake.SigningSecret(),
		DeskChannels: []string{w.desk.ID}, CustomerChannels: []string{w.shared.ID},
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	w.handler = bot.Handler()
	s := bottest.Start(t, relayConfig(w), bot)
	bottest.Eventually(t, wait, "events mode ready", bot.Ready)
	posts := func() int { return len(w.fake.Calls()) }
	before := posts()

	const marker = "PAYLOAD-MARKER-7f3a"
	event := `{"type":"event_callback","team_id":"T00001","event_id":"EvX","event":{"type":"message","channel":"` + w.shared.ID +
		`","channel_type":"channel","user":"` + w.customer.ID + `","text":"` + marker + `","ts":"1700000000.000100"}}`
	command := url.Values{"command": {"/cornershop"}, "text": {"close " + marker}, "user_id": {w.alice.ID}, "channel_id": {w.desk.ID}}.Encode()
	interactive := url.Values{"payload": {`{"type":"block_actions","user":{"id":"` + w.alice.ID + `"},"actions":[{"action_id":"cornershop:close","value":"` + marker + `"}]}`}}.Encode()
	now := time.Now().Unix()
	sign := func(ts int64, body string) string {
		return slackfake.Sign(w.fake.SigningSecret(), strconv.FormatInt(ts, 10), []byte(body))
	}
	huge := strings.Repeat(marker, (2<<20)/len(marker))
	type req struct {
		name, path, body string
		ts               int64
		sig              string
		want             int
	}
	var cases []req
	for path, body := range map[string]string{"/events": event, "/commands": command, "/interactive": interactive} {
		cases = append(cases,
			req{"unsigned", path, body, now, "", http.StatusUnauthorized},
			req{"forged", path, body, now, slackfake.Sign("not-the-secret", strconv.FormatInt(now, 10), []byte(body)), http.StatusUnauthorized},
			req{"signed for another body", path, body, now, sign(now, body+"x"), http.StatusUnauthorized},
			req{"stale", path, body, now - 600, sign(now-600, body), http.StatusUnauthorized},
			req{"from the future", path, body, now + 600, sign(now+600, body), http.StatusUnauthorized},
			req{"no timestamp", path, body, 0, sign(now, body), http.StatusUnauthorized},
			req{"oversized", path, huge, now, sign(now, huge), http.StatusRequestEntityTooLarge},
		)
	}
	cases = append(cases,
		req{"malformed event", "/events", `{"type":` + marker, now, sign(now, `{"type":`+marker), http.StatusBadRequest},
		req{"malformed command", "/commands", "text=%zz" + marker, now, sign(now, "text=%zz"+marker), http.StatusBadRequest},
		req{"malformed interaction", "/interactive", "payload=%7B" + marker, now, sign(now, "payload=%7B"+marker), http.StatusBadRequest},
	)
	for _, tc := range cases {
		t.Run(tc.path+"/"+tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, w.events.URL+"/slack"+tc.path, strings.NewReader(tc.body))
			if tc.ts != 0 {
				r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(tc.ts, 10))
			}
			if tc.sig != "" {
				r.Header.Set("X-Slack-Signature", tc.sig)
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil && !errors.Is(err, http.ErrBodyNotAllowed) {
				t.Fatal(err)
			}
			if resp != nil {
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
				}
			}
		})
	}
	if _, ok := s.Conversation(t, core.Slack, w.customer.ID, core.Place{Platform: core.Slack, Chat: w.shared.ID}); ok {
		t.Error("a refused event was recorded")
	}
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
		if _, err := tx.ContactByIdentity(core.Slack, w.customer.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("a refused event created a contact (%v)", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := posts() - before; n != 0 {
		t.Errorf("refused requests made %d Slack API calls: %v", n, w.fake.Calls()[before:])
	}
	out := logs.String()
	if strings.Contains(out, marker) {
		t.Errorf("a refused request's payload reached the log:\n%.2000s", out)
	}
	if got := strings.Count(out, "slack request refused"); got != len(cases) {
		t.Errorf("%d refusal log lines for %d refused requests", got, len(cases))
	}
}
