package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// ideaWorld is the demo world with an ideas board forum in the community
// guild and a second member who votes.
type ideaWorld struct {
	*world
	board discordfake.Channel
	voter discordfake.User
	s     *bottest.Stack
}

func newIdeaWorld(t *testing.T) *ideaWorld {
	t.Helper()
	w := &ideaWorld{world: newWorld(t)}
	guild := w.support.GuildID
	w.board = w.fake.AddForumChannel(guild, "ideas", "New", "Under review", "Planned", "In progress", "Done", "Declined", "Duplicate", "Bug")
	w.voter = w.fake.AddUser("frank", "Frank Voter")
	w.fake.AddMember(guild, w.voter, "")
	b, err := discord.New(discord.Options{Token: w.fake.Token(), ApplicationID: w.fake.ApplicationID(), APIURL: w.fake.URL(),
		DeskChannels: []string{w.desk.ID}, CommunityChannels: []string{w.support.ID}, IdeaBoards: []string{w.board.ID}, TeamName: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := relayConfig(w.world, w.desk.ID)
	cfg.Staff[0].Roles = append(cfg.Staff[0].Roles, core.RoleModerator)
	cfg.Ideas = relay.Ideas{Boards: []core.Place{{Platform: core.Discord, Chat: w.board.ID}}}
	w.s = bottest.Start(t, cfg, b)
	w.connected(t)
	return w
}

// tag returns the id of the board's tag called name.
func (w *ideaWorld) tag(t testing.TB, name string) string {
	t.Helper()
	forum, _ := w.fake.Channel(w.board.ID)
	for _, tg := range forum.Tags {
		if tg.Name == name {
			return tg.ID
		}
	}
	t.Fatalf("no tag %q on the board", name)
	return ""
}

// card returns the bot's idea card in a post, if there is one.
func (w *ideaWorld) card(post string) (discordfake.Message, bool) {
	for _, m := range w.fake.BotMessages(post) {
		if len(m.Embeds) > 0 && strings.HasPrefix(m.Embeds[0].Title, "💡") {
			return m, true
		}
	}
	return discordfake.Message{}, false
}

// field is the value of a card's embed field.
func field(m discordfake.Message, name string) string {
	for _, f := range m.Embeds[0].Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// button is the first button on a message: its label and custom_id.
func button(t testing.TB, m discordfake.Message) (label, customID string) {
	t.Helper()
	type component struct {
		Label      string      `json:"label"`
		CustomID   string      `json:"custom_id"`
		Components []component `json:"components"`
	}
	var rows []component
	if m.Components == "" {
		return "", ""
	}
	if err := json.Unmarshal([]byte(m.Components), &rows); err != nil {
		t.Fatalf("components %s: %v", m.Components, err)
	}
	for _, r := range rows {
		for _, c := range r.Components {
			return c.Label, c.CustomID
		}
	}
	return "", ""
}

// voteShows waits for the post's card button to read want.
func (w *ideaWorld) voteShows(t *testing.T, post, want string) discordfake.Message {
	t.Helper()
	var card discordfake.Message
	bottest.Eventually(t, wait, "the card's button to read "+want, func() bool {
		var ok bool
		card, ok = w.card(post)
		if !ok {
			return false
		}
		label, _ := button(t, card)
		return label == want
	})
	return card
}

// idle waits until the outbox has nothing left to deliver.
func (w *ideaWorld) idle(t *testing.T) {
	t.Helper()
	bottest.Eventually(t, wait, "the outbox to drain", func() bool {
		_, err := w.s.Store.NextDue(context.Background())
		return errors.Is(err, core.ErrNotFound)
	})
}

// notices lists the bot's DMs to u authored by the moderator that mention
// the status.
func (w *ideaWorld) notices(u discordfake.User, status string) []discordfake.Message {
	var out []discordfake.Message
	for _, m := range w.fake.BotMessages(w.fake.DMChannel(u).ID) {
		if len(m.Embeds) == 1 && m.Embeds[0].Author != nil && strings.HasPrefix(m.Embeds[0].Author.Name, "Alice Martin") &&
			strings.Contains(m.Embeds[0].Description, status) {
			out = append(out, m)
		}
	}
	return out
}

func TestIdeaForumPostVotesStatusAndNotices(t *testing.T) {
	w := newIdeaWorld(t)
	post, _, err := w.fake.ForumPost(w.board.ID, w.customer, "Dark mode", "Easier on the eyes at night", w.tag(t, "Bug"))
	if err != nil {
		t.Fatal(err)
	}
	card := w.voteShows(t, post.ID, "👍 Vote (1)")
	if e := card.Embeds[0]; e.Title != "💡 #1 Dark mode" || e.Description != "Easier on the eyes at night" || field(card, "Status") != "💡 New" {
		t.Errorf("card = %+v", e)
	}
	bottest.Eventually(t, wait, "the post tagged New, its own tag kept", func() bool {
		p, _ := w.fake.Channel(post.ID)
		return slices.Equal(p.AppliedTags, []string{w.tag(t, "Bug"), w.tag(t, "New")})
	})

	// Another member votes, takes the vote back, and votes again.
	_, vote := button(t, card)
	id := w.fake.Click(post.ID, card.ID, w.voter, vote)
	w.voteShows(t, post.ID, "👍 Vote (2)")
	if _, text, ok := w.fake.Response(id); !ok || !strings.Contains(text, "You voted for #1") {
		t.Errorf("vote answer = %q", text)
	}
	w.fake.Click(post.ID, card.ID, w.voter, vote)
	w.voteShows(t, post.ID, "👍 Vote (1)")
	w.fake.Click(post.ID, card.ID, w.voter, vote)
	w.voteShows(t, post.ID, "👍 Vote (2)")

	// A reply in the post is a comment.
	if _, err := w.fake.Send(post.ID, w.voter, "Yes please, my eyes!"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the comment counted on the card", func() bool {
		c, ok := w.card(post.ID)
		return ok && field(c, "Comments") == "1"
	})

	// A moderator plans it from a desk thread.
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "hello, about my idea"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, w.s, w.world, core.Place{Platform: core.Discord, Chat: dm.ID})
	if _, err := w.fake.Send(c.Desk.Thread, w.alice, "!idea 1 planned We start in May"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the post tagged Planned and its card edited", func() bool {
		p, _ := w.fake.Channel(post.ID)
		c, ok := w.card(post.ID)
		return ok && slices.Equal(p.AppliedTags, []string{w.tag(t, "Bug"), w.tag(t, "Planned")}) &&
			field(c, "Status") == "🗓️ Planned" && field(c, "From the team") == "We start in May" && c.Edited
	})
	bottest.Eventually(t, wait, "a notice to the author and one to the voter", func() bool {
		return len(w.notices(w.customer, "Planned")) == 1 && len(w.notices(w.voter, "Planned")) == 1
	})
	w.idle(t)
	for _, u := range []discordfake.User{w.customer, w.voter} {
		if n := w.notices(u, "Planned"); len(n) != 1 || !strings.Contains(n[0].Embeds[0].Description, "We start in May") {
			t.Errorf("notices to %s = %+v, want exactly one", u.Username, n)
		}
	}
	if p := w.fake.Pings(); len(p) != 0 {
		t.Errorf("the bot pinged %v", p)
	}
}

func TestIdeaPostTitlePingsNobody(t *testing.T) {
	w := newIdeaWorld(t)
	post, _, err := w.fake.ForumPost(w.board.ID, w.customer, "@everyone look", "<@"+w.voter.ID+"> @here see this")
	if err != nil {
		t.Fatal(err)
	}
	card := w.voteShows(t, post.ID, "👍 Vote (1)")
	var allowed struct{ Parse *[]string }
	if err := json.Unmarshal(card.AllowedMentions, &allowed); err != nil || allowed.Parse == nil || len(*allowed.Parse) != 0 {
		t.Errorf("card allowed_mentions = %s, want parse:[]", card.AllowedMentions)
	}
	if !strings.Contains(card.Embeds[0].Title, "@\u200beveryone look") {
		t.Errorf("card title %q", card.Embeds[0].Title)
	}
	_, vote := button(t, card)
	w.fake.Click(post.ID, card.ID, w.voter, vote)
	w.voteShows(t, post.ID, "👍 Vote (2)")
	w.idle(t)
	if p := w.fake.PingLog(); len(p) != 0 {
		t.Errorf("the bot pinged %v", p)
	}
}

// moderate runs a desk command in a conversation's thread, opening one
// with the customer the first time.
func (w *ideaWorld) moderate(t *testing.T, line string) {
	t.Helper()
	dm := w.fake.DMChannel(w.customer)
	c, ok := w.s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID})
	if !ok || c.Desk.Thread == "" {
		if _, err := w.fake.Send(dm.ID, w.customer, "hello"); err != nil {
			t.Fatal(err)
		}
		c = conv(t, w.s, w.world, core.Place{Platform: core.Discord, Chat: dm.ID})
	}
	if _, err := w.fake.Send(c.Desk.Thread, w.alice, line); err != nil {
		t.Fatal(err)
	}
}

func TestIdeaMergedAndHiddenCards(t *testing.T) {
	w := newIdeaWorld(t)
	first, _, err := w.fake.ForumPost(w.board.ID, w.customer, "Dark mode", "please")
	if err != nil {
		t.Fatal(err)
	}
	w.voteShows(t, first.ID, "👍 Vote (1)")
	second, _, err := w.fake.ForumPost(w.board.ID, w.voter, "Night theme", "like dark mode")
	if err != nil {
		t.Fatal(err)
	}
	w.voteShows(t, second.ID, "👍 Vote (1)")

	w.moderate(t, "!idea 2 merge 1")
	bottest.Eventually(t, wait, "the merged card without a button, tagged Duplicate", func() bool {
		c, ok := w.card(second.ID)
		label, _ := button(t, c)
		p, _ := w.fake.Channel(second.ID)
		return ok && c.Embeds[0].Description == "Merged into #1 — vote there." && label == "" &&
			slices.Equal(p.AppliedTags, []string{w.tag(t, "Duplicate")})
	})
	w.voteShows(t, first.ID, "👍 Vote (2)") // the merged idea's votes count there

	// Discord refuses edits inside an archived post: it is unarchived first.
	if err := w.fake.SetThread(first.ID, true, true); err != nil {
		t.Fatal(err)
	}
	w.moderate(t, "!idea 1 hide off-topic")
	bottest.Eventually(t, wait, "the hidden card without a button, its post renamed, locked and archived", func() bool {
		c, ok := w.card(first.ID)
		label, _ := button(t, c)
		p, _ := w.fake.Channel(first.ID)
		return ok && c.Embeds[0].Description == "This idea was hidden by a moderator." && c.Embeds[0].Title == "💡 #1" &&
			label == "" && p.Name == "Hidden idea #1" && p.Locked && p.Archived
	})
	w.moderate(t, "!idea 1 unhide")
	bottest.Eventually(t, wait, "the idea shown again: its title, open for replies", func() bool {
		c, ok := w.card(first.ID)
		label, _ := button(t, c)
		p, _ := w.fake.Channel(first.ID)
		return ok && label != "" && p.Name == "Dark mode" && !p.Locked && !p.Archived
	})

	// An idea staff record from a conversation gets a post of its own.
	w.moderate(t, "!idea Offline mode — play without a network")
	var post discordfake.Channel
	bottest.Eventually(t, wait, "a post opened by the bot with the card first", func() bool {
		for _, th := range w.fake.Threads(w.board.ID) {
			if th.Name == "Offline mode" {
				post = th
			}
		}
		c, ok := w.card(post.ID)
		return ok && c.ID == post.ID && slices.Equal(post.AppliedTags, []string{w.tag(t, "New")})
	})
	// The relay records where the card landed once the post is made; a
	// reply before that is no comment yet.
	bottest.Eventually(t, wait, "the card's post recorded", func() bool {
		var i core.Idea
		_ = w.s.Store.InTx(context.Background(), func(tx core.Tx) (err error) { i, err = tx.Idea(3); return err })
		return i.Card.Thread == post.ID
	})
	if _, err := w.fake.Send(post.ID, w.voter, "me too"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "a reply in the bot's post counted as a comment", func() bool {
		c, ok := w.card(post.ID)
		return ok && field(c, "Comments") == "1"
	})
	w.moderate(t, "!idea 3 title Offline play")
	bottest.Eventually(t, wait, "the post renamed with the idea", func() bool {
		p, _ := w.fake.Channel(post.ID)
		c, ok := w.card(post.ID)
		return ok && p.Name == "Offline play" && c.Embeds[0].Title == "💡 #3 Offline play"
	})
}

func TestIdeaCommandsTypedAndSlash(t *testing.T) {
	w := newIdeaWorld(t)
	bottest.Eventually(t, wait, "/cornershop, /idea, /ideas, /vote and /help registered", func() bool {
		return slices.Equal(w.fake.Commands(), []string{"cornershop", "idea", "ideas", "vote", "help"})
	})
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "/idea Offline mode — play without a network"); err != nil {
		t.Fatal(err)
	}
	card := w.voteShows(t, dm.ID, "👍 Vote (1)")
	if card.Embeds[0].Title != "💡 #1 Offline mode" || card.Embeds[0].Description != "play without a network" {
		t.Errorf("DM card = %+v", card.Embeds[0])
	}
	bottest.Eventually(t, wait, "the thanks in the DM", func() bool {
		return slices.ContainsFunc(w.fake.BotMessages(dm.ID), func(m discordfake.Message) bool { return strings.Contains(m.Content, "Your idea #1") })
	})
	if _, ok := w.s.Conversation(t, core.Discord, w.customer.ID, core.Place{Platform: core.Discord, Chat: dm.ID}); ok {
		t.Error("the /idea command opened a conversation")
	}

	// Another member votes with the slash command in the community channel.
	id := w.fake.Command(w.support.ID, w.voter, "vote", map[string]string{"number": "1"})
	bottest.Eventually(t, wait, "the /vote answer", func() bool {
		_, text, ok := w.fake.Response(id)
		return ok && strings.Contains(text, "You voted for #1")
	})
	w.voteShows(t, dm.ID, "👍 Vote (2)")

	// /ideas typed in the community channel lists it, without a mention.
	if _, err := w.fake.Send(w.support.ID, w.voter, "/ideas top"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the list in the community channel", func() bool {
		return slices.ContainsFunc(w.fake.BotMessages(w.support.ID), func(m discordfake.Message) bool {
			return strings.Contains(m.Content, "#1 Offline mode") && strings.Contains(m.Content, "2 votes")
		})
	})
	// /link is for DMs only: in the community channel it is a message like
	// any other (unaddressed here, so ignored).
	if _, err := w.fake.Send(w.support.ID, w.voter, "/link"); err != nil {
		t.Fatal(err)
	}
	w.idle(t)
	if slices.ContainsFunc(w.fake.BotMessages(w.support.ID), func(m discordfake.Message) bool { return strings.Contains(m.Content, "link code") }) {
		t.Error("a link code was posted in a public channel")
	}
}

// TestReplyBeforeTheCardIsRecorded: Discord shows a new idea's post at
// once but answers the call that made it a second late, so for that second
// the post exists and its id is not recorded. A member's reply then is
// handed in again until it is, and counts as a comment: nothing is lost.
func TestReplyBeforeTheCardIsRecorded(t *testing.T) {
	w := newIdeaWorld(t)
	w.fake.SetAnswerLatency("POST /channels/"+w.board.ID+"/threads", time.Second)
	w.moderate(t, "!idea Offline mode — play without a network")
	var post discordfake.Channel
	bottest.Eventually(t, wait, "the idea's post on the board", func() bool {
		for _, th := range w.fake.Threads(w.board.ID) {
			if th.Name == "Offline mode" {
				post = th
			}
		}
		return post.ID != ""
	})
	var recorded bool
	_ = w.s.Store.InTx(context.Background(), func(tx core.Tx) error {
		i, err := tx.Idea(1)
		recorded = i.Card.Thread != ""
		return err
	})
	if recorded {
		t.Fatal("the card was recorded before Discord answered: the test shows nothing")
	}
	if _, err := w.fake.Send(post.ID, w.voter, "me too"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the early reply counted as a comment", func() bool {
		c, ok := w.card(post.ID)
		return ok && field(c, "Comments") == "1"
	})
}
