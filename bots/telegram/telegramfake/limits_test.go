package telegramfake_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/telegram/telegramfake"
)

// TestTextLimitCountsUTF16AfterParsing: the 4,096 of sendMessage and
// editMessageText are UTF-16 code units of the text once entities are
// parsed, as Telegram counts them: an emoji counts two, "&amp;" one, tags
// nothing. Over it: 400 "Bad Request: message is too long".
func TestTextLimitCountsUTF16AfterParsing(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	tests := []struct {
		name string
		html string
		ok   bool
	}{
		{"2048 emoji", strings.Repeat("😀", 2048), true},
		{"2048 emoji and one more unit", strings.Repeat("😀", 2048) + "a", false},
		{"4096 entities", strings.Repeat("&amp;", 4096), true},
		{"4097 entities", strings.Repeat("&lt;", 4097), false},
		{"4096 in tags", strings.Repeat("<b>a</b>", 4096), true},
		{"combining marks count", strings.Repeat("e\u0301", 2048) + "x", false},
	}
	first, err := bot.Send(tgbotapi.NewMessage(u.ID, "first"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(u.ID, tc.html)
			msg.ParseMode = tgbotapi.ModeHTML
			_, err := bot.Send(msg)
			edit := tgbotapi.NewEditMessageText(u.ID, first.MessageID, tc.html)
			edit.ParseMode = tgbotapi.ModeHTML
			_, eerr := bot.Send(edit)
			if tc.ok {
				if err != nil || eerr != nil {
					t.Fatalf("refused within the limit: send %v, edit %v", err, eerr)
				}
				return
			}
			wantAPIError(t, err, 400, "Bad Request: message is too long")
			wantAPIError(t, eerr, 400, "Bad Request: message is too long")
		})
	}
}

// TestTopicNameLimit: a forum topic's name is 1 to 128 UTF-16 units, on
// createForumTopic and editForumTopic.
func TestTopicNameLimit(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	staff := s.AddUser("Alice", "", "alice")
	desk := s.AddGroup("Desk", true, true, staff)
	chat := strconv.FormatInt(desk.ID, 10)
	tests := []struct {
		name string
		ok   bool
	}{
		{strings.Repeat("😀", 64), true},
		{strings.Repeat("😀", 64) + "a", false},
		{strings.Repeat("a", 128), true},
		{"", false},
	}
	for _, tc := range tests {
		_, err := bot.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": chat, "name": tc.name})
		if tc.ok != (err == nil) {
			t.Errorf("createForumTopic(%d units) = %v, want ok %v", len(tc.name), err, tc.ok)
		}
	}
	resp, err := bot.MakeRequest("createForumTopic", tgbotapi.Params{"chat_id": chat, "name": "t"})
	if err != nil {
		t.Fatal(err)
	}
	var topic struct {
		MessageThreadID int `json:"message_thread_id"`
	}
	if err := json.Unmarshal(resp.Result, &topic); err != nil {
		t.Fatal(err)
	}
	_, err = bot.MakeRequest("editForumTopic", tgbotapi.Params{"chat_id": chat, "message_thread_id": strconv.Itoa(topic.MessageThreadID), "name": strings.Repeat("😀", 65)})
	if err == nil {
		t.Error("editForumTopic accepted a name of 130 units")
	}
}
