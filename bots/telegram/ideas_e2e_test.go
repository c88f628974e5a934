package telegram_test

import (
	"slices"
	"strings"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// botSays reports whether the bot's newest message in a chat contains all of want.
func botSays(w *world, chat int64, want ...string) bool {
	ms := w.fake.BotMessages(chat, 0)
	if len(ms) == 0 {
		return false
	}
	for _, s := range want {
		if !strings.Contains(ms[len(ms)-1].Text, s) && !strings.Contains(string(ms[len(ms)-1].ReplyMarkup), s) {
			return false
		}
	}
	return true
}

// TestIdeasOnTelegram: a post in the ideas group becomes a card with a vote
// button; votes and a reply show on the card; a moderator's status change
// reaches the author and the voter once each, signed by the moderator, and
// a muted voter hears no more.
func TestIdeasOnTelegram(t *testing.T) {
	w := newWorld(t)
	dave := w.fake.AddUser("Dave", "Voter", "dave")
	board := w.fake.AddSupergroup("Ideas", true, w.customer, dave)
	cfg := relayConfig(w)
	cfg.Staff[0].Roles = []core.Role{core.RoleModerator}
	cfg.Ideas = relay.Ideas{Boards: []core.Place{{Platform: core.Telegram, Chat: id(board.ID)}}}
	s := bottest.Start(t, cfg, w.bot(t, func(o *telegram.Options) { o.IdeaBoards = []string{id(board.ID)} }))

	post, err := w.fake.SendText(board.ID, 0, w.customer, "Dark mode <b>now</b> — easier on the eyes at night")
	if err != nil {
		t.Fatal(err)
	}
	var card telegramfake.Message
	bottest.Eventually(t, wait, "the idea's card", func() bool {
		ms := w.fake.BotMessages(board.ID, 0)
		if len(ms) == 0 {
			return false
		}
		card = ms[0]
		return true
	})
	if !strings.Contains(card.Text, "#1 Dark mode <b>now</b>") || !strings.Contains(string(card.ReplyMarkup), "Vote (1)") || card.ReplyTo != post.ID {
		t.Fatalf("card = %q %s (reply to %d), want the escaped title, 1 vote, under the post %d", card.Text, card.ReplyMarkup, card.ReplyTo, post.ID)
	}

	press := func(u telegramfake.User, want string) {
		t.Helper()
		qid, err := w.fake.Press(board.ID, card.ID, u, "act:vote:1")
		if err != nil {
			t.Fatal(err)
		}
		bottest.Eventually(t, wait, "the card showing "+want, func() bool { return botSays(w, board.ID, want) })
		if ans, ok := w.fake.CallbackAnswer(qid); !ok || ans == "" {
			t.Errorf("vote press answered %q, %v", ans, ok)
		}
	}
	press(dave, "Vote (2)")
	press(dave, "Vote (1)")
	press(dave, "Vote (2)")
	if _, err := w.fake.Reply(board.ID, dave, card.ID, "yes please"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the comment counted on the card", func() bool { return botSays(w, board.ID, "1 comments") })

	if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, "hello"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, s, w)
	if _, err := w.fake.SendText(w.desk.ID, topic(t, c.Desk), w.staff, "!idea 1 planned We start in May"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the card showing Planned", func() bool { return botSays(w, board.ID, "Planned", "We start in May") })
	for _, u := range []telegramfake.User{w.customer, dave} {
		bottest.Eventually(t, wait, "a notice to "+u.FirstName, func() bool { return botSays(w, u.ID, "Planned", "Alice Martin") })
	}

	if _, err := w.fake.SendText(dave.ID, 0, dave, "/ideas mute"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "mute confirmed", func() bool { return botSays(w, dave.ID, "Muted") })
	if _, err := w.fake.SendText(w.desk.ID, topic(t, c.Desk), w.staff, "!idea 1 in progress"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the author told of progress", func() bool { return botSays(w, w.customer.ID, "In progress") })
	notices := 0
	for _, m := range w.fake.BotMessages(dave.ID, 0) {
		if strings.Contains(m.Text, "Idea #1") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("dave got %d notices, want 1 (muted after the first)", notices)
	}
	got := w.fake.BotMessages(w.customer.ID, 0)
	last := got[len(got)-1]
	if !strings.Contains(last.Text, "/ideas mute to stop") {
		t.Errorf("notice without the mute hint: %q", last.Text)
	}
	// Telegram marks the hint as a command, so a tap sends it.
	if !slices.ContainsFunc(last.Entities, func(e telegramfake.Entity) bool { return e.Type == "bot_command" }) {
		t.Errorf("the mute hint is not a tappable command: entities %+v", last.Entities)
	}
}
