package telegramfake_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/internal/emu"
	"cornershop/bots/internal/emu/emutest"
	"cornershop/bots/telegram/telegramfake"
)

// TestUserAPI plays users over the user-side HTTP API while a real
// tgbotapi client plays the bot: what a user writes or presses reaches the
// bot as updates, and what the bot sends is listed with its buttons.
func TestUserAPI(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	carla, staff, desk := s.SeedDemo()
	api := s.URL() + "/emulator"
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	events := emutest.Events(t, api+"/events")
	if e := emutest.Next(t, events); e != "change" {
		t.Fatalf("first event %q, want change", e)
	}

	var users struct{ Users []emu.Person }
	emutest.Get(t, api+"/users", &users)
	if !slices.ContainsFunc(users.Users, func(p emu.Person) bool { return p.ID == id(carla.ID) && p.Name == "Carla Customer" }) {
		t.Errorf("users = %+v, want Carla Customer", users.Users)
	}
	var chats struct{ Chats []emu.Room }
	emutest.Get(t, api+"/chats", &chats)
	kinds := map[string]string{}
	for _, c := range chats.Chats {
		kinds[c.ID] = c.Kind + " " + c.Title
	}
	if kinds[id(carla.ID)] != "dm Carla Customer" || kinds[id(desk.ID)] != "forum Support desk" {
		t.Errorf("chats = %v, want Carla's private chat and the forum desk", kinds)
	}

	emutest.Post(t, api+"/chats/"+id(carla.ID)+"/messages", emu.Say{User: id(carla.ID), Text: "hello"}, http.StatusOK, nil)
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil || len(ups) != 1 || ups[0].Message == nil || ups[0].Message.Text != "hello" || ups[0].Message.From.ID != carla.ID {
		t.Fatalf("updates = %+v, %v; want Carla's hello", ups, err)
	}
	if e := emutest.Next(t, events); e != "change" {
		t.Errorf("event after a post %q, want change", e)
	}

	msg := tgbotapi.NewMessage(carla.ID, "An idea: dark mode")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("👍 Vote", "act:vote:1")))
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	var v emu.View
	emutest.Get(t, api+"/chats/"+id(carla.ID)+"/messages", &v)
	if len(v.Messages) != 2 {
		t.Fatalf("messages = %+v, want Carla's and the bot's", v.Messages)
	}
	got := v.Messages[1]
	if !got.Author.Bot || got.Text != "An idea: dark mode" || len(got.Buttons) != 1 || got.Buttons[0][0] != (emu.Button{Text: "👍 Vote", ID: "act:vote:1"}) {
		t.Errorf("bot message = %+v, want the card with its vote button", got)
	}

	press := api + "/chats/" + id(carla.ID) + "/messages/" + strconv.Itoa(sent.MessageID) + "/press"
	var pressed emu.Answer
	emutest.Post(t, press, emu.Press{User: id(carla.ID), ID: "act:vote:1"}, http.StatusOK, &pressed)
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, Timeout: 1})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "act:vote:1" || ups[0].CallbackQuery.ID != pressed.ID {
		t.Fatalf("updates = %+v, %v; want the callback query %s", ups, err, pressed.ID)
	}
	var answer emu.Answer
	emutest.Get(t, api+"/presses/"+pressed.ID, &answer)
	if answer.Answered {
		t.Errorf("answer before the bot's = %+v", answer)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(pressed.ID, "Thanks for your vote")); err != nil {
		t.Fatal(err)
	}
	emutest.Get(t, api+"/presses/"+pressed.ID, &answer)
	if answer != (emu.Answer{ID: pressed.ID, Answered: true, Text: "Thanks for your vote"}) {
		t.Errorf("answer = %+v, want the bot's callback answer", answer)
	}

	// A staff member writes in a forum topic the bot opened.
	var topic struct {
		ID int `json:"message_thread_id"`
	}
	if err := raw(t, bot, "createForumTopic", tgbotapi.Params{"chat_id": id(desk.ID), "name": "Carla Customer"}, &topic); err != nil {
		t.Fatal(err)
	}
	var p emu.Post
	emutest.Post(t, api+"/chats/"+id(desk.ID)+"/messages", emu.Say{User: id(staff.ID), Thread: strconv.Itoa(topic.ID), Text: "on it"}, http.StatusOK, &p)
	emutest.Get(t, api+"/chats/"+id(desk.ID)+"/messages", &v)
	if p.Thread != strconv.Itoa(topic.ID) || len(v.Threads) != 1 || v.Threads[0].Name != "Carla Customer" || len(v.Messages) != 1 || v.Messages[0].Thread != p.Thread {
		t.Errorf("desk view = %+v after %+v, want the topic with Alice's message", v, p)
	}
}

// TestUserAPIRefuses checks the user-side API's errors.
func TestUserAPIRefuses(t *testing.T) {
	s, _ := start(t, telegramfake.Options{})
	carla, staff, desk := s.SeedDemo()
	api := s.URL() + "/emulator"
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
	}{
		{"no such chat", "/chats/42/messages", emu.Say{User: id(carla.ID), Text: "hi"}, http.StatusNotFound},
		{"no such user", "/chats/" + id(carla.ID) + "/messages", emu.Say{User: "7", Text: "hi"}, http.StatusNotFound},
		{"not a member", "/chats/" + id(desk.ID) + "/messages", emu.Say{User: id(carla.ID), Text: "hi"}, http.StatusUnprocessableEntity},
		{"someone else's private chat", "/chats/" + id(carla.ID) + "/messages", emu.Say{User: id(staff.ID), Text: "hi"}, http.StatusUnprocessableEntity},
		{"no topic", "/chats/" + id(desk.ID) + "/messages", emu.Say{User: id(staff.ID), Thread: "99", Text: "hi"}, http.StatusUnprocessableEntity},
		{"empty text", "/chats/" + id(carla.ID) + "/messages", emu.Say{User: id(carla.ID)}, http.StatusBadRequest},
		{"unknown field", "/chats/" + id(carla.ID) + "/messages", map[string]string{"user": id(carla.ID), "txt": "hi"}, http.StatusBadRequest},
		{"no such message", "/chats/" + id(carla.ID) + "/messages/9/press", emu.Press{User: id(carla.ID), ID: "x"}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e := emutest.Post(t, api+tc.path, tc.body, tc.status, nil); e == "" {
				t.Error("no error message")
			}
		})
	}
}
