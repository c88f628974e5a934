package e2e_test

import (
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// TestDiscordCommunityReplyBecomesAnswer: in a Discord community channel
// a member helps someone; a moderator on the Discord desk pastes the
// message's Discord link with !answer from; the answer credits the member,
// who is thanked in the moderator's voice (through the outbox, a webhook
// post under their message).
func TestDiscordCommunityReplyBecomesAnswer(t *testing.T) {
	fake, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	d := fake.SeedDemoWorld()
	bot, err := discord.New(discord.Options{Token: fake.Token(), ApplicationID: fake.ApplicationID(), APIURL: fake.URL(),
		DeskChannels: []string{d.Desk.ID}, CommunityChannels: []string{d.Support.ID}, CommunityTrigger: "any", TeamName: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Community"}, Roles: []core.Role{core.RoleModerator},
		Identities: map[core.PlatformName]string{core.Discord: d.Alice.ID}}
	s := bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//",
		CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: core.Place{Platform: core.Discord, Chat: d.Desk.ID}}},
		Staff: []core.Staff{alice}}, bot)
	bottest.Eventually(t, wait, "the Discord gateway", func() bool { return fake.Sessions() == 1 })

	msg, err := fake.Send(d.Support.ID, d.Customer, "Gift cards never expire: redeem them under Account, Wallet.")
	if err != nil {
		t.Fatal(err)
	}
	var conv core.Conversation
	bottest.Eventually(t, wait, "the member's message on record", func() bool {
		got, ok := s.Conversation(t, core.Discord, d.Customer.ID, core.Place{Platform: core.Discord, Chat: d.Support.ID})
		conv = got
		return ok && got.Desk.Thread != ""
	})
	link := "https://discord.com/channels/" + d.Community.ID + "/" + d.Support.ID + "/" + msg.ID
	if _, err := fake.Send(conv.Desk.Thread, d.Alice, "!answer from "+link+" Do gift cards expire?"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the publication in the desk thread", func() bool {
		for _, m := range fake.BotMessages(conv.Desk.Thread) {
			if strings.Contains(m.Content, `reply as answer 1 "Do gift cards expire?"`) {
				return true
			}
		}
		return false
	})
	bottest.Eventually(t, wait, "the thanks in Alice's voice", func() bool {
		got, _ := s.Conversation(t, core.Discord, d.Customer.ID, core.Place{Platform: core.Discord, Chat: d.Support.ID})
		where := got.Customer.Thread
		if where == "" {
			where = d.Support.ID
		}
		for _, m := range fake.Messages(where) {
			if strings.Contains(m.Content, "Your reply was so helpful") && strings.HasPrefix(m.Username, "Alice Martin") {
				return true
			}
		}
		return false
	})
	var a core.Answer
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) (err error) { a, err = tx.Answer(1); return }); err != nil {
		t.Fatal(err)
	}
	if a.Credit != conv.ContactID || !strings.Contains(a.Body, "never expire") {
		t.Fatalf("answer = %+v", a)
	}
}
