package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
)

// TestPermanentFailuresStopAndShow: a reply to a customer who blocked the
// bot (Telegram 403), whose Slack channel is gone (channel_not_found) or
// whose Discord channel is gone (10003 Unknown Channel) fails on its first
// attempt, is never tried again, and is reported in the desk thread with
// the platform's reason.
func TestPermanentFailuresStopAndShow(t *testing.T) {
	c := newCrowd(t)
	s := bottest.Start(t, c.config(), c.platforms()...)
	bottest.Eventually(t, 20*time.Second, "the service connected to all three platforms", func() bool {
		return c.tgBot.Ready() && c.slBot.Ready() && c.dcBot.Ready()
	})
	tests := []struct {
		platform core.PlatformName
		breaks   func(tk *talk)
		reason   string
		calls    func(tk *talk) int // calls cornershop made to the customer's chat
	}{
		{core.Telegram, func(tk *talk) { c.tg.Block(tk.tgUser) }, "blocked the bot", func(tk *talk) int {
			n := 0
			for _, call := range c.tg.Calls() {
				if call.Method == "sendMessage" && call.Params["chat_id"] == tk.chat {
					n++
				}
			}
			return n
		}},
		{core.Slack, func(tk *talk) { c.sl.DeleteChannel(tk.chat) }, "the channel is gone", func(tk *talk) int {
			n := 0
			for _, call := range c.sl.Calls() {
				if call.Method == "chat.postMessage" && call.Params.Get("channel") == tk.chat {
					n++
				}
			}
			return n
		}},
		{core.Discord, func(tk *talk) { c.dc.DeleteChannel(tk.chat) }, "channel is gone", nil},
	}
	for _, tc := range tests {
		t.Run(string(tc.platform), func(t *testing.T) {
			var tk *talk
			for _, x := range c.convs {
				if x.platform == tc.platform {
					tk = x
					break
				}
			}
			c.write(t, tk)
			var conv core.Conversation
			bottest.Eventually(t, wait, "the desk thread", func() bool {
				var ok bool
				conv, ok = s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat})
				return ok && conv.Desk.Thread != ""
			})
			tc.breaks(tk)
			before := 0
			if tc.calls != nil {
				before = tc.calls(tk)
			}
			c.answer(t, tk, conv.Desk)
			defer func() {
				if t.Failed() {
					t.Logf("the desk thread says:\n%s", c.deskSays(conv.Desk))
				}
			}()
			bottest.Eventually(t, wait, "the failure in the desk thread", func() bool {
				d := c.deskSays(conv.Desk)
				return strings.Contains(d, "Not delivered") && strings.Contains(d, tc.reason)
			})
			var reply core.Delivery
			if err := s.Store.InTx(context.Background(), func(tx core.Tx) error {
				msgs, err := tx.Messages(conv.ID)
				if err != nil {
					return err
				}
				for _, m := range msgs {
					if m.Direction != core.Reply {
						continue
					}
					ds, err := tx.Deliveries(m.ID)
					for _, d := range ds {
						if d.Op == core.OpSend && d.Side == core.CustomerSide {
							reply = d
						}
					}
					return err
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if reply.State != core.DeliveryFailed || reply.Attempts != 0 {
				t.Errorf("the reply's delivery is %s after %d retries, want failed on its first attempt", reply.State, reply.Attempts)
			}
			if tc.calls != nil {
				if n := tc.calls(tk) - before; n != 1 {
					t.Errorf("%d sends to the customer's chat, want exactly 1 (no retry)", n)
				}
			}
		})
	}
}

// deskSays is the text of cornershop's posts in a desk thread.
func (c *crowd) deskSays(th core.Place) string {
	var b strings.Builder
	if th.Platform == core.Slack {
		for _, m := range c.sl.BotMessages(th.Chat, th.Thread) {
			b.WriteString(m.Text + "\n")
		}
		return b.String()
	}
	for _, m := range c.dc.BotMessages(th.Thread) {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}
