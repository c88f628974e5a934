package telegram_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram"
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

// TestHostileWebhookRequestsRefused: a push without the secret, with a
// wrong one, oversized or not JSON is refused with the right status,
// records nothing, and is logged with a reason but not the payload. JSON
// that is no update is acknowledged (Telegram would resend it forever) and
// records nothing either.
func TestHostileWebhookRequestsRefused(t *testing.T) {
	w := newWorld(t)
	var logs syncBuffer
	bot := w.bot(t, func(o *telegram.Options) {
		o.Mode, o.WebhookURL, o.WebhookSecret = "webhook", "http://127.0.0.1:1/telegram/webhook", "s3cret-token"
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	s := bottest.Start(t, relayConfig(w), bot)
	srv := httptest.NewServer(bot.Handler())
	defer srv.Close()
	bottest.Eventually(t, wait, "the webhook registered", bot.Ready)
	calls := len(w.fake.Calls())

	const marker = "PAYLOAD-MARKER-9c1e"
	update := `{"update_id":7,"message":{"message_id":1,"date":1700000000,"chat":{"id":` + id(w.customer.ID) + `,"type":"private"},"from":{"id":` +
		id(w.customer.ID) + `,"is_bot":false,"first_name":"Carla"},"text":"` + marker + `"}}`
	huge := `{"update_id":8,"message":{"text":"` + strings.Repeat(marker, (2<<20)/len(marker)) + `"}}`
	for _, tc := range []struct {
		name, secret, body string
		want               int
	}{
		{"no secret", "", update, http.StatusUnauthorized},
		{"wrong secret", "s3cret-tokeN", update, http.StatusUnauthorized},
		{"secret as a prefix", "s3cret-token-and-more", update, http.StatusUnauthorized},
		{"oversized", "s3cret-token", huge, http.StatusRequestEntityTooLarge},
		{"not JSON", "s3cret-token", `{"update_id":9,"message":` + marker, http.StatusBadRequest},
		{"JSON but no update", "s3cret-token", `{"update_id":"` + marker + `","message":[1]}`, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhook", strings.NewReader(tc.body))
			if tc.secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tc.secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
		if _, err := tx.ContactByIdentity(core.Telegram, id(w.customer.ID)); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("a refused push created a contact (%v)", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(w.fake.Calls()) - calls; n != 0 {
		t.Errorf("refused pushes made %d Bot API calls", n)
	}
	out := logs.String()
	if strings.Contains(out, marker) {
		t.Errorf("a refused push's payload reached the log:\n%.2000s", out)
	}
	if got := strings.Count(out, "telegram webhook request refused"); got != 5 {
		t.Errorf("%d refusal log lines for 5 refused pushes:\n%.2000s", got, out)
	}
}
