package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
)

const burst = 500

// TestBurstDoesNotDelayOthers: staff send 500 replies to one customer, then
// one reply to another customer on the same platform; the second reply
// must not wait behind the burst. The outbox works each conversation's
// queue in order but never more than its head at once, and each
// platform's pacer limits a chat, not the platform, so the burst costs the
// other customer at most one pacing interval.
//
// The check counts positions, not seconds: while the other customer's
// reply is on its way, the burst keeps flowing at its chat's paced rate,
// so how many of the burst land meanwhile measures the delay in pacing
// intervals. One interval lets through the chat's burst allowance; the
// tolerance is twice that plus one in flight, because the burst's pace is
// wall-clock while the other reply's way through relay, outbox and
// emulator is CPU time, and on a loaded two-core machine under -race that
// way alone can take a Discord window (5 s). A reply stuck behind the
// burst would see hundreds land.
func TestBurstDoesNotDelayOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("paces hundreds of replies; skipped with -short")
	}
	c := newCrowd(t)
	s := bottest.Start(t, c.config(), c.platforms()...)
	bottest.Eventually(t, 20*time.Second, "the service connected to all three platforms", func() bool {
		return c.tgBot.Ready() && c.slBot.Ready() && c.dcBot.Ready()
	})
	// The burst allowance of one chat: Telegram 3, Slack 3 (see pace),
	// Discord 5 per 5 s in a DM channel.
	allowance := map[core.PlatformName]int{core.Telegram: 3, core.Slack: 3, core.Discord: 5}
	for _, p := range []core.PlatformName{core.Telegram, core.Slack, core.Discord} {
		t.Run(string(p), func(t *testing.T) {
			var a, b *talk
			for _, tk := range c.convs {
				if tk.platform == p && a == nil {
					a = tk
				} else if tk.platform == p && b == nil {
					b = tk
				}
			}
			threads := map[*talk]core.Place{}
			var convA core.Conversation
			for _, tk := range []*talk{a, b} {
				c.write(t, tk)
				bottest.Eventually(t, 20*time.Second, "the desk thread", func() bool {
					conv, ok := s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat})
					threads[tk] = conv.Desk
					if tk == a {
						convA = conv
					}
					return ok && conv.Desk.Thread != ""
				})
			}
			// The burst is handed to the Inbox as the desk adapter would:
			// the desk's inbound path is not what is measured, and 500
			// desk messages through an emulator take minutes under -race.
			staff := c.dcStaff.ID
			if threads[a].Platform == core.Slack {
				staff = c.slStaff.ID
			}
			for i := range burst {
				e := core.MessageEvent{Place: threads[a], ID: fmt.Sprintf("burst-%s-%d", p, i), Sender: core.Sender{UserID: staff, Name: "Alice Martin"},
					Text: staffText(a.n, a.replied), At: time.Now()}
				if err := s.Relay.Handle(context.Background(), e); err != nil {
					t.Fatal(err)
				}
				a.replied++
			}
			// The whole burst is recorded (queued) before the other reply
			// is written, and is being delivered at its pace.
			bottest.Eventually(t, time.Minute, "the burst recorded", func() bool {
				n := 0
				_ = s.Store.InTx(context.Background(), func(tx core.Tx) error {
					msgs, err := tx.Messages(convA.ID)
					for _, m := range msgs {
						if m.Direction == core.Reply {
							n++
						}
					}
					return err
				})
				return n == burst
			})
			bottest.Eventually(t, 60*time.Second, "the burst flowing", func() bool { return c.repliesSeen(a) >= allowance[p]+1 })
			before := c.repliesSeen(a)
			c.answer(t, b, threads[b])
			bottest.Eventually(t, 60*time.Second, "the other customer's reply", func() bool { return c.repliesSeen(b) == 1 })
			during := c.repliesSeen(a) - before
			t.Logf("%s: %d of the burst's replies landed while the other customer's reply was on its way (one interval's allowance %d; tolerance %d); %d of %d delivered so far",
				p, during, allowance[p], 2*allowance[p]+1, c.repliesSeen(a), burst)
			if during > 2*allowance[p]+1 {
				t.Errorf("%d of the burst's replies went out before the other customer's one reply: it waited behind the burst", during)
			}
		})
	}
}

// repliesSeen counts the staff replies tk's customer has received.
func (c *crowd) repliesSeen(tk *talk) int {
	n := 0
	count := func(text string) {
		for _, m := range numbered.FindAllStringSubmatch(text, -1) {
			if m[1] == "g" {
				n++
			}
		}
	}
	switch tk.platform {
	case core.Telegram:
		for _, m := range c.tg.BotMessages(tk.tgUser.ID, 0) {
			count(m.Text)
		}
	case core.Slack:
		for _, m := range c.sl.BotMessages(tk.chat, "") {
			count(m.Text)
		}
	case core.Discord:
		for _, m := range c.dc.BotMessages(tk.chat) {
			var b strings.Builder
			for _, e := range m.Embeds {
				b.WriteString(e.Description + " ")
			}
			count(m.Content + " " + b.String())
		}
	}
	return n
}
