package discord

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/bottest"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
)

// TestAnyCardFitsDiscord: contact cards and idea cards of random sizes,
// counts and characters (emoji, combining marks, markdown, mentions, very
// long words) render within Discord's documented limits, checked here
// without the adapter's code, and the emulator accepts each of them over
// the wire: the card posted and its thread opened, edited in place, the
// idea card posted.
func TestAnyCardFitsDiscord(t *testing.T) {
	fake, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	_, _, _, _, _, desk, _ := fake.SeedDemo()
	b, err := New(Options{Token: fake.Token(), ApplicationID: fake.ApplicationID(), APIURL: fake.URL(), DeskChannels: []string{desk.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deskPlace := core.Place{Platform: core.Discord, Chat: desk.ID}
	r := rand.New(rand.NewPCG(26, 2026))
	for i := range bottest.CardSeeds {
		card := bottest.RandomCard(r)
		embed, comps := cardEmbed(card)
		problems := append(embedProblems(embed), componentProblems(comps)...)
		if name := threadName(card); utf8.RuneCountInString(name) > 100 || strings.TrimSpace(name) == "" {
			problems = append(problems, "thread name "+name)
		}
		if !strings.Contains(embed.Description, "conversation #") {
			problems = append(problems, "the description lost the conversation mark: "+embed.Description)
		}
		idea := bottest.RandomIdea(r)
		ie, ic := ideaCard(idea)
		problems = append(append(problems, embedProblems(ie)...), componentProblems(ic)...)
		if len(problems) > 0 {
			t.Fatalf("card %d: %v", i, problems)
		}
		if i%40 != 0 {
			continue // the emulator sees one in forty: each opening reads the desk back
		}
		card.Conversation = core.ConversationID(i + 1)
		th, err := b.OpenThread(ctx, deskPlace, card)
		if err != nil {
			t.Fatalf("card %d: the emulator refused it: %v", i, err)
		}
		again := bottest.RandomCard(r)
		again.Conversation = card.Conversation
		if err := b.UpdateCard(ctx, th, again); err != nil {
			t.Fatalf("card %d: the emulator refused its update: %v", i, err)
		}
		send := &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{ie}, Components: ic, AllowedMentions: noPings()}
		if len(ic) == 0 {
			send.Components = nil
		}
		if _, err := b.s.ChannelMessageSendComplex(desk.ID, send, discordgo.WithContext(ctx)); err != nil {
			t.Fatalf("idea card %d: the emulator refused it: %v", i, err)
		}
	}
}
