package telegramfake_test

import (
	"encoding/json"
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

func TestGetUpdatesOffsetAndLongPoll(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	for _, text := range []string{"first", "second", "third"} {
		if _, err := s.SendText(u.ID, 0, u, text); err != nil {
			t.Fatal(err)
		}
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil || len(ups) != 2 || ups[0].Message.Text != "first" || ups[1].UpdateID != ups[0].UpdateID+1 {
		t.Fatalf("GetUpdates(limit 2) = %+v, %v", ups, err)
	}
	// Not confirmed yet: the same updates come again.
	if again, _ := bot.GetUpdates(tgbotapi.UpdateConfig{}); len(again) != 3 {
		t.Fatalf("unconfirmed updates not redelivered: %d", len(again))
	}
	// offset confirms everything below it.
	ups, _ = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[1].UpdateID + 1})
	if len(ups) != 1 || ups[0].Message.Text != "third" || s.PendingUpdates() != 1 {
		t.Fatalf("after offset = %+v (pending %d)", ups, s.PendingUpdates())
	}
	last := ups[0].UpdateID
	// A long poll returns as soon as an update arrives.
	done := make(chan []tgbotapi.Update, 1)
	polls := pollsStarted(s)
	go func() {
		ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: last + 1, Timeout: 20})
		done <- ups
	}()
	wait(t, s, "the long poll", func() bool { return pollsStarted(s) > polls && s.PendingUpdates() == 0 })
	if _, err := s.SendText(u.ID, 0, u, "fourth"); err != nil {
		t.Fatal(err)
	}
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].Message.Text != "fourth" {
			t.Errorf("long poll = %+v", ups)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return when an update arrived")
	}
	// A negative offset keeps only the last updates.
	for _, text := range []string{"a", "b", "c"} {
		_, _ = s.SendText(u.ID, 0, u, text)
	}
	ups, _ = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: -1})
	if len(ups) != 1 || ups[0].Message.Text != "c" || s.PendingUpdates() != 1 {
		t.Errorf("offset -1 = %+v (pending %d)", ups, s.PendingUpdates())
	}
}

func TestGetUpdatesConflictAndDrops(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	first := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 20})
		first <- err
	}()
	wait(t, s, "the first poll", func() bool { return pollsStarted(s) == 1 })
	second := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 20})
		second <- err
	}()
	wantAPIError(t, <-first, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	wait(t, s, "the second poll", func() bool { return pollsStarted(s) == 2 })
	s.DropPolls()
	if err := <-second; err == nil {
		t.Error("a dropped long poll answered")
	}
	if calls := s.Calls(); calls[len(calls)-1].Status != 0 {
		t.Errorf("dropped poll recorded with status %d", calls[len(calls)-1].Status)
	}
}

func TestForumTopicsAndThreadMessages(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	staff := s.AddUser("Alice", "", "alice")
	desk := s.AddForumSupergroup("Desk", staff)
	chatID := id(desk.ID)
	var topic struct {
		MessageThreadID int    `json:"message_thread_id"`
		Name            string `json:"name"`
		IconColor       int    `json:"icon_color"`
	}
	if err := raw(t, bot, "createForumTopic", tgbotapi.Params{"chat_id": chatID, "name": "🟢 Carla · telegram"}, &topic); err != nil {
		t.Fatal(err)
	}
	if topic.MessageThreadID == 0 || topic.IconColor == 0 {
		t.Fatalf("createForumTopic = %+v", topic)
	}
	th := strconv.Itoa(topic.MessageThreadID)
	var sent struct {
		tgbotapi.Message
		MessageThreadID int  `json:"message_thread_id"`
		IsTopicMessage  bool `json:"is_topic_message"`
	}
	if err := raw(t, bot, "sendMessage", tgbotapi.Params{"chat_id": chatID, "message_thread_id": th, "text": "card"}, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.MessageThreadID != topic.MessageThreadID || !sent.IsTopicMessage || sent.ReplyToMessage == nil || sent.ReplyToMessage.MessageID != topic.MessageThreadID {
		t.Errorf("message in topic = %+v", sent)
	}
	_, err := bot.UploadFiles("sendPhoto", tgbotapi.Params{"chat_id": chatID, "message_thread_id": th, "caption": "shot"},
		[]tgbotapi.RequestFile{{Name: "photo", Data: tgbotapi.FileBytes{Name: "a.png", Bytes: []byte("png")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(desk.ID, topic.MessageThreadID); len(got) != 2 || got[0].Text != "card" || got[1].Caption != "shot" {
		t.Fatalf("topic messages = %+v", got)
	}
	steps := []struct {
		method, name, err string
	}{
		{"editForumTopic", "✅ Carla · telegram", ""},
		{"editForumTopic", "✅ Carla · telegram", "TOPIC_NOT_MODIFIED"},
		{"closeForumTopic", "", ""},
		{"closeForumTopic", "", "TOPIC_NOT_MODIFIED"},
		{"reopenForumTopic", "", ""},
		{"reopenForumTopic", "", "TOPIC_NOT_MODIFIED"},
	}
	for _, st := range steps {
		p := tgbotapi.Params{"chat_id": chatID, "message_thread_id": th}
		if st.name != "" {
			p["name"] = st.name
		}
		err := raw(t, bot, st.method, p, nil)
		if st.err != "" {
			wantAPIError(t, err, 400, st.err)
		} else if err != nil {
			t.Errorf("%s: %v", st.method, err)
		}
	}
	if got := s.Topics(desk.ID); len(got) != 1 || got[0].Name != "✅ Carla · telegram" || got[0].Closed {
		t.Errorf("topics = %+v", got)
	}
	in, err := s.SendText(desk.ID, topic.MessageThreadID, staff, "answer")
	if err != nil {
		t.Fatal(err)
	}
	var ups []struct {
		Message struct {
			tgbotapi.Message
			MessageThreadID int  `json:"message_thread_id"`
			IsTopicMessage  bool `json:"is_topic_message"`
		} `json:"message"`
	}
	if err := raw(t, bot, "getUpdates", tgbotapi.Params{}, &ups); err != nil || len(ups) != 1 {
		t.Fatalf("getUpdates = %+v, %v", ups, err)
	}
	if m := ups[0].Message; m.MessageID != in.ID || m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage || m.ReplyToMessage == nil || m.ReplyToMessage.From.ID != bot.Self.ID {
		t.Errorf("topic update = %+v", m)
	}
	if err := raw(t, bot, "deleteForumTopic", tgbotapi.Params{"chat_id": chatID, "message_thread_id": th}, nil); err != nil {
		t.Fatal(err)
	}
	err = raw(t, bot, "sendMessage", tgbotapi.Params{"chat_id": chatID, "message_thread_id": th, "text": "late"}, nil)
	wantAPIError(t, err, 400, "message thread not found")
	var kinds []string
	for _, a := range s.Actions(desk.ID, topic.MessageThreadID) {
		kinds = append(kinds, string(a.Kind))
	}
	if got := strings.Join(kinds, ","); got != "topic_create,send,send,topic_edit,topic_close,topic_reopen,topic_delete" {
		t.Errorf("actions = %s", got)
	}
	group := s.AddGroup("Plain group", false, false)
	err = raw(t, bot, "createForumTopic", tgbotapi.Params{"chat_id": id(group.ID), "name": "x"}, nil)
	wantAPIError(t, err, 400, "the chat is not a forum")
	notAdmin := s.AddGroup("Forum without rights", true, false)
	err = raw(t, bot, "createForumTopic", tgbotapi.Params{"chat_id": id(notAdmin.ID), "name": "x"}, nil)
	wantAPIError(t, err, 400, "not enough rights to create a topic")
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
	if _, err := s.Press(u.ID, sent.MessageID, u, "vote:2"); err == nil {
		t.Error("pressed a button the message does not have")
	}
	qid, err := s.Press(u.ID, sent.MessageID, u, "vote:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.React(u.ID, sent.MessageID, u, "🔥"); err != nil {
		t.Fatal(err)
	}
	// message_reaction is not sent unless asked for.
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "vote:1" || ups[0].CallbackQuery.Message.MessageID != sent.MessageID {
		t.Fatalf("updates = %+v", ups)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(qid, "Thanks for voting")); err != nil {
		t.Fatal(err)
	}
	if text, ok := s.CallbackAnswer(qid); !ok || text != "Thanks for voting" {
		t.Errorf("callback answer = %q, %v", text, ok)
	}
	_, err = bot.Request(tgbotapi.NewCallback(qid, "again"))
	wantAPIError(t, err, 400, "query is too old and response timeout expired or query ID is invalid")

	// allowed_updates is remembered by later calls that omit it.
	if err := raw(t, bot, "getUpdates", tgbotapi.Params{"offset": strconv.Itoa(ups[0].UpdateID + 1), "allowed_updates": `["message","message_reaction"]`}, nil); err != nil {
		t.Fatal(err)
	}
	_ = s.React(u.ID, sent.MessageID, u, "👍")
	var rups []struct {
		MessageReaction *struct {
			MessageID   int `json:"message_id"`
			OldReaction []struct {
				Emoji string `json:"emoji"`
			} `json:"old_reaction"`
			NewReaction []struct {
				Emoji string `json:"emoji"`
			} `json:"new_reaction"`
		} `json:"message_reaction"`
	}
	if err := raw(t, bot, "getUpdates", tgbotapi.Params{}, &rups); err != nil || len(rups) != 1 || rups[0].MessageReaction == nil {
		t.Fatalf("reaction update = %+v, %v", rups, err)
	}
	if r := rups[0].MessageReaction; r.OldReaction[0].Emoji != "🔥" || r.NewReaction[0].Emoji != "👍" {
		t.Errorf("reaction = %+v", r)
	}
	group := s.AddGroup("Fans", false, false, u)
	gm, _ := s.SendText(group.ID, 0, u, "/start")
	before := s.PendingUpdates()
	_ = s.React(group.ID, gm.ID, u, "👍")
	if s.PendingUpdates() != before {
		t.Error("a non-admin bot was told about a group reaction")
	}

	tests := []struct {
		name, reaction, err string
	}{
		{"allowed emoji", `[{"type":"emoji","emoji":"👀"}]`, ""},
		{"emoji not allowed for reactions", `[{"type":"emoji","emoji":"🧾"}]`, "REACTION_INVALID"},
		{"two reactions", `[{"type":"emoji","emoji":"👀"},{"type":"emoji","emoji":"👍"}]`, "REACTIONS_TOO_MANY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := raw(t, bot, "setMessageReaction", tgbotapi.Params{"chat_id": id(u.ID), "message_id": strconv.Itoa(sent.MessageID), "reaction": tc.reaction}, nil)
			if tc.err != "" {
				wantAPIError(t, err, 400, tc.err)
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
	if got := s.BotMessages(u.ID, 0)[0].Reactions; len(got) != 1 || got[0] != "👀" {
		t.Errorf("bot reaction = %q", got)
	}
}

func TestPrivacyModeInGroups(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	group := s.AddGroup("Fans", false, false, u)
	mine, _ := bot.Send(tgbotapi.NewMessage(group.ID, "Hello group"))
	texts := []struct {
		text  string
		heard bool
	}{
		{"just chatting", false},
		{"@cornershop_bot are you open?", true},
		{"/help", true},
		{"/help@other_bot", false},
		{"/help@cornershop_bot", true},
	}
	for _, tc := range texts {
		if _, err := s.SendText(group.ID, 0, u, tc.text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Reply(group.ID, u, mine.MessageID, "a reply to the bot"); err != nil {
		t.Fatal(err)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, up := range ups {
		got = append(got, up.Message.Text)
	}
	if want := "@cornershop_bot are you open?|/help|/help@cornershop_bot|a reply to the bot"; strings.Join(got, "|") != want {
		t.Errorf("heard %q, want %q", strings.Join(got, "|"), want)
	}
	if !ups[1].Message.IsCommand() || ups[1].Message.Command() != "help" {
		t.Errorf("command entity missing: %+v", ups[1].Message.Entities)
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
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" || r.Header.Get("Content-Type") != "application/json" {
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
	err := raw(t, bot, "setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "bad secret!"}, nil)
	wantAPIError(t, err, 400, "secret token contains unallowed characters")
	if err := raw(t, bot, "setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "s3cret", "allowed_updates": `["message","message_reaction"]`}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantAPIError(t, err, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	m, err := s.SendText(u.ID, 0, u, "via webhook")
	if err != nil {
		t.Fatal(err)
	}
	_ = s.React(u.ID, m.ID, u, "👍")
	wait(t, s, "two pushes", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	var first tgbotapi.Update
	if err := json.Unmarshal([]byte(got[0]), &first); err != nil || first.Message == nil || first.Message.Text != "via webhook" {
		t.Errorf("push = %s, %v", got[0], err)
	}
	if !strings.Contains(got[1], `"message_reaction"`) {
		t.Errorf("allowed_updates from setWebhook not applied: %s", got[1])
	}
	if st := s.WebhookStatuses(); len(st) != 3 || st[0] != 500 || st[1] != 200 {
		t.Errorf("push statuses = %v, want a retry after the 500", st)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != hook.URL || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.PendingUpdateCount != 0 {
		t.Errorf("getWebhookInfo = %+v, %v", info, err)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	_, _ = s.SendText(u.ID, 0, u, "polled again")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "polled again" {
		t.Errorf("getUpdates after deleteWebhook = %+v, %v", ups, err)
	}
}

// TestWebhookPushesChatsConcurrentlyInOrder checks the pusher works as
// Telegram's: different chats are pushed at once, up to max_connections,
// one chat's updates one after another and in order, also across a failed
// push that is retried.
func TestWebhookPushesChatsConcurrentlyInOrder(t *testing.T) {
	var observed []telegramfake.Push // under the emulator's lock
	s, bot := start(t, telegramfake.Options{WebhookRetry: 10 * time.Millisecond,
		ObservePush: func(p telegramfake.Push) { observed = append(observed, p) }})
	const chats, each, maxConn = 6, 3, 4
	var users []telegramfake.User
	for i := range chats {
		users = append(users, s.AddUser("C"+strconv.Itoa(i), "", ""))
	}
	var (
		mu       sync.Mutex
		inFlight int
		peak     int
		busy     = map[int64]bool{}
		got      = map[int64][]string{}
		problems []string
		failed   bool
		wave     = make(chan struct{}) // closed once maxConn pushes are in flight together
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u tgbotapi.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u.Message == nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		chat, text := u.Message.Chat.ID, u.Message.Text
		mu.Lock()
		if busy[chat] {
			problems = append(problems, "two pushes of one chat in flight: "+text)
		}
		busy[chat] = true
		inFlight++
		peak = max(peak, inFlight)
		if inFlight == maxConn && peak == maxConn && len(got) == 0 {
			close(wave)
		}
		mu.Unlock()
		// The first pushes wait for each other: they all return only once
		// maxConn of them are in flight (or, failing that, after 5 s).
		select {
		case <-wave:
		case <-time.After(5 * time.Second):
		}
		mu.Lock()
		defer mu.Unlock()
		busy[chat] = false
		inFlight--
		if text == "C0 #1" && !failed {
			failed = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got[chat] = append(got[chat], text)
	}))
	defer hook.Close()
	for n := range each {
		for i, u := range users {
			if _, err := s.SendText(u.ID, 0, u, "C"+strconv.Itoa(i)+" #"+strconv.Itoa(n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := raw(t, bot, "setWebhook", tgbotapi.Params{"url": hook.URL, "max_connections": strconv.Itoa(maxConn)}, nil); err != nil {
		t.Fatal(err)
	}
	wait(t, s, "every update pushed", func() bool { return s.PendingUpdates() == 0 })
	mu.Lock()
	defer mu.Unlock()
	if peak != maxConn {
		t.Errorf("at most %d pushes in flight at once, want max_connections = %d", peak, maxConn)
	}
	for _, p := range problems {
		t.Error(p)
	}
	for i, u := range users {
		var want []string
		for n := range each {
			want = append(want, "C"+strconv.Itoa(i)+" #"+strconv.Itoa(n))
		}
		if g := strings.Join(got[u.ID], "|"); g != strings.Join(want, "|") {
			t.Errorf("chat %d received %q, want %q", i, g, strings.Join(want, "|"))
		}
	}
	pushes := s.WebhookPushes()
	if len(pushes) != chats*each+1 || len(s.WebhookStatuses()) != len(pushes) {
		t.Fatalf("%d pushes (%d statuses), want %d: one retried", len(pushes), len(s.WebhookStatuses()), chats*each+1)
	}
	var fails []telegramfake.Push
	for _, p := range pushes {
		if p.Status != http.StatusOK {
			fails = append(fails, p)
		}
		if p.Kind != "message" || p.At.Before(p.Sent) {
			t.Errorf("push %+v", p)
		}
	}
	if len(fails) != 1 || fails[0].Status != http.StatusServiceUnavailable || fails[0].Chat != users[0].ID {
		t.Errorf("failed pushes %+v, want one 503 in chat C0", fails)
	}
	if len(observed) != len(pushes) {
		t.Errorf("ObservePush saw %d pushes, want %d", len(observed), len(pushes))
	}
}
