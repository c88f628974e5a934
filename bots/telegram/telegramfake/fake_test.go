package telegramfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/telegram/telegramfake"
)

func start(t *testing.T, o telegramfake.Options) (*telegramfake.Server, *tgbotapi.BotAPI) {
	t.Helper()
	s, err := telegramfake.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(s.Token(), s.APIEndpoint())
	if err != nil {
		t.Fatalf("NewBotAPI: %v", err)
	}
	return s, bot
}

func wantAPIError(t *testing.T, err error, code int, desc string) {
	t.Helper()
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tgbotapi.Error", err)
	}
	if te.Code != code || !strings.Contains(te.Message, desc) {
		t.Errorf("error = %d %q, want %d containing %q", te.Code, te.Message, code, desc)
	}
}

func TestGetMeAndBadToken(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	if bot.Self.UserName != "cornershop_bot" || !bot.Self.IsBot {
		t.Errorf("getMe = %+v", bot.Self)
	}
	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("999:WRONG", s.APIEndpoint())
	wantAPIError(t, err, 401, "Unauthorized")
}

func TestSendMessageHTML(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	tests := []struct {
		name, text, want, err string
	}{
		{"bold signature", "<b>Alice</b> · <i>Support</i>\nHi &lt;3 &amp; more", "Alice · Support\nHi <3 & more", ""},
		{"unbalanced", "<b>oops", "", "can't parse entities: Can't find end tag"},
		{"unsupported tag", "<script>x</script>", "", `Unsupported start tag "script"`},
		{"raw ampersand entity", "fish &chips;", "", "Unsupported HTML entity"},
		{"empty", "   ", "", "message text is empty"},
		{"too long", strings.Repeat("a", 4097), "", "message is too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(u.ID, tc.text)
			msg.ParseMode = tgbotapi.ModeHTML
			got, err := bot.Send(msg)
			if tc.err != "" {
				wantAPIError(t, err, 400, tc.err)
				return
			}
			if err != nil || got.Text != tc.want {
				t.Fatalf("Send = %q, %v; want %q", got.Text, err, tc.want)
			}
		})
	}
	_, err := bot.Send(tgbotapi.NewMessage(424242, "hi"))
	wantAPIError(t, err, 400, "chat not found")
	s.Block(u)
	_, err = bot.Send(tgbotapi.NewMessage(u.ID, "hi"))
	wantAPIError(t, err, 403, "bot was blocked by the user")
}

func TestGetUpdatesOffsetAndLongPoll(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	if _, err := s.SendText(u.ID, 0, u, "first"); err != nil {
		t.Fatal(err)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 0})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "first" {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	// Not confirmed yet: the same update comes again.
	ups, _ = bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 0})
	if len(ups) != 1 {
		t.Fatalf("unconfirmed update not redelivered: %d", len(ups))
	}
	// A long poll returns as soon as an update arrives.
	done := make(chan []tgbotapi.Update)
	go func() {
		ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, Timeout: 20})
		done <- ups
	}()
	if err := s.WaitFor(context.Background(), func() bool { return s.PendingUpdates() == 0 && len(s.Calls()) >= 3 }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendText(u.ID, 0, u, "second"); err != nil {
		t.Fatal(err)
	}
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].Message.Text != "second" {
			t.Errorf("long poll = %+v", ups)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return when an update arrived")
	}
}

func TestForumTopicsAndThreadMessages(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	staff := s.AddUser("Alice", "", "alice")
	desk := s.AddGroup("Desk", true, true, staff)
	chatID := strconv.FormatInt(desk.ID, 10)
	resp, err := bot.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": chatID, "name": "🟢 Carla · telegram"})
	if err != nil {
		t.Fatal(err)
	}
	var topic struct {
		MessageThreadID int `json:"message_thread_id"`
	}
	_ = json.Unmarshal(resp.Result, &topic)
	if topic.MessageThreadID == 0 {
		t.Fatalf("createForumTopic = %s", resp.Result)
	}
	th := strconv.Itoa(topic.MessageThreadID)
	if _, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": chatID, "message_thread_id": th, "text": "card"}); err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(desk.ID, topic.MessageThreadID); len(got) != 1 || got[0].Text != "card" {
		t.Fatalf("topic messages = %+v", got)
	}
	for _, m := range []string{"editForumTopic", "closeForumTopic", "reopenForumTopic"} {
		p := tgbotapi.Params{"chat_id": chatID, "message_thread_id": th}
		if m == "editForumTopic" {
			p["name"] = "✅ Carla · telegram"
		}
		if _, err := bot.MakeRequest(m, p); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	if got := s.Topics(desk.ID); len(got) != 1 || got[0].Name != "✅ Carla · telegram" || got[0].Closed {
		t.Errorf("topics = %+v", got)
	}
	_, err = bot.MakeRequest("reopenForumTopic", tgbotapi.Params{"chat_id": chatID, "message_thread_id": th})
	wantAPIError(t, err, 400, "TOPIC_NOT_MODIFIED")
	if _, err := s.SendText(desk.ID, topic.MessageThreadID, staff, "answer"); err != nil {
		t.Fatal(err)
	}
	resp, err = bot.MakeRequest("getUpdates", tgbotapi.Params{})
	if err != nil || !strings.Contains(string(resp.Result), `"message_thread_id":`+th) || !strings.Contains(string(resp.Result), `"is_topic_message":true`) {
		t.Errorf("topic update = %s, %v", resp.Result, err)
	}
	group := s.AddGroup("Plain group", false, false)
	_, err = bot.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": strconv.FormatInt(group.ID, 10), "name": "x"})
	wantAPIError(t, err, 400, "the chat is not a forum")
}

func TestEditDeleteAnd48HourRule(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, bot := start(t, telegramfake.Options{Now: clock})
	u := s.AddUser("Carla", "", "")
	sent, err := bot.Send(tgbotapi.NewMessage(u.ID, "typo"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(u.ID, sent.MessageID, "fixed")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(u.ID, sent.MessageID, "fixed"))
	wantAPIError(t, err, 400, "message is not modified")
	_, err = bot.Send(tgbotapi.NewEditMessageText(u.ID, 999, "x"))
	wantAPIError(t, err, 400, "message to edit not found")
	mu.Lock()
	now = now.Add(49 * time.Hour)
	mu.Unlock()
	_, err = bot.Request(tgbotapi.NewDeleteMessage(u.ID, sent.MessageID))
	wantAPIError(t, err, 400, "message can't be deleted")
	fresh, _ := bot.Send(tgbotapi.NewMessage(u.ID, "new"))
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(u.ID, fresh.MessageID)); err != nil {
		t.Errorf("delete fresh: %v", err)
	}
	if got := s.BotMessages(u.ID, 0); !got[1].Deleted || got[0].Text != "fixed" || !got[0].Edited {
		t.Errorf("messages = %+v", got)
	}
	if err := s.Edit(u.ID, 999, "x"); err == nil {
		t.Error("Edit of a missing message succeeded")
	}
}

func TestFilesBothWays(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	photo := []byte("\x89PNG\r\n\x1a\nfake image")
	m, err := s.SendPhoto(u.ID, 0, u, photo, "my receipt")
	if err != nil {
		t.Fatal(err)
	}
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 1 || len(ups[0].Message.Photo) == 0 || ups[0].Message.Caption != "my receipt" {
		t.Fatalf("photo update = %+v", ups)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: ups[0].Message.Photo[0].FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL() + "/file/bot" + s.Token() + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != string(photo) {
		t.Errorf("download = %q", got)
	}
	_ = m
	doc := tgbotapi.NewDocument(u.ID, tgbotapi.FileBytes{Name: "invoice.pdf", Bytes: []byte("%PDF-1.4 invoice")})
	doc.Caption = "your invoice"
	sent, err := bot.Send(doc)
	if err != nil || sent.Document == nil || sent.Document.FileName != "invoice.pdf" {
		t.Fatalf("sendDocument = %+v, %v", sent.Document, err)
	}
	if data, ok := s.FileData(sent.Document.FileID); !ok || string(data) != "%PDF-1.4 invoice" {
		t.Errorf("uploaded bytes = %q", data)
	}
}

func TestCallbacksAndReactions(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	msg := tgbotapi.NewMessage(u.ID, "Vote?")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("👍 1", "vote:1")))
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Press(u.ID, sent.MessageID, u, "vote:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.React(u.ID, sent.MessageID, u, "🔥"); err != nil {
		t.Fatal(err)
	}
	// message_reaction is not sent unless asked for.
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "vote:1" {
		t.Fatalf("updates = %+v", ups)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(id, "Thanks for voting")); err != nil {
		t.Fatal(err)
	}
	if text, ok := s.CallbackAnswer(id); !ok || text != "Thanks for voting" {
		t.Errorf("callback answer = %q, %v", text, ok)
	}
	if _, err := bot.MakeRequest("getUpdates", tgbotapi.Params{"offset": strconv.Itoa(ups[0].UpdateID + 1), "allowed_updates": `["message","message_reaction"]`}); err != nil {
		t.Fatal(err)
	}
	if err := s.React(u.ID, sent.MessageID, u, "🔥"); err != nil {
		t.Fatal(err)
	}
	resp, err := bot.MakeRequest("getUpdates", tgbotapi.Params{})
	if err != nil || !strings.Contains(string(resp.Result), `"message_reaction"`) || !strings.Contains(string(resp.Result), "🔥") {
		t.Errorf("reaction update = %s, %v", resp.Result, err)
	}
	if _, err := bot.MakeRequest("setMessageReaction", tgbotapi.Params{"chat_id": strconv.FormatInt(u.ID, 10), "message_id": strconv.Itoa(sent.MessageID), "reaction": `[{"type":"emoji","emoji":"👀"}]`}); err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(u.ID, 0)[0].Reactions; len(got) != 1 || got[0] != "👀" {
		t.Errorf("bot reaction = %q", got)
	}
}

func TestWebhookPushesWithSecret(t *testing.T) {
	s, bot := start(t, telegramfake.Options{WebhookRetry: 10 * time.Millisecond})
	u := s.AddUser("Carla", "", "")
	var mu sync.Mutex
	var got []string
	fail := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
	}))
	defer hook.Close()
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantAPIError(t, err, 409, "can't use getUpdates method while webhook is active")
	if _, err := s.SendText(u.ID, 0, u, "via webhook"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }); err != nil {
		t.Fatalf("no webhook push: %v", err)
	}
	if !strings.Contains(got[0], "via webhook") {
		t.Errorf("push = %s", got[0])
	}
	if st := s.WebhookStatuses(); len(st) != 2 || st[0] != 500 || st[1] != 200 {
		t.Errorf("push statuses = %v, want a retry after the 500", st)
	}
}

func TestFaults(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	s.RateLimitNext("sendMessage", 1, 7)
	_, err := bot.Send(tgbotapi.NewMessage(u.ID, "x"))
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 7 {
		t.Fatalf("429 = %+v", err)
	}
	// Calling again inside the window is a violation and is refused.
	_, err = bot.Send(tgbotapi.NewMessage(u.ID, "x"))
	wantAPIError(t, err, 429, "retry after")
	if s.Violations() != 1 {
		t.Errorf("violations = %d, want 1", s.Violations())
	}
	s.FailNext("getChat", 1, 502)
	_, err = bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: u.ID}})
	if err == nil {
		t.Error("injected 502 did not fail")
	}
	_, err = bot.MakeRequest("noSuchMethod", tgbotapi.Params{})
	wantAPIError(t, err, 404, "Not Found")
}

func TestCommandsCarryEntities(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	if _, err := s.SendText(u.ID, 0, u, "/link 123456"); err != nil {
		t.Fatal(err)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "link" || m.CommandArguments() != "123456" {
		t.Errorf("command = %v %q %q", m.IsCommand(), m.Command(), m.CommandArguments())
	}
}
