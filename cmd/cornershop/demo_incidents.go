package main

import (
	"context"
	"fmt"
	"strings"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
)

// incident is the demo's incident scene: Alice opens an incident from
// Fay's Slack desk thread, Bob links Dana's conversation from the
// Telegram desk and Alice Erin's from the Discord desk; one update in the
// incident's Slack thread reaches all three customers in Alice's voice,
// and resolving it sends the final message and closes the conversations.
func (d *demo) incident(ctx context.Context) error {
	d.scene("7. An incident: three customers on three platforms, one update, resolved")
	fayThread := d.slackRoot("Fay")
	topics := d.tg.Topics(d.tgDesk.ID)
	erinThreads := d.dc.Threads(d.dcDesk.ID)
	if fayThread == "" || len(topics) == 0 || len(erinThreads) == 0 {
		return fmt.Errorf("demo: the desk threads of Fay, Dana and Erin are missing")
	}
	steps := []struct {
		who, line string
		post      func(string) error
	}{
		{"[Slack thread of Fay] Alice:", "!incident new Card payments failing", func(s string) error {
			_, err := d.sl.Post(d.slDesk.ID, d.alice, s, fayThread)
			return err
		}},
		{"[Telegram topic of Dana] Bob:", "!incident 1", func(s string) error {
			_, err := d.tg.SendText(d.tgDesk.ID, topics[0].ThreadID, d.bob, s)
			return err
		}},
		{"[Discord thread of Erin] Alice:", "!incident 1", func(s string) error {
			_, err := d.dc.Send(erinThreads[0].ID, d.dcAlice, s)
			return err
		}},
	}
	for i, st := range steps {
		if err := st.post(st.line); err != nil {
			return err
		}
		d.say(st.who, st.line)
		if i == 0 {
			if err := waitFor(ctx, "the incident's thread", func() bool { return d.slackRoot("Incident #1") != "" }); err != nil {
				return err
			}
		}
	}
	var root string
	if err := waitFor(ctx, "the incident's thread with three linked", func() bool {
		root = d.slackRoot("Incident #1")
		return root != "" && strings.Contains(d.slackRootText("Incident #1"), "3 customer(s)")
	}); err != nil {
		return err
	}
	d.say("[Slack #support-desk] card:", d.slackRootText("Incident #1"))
	const update = "Card payments fail right now; we are on it and expect a fix within the hour."
	if _, err := d.sl.Post(d.slDesk.ID, d.alice, update, root); err != nil {
		return err
	}
	d.say("[Slack incident thread] Alice:", update)
	dana, erin := d.danaThread(), d.erinThread()
	if err := waitFor(ctx, "the update at the three customers", func() bool {
		return d.tgSays(d.fay.ID, "Card payments fail") && lastSlack(d.sl.BotMessages(d.shared.ID, dana), "Card payments fail") != "" &&
			lastDiscord(d.dc.BotMessages(erin), "Card payments fail") != ""
	}); err != nil {
		return err
	}
	d.say("[Telegram] Fay sees:", lastText(d.tg.BotMessages(d.fay.ID, 0)))
	d.say("[Slack thread] Dana sees:", lastSlack(d.sl.BotMessages(d.shared.ID, dana), "Card payments fail"))
	d.say("[Discord thread] Erin sees:", lastDiscord(d.dc.BotMessages(erin), "Card payments fail"))
	const final = "All fixed: card payments work again. Sorry for the trouble!"
	if _, err := d.sl.Post(d.slDesk.ID, d.alice, "!resolve "+final, root); err != nil {
		return err
	}
	d.say("[Slack incident thread] Alice:", "!resolve "+final)
	if err := waitFor(ctx, "the resolution", func() bool {
		return d.tgSays(d.fay.ID, "All fixed") && lastDiscord(d.dc.BotMessages(erin), "All fixed") != "" &&
			lastSlack(d.sl.BotMessages(d.shared.ID, dana), "All fixed") != "" && d.slackSays(root, "resolved by Alice Martin") &&
			strings.Contains(d.slackRootText("Incident #1"), "3 / 3 delivered")
	}); err != nil {
		return err
	}
	for _, m := range d.sl.BotMessages(d.slDesk.ID, root) {
		if strings.Contains(m.Text, "resolved by Alice Martin") {
			d.say("[Slack incident thread] cornershop:", m.Text)
		}
	}
	d.say("[Slack #support-desk] card:", d.slackRootText("Incident #1"))
	return nil
}

// slackRoot returns the ts of the first root post in the Slack desk
// containing text ("" for none); slackRootText its text.
func (d *demo) slackRoot(text string) string {
	for _, m := range d.sl.BotMessages(d.slDesk.ID, "") {
		if m.ThreadTS == "" && strings.Contains(m.Text, text) {
			return m.TS
		}
	}
	return ""
}

func (d *demo) slackRootText(text string) string {
	for _, m := range d.sl.BotMessages(d.slDesk.ID, "") {
		if m.ThreadTS == "" && strings.Contains(m.Text, text) {
			return m.Text
		}
	}
	return ""
}

// danaThread is the Slack Connect thread under Dana's first message;
// erinThread the Discord community thread under Erin's.
func (d *demo) danaThread() string {
	for _, m := range d.sl.Messages(d.shared.ID, "") {
		if m.User == d.dana.ID {
			return m.TS
		}
	}
	return ""
}

func (d *demo) erinThread() string {
	for _, m := range d.dc.Messages(d.dcSupport.ID) {
		if m.Author.ID == d.erin.ID {
			return m.ID
		}
	}
	return ""
}

func lastSlack(ms []slackfake.Message, text string) string {
	out := ""
	for _, m := range ms {
		if strings.Contains(m.Text, text) {
			out = fmt.Sprintf("%s: %s", slackAuthor(m), m.Text)
		}
	}
	return out
}

func lastDiscord(ms []discordfake.Message, text string) string {
	out := ""
	for _, m := range ms {
		if strings.Contains(m.Content, text) {
			out = fmt.Sprintf("%s: %s", m.Username, m.Content)
		}
	}
	return out
}
