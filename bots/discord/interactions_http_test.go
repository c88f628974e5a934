package discord_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
	"cornershop/core/relay"
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

// TestInteractionsEndpoint: with an Interactions Endpoint URL, Discord
// POSTs signed interactions. The emulator checks the endpoint as the
// Developer Portal does (PING answered, bad signature refused), then a
// card button pressed by staff closes the conversation through it; forged,
// stale, unsigned, oversized and malformed requests are refused with the
// right status, hand nothing to core and log no payload.
func TestInteractionsEndpoint(t *testing.T) {
	w := newWorld(t)
	var logs syncBuffer
	bot, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
		DeskChannels: []string{w.desk.ID}, TeamName: "Acme Support", PublicKey: w.fake.PublicKey(),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	s := bottest.Start(t, relayConfig(w, w.desk.ID), bot)
	srv := httptest.NewServer(bot.InteractionsHandler())
	defer srv.Close()
	if err := w.fake.SetInteractionsEndpoint(srv.URL + "/discord/interactions"); err != nil {
		t.Fatal(err)
	}
	w.connected(t)
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "hello"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w, core.Place{Platform: core.Discord, Chat: dm.ID})

	const secret = "SECRET-PAYLOAD-MARKER"
	forged := `{"id":"1","application_id":"` + w.fake.ApplicationID() + `","type":3,"token":"t","channel_id":"` + w.desk.ID +
		`","member":{"user":{"id":"` + w.alice.ID + `","username":"alice"}},"message":{"id":"` + c.DeskCard + `","channel_id":"` + w.desk.ID +
		`"},"data":{"custom_id":"cornershop:close","component_type":2},"note":"` + secret + `"}`
	now := strconv.FormatInt(time.Now().Unix(), 10)
	stale := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	huge := `{"type":2,"data":"` + strings.Repeat("a", 2<<20) + `"}`
	for _, tc := range []struct {
		name, body, ts, sig string
		want                int
	}{
		{"no signature", forged, now, "", 401},
		{"no timestamp", forged, "", w.fake.SignInteraction(now, []byte(forged)), 401},
		{"signature over another body", forged, now, w.fake.SignInteraction(now, []byte(forged+" ")), 401},
		{"signature not hex", forged, now, "zz" + strings.Repeat("0", 126), 401},
		{"signature of another timestamp", forged, now, w.fake.SignInteraction(stale, []byte(forged)), 401},
		{"stale but correctly signed", forged, stale, w.fake.SignInteraction(stale, []byte(forged)), 401},
		{"oversized", huge, now, w.fake.SignInteraction(now, []byte(huge)), 413},
		{"malformed but signed", `{"type":` + secret, now, w.fake.SignInteraction(now, []byte(`{"type":`+secret)), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/discord/interactions", strings.NewReader(tc.body))
			if tc.ts != "" {
				req.Header.Set("X-Signature-Timestamp", tc.ts)
			}
			if tc.sig != "" {
				req.Header.Set("X-Signature-Ed25519", tc.sig)
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
	if cv, _ := s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID}); cv.Status != core.StatusOpen {
		t.Fatalf("a refused interaction changed the conversation to %s", cv.Status)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("a refused request's payload reached the log:\n%s", logs.String())
	}
	if n := strings.Count(logs.String(), "discord interaction refused"); n < 8 {
		t.Errorf("%d log lines for 8 refused requests (and the emulator's bad-signature check):\n%s", n, logs.String())
	}

	// The real thing: staff press Close on the card.
	id := w.fake.Click(w.desk.ID, c.DeskCard, w.alice, "cornershop:close")
	bottest.Eventually(t, wait, "the button's answer through the callback", func() bool { _, _, ok := w.fake.Response(id); return ok })
	bottest.Eventually(t, wait, "the conversation closed", func() bool {
		cv, _ := s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID})
		return cv.Status == core.StatusClosed
	})
	// The emulator records the endpoint's answer when the POST returns,
	// which may be after the callback it caused.
	bottest.Eventually(t, wait, "the endpoint's answer recorded", func() bool { return len(w.fake.EndpointStatuses()) > 0 })
	if st := w.fake.EndpointStatuses(); len(st) != 1 || st[0] != http.StatusAccepted {
		t.Errorf("endpoint answered %v, want [202]", st)
	}
}

func TestInteractionsEndpointWithoutKeyRefusesAll(t *testing.T) {
	w := newWorld(t)
	bot := w.bot(t, "thread")
	rec := httptest.NewRecorder()
	bot.InteractionsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"type":1}`)))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", rec.Code)
	}
	if _, err := discord.New(discord.Options{Token: "x", PublicKey: "not hex"}); err == nil {
		t.Error("a malformed public key was accepted")
	}
}

// FuzzInteractions feeds correctly signed arbitrary bodies to the
// interactions endpoint: each gets an answer, none crashes the service.
func FuzzInteractions(f *testing.F) {
	for _, seed := range []string{
		`{"type":1}`, `{"type":2}`, `{"type":3}`, `{"type":2,"data":{}}`, `{"type":3,"data":{}}`, `{"type":4,"data":null}`, `{"type":5}`,
		`{"id":"1","type":2,"channel_id":"C","data":{"name":"cornershop","options":[{"name":"action","type":3,"value":"close"}]}}`,
		`{"id":"1","type":2,"data":{"name":"cornershop","options":[{"name":"action","type":4,"value":5}]}}`,
		`{"id":"1","type":3,"channel_id":"C","data":{"custom_id":"cornershop:close","component_type":2},"message":null}`,
		`{"type":3,"member":{"user":null}}`, `{"type":3,"member":{}}`, `null`, `[]`, `{`, "\x00",
	} {
		f.Add(seed)
	}
	fake, err := discordfakeStart(f)
	if err != nil {
		f.Fatal(err)
	}
	bot, err := discord.New(discord.Options{Token: fake.Token(), APIURL: fake.URL(), PublicKey: fake.PublicKey(), DeskChannels: []string{"1"}})
	if err != nil {
		f.Fatal(err)
	}
	bottest.Start(f, relay.Config{Desks: []relay.Desk{{Name: "d", Place: core.Place{Platform: core.Discord, Chat: "1"}}}}, bot)
	h := bot.InteractionsHandler()
	f.Fuzz(func(t *testing.T, body string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", fake.SignInteraction(ts, []byte(body)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusAccepted, http.StatusBadRequest, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d for a signed body", rec.Code)
		}
	})
}

func discordfakeStart(tb testing.TB) (*discordfake.Server, error) {
	fake, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err == nil {
		tb.Cleanup(func() { fake.Close() })
	}
	return fake, err
}
