package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/core"
	"cornershop/core/relay"
)

// ideasWorld is the demo workspace with an ideas board where Dana (the
// Slack Connect customer) and Erin, another customer, post and vote; Alice
// moderates ideas from the desk.
type ideasWorld struct {
	*world
	board slackfake.Channel
	erin  slackfake.User
	stack *bottest.Stack
}

func newIdeasWorld(t *testing.T, eventsMode bool) *ideasWorld {
	t.Helper()
	w := &ideasWorld{world: newWorld(t, eventsMode)}
	w.erin = w.fake.AddUser("erin", "Erin Initech", "https://example.com/erin.png", true)
	w.board = w.fake.AddChannel("ideas", true, w.customer, w.erin)
	o := slack.Options{BotToken: w.fake.BotToken(), AppToken: w.fake.AppToken(), APIURL: w.fake.APIURL(),
		DeskChannels: []string{w.desk.ID}, CustomerChannels: []string{w.shared.ID}, IdeaBoards: []string{w.board.ID}}
	if eventsMode {
		o.Mode, o.SigningSecret = "events", w.fake.SigningSecret()
	}
	b, err := slack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if eventsMode {
		w.handler = b.Handler()
	}
	cfg := relayConfig(w.world)
	cfg.Staff[0].Roles = []core.Role{core.RoleAgent, core.RoleModerator}
	cfg.Ideas = relay.Ideas{Boards: []core.Place{{Platform: core.Slack, Chat: w.board.ID}}}
	w.stack = bottest.Start(t, cfg, b)
	if eventsMode {
		// Slack does not retry a slash command its endpoint refused, so
		// nothing is sent before the handler answers.
		bottest.Eventually(t, wait, "events mode ready", b.Ready)
	}
	return w
}

// cardIn waits until the bot's card in a board thread satisfies ok, and
// returns it.
func (w *ideasWorld) cardIn(t *testing.T, thread, what string, ok func(text string) bool) slackfake.Message {
	t.Helper()
	var card slackfake.Message
	bottest.Eventually(t, wait, what, func() bool {
		for _, m := range w.fake.BotMessages(w.board.ID, thread) {
			if m.Blocks != "" && ok(cardText(m)) {
				card = m
				return true
			}
		}
		return false
	})
	return card
}

// cardText is everything a card's blocks say, decoded.
func cardText(m slackfake.Message) string { return strings.Join(m.BlockTexts(), "\n") }

// button returns the action_id and value of a card's only button.
func button(t *testing.T, m slackfake.Message) (string, string) {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(m.Blocks), &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.Type == "actions" && len(b.Elements) == 1 {
			return b.Elements[0].ActionID, b.Elements[0].Value
		}
	}
	t.Fatalf("no button on the card: %s", m.Blocks)
	return "", ""
}

// idea reads an idea from the store.
func (w *ideasWorld) idea(t *testing.T, id core.IdeaID) core.Idea {
	t.Helper()
	var i core.Idea
	if err := w.stack.Store.InTx(context.Background(), func(tx core.Tx) error {
		var err error
		i, err = tx.Idea(id)
		return err
	}); err != nil {
		t.Fatalf("idea %d: %v", id, err)
	}
	return i
}

// dms returns the bot's messages in its DM with u.
func (w *ideasWorld) dms(u slackfake.User) []slackfake.Message {
	return w.fake.BotMessages(w.fake.DM(u).ID, "")
}

// told waits for the ephemeral answer to u's action that contains want.
func (w *ideasWorld) told(t *testing.T, u slackfake.User, want string) slackfake.Ephemeral {
	t.Helper()
	var got slackfake.Ephemeral
	bottest.Eventually(t, wait, "the answer "+want+" shown to "+u.Name, func() bool {
		for _, e := range w.fake.Ephemerals() {
			if e.User == u.ID && strings.Contains(e.Text, want) {
				got = e
				return true
			}
		}
		return false
	})
	return got
}

func TestIdeaBoardSocketMode(t *testing.T) { ideaBoardFlow(t, false) }

func TestIdeaBoardEventsAPI(t *testing.T) { ideaBoardFlow(t, true) }

// ideaBoardFlow: a customer's post on the board gets a card with their
// vote; another customer's presses on its button toggle their vote; a
// moderator's plan reaches both in one DM each, in the moderator's voice.
func ideaBoardFlow(t *testing.T, eventsMode bool) {
	w := newIdeasWorld(t, eventsMode)
	post, err := w.fake.Post(w.board.ID, w.customer, "Dark mode — easier on the eyes at night", "")
	if err != nil {
		t.Fatal(err)
	}
	card := w.cardIn(t, post.TS, "the card in the post's thread with the author's vote", func(s string) bool {
		return strings.Contains(s, "#1 Dark mode") && strings.Contains(s, "1 vote ·") && strings.Contains(s, "👍 Vote (1)")
	})
	if card.ThreadTS != post.TS || !strings.Contains(cardText(card), "easier on the eyes") {
		t.Fatalf("card = %+v\n%s", card, cardText(card))
	}
	action, value := button(t, card)
	if action != "cornershop:vote" || value != "1" {
		t.Fatalf("button = %s %s", action, value)
	}

	// Erin's press counts; a second press withdraws it; a third counts again.
	for n, want := range []string{"2 votes", "1 vote ·", "2 votes"} {
		if _, err := w.fake.Click(w.board.ID, card.TS, w.erin, action, value); err != nil {
			t.Fatal(err)
		}
		w.cardIn(t, post.TS, "the card showing "+want, func(s string) bool { return strings.Contains(s, want) })
		said := map[int]string{0: "You voted for #1", 1: "withdrawn", 2: "You voted for #1"}[n]
		if e := w.told(t, w.erin, said); e.Channel != w.board.ID || e.ThreadTS != post.TS {
			t.Errorf("answer shown at %s/%s, want the card's thread", e.Channel, e.ThreadTS)
		}
	}
	// Our own card came back as an event too: it is no comment.
	if got := w.cardIn(t, post.TS, "the card", func(string) bool { return true }); !got.Edited || !strings.Contains(cardText(got), "0 comments") {
		t.Errorf("card after the votes (edited %v):\n%s", got.Edited, cardText(got))
	}

	// A reply in the card's thread is a comment.
	if _, err := w.fake.Post(w.board.ID, w.erin, "Yes please, my eyes hurt", post.TS); err != nil {
		t.Fatal(err)
	}
	w.cardIn(t, post.TS, "the card counting the comment", func(s string) bool { return strings.Contains(s, "1 comment ") })

	// Alice, a moderator, plans it from a desk thread.
	if _, err := w.fake.Post(w.shared.ID, w.customer, "hi, a question about invoices", ""); err != nil {
		t.Fatal(err)
	}
	c := conv(t, w.stack, w.world)
	if _, err := w.fake.Post(w.desk.ID, w.alice, "!idea 1 planned We start in May", c.Desk.Thread); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "a notice in Dana's and Erin's DMs", func() bool { return len(w.dms(w.customer)) > 0 && len(w.dms(w.erin)) > 0 })
	w.cardIn(t, post.TS, "the card showing the plan", func(s string) bool {
		return strings.Contains(s, "Planned") && strings.Contains(s, "We start in May")
	})
	for _, u := range []slackfake.User{w.customer, w.erin} {
		got := w.dms(u)
		if len(got) != 1 {
			t.Fatalf("%s got %d DMs, want 1: %+v", u.Name, len(got), got)
		}
		if got[0].Username != "Alice Martin (Support)" || got[0].IconURL != "https://example.com/alice.png" || !strings.Contains(got[0].Text, "Planned") || got[0].ThreadTS != "" {
			t.Errorf("%s's notice = %+v", u.Name, got[0])
		}
	}
	if b := w.fake.Broadcasts(); len(b) != 0 {
		t.Errorf("broadcasts: %+v", b)
	}
}

func TestIdeaTitleMentionsStayInert(t *testing.T) {
	w := newIdeasWorld(t, false)
	// Slack sends a typed "<!here>" as &lt;!here&gt; and a real @channel
	// mention as <!channel>; both reach the card as plain text.
	post, err := w.fake.Post(w.board.ID, w.customer, "<!channel> &lt;!here&gt; &amp; pizza — for everyone", "")
	if err != nil {
		t.Fatal(err)
	}
	card := w.cardIn(t, post.TS, "the card", func(s string) bool { return strings.Contains(s, "#1") })
	if s := cardText(card); !strings.Contains(s, "#1 @channel &lt;!here&gt; &amp; pizza") || strings.Contains(s, "<!") {
		t.Errorf("card = %s", s)
	}
	if strings.Contains(card.Text, "<!") {
		t.Errorf("fallback text = %q", card.Text)
	}
	if b := w.fake.Broadcasts(); len(b) != 0 {
		t.Errorf("the card notified the channel: %+v", b)
	}
}

// slash runs /cornershop text as u in channel and returns the answer.
func (w *ideasWorld) slash(t *testing.T, channel string, u slackfake.User, text string) string {
	t.Helper()
	env := w.fake.Slash(channel, u, "/cornershop", text)
	var got string
	bottest.Eventually(t, wait, "the answer to /cornershop "+text, func() bool {
		raw, ok := w.fake.AckPayloads()[env]
		var p struct{ Text string }
		if ok && json.Unmarshal([]byte(raw), &p) == nil {
			got = p.Text
		}
		return ok
	})
	return got
}

func TestIdeaMergedAndHiddenCards(t *testing.T) {
	w := newIdeasWorld(t, false)
	first, err := w.fake.Post(w.board.ID, w.customer, "Dark mode", "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.fake.Post(w.board.ID, w.erin, "A dark theme — please", "")
	if err != nil {
		t.Fatal(err)
	}
	w.cardIn(t, first.TS, "card #1", func(s string) bool { return strings.Contains(s, "#1 Dark mode") })
	dup := w.cardIn(t, second.TS, "card #2", func(s string) bool { return strings.Contains(s, "#2 A dark theme") })
	if got := w.slash(t, w.desk.ID, w.alice, "idea 2 merge 1"); strings.Contains(got, "without their thread") || strings.Contains(got, "Usage") {
		t.Fatalf("merge answered %q", got)
	}
	dup = w.cardIn(t, second.TS, "card #2 pointing to #1", func(s string) bool { return strings.Contains(s, "Merged into *#1* — vote there") })
	w.cardIn(t, first.TS, "card #1 with Erin's vote moved over", func(s string) bool { return strings.Contains(s, "2 votes") })

	// Dana presses the old card's button: her vote is for #1 already, so
	// it is withdrawn there.
	action, value := button(t, dup)
	if _, err := w.fake.Click(w.board.ID, dup.TS, w.customer, action, value); err != nil {
		t.Fatal(err)
	}
	w.told(t, w.customer, "#1")
	w.cardIn(t, first.TS, "card #1 counting the press", func(s string) bool { return strings.Contains(s, "1 vote ·") })

	if got := w.slash(t, w.desk.ID, w.alice, "idea 1 hide off topic"); !strings.Contains(got, "hidden") {
		t.Fatalf("hide answered %q", got)
	}
	hidden := w.cardIn(t, first.TS, "card #1 hidden", func(s string) bool { return s == "This idea was hidden by a moderator." })
	if strings.Contains(hidden.Blocks, "actions") || strings.Contains(hidden.Text, "Dark") {
		t.Errorf("a hidden card still shows a button or the idea: %s / %q", hidden.Blocks, hidden.Text)
	}
}

func TestIdeaSlashCommands(t *testing.T) {
	w := newIdeasWorld(t, false)
	answer := func(channel string, u slackfake.User, text string) string {
		t.Helper()
		return w.slash(t, channel, u, text)
	}
	if got := answer(w.board.ID, w.customer, "idea Export to CSV — for the accountants"); !strings.Contains(got, "#1") {
		t.Fatalf("/cornershop idea answered %q", got)
	}
	card := w.cardIn(t, "", "the card of the slash idea", func(s string) bool { return strings.Contains(s, "#1 Export to CSV") })
	if card.ThreadTS != "" {
		t.Errorf("the card of an idea from /cornershop is in thread %s, want top level", card.ThreadTS)
	}
	// A reply in the card's thread is a comment on it (once the relay has
	// recorded where the card is: a person cannot answer faster).
	bottest.Eventually(t, wait, "the card recorded", func() bool { return w.idea(t, 1).CardID == card.TS })
	if _, err := w.fake.Post(w.board.ID, w.erin, "and to Excel", card.TS); err != nil {
		t.Fatal(err)
	}
	w.cardIn(t, "", "the card counting the comment", func(s string) bool { return strings.Contains(s, "1 comment") })
	if got := answer(w.board.ID, w.erin, "vote 1"); !strings.Contains(got, "2 votes") {
		t.Errorf("/cornershop vote answered %q", got)
	}
	if got := answer(w.board.ID, w.erin, "ideas top"); !strings.Contains(got, "Export to CSV") {
		t.Errorf("/cornershop ideas answered %q", got)
	}
	if got := answer(w.board.ID, w.erin, "ideas mute"); !strings.Contains(got, "Muted") {
		t.Errorf("/cornershop ideas mute answered %q", got)
	}
	if got := answer(w.desk.ID, w.alice, "ideas queue"); !strings.Contains(got, "awaiting review") {
		t.Errorf("/cornershop ideas queue in the desk answered %q", got)
	}
	if got := answer(w.desk.ID, w.alice, "idea 1 planned Soon"); !strings.Contains(got, "1") || strings.Contains(got, "without their thread") {
		t.Errorf("/cornershop idea 1 planned in the desk answered %q", got)
	}
	w.cardIn(t, "", "the card showing planned", func(s string) bool { return strings.Contains(s, "Planned") && strings.Contains(s, "Soon") })
}
