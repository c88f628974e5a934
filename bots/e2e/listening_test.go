package e2e_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/bots/discord"
	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/listen"
	"cornershop/core/relay"
)

// listenWait is generous: a storm's card edits queue behind the desk
// channel's pacing.
const listenWait = 60 * time.Second

// listenWorld is the three platforms, each with a community place the
// bot listens to (a Telegram supergroup where it is admin, a Slack channel
// it is a member of, a Discord text channel), and a Slack desk where the
// "checkout" rule's signals go.
type listenWorld struct {
	*world
	s       *bottest.Stack
	tgGroup telegramfake.Chat
	slGen   slackfake.Channel
	dcGen   discordfake.Channel
}

func newListenWorld(t *testing.T) *listenWorld {
	t.Helper()
	return newListenWorldAt(t, func(w *world) desk { return slDesk{w} })
}

// newListenWorldAt is newListenWorld with the desk deskOf picks.
func newListenWorldAt(t *testing.T, deskOf func(*world) desk) *listenWorld {
	t.Helper()
	w := &listenWorld{world: newWorld(t)}
	w.tgGroup = w.tg.AddSupergroup("Acme fans", true, w.tgCust, w.tgStranger)
	w.slGen = w.sl.AddChannel("general", false, w.slStaff, w.slStranger)
	fans := w.dc.AddGuild("Acme Fans", w.dcCust, w.dcStranger)
	w.dcGen = w.dc.AddTextChannel(fans.ID, "general")

	// The adapters, as newWorld makes them plus the listening places.
	tgChat := strconv.FormatInt(w.tgGroup.ID, 10)
	var err error
	if w.tgBot, err = telegram.New(telegram.Options{Token: w.tg.Token(), APIURL: w.tg.URL(), PollTimeout: time.Second,
		DeskChats: []string{strconv.FormatInt(w.tgDesk.ID, 10)}, Listening: []string{tgChat}}); err != nil {
		t.Fatal(err)
	}
	if w.slBot, err = slack.New(slack.Options{BotToken: w.sl.BotToken(), AppToken: w.sl.AppToken(), APIURL: w.sl.APIURL(),
		DeskChannels: []string{w.slDesk.ID}, ListeningChannels: []string{w.slGen.ID}}); err != nil {
		t.Fatal(err)
	}
	if w.dcBot, err = discord.New(discord.Options{Token: w.dc.Token(), ApplicationID: w.dc.ApplicationID(), APIURL: w.dc.URL(),
		DeskChannels: []string{w.dcDesk.ID}, TeamName: "Acme Support", ListeningChannels: []string{w.dcGen.ID}}); err != nil {
		t.Fatal(err)
	}
	rules, err := listen.NewMatcher([]listen.Rule{{Name: "checkout", Terms: []string{"checkout", "check out"}, Desk: "desk"}})
	if err != nil {
		t.Fatal(err)
	}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Community"}, Roles: []core.Role{core.RoleAgent},
		Identities: map[core.PlatformName]string{core.Slack: w.slStaff.ID, core.Discord: w.dcStaff.ID, core.Telegram: strconv.FormatInt(w.tgStaff.ID, 10)}}
	cfg := relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: deskOf(w.world).channel()}}, Staff: []core.Staff{alice},
		Listening: relay.Listening{Rules: rules, Places: []relay.ListeningPlace{
			{Place: core.Place{Platform: core.Telegram, Chat: tgChat}, Name: "Acme fans"},
			{Place: core.Place{Platform: core.Slack, Chat: w.slGen.ID}, Name: "#general"},
			{Place: core.Place{Platform: core.Discord, Chat: w.dcGen.ID}, Name: "#fans-general"},
		}}}
	w.s = bottest.Start(t, cfg, w.platforms()...)
	// What is said before the bots connect is not heard (docs/listening.md).
	bottest.Eventually(t, 15*time.Second, "the three bots connected", func() bool {
		return w.tgBot.Ready() && w.slBot.Ready() && w.dcBot.Ready()
	})
	return w
}

// community is one platform's listening place, seen from its members.
type community struct {
	name   string
	place  core.Place
	link   string                                 // how links to its messages begin
	member func(t *testing.T, text string) string // a member writes; returns the platform id
	other  func(t *testing.T, text string) string // another member writes
	ids    [2]string                              // the two members' platform user ids
}

func (w *listenWorld) communities() []community {
	tgChat := strconv.FormatInt(w.tgGroup.ID, 10)
	tgSay := func(u telegramfake.User) func(t *testing.T, text string) string {
		return func(t *testing.T, text string) string {
			t.Helper()
			m, err := w.tg.SendText(w.tgGroup.ID, 0, u, text)
			if err != nil {
				t.Fatal(err)
			}
			return strconv.Itoa(m.ID)
		}
	}
	slSay := func(u slackfake.User) func(t *testing.T, text string) string {
		return func(t *testing.T, text string) string {
			t.Helper()
			m, err := w.sl.Post(w.slGen.ID, u, text, "")
			if err != nil {
				t.Fatal(err)
			}
			return m.TS
		}
	}
	dcSay := func(u discordfake.User) func(t *testing.T, text string) string {
		return func(t *testing.T, text string) string {
			t.Helper()
			m, err := w.dc.Send(w.dcGen.ID, u, text)
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
	}
	return []community{
		{"telegram", core.Place{Platform: core.Telegram, Chat: tgChat}, "https://t.me/c/", tgSay(w.tgCust), tgSay(w.tgStranger),
			[2]string{strconv.FormatInt(w.tgCust.ID, 10), strconv.FormatInt(w.tgStranger.ID, 10)}},
		{"slack", core.Place{Platform: core.Slack, Chat: w.slGen.ID}, "https://acme.slack.com/archives/" + w.slGen.ID + "/p", slSay(w.slStaff), slSay(w.slStranger),
			[2]string{w.slStaff.ID, w.slStranger.ID}},
		{"discord", core.Place{Platform: core.Discord, Chat: w.dcGen.ID}, "https://discord.com/channels/", dcSay(w.dcCust), dcSay(w.dcStranger),
			[2]string{w.dcCust.ID, w.dcStranger.ID}},
	}
}

// cards lists the bot's posts at the root of the Slack desk.
func (w *listenWorld) cards() []slackfake.Message {
	var out []slackfake.Message
	for _, m := range w.sl.BotMessages(w.slDesk.ID, "") {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			out = append(out, m)
		}
	}
	return out
}

// cardSaying waits for the one desk card that contains all of want.
func (w *listenWorld) cardSaying(t *testing.T, want ...string) slackfake.Message {
	t.Helper()
	var card slackfake.Message
	bottest.Eventually(t, listenWait, "a signal card saying "+strings.Join(want, ", "), func() bool {
		for _, m := range w.cards() {
			if anyContains([]string{m.Text + m.Blocks}, want...) {
				card = m
				return true
			}
		}
		return false
	})
	return card
}

func (w *listenWorld) signals(t *testing.T, place core.Place) []core.Signal {
	t.Helper()
	var out []core.Signal
	err := w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
		for id := core.SignalID(1); ; id++ {
			s, err := tx.Signal(id)
			if errors.Is(err, core.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if s.Place == place {
				out = append(out, s)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestListeningOverTheWire: on each platform, a community message that
// matches no rule leaves nothing in the database, and a matching one
// becomes a signal card in the desk naming who said what where, with a
// link to the original.
func TestListeningOverTheWire(t *testing.T) {
	w := newListenWorld(t)
	for _, c := range w.communities() {
		t.Run(c.name, func(t *testing.T) {
			quiet := c.other(t, "anyone watching the match tonight? cartoons later")
			loud := c.member(t, "The checkout on "+c.name+" is broken again, awful")
			card := w.cardSaying(t, "checkout", "is broken again, awful", c.name)
			if !strings.Contains(card.Text+card.Blocks, c.link) || !strings.Contains(card.Text+card.Blocks, loud) && c.name != "slack" {
				t.Errorf("card %q lacks a link to the message (%s…%s)", card.Text, c.link, loud)
			}
			if !strings.Contains(card.Blocks, "cornershop:signal#0") {
				t.Errorf("card has no Dismiss button: %s", card.Blocks)
			}
			sigs := w.signals(t, c.place)
			if len(sigs) != 1 || sigs[0].Count != 1 || sigs[0].Negative != 1 {
				t.Fatalf("signals at %s = %+v, want one negative", c.name, sigs)
			}
			err := w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
				if heard, err := tx.SignalMessageHeard(c.place.Platform, c.place.Chat, quiet); err != nil || heard {
					t.Errorf("the unmatched message was recorded (%v, %v)", heard, err)
				}
				if _, err := tx.ContactByIdentity(c.place.Platform, c.ids[1]); !errors.Is(err, core.ErrNotFound) {
					t.Errorf("the unmatched message's author became a contact (%v)", err)
				}
				ms, err := tx.SignalMessages(sigs[0].ID, 0)
				if err != nil || len(ms) != 1 || ms[0].PlatformID != loud {
					t.Errorf("signal messages = %+v, %v; want the matching one", ms, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestListeningStormOverTheWire: 200 matching messages in one channel,
// on each platform, are one signal whose one card is updated to say so.
func TestListeningStormOverTheWire(t *testing.T) {
	w := newListenWorld(t)
	for _, c := range w.communities() {
		t.Run(c.name, func(t *testing.T) {
			before := len(w.cards())
			for i := range 200 {
				say := c.member
				if i%2 == 1 {
					say = c.other
				}
				say(t, fmt.Sprintf("checkout spins forever (%d)", i))
			}
			w.cardSaying(t, "200 messages in", c.name)
			if got := len(w.cards()); got != before+1 {
				t.Errorf("the desk got %d cards for the storm, want 1", got-before)
			}
			if sigs := w.signals(t, c.place); len(sigs) != 1 || sigs[0].Count != 200 {
				t.Errorf("signals = %+v, want one of 200", sigs)
			}
		})
	}
}

// TestListeningDismissOverTheWire: staff press Dismiss on a card in the
// Slack desk; the card says who dismissed it and loses its button; a
// stranger's press changes nothing.
func TestListeningDismissOverTheWire(t *testing.T) {
	w := newListenWorld(t)
	c := w.communities()[2]
	c.member(t, "checkout is slow today")
	card := w.cardSaying(t, "checkout is slow today")
	sig := w.signals(t, c.place)[0]
	value := "dismiss " + strconv.FormatInt(int64(sig.ID), 10)
	if _, err := w.sl.Click(w.slDesk.ID, card.TS, w.slStranger, "cornershop:signal#2", value); err != nil {
		t.Fatal(err)
	}
	if _, err := w.sl.Click(w.slDesk.ID, card.TS, w.slStaff, "cornershop:signal#2", value); err != nil {
		t.Fatal(err)
	}
	w.cardSaying(t, "Dismissed by Alice Martin")
	got := w.signals(t, c.place)[0]
	if got.State != core.SignalDismissed || got.HandledBy != "staff:alice" {
		t.Errorf("signal = %+v, want dismissed by alice", got)
	}
	for _, m := range w.cards() {
		if m.TS == card.TS && strings.Contains(m.Blocks, "cornershop:signal") {
			t.Errorf("the dismissed card still has its button: %s", m.Blocks)
		}
	}
}

// newest returns the newest conversation of a platform user.
func (w *listenWorld) newest(t *testing.T, platform core.PlatformName, userID string) (core.Conversation, bool) {
	t.Helper()
	var conv core.Conversation
	found := false
	err := w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(platform, userID)
		if errors.Is(err, core.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		cs, err := tx.Conversations(c.ID, 1)
		if err != nil || len(cs) == 0 {
			return err
		}
		conv, found = cs[0], cs[0].Desk.Thread != ""
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return conv, found
}

// thread waits for the conversation an action opened with the second
// member of community c, and its desk thread.
func (w *listenWorld) thread(t *testing.T, c community) core.Conversation {
	t.Helper()
	var conv core.Conversation
	bottest.Eventually(t, listenWait, "the conversation's desk thread", func() bool {
		var ok bool
		conv, ok = w.newest(t, c.place.Platform, c.ids[1])
		return ok
	})
	return conv
}

// press clicks a signal card's button in the Slack desk as Alice: n is
// the button (0 Reply in place, 1 Open a conversation, then Feedback for
// each related idea, Dismiss last), args its value ("reply 3").
func (w *listenWorld) press(t *testing.T, card slackfake.Message, n int, args ...any) {
	t.Helper()
	if _, err := w.sl.Click(w.slDesk.ID, card.TS, w.slStaff, fmt.Sprintf("cornershop:signal#%d", n), strings.TrimSpace(fmt.Sprintln(args...))); err != nil {
		t.Fatal(err)
	}
}

// TestListeningReplyInPlaceOverTheWire: on each platform, "Reply in
// place" opens a conversation thread in the desk; what Alice writes there
// reaches the community place as a threaded reply under the original
// message, in her voice, and pings nobody.
func TestListeningReplyInPlaceOverTheWire(t *testing.T) {
	w := newListenWorld(t)
	for i, c := range w.communities() {
		t.Run(c.name, func(t *testing.T) {
			orig := c.other(t, fmt.Sprintf("checkout keeps failing on %s", c.name))
			card := w.cardSaying(t, "checkout keeps failing on "+c.name)
			sig := w.signals(t, c.place)[0]
			w.press(t, card, 0, "reply", int64(sig.ID))
			conv := w.thread(t, c)
			if conv.Customer.Chat != c.place.Chat || conv.Anchor != orig {
				t.Fatalf("conversation = %+v, want one at %s anchored to %s", conv, c.place, orig)
			}
			t.Cleanup(func() {
				if t.Failed() {
					for _, m := range w.sl.Messages(w.slGen.ID, "") {
						t.Logf("slack general: %+v", m)
					}
					for _, m := range w.dc.Messages(w.dcGen.ID) {
						t.Logf("discord general: %+v", m)
					}
					w.dumpDeliveries(t, conv)
				}
			})
			text := fmt.Sprintf("Sorry about that (%d)! It is fixed — @everyone @here can retry", i)
			slDesk{w.world}.staffWrites(t, conv.Desk, text)
			switch c.name {
			case "telegram":
				bottest.Eventually(t, listenWait, "the reply in the group", func() bool {
					for _, m := range w.tg.BotMessages(w.tgGroup.ID, 0) {
						if strings.Contains(m.Text, "It is fixed") && strconv.Itoa(m.ReplyTo) == orig && strings.Contains(m.Text, "Alice Martin") {
							return true
						}
					}
					return false
				})
			case "slack":
				bottest.Eventually(t, listenWait, "the reply in the channel's thread", func() bool {
					for _, m := range w.sl.BotMessages(w.slGen.ID, orig) {
						if strings.Contains(m.Text, "It is fixed") && strings.HasPrefix(m.Username, "Alice Martin") && !strings.Contains(m.Text, "<!everyone>") && !strings.Contains(m.Text, "<!here>") {
							return true
						}
					}
					return false
				})
				if b := w.sl.Broadcasts(); len(b) != 0 {
					t.Errorf("the reply pinged the channel: %+v", b)
				}
			case "discord":
				bottest.Eventually(t, listenWait, "the reply in a thread under the message", func() bool {
					for _, th := range w.dc.Threads(w.dcGen.ID) {
						for _, m := range w.dc.Messages(th.ID) {
							if strings.Contains(m.Content, "It is fixed") && strings.HasPrefix(m.Username, "Alice Martin") {
								return true
							}
						}
					}
					return false
				})
				if p := w.dc.Pings(); len(p) != 0 {
					t.Errorf("the reply pinged: %v", p)
				}
			}
			w.cardSaying(t, "Handled by Alice Martin: replying in place")
		})
	}
}

// TestListeningOpenConversationOverTheWire: on each platform, "Open a
// conversation" opens a desk thread whose replies reach the author
// directly, not the community place.
func TestListeningOpenConversationOverTheWire(t *testing.T) {
	w := newListenWorld(t)
	for _, c := range w.communities() {
		t.Run(c.name, func(t *testing.T) {
			c.other(t, "is checkout down for anyone else on "+c.name+"?")
			card := w.cardSaying(t, "is checkout down for anyone else on "+c.name)
			sig := w.signals(t, c.place)[0]
			w.press(t, card, 1, "conversation", int64(sig.ID))
			conv := w.thread(t, c)
			if conv.Customer.Chat == c.place.Chat || conv.Anchor != "" {
				t.Fatalf("conversation = %+v, want a direct one", conv)
			}
			slDesk{w.world}.staffWrites(t, conv.Desk, "Hi! Alice from Acme here, about checkout")
			bottest.Eventually(t, listenWait, "the direct message", func() bool {
				switch c.name {
				case "telegram":
					for _, m := range w.tg.BotMessages(w.tgStranger.ID, 0) {
						if strings.Contains(m.Text, "Alice from Acme here") {
							return true
						}
					}
				case "slack":
					for _, m := range w.sl.BotMessages(conv.Customer.Chat, "") {
						if strings.Contains(m.Text, "Alice from Acme here") {
							return true
						}
					}
				case "discord":
					for _, m := range w.dc.BotMessages(conv.Customer.Chat) {
						if strings.Contains(m.Content+fmt.Sprint(m.Embeds), "Alice from Acme here") {
							return true
						}
					}
				}
				return false
			})
			w.cardSaying(t, "Handled by Alice Martin: a direct conversation")
		})
	}
}

// dumpDeliveries logs a conversation's deliveries, for a failed test.
func (w *listenWorld) dumpDeliveries(t *testing.T, conv core.Conversation) {
	_ = w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
		ms, _ := tx.Messages(conv.ID)
		for _, m := range ms {
			ds, _ := tx.Deliveries(m.ID)
			for _, d := range ds {
				t.Logf("message %d %s: delivery %s %s %s %q", m.ID, m.Direction, d.Op, d.Side, d.State, d.LastError)
			}
		}
		return nil
	})
}

// TestListeningFeedbackOverTheWire: on each platform, the card offers
// "Feedback for idea #N" for a related idea; pressing it makes the message
// a comment on the idea and its author a follower.
func TestListeningFeedbackOverTheWire(t *testing.T) {
	w := newListenWorld(t)
	var idea core.Idea
	err := w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
		c := core.Contact{Name: "Proposer", Identities: []core.Identity{{Platform: core.Slack, UserID: "U-PROPOSER"}}, CreatedAt: time.Now()}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		idea = core.Idea{Title: "Guest checkout", Status: core.IdeaPlanned, Author: c.ID, AuthorName: c.Name, CreatedAt: time.Now(), SourceID: "seed"}
		return tx.CreateIdea(&idea)
	})
	if err != nil {
		t.Fatal(err)
	}
	label := fmt.Sprintf("Feedback for idea #%d", int64(idea.ID))
	for _, c := range w.communities() {
		t.Run(c.name, func(t *testing.T) {
			orig := c.other(t, "I want guest checkout on "+c.name)
			card := w.cardSaying(t, "I want guest checkout on "+c.name, label)
			sig := w.signals(t, c.place)[0]
			w.press(t, card, 2, "idea", int64(sig.ID), int64(idea.ID))
			w.cardSaying(t, "I want guest checkout on "+c.name, "Handled by Alice Martin: feedback on an idea")
			err := w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
				who, err := tx.ContactByIdentity(c.place.Platform, c.ids[1])
				if err != nil {
					return err
				}
				fs, err := tx.Followers(idea.ID)
				if err != nil {
					return err
				}
				if !slices.ContainsFunc(fs, func(v core.Voter) bool { return v.Contact == who.ID }) {
					t.Errorf("followers = %+v, want the author of %s", fs, orig)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	err = w.s.Store.InTx(t.Context(), func(tx core.Tx) error {
		i, err := tx.Idea(idea.ID)
		if err == nil && i.Comments != 3 {
			t.Errorf("idea comments = %d, want one per platform", i.Comments)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dismissID finds the Dismiss control's id in a card's rendered controls.
var dismissID = regexp.MustCompile(`[a-z]+:signal:dismiss:[0-9]+`)

// TestListeningDiscordAndTelegramDesks: with the desk on Discord or on
// Telegram, a signal's card carries its buttons there and keeps them when
// a burst updates it; Dismiss pressed by staff edits it and removes them.
func TestListeningDiscordAndTelegramDesks(t *testing.T) {
	t.Run("discord", func(t *testing.T) {
		w := newListenWorldAt(t, func(w *world) desk { return dcDesk{w} })
		w.communities()[0].other(t, "checkout broke on telegram")
		w.communities()[0].member(t, "checkout broke for me too")
		var card discordfake.Message
		bottest.Eventually(t, listenWait, "the card in the Discord desk, updated and with its buttons", func() bool {
			for _, m := range w.dc.BotMessages(w.dcDesk.ID) {
				if strings.Contains(m.Content+fmt.Sprint(m.Embeds), "2 messages in Acme fans") && dismissID.MatchString(m.Components) {
					card = m
					return true
				}
			}
			return false
		})
		w.dc.Click(w.dcDesk.ID, card.ID, w.dcStaff, dismissID.FindString(card.Components))
		bottest.Eventually(t, listenWait, "the card saying who dismissed it", func() bool {
			m, ok := w.dc.Message(w.dcDesk.ID, card.ID)
			return ok && strings.Contains(m.Content+fmt.Sprint(m.Embeds), "Dismissed by Alice Martin")
		})
		if m, _ := w.dc.Message(w.dcDesk.ID, card.ID); strings.Contains(m.Components, "signal:") {
			t.Errorf("the dismissed card still has buttons: %s", m.Components)
		}
	})
	t.Run("telegram", func(t *testing.T) {
		w := newListenWorldAt(t, func(w *world) desk { return tgDesk{w} })
		w.communities()[2].other(t, "checkout broke on discord")
		w.communities()[2].member(t, "checkout broke for me too")
		var card telegramfake.Message
		bottest.Eventually(t, listenWait, "the card in the Telegram desk, updated and with its buttons", func() bool {
			for _, m := range w.tg.BotMessages(w.tgDesk.ID, 0) {
				if strings.Contains(m.Text, "2 messages in #fans-general") && dismissID.Match(m.ReplyMarkup) {
					card = m
					return true
				}
			}
			return false
		})
		if _, err := w.tg.Press(w.tgDesk.ID, card.ID, w.tgStaff, dismissID.FindString(string(card.ReplyMarkup))); err != nil {
			t.Fatal(err)
		}
		bottest.Eventually(t, listenWait, "the card saying who dismissed it", func() bool {
			for _, m := range w.tg.BotMessages(w.tgDesk.ID, 0) {
				if m.ID == card.ID {
					return strings.Contains(m.Text, "Dismissed by Alice Martin") && !strings.Contains(string(m.ReplyMarkup), "signal:")
				}
			}
			return false
		})
	})
}
