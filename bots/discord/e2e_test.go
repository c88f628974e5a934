package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
	"cornershop/core/relay"
)

const wait = 20 * time.Second

type world struct {
	fake                 *discordfake.Server
	customer, alice, bob discordfake.User
	support, desk, forum discordfake.Channel
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fake, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	w := &world{fake: fake}
	w.customer, w.alice, w.bob, _, w.support, w.desk, w.forum = fake.SeedDemo()
	return w
}

func (w *world) bot(t *testing.T, kind string) *discord.Bot {
	t.Helper()
	desk := w.desk.ID
	if kind == "forum" {
		desk = w.forum.ID
	}
	b, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
		DeskChannels: []string{desk}, DeskKind: kind, CommunityChannels: []string{w.support.ID}, TeamName: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type harness struct {
	w   *world
	bot *discord.Bot
}

func (h *harness) Platform() core.Platform { return h.bot }
func (h *harness) Desk() core.Place        { return core.Place{Platform: core.Discord, Chat: h.w.desk.ID} }
func (h *harness) StaffUserID() string     { return h.w.alice.ID }

// connected waits for the bot's gateway session: Discord sends no events
// for what happened before it.
func (w *world) connected(t testing.TB) {
	t.Helper()
	bottest.Eventually(t, wait, "the gateway session", func() bool { return w.fake.Sessions() == 1 })
}

func (h *harness) CustomerWrites(t testing.TB, text string) (core.Place, string, string) {
	h.w.connected(t)
	dm := h.w.fake.DMChannel(h.w.customer)
	m, err := h.w.fake.Send(dm.ID, h.w.customer, text)
	if err != nil {
		t.Fatal(err)
	}
	return core.Place{Platform: core.Discord, Chat: dm.ID}, h.w.customer.ID, m.ID
}

func (h *harness) StaffWrites(t testing.TB, thread core.Place, text string) string {
	m, err := h.w.fake.Send(thread.Thread, h.w.alice, text)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (h *harness) StaffEdits(t testing.TB, thread core.Place, id, text string) {
	if err := h.w.fake.Edit(thread.Thread, id, text); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) StaffDeletes(t testing.TB, thread core.Place, id string) bool {
	if err := h.w.fake.Delete(thread.Thread, id); err != nil {
		t.Fatal(err)
	}
	return true
}

func shown(msgs []discordfake.Message) []bottest.Shown {
	var out []bottest.Shown
	for _, m := range msgs {
		s := bottest.Shown{ID: m.ID, Author: m.Username, Text: m.Content, Deleted: m.Deleted}
		if len(m.Embeds) > 0 {
			s.Text = m.Embeds[0].Description
			if m.Embeds[0].Author != nil {
				s.Author = m.Embeds[0].Author.Name
			}
		}
		out = append(out, s)
	}
	return out
}

func (h *harness) Shown(t testing.TB, place core.Place) []bottest.Shown {
	ch := place.Chat
	if place.Thread != "" {
		ch = place.Thread
	}
	return shown(h.w.fake.BotMessages(ch))
}

// RateLimitNext refuses the next message post. Only POSTs match: the ✅
// the relay puts on a staff message once delivered is a PUT to
// /messages/…/reactions, and may still be on its way when the contract
// asks for the limit.
func (h *harness) RateLimitNext(d time.Duration) {
	h.w.fake.RateLimitNext("POST /channels/", 1, d.Seconds())
}

func TestContract(t *testing.T) {
	w := newWorld(t)
	bottest.Contract(t, &harness{w: w, bot: w.bot(t, "thread")})
	if p := w.fake.Pings(); len(p) != 0 {
		t.Errorf("the bot pinged %v", p)
	}
}

func relayConfig(w *world, desk string) relay.Config {
	return relay.Config{
		Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: core.Place{Platform: core.Discord, Chat: desk}}},
		Staff: []core.Staff{{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support", AvatarURL: "https://example.com/alice.png"},
			Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{core.Discord: w.alice.ID}}},
	}
}

func conv(t *testing.T, s *bottest.Stack, w *world, place core.Place) core.Conversation {
	t.Helper()
	var c core.Conversation
	bottest.Eventually(t, wait, "a desk thread", func() bool {
		got, ok := s.Conversation(t, core.Discord, w.customer.ID, place)
		c = got
		return ok && c.Desk.Thread != ""
	})
	return c
}

func TestDMReplyIsAnEmbedByTheStaffMember(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w, w.desk.ID), w.bot(t, "thread"))
	w.connected(t)
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "@everyone my account is locked <@"+w.bob.ID+">"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w, core.Place{Platform: core.Discord, Chat: dm.ID})
	bottest.Eventually(t, wait, "the copy in the desk thread", func() bool { return len(w.fake.BotMessages(c.Desk.Thread)) == 1 })
	copyMsg := w.fake.BotMessages(c.Desk.Thread)[0]
	if copyMsg.Username != "Erin Player" || !strings.Contains(copyMsg.Content, "@\u200beveryone my account is locked") {
		t.Errorf("desk copy = %+v", copyMsg)
	}
	if p := w.fake.Pings(); len(p) != 0 {
		t.Fatalf("customer text pinged %v in the desk", p)
	}
	if _, err := w.fake.Send(c.Desk.Thread, w.alice, "Unlocked — try again now."); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the reply in the DM", func() bool { return len(w.fake.BotMessages(dm.ID)) == 1 })
	got := w.fake.BotMessages(dm.ID)[0]
	if len(got.Embeds) != 1 || got.Embeds[0].Author == nil || got.Embeds[0].Author.Name != "Alice Martin (Support)" || got.Embeds[0].Description != "Unlocked — try again now." {
		t.Errorf("DM reply = %+v", got)
	}
	// The card's Close button closes the conversation and archives the thread.
	cardID := c.DeskCard
	w.fake.Click(w.desk.ID, cardID, w.alice, "cornershop:close")
	bottest.Eventually(t, wait, "the thread archived and renamed", func() bool {
		th, _ := w.fake.Channel(c.Desk.Thread)
		return th.Archived && strings.HasPrefix(th.Name, "✅")
	})
}

func TestCommunityReplyThroughWebhookInVoice(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w, w.desk.ID), w.bot(t, "thread"))
	w.connected(t)
	if _, err := w.fake.Send(w.support.ID, w.customer, "no mention: not for the bot"); err != nil {
		t.Fatal(err)
	}
	first, err := w.fake.Send(w.support.ID, w.customer, "<@"+w.fake.Bot().ID+"> how do I export my save?")
	if err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w, core.Place{Platform: core.Discord, Chat: w.support.ID})
	for i, text := range []string{"Settings → Export.", "Then pick a folder."} {
		if _, err := w.fake.Send(c.Desk.Thread, w.alice, text); err != nil {
			t.Fatal(err)
		}
		bottest.Eventually(t, wait, "the reply in the community thread", func() bool { return len(w.fake.BotMessages(first.ID)) == i+1 })
	}
	got := w.fake.BotMessages(first.ID) // the thread under the member's message shares its id
	if got[0].Username != "Alice Martin (Support)" || got[0].AvatarURL != "https://example.com/alice.png" || got[0].WebhookID == "" {
		t.Errorf("community reply = %+v", got[0])
	}
	if n := len(w.fake.Webhooks(w.support.ID)); n != 1 {
		t.Errorf("%d webhooks in the community channel, want 1 reused", n)
	}
	if msgs := w.fake.BotMessages(w.desk.ID); len(msgs) != 1 {
		t.Errorf("the unaddressed message reached the desk: %d cards", len(msgs))
	}
}

func TestForumDeskTagsStatus(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w, w.forum.ID), w.bot(t, "forum"))
	w.connected(t)
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "hello"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w, core.Place{Platform: core.Discord, Chat: dm.ID})
	forum, _ := w.fake.Channel(w.forum.ID)
	tag := func(name string) string {
		for _, t := range forum.Tags {
			if t.Name == name {
				return t.ID
			}
		}
		return ""
	}
	post, _ := w.fake.Channel(c.Desk.Thread)
	if len(post.AppliedTags) != 1 || post.AppliedTags[0] != tag("open") {
		t.Fatalf("forum post tags = %v, want open", post.AppliedTags)
	}
	if _, err := w.fake.Send(c.Desk.Thread, w.alice, "!close"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the closed tag", func() bool {
		p, _ := w.fake.Channel(c.Desk.Thread)
		return len(p.AppliedTags) == 1 && p.AppliedTags[0] == tag("closed") && p.Archived
	})
	// Reopening must unarchive the post before its card can be edited.
	if _, err := w.fake.Send(c.Desk.Thread, w.alice, "!reopen"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the open tag and the card showing open again", func() bool {
		p, _ := w.fake.Channel(c.Desk.Thread)
		card := w.fake.BotMessages(c.Desk.Thread)
		return len(p.AppliedTags) == 1 && p.AppliedTags[0] == tag("open") && !p.Archived &&
			len(card) > 0 && len(card[0].Embeds) > 0 && strings.Contains(card[0].Embeds[0].Description, "open")
	})
}

func TestGatewayDropLosesAndDuplicatesNothing(t *testing.T) {
	w := newWorld(t)
	s := bottest.Start(t, relayConfig(w, w.desk.ID), w.bot(t, "thread"))
	dm := w.fake.DMChannel(w.customer)
	w.connected(t)
	const n = 200
	for i := range n {
		if i == n/2 {
			w.fake.DropGateway()
		}
		if _, err := w.fake.Send(dm.ID, w.customer, "message "+string(rune('A'+i%26))); err != nil {
			t.Fatal(err)
		}
	}
	c := conv(t, s, w, core.Place{Platform: core.Discord, Chat: dm.ID})
	count := func() int {
		var got int
		_ = s.Store.InTx(context.Background(), func(tx core.Tx) error {
			ms, err := tx.Messages(c.ID)
			for _, m := range ms {
				if m.Direction == core.Inbound {
					got++
				}
			}
			return err
		})
		return got
	}
	bottest.Eventually(t, wait, "all 200 messages recorded", func() bool { return count() >= n })
	time.Sleep(200 * time.Millisecond) // let any duplicate arrive before counting again
	if got := count(); got != n {
		t.Errorf("recorded %d messages, want exactly %d", got, n)
	}
}
