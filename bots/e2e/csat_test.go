package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// surveyTap finds the survey cornershop sent a customer, checks it
// carries the platform's native one-tap control, and taps the fourth face.
type surveyTap func(t *testing.T, w *world, conv core.ConversationID) bool

func tgTap(t *testing.T, w *world, conv core.ConversationID) bool {
	for _, m := range w.tg.BotMessages(w.tgCust.ID, 0) {
		if strings.Contains(m.Text, "How did we do?") && strings.Contains(string(m.ReplyMarkup), `"callback_data":"act:csat:`) {
			if _, err := w.tg.Press(w.tgCust.ID, m.ID, w.tgCust, fmt.Sprintf("act:csat:%d:4", conv)); err != nil {
				t.Fatal(err)
			}
			return true
		}
	}
	return false
}

func dcTap(t *testing.T, w *world, conv core.ConversationID) bool {
	dm := w.dc.DMChannel(w.dcCust).ID
	for _, m := range w.dc.BotMessages(dm) {
		if len(m.Embeds) > 0 && strings.Contains(m.Embeds[0].Description, "How did we do?") && strings.Contains(m.Components, "cornershop:csat:") {
			w.dc.Click(dm, m.ID, w.dcCust, fmt.Sprintf("cornershop:csat:%d:4", conv))
			return true
		}
	}
	return false
}

func slTap(t *testing.T, w *world, conv core.ConversationID) bool {
	for _, m := range w.sl.BotMessages(w.slShared.ID, "") {
		if strings.Contains(m.Text, "How did we do?") && strings.Contains(m.Blocks, `"action_id":"cornershop:csat#3"`) {
			if _, err := w.sl.Click(w.slShared.ID, m.TS, w.slCust, "cornershop:csat#3", fmt.Sprintf("%d 4", conv)); err != nil {
				t.Fatal(err)
			}
			return true
		}
	}
	return false
}

// TestSurveyButtonsOnEveryPlatform: over the wire, for a customer on each
// platform (with the desk on another), closing the conversation sends the
// survey with the platform's native buttons (Telegram inline keyboard,
// Discord components, Slack Block Kit); the customer's tap is recorded and
// shown in the desk thread, and their next message is the comment, shown
// there too and stored, without reopening the conversation.
func TestSurveyButtonsOnEveryPlatform(t *testing.T) {
	tests := []struct {
		name string
		cust func(*world) customer
		desk func(*world) desk
		tap  surveyTap
	}{
		{"telegram customer, slack desk", func(w *world) customer { return tgCustomer{w} }, func(w *world) desk { return slDesk{w} }, tgTap},
		{"discord customer, telegram desk", func(w *world) customer { return dcCustomer{w} }, func(w *world) desk { return tgDesk{w} }, dcTap},
		{"slack customer, discord desk", func(w *world) customer { return slCustomer{w} }, func(w *world) desk { return dcDesk{w} }, slTap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c, d := tc.cust(w), tc.desk(w)
			alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
				Identities: map[core.PlatformName]string{d.platform(): d.staffID()}}
			s := bottest.Start(t, relay.Config{
				Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
				Staff: []core.Staff{alice},
				Desks: []relay.Desk{{Name: "desk", Place: d.channel(), Survey: relay.Survey{Enabled: true}}},
			}, w.platforms()...)

			c.writes(t, "My order never came")
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
				conv = got
				return ok && got.Desk.Thread != ""
			})
			th := conv.Desk
			bottest.Eventually(t, wait, "the customer's message in the desk", func() bool { return strings.Contains(d.says(t, th), "My order never came") })
			d.staffWrites(t, th, "Sent again, sorry!")
			bottest.Eventually(t, wait, "the reply", func() bool { return anyContains(c.sees(t), "Sent again, sorry!") })
			d.staffWrites(t, th, "!close")
			bottest.Eventually(t, wait, "the survey with its buttons, tapped", func() bool { return tc.tap(t, w, conv.ID) })
			bottest.Eventually(t, wait, "the rating in the desk thread", func() bool {
				return strings.Contains(d.says(t, th), "rated this conversation 4/5") && strings.Contains(d.says(t, th), "rates alice")
			})
			c.writes(t, "quick and kind")
			bottest.Eventually(t, wait, "the comment in the desk thread", func() bool { return strings.Contains(d.says(t, th), "Survey comment: quick and kind") })
			err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
				sv, err := tx.ConversationSurvey(conv.ID)
				if err != nil {
					return err
				}
				if sv.Rating != 4 || sv.Comment != "quick and kind" || sv.Staff != "alice" {
					t.Errorf("survey = %+v", sv)
				}
				cur, err := tx.Conversation(conv.ID)
				if err == nil && cur.Status != core.StatusClosed {
					t.Errorf("the comment reopened the conversation: %s", cur.Status)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
