package discordfake_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/internal/emu"
	"cornershop/bots/internal/emu/emutest"
)

// TestUserAPI plays users over the user-side HTTP API while a real
// discordgo session plays the bot: posts reach the gateway, presses
// become interactions, and the bot's messages (webhook voices, embeds,
// buttons, threads) are listed as users see them.
func TestUserAPI(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	dm := s.DMChannel(d.Customer)
	base := s.URL() + "/emulator"
	created := make(chan *discordgo.MessageCreate, 8)
	clicks := make(chan *discordgo.InteractionCreate, 2)
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		if m.Author.ID != s.Bot().ID && m.WebhookID == "" {
			created <- m
		}
	})
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { clicks <- i })
	open(t, s, dg, allIntents)
	events := emutest.Events(t, base+"/events")
	emutest.Next(t, events)

	var chats struct{ Chats []emu.Room }
	emutest.Get(t, base+"/chats", &chats)
	kinds := map[string]string{}
	for _, c := range chats.Chats {
		kinds[c.ID] = c.Kind + " " + c.Title
	}
	if kinds[dm.ID] != "dm Erin Player" || kinds[d.Support.ID] != "channel Acme Community #support" || kinds[d.Forum.ID] != "forum Acme Staff #desk-forum" {
		t.Errorf("chats = %v, want Erin's DM, #support and the forum", kinds)
	}

	emutest.Post(t, base+"/chats/"+d.Support.ID+"/messages", emu.Say{User: d.Customer.ID, Text: "<@" + s.Bot().ID + "> help"}, http.StatusOK, nil)
	m := recv(t, created)
	if m.ChannelID != d.Support.ID || m.Author.ID != d.Customer.ID || m.Content != "<@"+s.Bot().ID+"> help" {
		t.Errorf("MESSAGE_CREATE = %+v, want Erin's message in #support", m.Message)
	}
	emutest.Next(t, events)

	card, err := dg.ChannelMessageSendComplex(d.Desk.ID, &discordgo.MessageSend{Content: "New conversation", AllowedMentions: none,
		Embeds: []*discordgo.MessageEmbed{{Title: "Erin Player", Fields: []*discordgo.MessageEmbedField{{Name: "Platform", Value: "Discord"}}}},
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Claim", Style: discordgo.PrimaryButton, CustomID: "act:claim:1"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	th, err := dg.MessageThreadStart(d.Desk.ID, card.ID, "Erin Player", 1440)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := dg.WebhookCreate(d.Support.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.WebhookExecute(hook.ID, hook.Token, true, &discordgo.WebhookParams{Content: "Export, then import.", Username: "Alice Martin",
		AvatarURL: "https://example.com/alice.png", AllowedMentions: none}); err != nil {
		t.Fatal(err)
	}
	var reply emu.Post
	emutest.Post(t, base+"/chats/"+d.Desk.ID+"/messages", emu.Say{User: d.Alice.ID, Thread: th.ID, Text: "on it"}, http.StatusOK, &reply)
	if m := recv(t, created); m.ChannelID != th.ID || reply.Thread != th.ID {
		t.Errorf("Alice's reply went to %s (%+v), want the thread %s", m.ChannelID, reply, th.ID)
	}

	var v emu.View
	emutest.Get(t, base+"/chats/"+d.Desk.ID+"/messages", &v)
	if len(v.Messages) != 2 || len(v.Threads) != 1 || v.Threads[0] != (emu.Thread{ID: th.ID, Name: "Erin Player"}) {
		t.Fatalf("desk = %+v, want the card and the thread with Alice's reply", v)
	}
	got := v.Messages[0]
	if !got.Author.Bot || !slices.Equal(got.Card, []string{"Erin Player", "Platform: Discord"}) || len(got.Buttons) != 1 ||
		got.Buttons[0][0] != (emu.Button{Text: "Claim", ID: "act:claim:1"}) || v.Messages[1].Thread != th.ID {
		t.Errorf("desk = %+v, want the card with its embed and button, then the thread", v.Messages)
	}
	emutest.Get(t, base+"/chats/"+d.Support.ID+"/messages", &v)
	if last := v.Messages[len(v.Messages)-1]; last.Author.Name != "Alice Martin" || last.Author.Avatar != "https://example.com/alice.png" || !last.Author.Bot {
		t.Errorf("webhook message = %+v, want it in Alice's voice", last)
	}

	var pressed emu.Answer
	emutest.Post(t, base+"/chats/"+d.Desk.ID+"/messages/"+card.ID+"/press", emu.Press{User: d.Alice.ID, ID: "act:claim:1"}, http.StatusOK, &pressed)
	i := recv(t, clicks)
	if i.MessageComponentData().CustomID != "act:claim:1" || i.Member.User.ID != d.Alice.ID || i.Message.ID != card.ID || i.ID != pressed.ID {
		t.Errorf("interaction = %+v, want Alice's click %s on the card", i.Interaction, pressed.ID)
	}
	if err := dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "Claimed.", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: none}}); err != nil {
		t.Fatal(err)
	}
	var answer emu.Answer
	emutest.Get(t, base+"/presses/"+pressed.ID, &answer)
	if answer != (emu.Answer{ID: pressed.ID, Answered: true, Text: "Claimed."}) {
		t.Errorf("answer = %+v, want the ephemeral response", answer)
	}

	for _, tc := range []struct {
		name, path string
		body       any
		status     int
	}{
		{"no such channel", "/chats/1/messages", emu.Say{User: d.Customer.ID, Text: "hi"}, http.StatusNotFound},
		{"not a member of the server", "/chats/" + d.Desk.ID + "/messages", emu.Say{User: d.Customer.ID, Text: "hi"}, http.StatusUnprocessableEntity},
		{"someone else's DM", "/chats/" + dm.ID + "/messages", emu.Say{User: d.Alice.ID, Text: "hi"}, http.StatusUnprocessableEntity},
		{"thread of another channel", "/chats/" + d.Support.ID + "/messages", emu.Say{User: d.Customer.ID, Thread: th.ID, Text: "hi"}, http.StatusUnprocessableEntity},
		{"no such button", "/chats/" + d.Desk.ID + "/messages/" + card.ID + "/press", emu.Press{User: d.Alice.ID, ID: "act:close"}, http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e := emutest.Post(t, base+tc.path, tc.body, tc.status, nil); e == "" {
				t.Error("no error message")
			}
		})
	}
}

// recv waits for the gateway's next dispatch of one kind; the emulator
// sends it while handling the request that caused it.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("no gateway event")
		panic("unreachable")
	}
}
