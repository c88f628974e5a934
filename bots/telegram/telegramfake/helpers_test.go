package telegramfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/telegram/telegramfake"
)

// start runs an emulator and a real tgbotapi client against it.
func start(t testing.TB, o telegramfake.Options) (*telegramfake.Server, *tgbotapi.BotAPI) {
	t.Helper()
	s, err := telegramfake.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(s.Token(), s.APIEndpoint())
	if err != nil {
		t.Fatalf("NewBotAPI: %v", err)
	}
	return s, bot
}

// wantAPIError checks err is the *tgbotapi.Error Telegram would cause.
func wantAPIError(t testing.TB, err error, code int, desc string) *tgbotapi.Error {
	t.Helper()
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tgbotapi.Error", err)
	}
	if te.Code != code || !strings.Contains(te.Message, desc) {
		t.Errorf("error = %d %q, want %d containing %q", te.Code, te.Message, code, desc)
	}
	return te
}

// raw calls a method with MakeRequest and decodes its result into out.
func raw(t testing.TB, bot *tgbotapi.BotAPI, method string, p tgbotapi.Params, out any) error {
	t.Helper()
	resp, err := bot.MakeRequest(method, p)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(resp.Result, out); err != nil {
			t.Fatalf("%s result %s: %v", method, resp.Result, err)
		}
	}
	return nil
}

// wait waits for cond with a deadline, failing the test on timeout.
func wait(t testing.TB, s *telegramfake.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// pollsStarted reports how many getUpdates calls the emulator has seen.
func pollsStarted(s *telegramfake.Server) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method == "getUpdates" {
			n++
		}
	}
	return n
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rewrite sends every request to the emulator, as a proxy would send
// api.telegram.org traffic: tgbotapi's file links use a constant host.
type rewrite struct{ to *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}
