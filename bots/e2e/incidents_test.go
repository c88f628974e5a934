package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
)

// staffSays makes staff write text in the desk thread th (Discord or
// Slack).
func (c *crowd) staffSays(t *testing.T, th core.Place, text string) {
	t.Helper()
	var err error
	if th.Platform == core.Slack {
		_, err = c.sl.Post(th.Chat, c.slStaff, text, th.Thread)
	} else {
		_, err = c.dc.Send(th.Thread, c.dcStaff, text)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// received returns what cornershop posted to tk's customer, each post
// with the name it spoke in (Slack's username, a Discord DM embed's
// author, Telegram's signature header inside the text).
func (c *crowd) received(tk *talk) (texts, voices []string) {
	switch tk.platform {
	case core.Telegram:
		for _, m := range c.tg.BotMessages(tk.tgUser.ID, 0) {
			texts, voices = append(texts, m.Text), append(voices, m.Text)
		}
	case core.Slack:
		for _, m := range c.sl.BotMessages(tk.chat, "") {
			texts, voices = append(texts, m.Text), append(voices, m.Username)
		}
	case core.Discord:
		for _, m := range c.dc.BotMessages(tk.chat) {
			text, voice := m.Content, ""
			for _, e := range m.Embeds {
				text += " " + e.Description
				if e.Author != nil {
					voice = e.Author.Name
				}
			}
			texts, voices = append(texts, text), append(voices, voice)
		}
	}
	return texts, voices
}

func countContaining(ss []string, sub string) int {
	n := 0
	for _, s := range ss {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// TestIncidentOverTheWire: customers on the three platforms write about
// one outage; staff open an incident from one conversation and link
// others by command; the incident's thread opens in the Discord desk; one
// update written there reaches each linked customer once, in Alice's
// voice, on each platform, and a note does not; a customer linked later
// gets it at once; resolve sends the final message, closes those without
// a personal reply and keeps the one with a reply open.
func TestIncidentOverTheWire(t *testing.T) {
	c := newCrowd(t)
	s := bottest.Start(t, c.config(), c.platforms()...)
	bottest.Eventually(t, 20*time.Second, "the service connected to all three platforms", func() bool {
		return c.tgBot.Ready() && c.slBot.Ready() && c.dcBot.Ready()
	})
	// Two customers per platform; the second Discord one is linked late,
	// the second Slack one never.
	var tks []*talk
	seen := map[core.PlatformName]int{}
	for _, tk := range c.convs {
		if seen[tk.platform] < 2 {
			seen[tk.platform]++
			tks = append(tks, tk)
		}
	}
	threads := map[*talk]core.Place{}
	convs := map[*talk]core.Conversation{}
	for _, tk := range tks {
		c.write(t, tk)
	}
	for _, tk := range tks {
		bottest.Eventually(t, 30*time.Second, "the desk thread", func() bool {
			conv, ok := s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat})
			convs[tk], threads[tk] = conv, conv.Desk
			return ok && conv.Desk.Thread != ""
		})
	}
	tg1, tg2, sl1, sl2, dc1, dc2 := tks[0], tks[1], tks[2], tks[3], tks[4], tks[5]
	c.staffSays(t, threads[tg1], "!incident new Card payments failing")
	var inc core.Incident
	bottest.Eventually(t, 30*time.Second, "the incident's thread in the Discord desk", func() bool {
		_ = s.Store.InTx(context.Background(), func(tx core.Tx) (err error) { inc, err = tx.Incident(1); return err })
		return inc.Desk.Thread != ""
	})
	if inc.Desk.Platform != core.Discord || inc.Desk.Chat != c.dcDesk.ID {
		t.Fatalf("incident thread at %+v, want in the Discord desk", inc.Desk)
	}
	for _, tk := range []*talk{tg2, sl1, dc1} {
		c.staffSays(t, threads[tk], "!incident 1")
	}
	linked := []*talk{tg1, tg2, sl1, dc1}
	bottest.Eventually(t, 30*time.Second, "four conversations linked", func() bool {
		var n int
		_ = s.Store.InTx(context.Background(), func(tx core.Tx) error {
			ls, err := tx.IncidentLinks(1)
			n = len(ls)
			return err
		})
		return n == 4
	})

	c.staffSays(t, inc.Desk, "// the bank says an hour")
	const update = "We know card payments fail right now and are fixing it."
	c.staffSays(t, inc.Desk, update)
	for _, tk := range linked {
		bottest.Eventually(t, 30*time.Second, "the update at a "+string(tk.platform)+" customer", func() bool {
			texts, _ := c.received(tk)
			return countContaining(texts, update) > 0
		})
	}
	// The desk line in each linked conversation's thread says it went.
	bottest.Eventually(t, 30*time.Second, "the sent line in a linked desk thread", func() bool {
		for _, m := range c.dc.BotMessages(threads[tg1].Thread) {
			if strings.Contains(m.Content, "Update from Alice Martin sent (incident #1)") {
				return true
			}
		}
		return false
	})
	// A late link gets the latest update at once.
	c.staffSays(t, threads[dc2], "!incident 1")
	bottest.Eventually(t, 30*time.Second, "the catch-up at the late Discord customer", func() bool {
		texts, _ := c.received(dc2)
		return countContaining(texts, update) > 0
	})
	linked = append(linked, dc2)
	// A personal reply to one keeps it open at resolve.
	c.staffSays(t, threads[tg2], "I refunded your order myself.")
	bottest.Eventually(t, 30*time.Second, "the personal reply", func() bool {
		texts, _ := c.received(tg2)
		return countContaining(texts, "refunded your order") > 0
	})
	const final = "All fixed: card payments work again."
	c.staffSays(t, inc.Desk, "!resolve "+final)
	for _, tk := range linked {
		bottest.Eventually(t, 30*time.Second, "the final message at a "+string(tk.platform)+" customer", func() bool {
			texts, _ := c.received(tk)
			return countContaining(texts, final) > 0
		})
	}
	for _, tk := range linked {
		texts, voices := c.received(tk)
		if n := countContaining(texts, update); n != 1 {
			t.Errorf("%s customer got the update %d times: %q", tk.platform, n, texts)
		}
		if n := countContaining(texts, "bank says"); n != 0 {
			t.Errorf("%s customer saw the note: %q", tk.platform, texts)
		}
		for i, text := range texts {
			if strings.Contains(text, update) && !strings.Contains(voices[i], "Alice Martin") {
				t.Errorf("%s customer's update speaks as %q, want Alice Martin", tk.platform, voices[i])
			}
		}
	}
	if texts, _ := c.received(sl2); countContaining(texts, update)+countContaining(texts, final) != 0 {
		t.Errorf("the unlinked customer got incident messages: %q", texts)
	}
	bottest.Eventually(t, 30*time.Second, "linked conversations closed, the one with a personal reply open", func() bool {
		for _, tk := range linked {
			conv, _ := s.Conversation(t, tk.platform, c.userOf(tk), core.Place{Platform: tk.platform, Chat: tk.chat})
			if want := tk != tg2; (conv.Status == core.StatusClosed) != want {
				return false
			}
		}
		return true
	})
	bottest.Eventually(t, 30*time.Second, "the incident card resolved with its delivery", func() bool {
		for _, m := range c.dc.BotMessages(c.dcDesk.ID) {
			if strings.Contains(m.Content, "Incident #1") {
				return strings.Contains(m.Content, "resolved") && strings.Contains(m.Content, "Delivery: 5 / 5 delivered")
			}
		}
		return false
	})
}
