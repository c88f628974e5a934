package e2e_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// ideaWait is generous: a Telegram group takes about 20 messages a minute,
// so card edits on the board queue behind each other.
const ideaWait = 60 * time.Second

// ideaWorld is the three platforms with a Telegram ideas board, Alice
// moderating from the Slack desk, and Tess (Telegram, linked to Discord)
// and Mallory (Telegram) in the community.
type ideaWorld struct {
	*world
	s     *bottest.Stack
	board int64
}

func newIdeaWorld(t *testing.T) *ideaWorld {
	w := newWorld(t)
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Community"}, Roles: []core.Role{core.RoleModerator},
		Identities: map[core.PlatformName]string{core.Slack: w.slStaff.ID}}
	cfg := relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: slDesk{w}.channel()}}, Staff: []core.Staff{alice},
		Ideas: relay.Ideas{Boards: []core.Place{{Platform: core.Telegram, Chat: strconv.FormatInt(w.tgIdeas.ID, 10)}},
			DailyNotices: 3, DigestDelay: 2 * time.Second}}
	return &ideaWorld{world: w, s: bottest.Start(t, cfg, w.platforms()...), board: w.tgIdeas.ID}
}

// card waits for the bot's card of an idea on the board, the n-th card.
func (w *ideaWorld) card(t *testing.T, n int) telegramfake.Message {
	t.Helper()
	var c telegramfake.Message
	bottest.Eventually(t, ideaWait, "idea card "+strconv.Itoa(n), func() bool {
		ms := w.tg.BotMessages(w.board, 0)
		if len(ms) < n {
			return false
		}
		c = ms[n-1]
		return true
	})
	return c
}

// cardShows waits until the card's latest render contains all of want.
func (w *ideaWorld) cardShows(t *testing.T, id int, want ...string) {
	t.Helper()
	bottest.Eventually(t, ideaWait, "a card showing "+strings.Join(want, ", "), func() bool {
		for _, m := range w.tg.BotMessages(w.board, 0) {
			if m.ID == id {
				return anyContains([]string{m.Text + string(m.ReplyMarkup)}, want...)
			}
		}
		return false
	})
}

func (w *ideaWorld) idea(t *testing.T, id core.IdeaID) core.Idea {
	t.Helper()
	var i core.Idea
	if err := w.s.Store.InTx(t.Context(), func(tx core.Tx) (err error) { i, err = tx.Idea(id); return }); err != nil {
		t.Fatal(err)
	}
	return i
}

// notices lists the idea news the bot sent a Telegram user.
func (w *ideaWorld) notices(u telegramfake.User) []string {
	var out []string
	for _, m := range w.tg.BotMessages(u.ID, 0) {
		if strings.Contains(m.Text, "ideas mute to stop") {
			out = append(out, m.Text)
		}
	}
	return out
}

func (w *ideaWorld) press(t *testing.T, card telegramfake.Message, u telegramfake.User, idea int) string {
	t.Helper()
	qid, err := w.tg.Press(w.board, card.ID, u, "act:vote:"+strconv.Itoa(idea))
	if err != nil {
		t.Fatal(err)
	}
	var ans string
	bottest.Eventually(t, ideaWait, "the vote answered", func() bool { a, ok := w.tg.CallbackAnswer(qid); ans = a; return ok })
	return ans
}

// TestIdeasAcrossPlatforms: a linked person's votes from two platforms
// count once; unvote; a non-staff member cannot moderate; merge rolls up
// votes and comments; a status change reaches every follower once in the
// moderator's voice; mute is respected; a digest replaces a flood; hidden
// ideas vanish from lists.
func TestIdeasAcrossPlatforms(t *testing.T) {
	w := newIdeaWorld(t)
	tess, mallory := w.tgCust, w.tgStranger
	tg, dc, desk := tgCustomer{w.world}, dcCustomer{w.world}, slDesk{w.world}

	if _, err := w.tg.SendText(w.board, 0, tess, "Dark mode — easier at night"); err != nil {
		t.Fatal(err)
	}
	one := w.card(t, 1)
	w.cardShows(t, one.ID, "#1 Dark mode", "Vote (1)")

	// Tess links her Discord account; her vote from Discord is the same vote.
	tg.writes(t, "/link")
	var code string
	bottest.Eventually(t, ideaWait, "a link code", func() bool {
		for _, m := range tg.sees(t) {
			if i := strings.Index(m, "link code is "); i >= 0 {
				code = m[i+len("link code is ") : i+len("link code is ")+6]
				return true
			}
		}
		return false
	})
	dc.writes(t, "/link "+code)
	bottest.Eventually(t, ideaWait, "linked", func() bool { return anyContains(dc.sees(t), "Linked!") })
	dc.writes(t, "/vote 1")
	bottest.Eventually(t, ideaWait, "the Discord vote answered", func() bool { return anyContains(dc.sees(t), "already counted") })
	if v := w.idea(t, 1).Votes; v != 1 {
		t.Fatalf("after a linked account's vote: %d votes, want 1", v)
	}

	// Mallory votes, takes it back, votes again.
	for _, want := range []string{"2 votes", "withdrawn", "2 votes"} {
		if ans := w.press(t, one, mallory, 1); !strings.Contains(ans, want) {
			t.Fatalf("vote press answered %q, want %q", ans, want)
		}
	}
	w.cardShows(t, one.ID, "Vote (2)")

	// A second idea, backed by Tess, with a comment (a reply to its card).
	if _, err := w.tg.SendText(w.board, 0, mallory, "Night theme — dark colours"); err != nil {
		t.Fatal(err)
	}
	two := w.card(t, 2)
	w.press(t, two, tess, 2)
	if _, err := w.tg.Reply(w.board, mallory, two.ID, "with a schedule please"); err != nil {
		t.Fatal(err)
	}
	w.cardShows(t, two.ID, "2 votes", "1 comments")

	// The desk thread Alice moderates from; a stranger there is refused.
	tg.writes(t, "hello")
	thread := waitThread(t, w.s, desk)
	desk.strangerWrites(t, thread, "!idea 2 merge 1")
	desk.staffWrites(t, thread, "!idea 2 merge 1")
	w.cardShows(t, two.ID, "Merged into #1")
	if i := w.idea(t, 1); i.Votes != 2 || i.Comments != 1 {
		t.Fatalf("after merge idea 1 has %d votes and %d comments, want 2 (Tess once) and 1", i.Votes, i.Comments)
	}
	w.cardShows(t, one.ID, "Vote (2)", "1 comments")

	desk.staffWrites(t, thread, "!idea 1 planned We start in May")
	w.cardShows(t, one.ID, "Planned", "We start in May")
	for _, u := range []telegramfake.User{tess, mallory} {
		bottest.Eventually(t, ideaWait, u.FirstName+" told of the merge and the plan", func() bool {
			ns := w.notices(u)
			return len(ns) == 2 && anyContains(ns, "merged into #1") && anyContains(ns, "Planned", "Alice Martin")
		})
	}
	if anyContains(dc.sees(t), "Planned") {
		t.Error("Tess heard on Discord too: one notice per person, where she voted")
	}

	// Mallory mutes; Tess reaches the daily limit, then gets one digest.
	if _, err := w.tg.SendText(mallory.ID, 0, mallory, "/ideas mute"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, ideaWait, "mute confirmed", func() bool {
		ms := w.tg.BotMessages(mallory.ID, 0)
		return len(ms) > 0 && strings.Contains(ms[len(ms)-1].Text, "Muted")
	})
	desk.staffWrites(t, thread, "!idea 1 in progress")
	desk.staffWrites(t, thread, "!idea 1 done Shipped!")
	desk.staffWrites(t, thread, "!idea 1 declined Sorry, rolled back")
	bottest.Eventually(t, ideaWait, "Tess's digest", func() bool {
		ns := w.notices(tess)
		return len(ns) == 4 && anyContains(ns[3:], "Done", "Declined", "what moved")
	})
	if ns := w.notices(tess); !strings.Contains(ns[2], "In progress") {
		t.Errorf("third notice = %q, want the move to in progress", ns[2])
	}
	time.Sleep(3 * time.Second) // the digest delay: nothing else may follow
	if n := len(w.notices(tess)); n != 4 {
		t.Errorf("Tess got %d notices, want 4 (3 and a digest)", n)
	}
	if n := len(w.notices(mallory)); n != 2 {
		t.Errorf("muted Mallory got %d notices, want 2", n)
	}

	// Hidden ideas vanish from lists.
	desk.staffWrites(t, thread, "!idea 1 hide off-topic")
	w.cardShows(t, one.ID, "hidden by a moderator")
	if _, err := w.tg.SendText(tess.ID, 0, tess, "/ideas declined"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, ideaWait, "the list", func() bool { return anyContains(tg.sees(t), "Declined ideas: none yet") })
}

// waitThread waits for the first conversation's desk thread.
func waitThread(t *testing.T, s *bottest.Stack, d desk) core.Place {
	t.Helper()
	var th core.Place
	bottest.Eventually(t, ideaWait, "a desk thread", func() bool {
		_ = s.Store.InTx(t.Context(), func(tx core.Tx) error {
			c, err := tx.Conversation(1)
			th = c.Desk
			return err
		})
		return th.Thread != "" && th.Platform == d.platform()
	})
	return th
}
