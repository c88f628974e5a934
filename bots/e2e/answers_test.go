package e2e_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// answersStack starts the three platforms with a Slack desk where Alice is
// an agent, and self-help as given.
func answersStack(t *testing.T, w *world, answers relay.Answers, roles ...core.Role) *bottest.Stack {
	t.Helper()
	if len(roles) == 0 {
		roles = []core.Role{core.RoleAgent}
	}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support"}, Roles: roles,
		Identities: map[core.PlatformName]string{core.Slack: w.slStaff.ID}}
	return bottest.Start(t, relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour,
		NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: slDesk{w}.channel()}},
		Staff: []core.Staff{alice}, Answers: answers}, w.platforms()...)
}

// TestAnswerFromSlackDeskFoundOnTelegram: Alice publishes her reply from
// the Slack desk in one step; another Telegram customer's /help refund
// offers it as an inline button, and pressing it shows the answer in the
// chat.
func TestAnswerFromSlackDeskFoundOnTelegram(t *testing.T) {
	w := newWorld(t)
	s := answersStack(t, w, relay.Answers{})
	tg, desk := tgCustomer{w}, slDesk{w}

	tg.writes(t, "How do refunds work?")
	var conv core.Conversation
	bottest.Eventually(t, wait, "the desk thread", func() bool {
		got, ok := s.Conversation(t, core.Telegram, tg.userID(), tg.place())
		conv = got
		return ok && got.Desk.Thread != ""
	})
	desk.staffWrites(t, conv.Desk, "Open Orders, pick the order and press Refund: the money is back within five days.")
	bottest.Eventually(t, wait, "the reply", func() bool { return anyContains(tg.sees(t), "press Refund") })
	desk.staffWrites(t, conv.Desk, "!answer add Refunds")
	bottest.Eventually(t, wait, "the publication in the desk", func() bool {
		return strings.Contains(desk.says(t, conv.Desk), `published answer 1 "Refunds"`)
	})

	mallory := w.tgStranger
	if _, err := w.tg.SendText(mallory.ID, 0, mallory, "/help refund"); err != nil {
		t.Fatal(err)
	}
	var offer struct {
		id  int
		kbd string
	}
	bottest.Eventually(t, wait, "the /help answer with buttons", func() bool {
		for _, m := range w.tg.BotMessages(mallory.ID, 0) {
			if strings.Contains(string(m.ReplyMarkup), "act:answer:1") {
				offer.id, offer.kbd = m.ID, string(m.ReplyMarkup)
				return true
			}
		}
		return false
	})
	if !strings.Contains(offer.kbd, "Refunds") {
		t.Fatalf("keyboard = %s", offer.kbd)
	}
	if _, err := w.tg.Press(mallory.ID, offer.id, mallory, "act:answer:1"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "the answer shown in the chat", func() bool {
		for _, m := range w.tg.BotMessages(mallory.ID, 0) {
			if strings.Contains(m.Text, "money is back within five days") && strings.HasPrefix(m.Text, "Refunds") {
				return true
			}
		}
		return false
	})
}

// dcButton finds, among the bot's messages in a channel, one whose
// components hold a custom_id containing want; it returns the message id
// and that custom_id.
func dcButton(w *world, channel, want string) (msgID, customID string, ok bool) {
	for _, m := range w.dc.BotMessages(channel) {
		var rows []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
			} `json:"components"`
		}
		if m.Components == "" || json.Unmarshal([]byte(m.Components), &rows) != nil {
			continue
		}
		for _, r := range rows {
			for _, c := range r.Components {
				if strings.Contains(c.CustomID, want) {
					return m.ID, c.CustomID, true
				}
			}
		}
	}
	return "", "", false
}

// TestDiscordSuggestion: a new Discord conversation about a refund gets one
// suggestion with Discord buttons; "This solved it" closes it as
// self-served and the Slack desk says so; "I still need a person" leaves it
// open and says that. /help works as a native slash command too.
func TestDiscordSuggestion(t *testing.T) {
	for _, tc := range []struct {
		press      string
		wantStatus core.Status
		wantDesk   string
	}{
		{press: "solved", wantStatus: core.StatusClosed, wantDesk: "closed as self-served"},
		{press: "person", wantStatus: core.StatusOpen, wantDesk: "still needs a person"},
	} {
		t.Run(tc.press, func(t *testing.T) {
			w := newWorld(t)
			s := answersStack(t, w, relay.Answers{Suggest: "new_conversation"})
			if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
				return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Open Orders and press Refund."})
			}); err != nil {
				t.Fatal(err)
			}
			dc, desk := dcCustomer{w}, slDesk{w}
			dm := dc.place().Chat
			dc.writes(t, "Hi, I would like a refund for my order")
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, core.Discord, dc.userID(), dc.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			var msgID, custom string
			bottest.Eventually(t, wait, "the suggestion with buttons", func() bool {
				var ok bool
				msgID, custom, ok = dcButton(w, dm, "cornershop:"+tc.press+":")
				return ok
			})
			if _, answer, ok := dcButton(w, dm, "cornershop:answer:1"); !ok || answer == "" {
				t.Fatal("the suggestion has no button for the answer")
			}
			bottest.Eventually(t, wait, "the suggestion in the desk", func() bool {
				return strings.Contains(desk.says(t, conv.Desk), "Suggested to the customer: #1 Refunds")
			})
			id := w.dc.Click(dm, msgID, w.dcCust, custom)
			bottest.Eventually(t, wait, "the choice in the desk", func() bool { return strings.Contains(desk.says(t, conv.Desk), tc.wantDesk) })
			if _, _, ok := w.dc.Response(id); !ok {
				t.Error("the button press was not answered")
			}
			got, _ := s.Conversation(t, core.Discord, dc.userID(), dc.place())
			if got.Status != tc.wantStatus {
				t.Fatalf("status = %s, want %s", got.Status, tc.wantStatus)
			}

			// /help as a native command: an ephemeral answer with a button.
			hid := w.dc.Command(dm, w.dcCust, "help", map[string]string{"question": "refund"})
			bottest.Eventually(t, wait, "the /help answer", func() bool {
				r, ok := w.dc.Interaction(hid)
				return ok && strings.Contains(string(r.ResponseData), `"custom_id":"cornershop:answer:1"`)
			})
		})
	}
}

// TestSlackHelpAndSuggestion: /cornershop help refund in a shared
// customer channel answers with Block Kit buttons; a new conversation
// there gets a suggestion as Block Kit buttons, and pressing "This solved
// it" closes it as self-served.
func TestSlackHelpAndSuggestion(t *testing.T) {
	w := newWorld(t)
	s := answersStack(t, w, relay.Answers{Suggest: "new_conversation"})
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) error {
		return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Open Orders and press Refund."})
	}); err != nil {
		t.Fatal(err)
	}
	env := w.sl.Slash(w.slShared.ID, w.slCust, "/cornershop", "help refund")
	bottest.Eventually(t, wait, "the slash answer with blocks", func() bool {
		p := w.sl.AckPayloads()[env]
		return strings.Contains(p, `"action_id":"cornershop:answer#0"`) && strings.Contains(p, `"value":"1"`)
	})

	sl := slCustomer{w}
	sl.writes(t, "refund please")
	var ts, value string
	bottest.Eventually(t, wait, "the suggestion with Block Kit buttons", func() bool {
		for _, m := range w.sl.BotMessages(w.slShared.ID, "") {
			var blocks []struct {
				Elements []struct {
					ActionID string `json:"action_id"`
					Value    string `json:"value"`
				} `json:"elements"`
			}
			if json.Unmarshal([]byte(m.Blocks), &blocks) != nil {
				continue
			}
			for _, b := range blocks {
				for _, e := range b.Elements {
					if strings.HasPrefix(e.ActionID, "cornershop:solved#") {
						if m.Username != "Acme Support" {
							t.Errorf("suggestion posted as %q, want the team's name", m.Username)
						}
						ts, value = m.TS, e.Value
						return true
					}
				}
			}
		}
		return false
	})
	conv, _ := s.Conversation(t, core.Slack, sl.userID(), sl.place())
	if value != strconv.FormatInt(int64(conv.ID), 10) {
		t.Fatalf("solved button value = %q, want conversation %d", value, conv.ID)
	}
	if _, err := w.sl.Click(w.slShared.ID, ts, w.slCust, "cornershop:solved#1", value); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "closed as self-served", func() bool {
		got, _ := s.Conversation(t, core.Slack, sl.userID(), sl.place())
		return got.Status == core.StatusClosed && core.HasTag(got.Tags, "self-served")
	})
}

// TestCommunityReplyBecomesAnswer: in a shared Slack channel (a community
// place) a member answers someone; a moderator pastes the link to that
// message into a desk thread with !answer from; it becomes an answer
// crediting the member, who is thanked in the moderator's voice, and
// /help finds it.
func TestCommunityReplyBecomesAnswer(t *testing.T) {
	w := newWorld(t)
	s := answersStack(t, w, relay.Answers{}, core.RoleModerator)
	sl, desk := slCustomer{w}, slDesk{w}
	msg, err := w.sl.Post(w.slShared.ID, w.slCust, "Gift cards never expire: redeem them under Account, Wallet.", "")
	if err != nil {
		t.Fatal(err)
	}
	var conv core.Conversation
	bottest.Eventually(t, wait, "the member's message on record", func() bool {
		got, ok := s.Conversation(t, core.Slack, sl.userID(), sl.place())
		conv = got
		return ok && got.Desk.Thread != ""
	})
	link := "https://acme.slack.com/archives/" + w.slShared.ID + "/p" + strings.Replace(msg.TS, ".", "", 1)
	desk.staffWrites(t, conv.Desk, "!answer from "+link+" Do gift cards expire?")
	bottest.Eventually(t, wait, "the publication in the desk", func() bool {
		return strings.Contains(desk.says(t, conv.Desk), `reply as answer 1 "Do gift cards expire?"`)
	})
	bottest.Eventually(t, wait, "the thanks in Alice's voice", func() bool {
		return anyContains(sl.sees(t), "Alice Martin", "Your reply was so helpful")
	})
	var a core.Answer
	if err := s.Store.InTx(t.Context(), func(tx core.Tx) (err error) { a, err = tx.Answer(1); return }); err != nil {
		t.Fatal(err)
	}
	if a.Credit != conv.ContactID || a.CreditName == "" || !strings.Contains(a.Body, "never expire") {
		t.Fatalf("answer = %+v", a)
	}

	mallory := w.tgStranger
	if _, err := w.tg.SendText(mallory.ID, 0, mallory, "/help gift card"); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, wait, "/help finds the community answer", func() bool {
		for _, m := range w.tg.BotMessages(mallory.ID, 0) {
			if strings.Contains(string(m.ReplyMarkup), "Do gift cards expire?") {
				return true
			}
		}
		return false
	})
}
