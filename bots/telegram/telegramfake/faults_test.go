package telegramfake_test

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/telegram/telegramfake"
)

func TestInjected429AndViolations(t *testing.T) {
	clk := newClock()
	s, bot := start(t, telegramfake.Options{Now: clk.Now})
	u := s.AddUser("Carla", "", "")
	other := s.AddUser("Bob", "", "")
	s.RateLimitNext("sendMessage", 1, 7)
	_, err := bot.Send(tgbotapi.NewMessage(u.ID, "x"))
	if te := wantAPIError(t, err, 429, "Too Many Requests: retry after 7"); te.RetryAfter != 7 {
		t.Errorf("RetryAfter = %d, want 7", te.RetryAfter)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(other.ID, "other chat")); err != nil {
		t.Errorf("another chat was blocked: %v", err)
	}
	clk.Advance(3 * time.Second)
	// Calling again inside the window is a violation and is refused.
	_, err = bot.Send(tgbotapi.NewMessage(u.ID, "x"))
	if te := wantAPIError(t, err, 429, "retry after 4"); te.RetryAfter != 4 {
		t.Errorf("RetryAfter inside the window = %d, want 4", te.RetryAfter)
	}
	if v := s.ViolationLog(); len(v) != 1 || v[0].Method != "sendMessage" || v[0].ChatID != id(u.ID) || v[0].Left != 4*time.Second {
		t.Errorf("violations = %+v", v)
	}
	clk.Advance(4 * time.Second)
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID, "x")); err != nil || s.Violations() != 1 {
		t.Errorf("after the window: %v (violations %d)", err, s.Violations())
	}
}

func TestServerFaults(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	tests := []struct {
		name   string
		inject func()
		check  func(t *testing.T, err error)
	}{
		{"500", func() { s.FailNext("sendMessage", 1, 500) }, func(t *testing.T, err error) { wantAPIError(t, err, 500, "Internal Server Error") }},
		{"502 for any method", func() { s.FailNext("", 1, 502) }, func(t *testing.T, err error) { wantAPIError(t, err, 502, "Bad Gateway") }},
		{"dropped connection", func() { s.DropNext("sendMessage", 1) }, func(t *testing.T, err error) {
			if err == nil {
				t.Error("a dropped call succeeded")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.inject()
			_, err := bot.Send(tgbotapi.NewMessage(u.ID, "x"))
			tc.check(t, err)
			if _, err := bot.Send(tgbotapi.NewMessage(u.ID, "next")); err != nil {
				t.Errorf("the fault outlived its count: %v", err)
			}
		})
	}
	s.FailNext("getChat", 1, 500)
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID, "method-specific faults skip other methods")); err != nil {
		t.Error(err)
	}
	s.DelayNext("getMe", 1, 50*time.Millisecond)
	began := time.Now()
	if _, err := bot.GetMe(); err != nil || time.Since(began) < 50*time.Millisecond {
		t.Errorf("delayed getMe took %s, %v", time.Since(began), err)
	}
}

func TestPublishedRateLimits(t *testing.T) {
	clk := newClock()
	s, bot := start(t, telegramfake.Options{Now: clk.Now, RateLimits: true})
	u := s.AddUser("Carla", "", "")
	group := s.AddGroup("Fans", false, true, u)
	send := func(chat int64) error {
		_, err := bot.Send(tgbotapi.NewMessage(chat, "x"))
		return err
	}
	t.Run("one a second per chat, short bursts tolerated", func(t *testing.T) {
		for i := range 3 {
			if err := send(u.ID); err != nil {
				t.Fatalf("burst message %d: %v", i, err)
			}
		}
		if te := wantAPIError(t, send(u.ID), 429, "Too Many Requests: retry after 1"); te.RetryAfter != 1 {
			t.Errorf("RetryAfter = %d", te.RetryAfter)
		}
		clk.Advance(time.Second)
		if err := send(u.ID); err != nil {
			t.Errorf("after retry_after: %v", err)
		}
	})
	t.Run("twenty a minute per group", func(t *testing.T) {
		for i := range 20 {
			if err := send(group.ID); err != nil {
				t.Fatalf("group message %d: %v", i, err)
			}
			clk.Advance(time.Second)
		}
		wantAPIError(t, send(group.ID), 429, "Too Many Requests")
	})
	if v := s.Violations(); v != 0 {
		t.Errorf("%d violations from a client that waited", v)
	}
}

func TestObserveAndSwitchingLimits(t *testing.T) {
	clk := newClock()
	var seen []telegramfake.Call
	s, bot := start(t, telegramfake.Options{Now: clk.Now, Observe: func(c telegramfake.Call) { seen = append(seen, c) }})
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 7}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[1].Method != "getUpdates" || seen[1].Params["offset"] != "7" {
		t.Fatalf("getUpdates observed as %+v", seen)
	}
	seen = seen[:1]
	u := s.AddUser("Carla", "", "")
	send := func() error {
		_, err := bot.Send(tgbotapi.NewMessage(u.ID, "x"))
		return err
	}
	for i := range 4 {
		if err := send(); err != nil {
			t.Fatalf("limits off, message %d: %v", i, err)
		}
	}
	s.SetRateLimits(true)
	clk.Advance(time.Minute)
	for i := range 3 {
		if err := send(); err != nil {
			t.Fatalf("limits on, burst message %d: %v", i, err)
		}
	}
	wantAPIError(t, send(), 429, "Too Many Requests")
	// getMe from start, 4 + 3 sends, one 429, each with its time and status.
	if len(seen) != 9 || seen[0].Method != "getMe" || seen[8].Status != 429 || seen[1].Params["chat_id"] != id(u.ID) || !seen[8].At.Equal(clk.Now()) {
		t.Errorf("observed %d calls: %+v", len(seen), seen)
	}
}
