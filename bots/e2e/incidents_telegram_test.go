package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// storedIncident reads incident n from the stack's store (the zero
// incident while it does not exist).
func storedIncident(s *bottest.Stack, n core.IncidentID) core.Incident {
	var inc core.Incident
	_ = s.Store.InTx(context.Background(), func(tx core.Tx) (err error) { inc, err = tx.Incident(n); return err })
	return inc
}

// TestIncidentOnATelegramDesk: the desk is a Telegram forum supergroup.
// Customers on Telegram, Slack and Discord write; staff type "!incident
// new" in the Telegram customer's topic and "!incident 1" in the others';
// the incident opens its own forum topic with its card; an update typed
// in that topic reaches each linked customer once, in Alice's voice (on
// Telegram the signature line), and a note does not; "!incident resolve"
// sends the final message, closes the conversations without a personal
// reply, keeps the one with a reply open, and closes the topic. A
// Telegram status group and a Discord status channel each get one post,
// edited in place.
func TestIncidentOnATelegramDesk(t *testing.T) {
	w := newWorld(t)
	tgStatus := w.tg.AddSupergroup("Status", true)
	dcStatus := w.dc.AddTextChannel(w.dc.AddGuild("Acme Status", w.dcStaff).ID, "status")
	d := tgDesk{w}
	alice := core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin"}, Roles: []core.Role{core.RoleAgent},
		Identities: map[core.PlatformName]string{core.Telegram: d.staffID()}}
	cfg := relay.Config{Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour,
		NotePrefix: "//", CommandPrefix: "!", Desks: []relay.Desk{{Name: "desk", Place: d.channel()}}, Staff: []core.Staff{alice}}
	cfg.Incidents.Broadcast = []core.Place{
		{Platform: core.Telegram, Chat: strconv.FormatInt(tgStatus.ID, 10)},
		{Platform: core.Discord, Chat: dcStatus.ID},
	}
	s := bottest.Start(t, cfg, w.platforms()...)
	bottest.Eventually(t, 20*time.Second, "the service connected to all three platforms", func() bool {
		return w.tgBot.Ready() && w.slBot.Ready() && w.dcBot.Ready()
	})

	custs := []customer{tgCustomer{w}, slCustomer{w}, dcCustomer{w}}
	threads := map[core.PlatformName]core.Place{}
	for _, c := range custs {
		c.writes(t, "my card payment failed twice??")
	}
	for _, c := range custs {
		bottest.Eventually(t, wait, "the "+string(c.platform())+" customer's topic", func() bool {
			conv, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
			threads[c.platform()] = conv.Desk
			return ok && conv.Desk.Thread != ""
		})
	}
	d.staffWrites(t, threads[core.Telegram], "!incident new Card payments failing")
	var inc core.Incident
	bottest.Eventually(t, wait, "the incident's topic", func() bool {
		inc = storedIncident(s, 1)
		return inc.Desk.Thread != ""
	})
	if inc.Desk.Platform != core.Telegram || inc.Desk.Chat != d.channel().Chat || topic(inc.Desk) == 0 {
		t.Fatalf("incident thread at %+v, want a topic in the Telegram forum desk", inc.Desk)
	}
	for _, th := range threads {
		if th.Thread == inc.Desk.Thread {
			t.Fatalf("the incident shares topic %s with a conversation", th.Thread)
		}
	}
	// The topic is named after the incident and opens with its card.
	var named bool
	for _, tp := range w.tg.Topics(w.tgDesk.ID) {
		named = named || (tp.ThreadID == topic(inc.Desk) && strings.Contains(tp.Name, "Incident #1") && strings.Contains(tp.Name, "Card payments failing"))
	}
	if !named {
		t.Errorf("no topic named after the incident: %+v", w.tg.Topics(w.tgDesk.ID))
	}
	card := func() string {
		ms := w.tg.BotMessages(w.tgDesk.ID, topic(inc.Desk))
		if len(ms) == 0 {
			return ""
		}
		return ms[0].Text
	}
	bottest.Eventually(t, wait, "the incident's card first in its topic", func() bool {
		return strings.Contains(card(), "Incident #1") && strings.Contains(card(), "Linked: 1 customer(s)")
	})

	d.staffWrites(t, threads[core.Slack], "!incident 1")
	d.staffWrites(t, threads[core.Discord], "!incident 1")
	bottest.Eventually(t, wait, "three conversations linked, on the card", func() bool {
		return strings.Contains(card(), "Linked: 3 customer(s)")
	})

	defer func() {
		if t.Failed() {
			for p, th := range threads {
				t.Logf("the %s customer's topic says:\n%s", p, d.says(t, th))
			}
			t.Logf("the incident's topic says:\n%s", d.says(t, inc.Desk))
		}
	}()
	d.staffWrites(t, inc.Desk, "// the bank says an hour")
	const update = "We know card payments fail right now and are fixing it."
	d.staffWrites(t, inc.Desk, update)
	for _, c := range custs {
		bottest.Eventually(t, wait, "the update at the "+string(c.platform())+" customer", func() bool {
			return countContaining(c.sees(t), update) > 0
		})
	}
	// A personal reply keeps the Discord customer's conversation open at
	// resolve.
	d.staffWrites(t, threads[core.Discord], "I refunded your order myself.")
	bottest.Eventually(t, wait, "the personal reply", func() bool {
		return countContaining(custs[2].sees(t), "refunded your order") > 0
	})

	const final = "All fixed: card payments work again."
	d.staffWrites(t, threads[core.Telegram], "!incident resolve "+final)
	for _, c := range custs {
		bottest.Eventually(t, wait, "the final message at the "+string(c.platform())+" customer", func() bool {
			return countContaining(c.sees(t), final) > 0
		})
	}
	for _, c := range custs {
		seen := c.sees(t)
		if n := countContaining(seen, update); n != 1 {
			t.Errorf("%s customer got the update %d times: %q", c.platform(), n, seen)
		}
		if n := countContaining(seen, final); n != 1 {
			t.Errorf("%s customer got the final message %d times: %q", c.platform(), n, seen)
		}
		if n := countContaining(seen, "bank says"); n != 0 {
			t.Errorf("%s customer saw the note: %q", c.platform(), seen)
		}
		for _, m := range seen {
			if strings.Contains(m, update) && !strings.HasPrefix(m, "Alice Martin") {
				t.Errorf("%s customer's update does not speak as Alice Martin: %q", c.platform(), m)
			}
			if c.platform() == core.Telegram && strings.Contains(m, update) && m != "Alice Martin\n"+update {
				t.Errorf("the Telegram update is %q, want the signature line then the text", m)
			}
		}
	}
	bottest.Eventually(t, wait, "the conversations without a personal reply closed, the other open", func() bool {
		for _, c := range custs {
			conv, _ := s.Conversation(t, c.platform(), c.userID(), c.place())
			if want := c.platform() != core.Discord; (conv.Status == core.StatusClosed) != want {
				return false
			}
		}
		return true
	})
	bottest.Eventually(t, wait, "the card resolved with its delivery, the topic closed", func() bool {
		closed := false
		for _, tp := range w.tg.Topics(w.tgDesk.ID) {
			closed = closed || (tp.ThreadID == topic(inc.Desk) && tp.Closed && strings.Contains(tp.Name, "resolved"))
		}
		return closed && strings.Contains(card(), "resolved") && strings.Contains(card(), "Delivery: 3 / 3 delivered")
	})

	// Each linked conversation's topic says the update went. The lines
	// are bulk, and all topics share the forum's budget (Telegram: 20
	// messages a minute in a group), which the cards, messages and
	// commands above have spent: they may take a minute or two.
	for p, th := range threads {
		bottest.Eventually(t, 3*time.Minute, "the sent line in the "+string(p)+" customer's topic", func() bool {
			return strings.Contains(d.says(t, th), "Update from Alice Martin sent (incident #1)")
		})
	}
	if w.tg.Violations() != 0 {
		t.Errorf("%d calls inside a Telegram retry-after window", w.tg.Violations())
	}

	hasBoth := func(text string) bool {
		return strings.Contains(text, "resolved") && strings.Contains(text, "card payments work again") && strings.Contains(text, "are fixing it")
	}
	bottest.Eventually(t, wait, "the Telegram status post edited in place with both messages", func() bool {
		ms := w.tg.BotMessages(tgStatus.ID, 0)
		return len(ms) == 1 && ms[0].Edited && hasBoth(ms[0].Text)
	})
	bottest.Eventually(t, wait, "the Discord status post edited in place with both messages", func() bool {
		ms := w.dc.BotMessages(dcStatus.ID)
		return len(ms) == 1 && ms[0].Edited && hasBoth(ms[0].Content)
	})
	if ms := w.tg.BotMessages(tgStatus.ID, 0); len(ms) != 1 {
		t.Errorf("the Telegram status group has %d posts, want one edited in place", len(ms))
	}
	if ms := w.dc.BotMessages(dcStatus.ID); len(ms) != 1 {
		t.Errorf("the Discord status channel has %d posts, want one edited in place", len(ms))
	}
}
