package discordfake_test

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
)

func TestInteractions(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	card, err := dg.ChannelMessageSendComplex(d.Desk.ID, &discordgo.MessageSend{Content: "card", AllowedMentions: none,
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Close", Style: discordgo.DangerButton, CustomID: "cornershop:close"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *discordgo.InteractionCreate, 4)
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	open(t, s, dg, allIntents)
	next := func() *discordgo.InteractionCreate {
		t.Helper()
		var i *discordgo.InteractionCreate
		wait(t, s, "INTERACTION_CREATE", func() bool {
			select {
			case i = <-got:
				return true
			default:
				return false
			}
		})
		return i
	}

	t.Run("slash command answered ephemerally", func(t *testing.T) {
		id := s.Command(d.Desk.ID, d.Alice, "cornershop", map[string]string{"action": "close"})
		i := next()
		data := i.ApplicationCommandData()
		if i.ID != id || data.Name != "cornershop" || data.Options[0].StringValue() != "close" || i.Member.User.ID != d.Alice.ID {
			t.Fatalf("interaction = %+v", i.Interaction)
		}
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "Closed.", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: none}}
		if err := dg.InteractionRespond(i.Interaction, resp); err != nil {
			t.Fatal(err)
		}
		wantCode(t, dg.InteractionRespond(i.Interaction, resp), 40060, "", "")
		if typ, content, ok := s.Response(id); !ok || typ != 4 || content != "Closed." {
			t.Errorf("response = %d %q %v", typ, content, ok)
		}
		if rec, _ := s.Interaction(id); !rec.Ephemeral || len(s.BotMessages(d.Desk.ID)) != 1 {
			t.Errorf("an ephemeral answer became a channel message: %+v", rec)
		}
	})
	t.Run("button updates its message", func(t *testing.T) {
		id := s.Click(d.Desk.ID, card.ID, d.Alice, "cornershop:close")
		i := next()
		if i.MessageComponentData().CustomID != "cornershop:close" || i.Message.ID != card.ID {
			t.Fatalf("click = %+v", i.Interaction)
		}
		err := dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "card (closed)", Components: []discordgo.MessageComponent{}}})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := s.Message(d.Desk.ID, card.ID)
		if typ, _, _ := s.Response(id); typ != 7 || m.Content != "card (closed)" || m.Components != "" {
			t.Errorf("after update: %d %+v", typ, m)
		}
	})
	t.Run("deferred response edited, then a followup", func(t *testing.T) {
		id := s.Command(d.Desk.ID, d.Alice, "cornershop", map[string]string{"action": "note"})
		i := next()
		if err := dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
			t.Fatal(err)
		}
		text := "Noted."
		if _, err := dg.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &text, AllowedMentions: none}); err != nil {
			t.Fatal(err)
		}
		f, err := dg.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "more", AllowedMentions: none})
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := s.Interaction(id)
		if rec.ResponseType != 5 || rec.Original == nil || rec.Original.Content != "Noted." || len(rec.Followups) != 1 || rec.Followups[0].ID != f.ID {
			t.Errorf("record = %+v", rec)
		}
		if msgs := s.BotMessages(d.Desk.ID); len(msgs) != 3 || msgs[2].Content != "more" {
			t.Errorf("desk = %+v", msgs)
		}
	})
	t.Run("unknown interaction", func(t *testing.T) {
		err := dg.InteractionRespond(&discordgo.Interaction{ID: "1", Token: "x"}, &discordgo.InteractionResponse{Type: 4})
		wantCode(t, err, 10062, "", "")
	})
}
