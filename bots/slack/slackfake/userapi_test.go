package slackfake_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"cornershop/bots/internal/emu"
	"cornershop/bots/internal/emu/emutest"
	"cornershop/bots/slack/slackfake"
)

// TestUserAPI plays users over the user-side HTTP API while real slack-go
// clients (Web API and Socket Mode) play the app: posts and clicks reach
// the app as events, and the app's posts are listed with the voice,
// blocks and buttons it gave them.
func TestUserAPI(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, alice, _, dana, shared := s.SeedDemo()
	base := s.URL() + "/emulator"
	sm := socketmode.New(api)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { _ = sm.RunContext(ctx) }()
	if err := s.WaitFor(ctx, func() bool { return s.Connected() == 1 }); err != nil {
		t.Fatal(err)
	}
	events := emutest.Events(t, base+"/events")
	emutest.Next(t, events)

	var chats struct{ Chats []emu.Room }
	emutest.Get(t, base+"/chats", &chats)
	if !slices.ContainsFunc(chats.Chats, func(r emu.Room) bool {
		return r.ID == shared.ID && r.Kind == "shared" && r.Title == "#globex-acme" && slices.Contains(r.Members, dana.ID)
	}) {
		t.Errorf("chats = %+v, want the Slack Connect channel with Dana", chats.Chats)
	}
	var users struct{ Users []emu.Person }
	emutest.Get(t, base+"/users", &users)
	if !slices.Contains(users.Users, emu.Person{ID: alice.ID, Name: "Alice Martin", Handle: "alice", Avatar: "https://example.com/alice.png"}) {
		t.Errorf("users = %+v, want Alice with her avatar", users.Users)
	}

	var root emu.Post
	emutest.Post(t, base+"/chats/"+shared.ID+"/messages", emu.Say{User: dana.ID, Text: "our invoice is wrong"}, http.StatusOK, &root)
	next := func(want socketmode.EventType) socketmode.Event {
		t.Helper()
		for {
			select {
			case <-ctx.Done():
				t.Fatalf("no %s event", want)
			case evt := <-sm.Events:
				if evt.Type == want {
					sm.Ack(*evt.Request)
					return evt
				}
			}
		}
	}
	me, ok := next(socketmode.EventTypeEventsAPI).Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || me.Text != "our invoice is wrong" || me.User != dana.ID || me.TimeStamp != root.ID {
		t.Fatalf("event = %+v, want Dana's message", me)
	}
	emutest.Next(t, events)

	_, ts, err := api.PostMessage(desk.ID, slack.MsgOptionText("New conversation", false),
		slack.MsgOptionUsername("Alice Martin"), slack.MsgOptionIconURL("https://example.com/alice.png"),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Dana* from Globex", false, false), nil, nil),
			slack.NewActionBlock("card", slack.NewButtonBlockElement("act:claim", "7", slack.NewTextBlockObject(slack.PlainTextType, "Claim", false, false)))))
	if err != nil {
		t.Fatal(err)
	}
	var reply emu.Post
	emutest.Post(t, base+"/chats/"+desk.ID+"/messages", emu.Say{User: alice.ID, Thread: ts, Text: "on it"}, http.StatusOK, &reply)
	var v emu.View
	emutest.Get(t, base+"/chats/"+desk.ID+"/messages", &v)
	if len(v.Messages) != 2 {
		t.Fatalf("desk = %+v, want the card and Alice's reply", v.Messages)
	}
	card := v.Messages[0]
	if card.Author.Name != "Alice Martin" || card.Author.Avatar != "https://example.com/alice.png" || !card.Author.Bot ||
		!slices.Equal(card.Card, []string{"*Dana* from Globex"}) || len(card.Buttons) != 1 ||
		card.Buttons[0][0] != (emu.Button{Text: "Claim", ID: "act:claim", Value: "7"}) {
		t.Errorf("card = %+v, want the bot's post in Alice's voice with its block and button", card)
	}
	if v.Messages[1].Thread != ts || reply.Thread != ts {
		t.Errorf("reply = %+v, want it in the card's thread", v.Messages[1])
	}

	var pressed emu.Answer
	emutest.Post(t, base+"/chats/"+desk.ID+"/messages/"+ts+"/press", emu.Press{User: alice.ID, ID: "act:claim", Value: "7"}, http.StatusOK, &pressed)
	cb := next(socketmode.EventTypeInteractive).Data.(slack.InteractionCallback) // acknowledged by next
	if a := cb.ActionCallback.BlockActions; cb.Type != slack.InteractionTypeBlockActions || len(a) != 1 || a[0].ActionID != "act:claim" || a[0].Value != "7" || cb.User.ID != alice.ID {
		t.Errorf("block actions = %+v by %s, want Alice's claim", a, cb.User.ID)
	}
	var answer emu.Answer
	if err := s.WaitFor(ctx, func() bool { emutest.Get(t, base+"/presses/"+pressed.ID, &answer); return answer.Answered }); err != nil {
		t.Errorf("answer = %+v, want the envelope acknowledged", answer)
	}

	for _, tc := range []struct {
		name, path string
		body       any
		status     int
	}{
		{"no such channel", "/chats/CNOPE/messages", emu.Say{User: dana.ID, Text: "hi"}, http.StatusNotFound},
		{"not in the channel", "/chats/" + desk.ID + "/messages", emu.Say{User: dana.ID, Text: "hi"}, http.StatusUnprocessableEntity},
		{"no such thread", "/chats/" + desk.ID + "/messages", emu.Say{User: alice.ID, Thread: "1.000001", Text: "hi"}, http.StatusUnprocessableEntity},
		{"no such button", "/chats/" + desk.ID + "/messages/" + ts + "/press", emu.Press{User: alice.ID, ID: "act:claim", Value: "8"}, http.StatusUnprocessableEntity},
		{"no such message", "/chats/" + desk.ID + "/messages/1.2/press", emu.Press{User: alice.ID, ID: "x"}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e := emutest.Post(t, base+tc.path, tc.body, tc.status, nil); e == "" {
				t.Error("no error message")
			}
		})
	}
	if resp, err := http.Get(base + "/presses/env-99"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown press: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}
}
