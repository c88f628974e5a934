package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
)

// selfHelp is the demo's self-help scene: Alice publishes an answer from
// the Slack desk in one step; a new Telegram customer asks the same and is
// offered it before anyone answers; "This solved it" closes the
// conversation as self-served, and the desk sees all of it.
func (d *demo) selfHelp(ctx context.Context) error {
	d.scene("6. Self-help: an answer published from the desk solves a new customer's question")
	root, _ := d.slackThread()
	const publish = "!answer add Where is my parcel? — Parcels leave within two days. Track yours under Orders › Track; write to us if it has not moved for three days."
	if _, err := d.sl.Post(d.slDesk.ID, d.alice, publish, root); err != nil {
		return err
	}
	d.say("[Slack thread] Alice:", publish)
	if err := waitFor(ctx, "the publication", func() bool { return d.slackSays(root, "published answer 1") }); err != nil {
		return err
	}
	d.say("[Slack thread] cornershop:", lastMatching(d.sl.BotMessages(d.slDesk.ID, root), "published answer 1"))

	const ask = "Hello, where is my parcel? I ordered a week ago."
	if _, err := d.tg.SendText(d.fay.ID, 0, d.fay, ask); err != nil {
		return err
	}
	d.say("[Telegram] Fay writes:", ask)
	var offer telegramfake.Message
	if err := waitFor(ctx, "the suggestion", func() bool {
		for _, m := range d.tg.BotMessages(d.fay.ID, 0) {
			if len(m.ReplyMarkup) > 0 {
				offer = m
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	buttons := keyboardButtons(offer.ReplyMarkup)
	labels := make([]string, len(buttons))
	for i, b := range buttons {
		labels[i] = "[" + b.Text + "]"
	}
	d.say("[Telegram] Fay sees:", offer.Text+"\n"+strings.Join(labels, " "))
	var read, solved string
	for _, b := range buttons {
		switch {
		case strings.HasPrefix(b.Data, "act:answer:"):
			read = b.Data
		case strings.HasPrefix(b.Data, "act:solved:"):
			solved = b.Data
		}
	}
	if read == "" || solved == "" {
		return fmt.Errorf("demo: the suggestion lacks its buttons: %s", offer.ReplyMarkup)
	}
	if _, err := d.tg.Press(d.fay.ID, offer.ID, d.fay, read); err != nil {
		return err
	}
	if err := waitFor(ctx, "the answer in the chat", func() bool { return d.tgSays(d.fay.ID, "Track yours under Orders") }); err != nil {
		return err
	}
	d.say("[Telegram] Fay reads:", lastText(d.tg.BotMessages(d.fay.ID, 0)))
	if _, err := d.tg.Press(d.fay.ID, offer.ID, d.fay, solved); err != nil {
		return err
	}
	d.say("[Telegram] Fay taps:", "[✅ This solved it]")
	thread := d.threadOf("Fay")
	if err := waitFor(ctx, "the self-served close in the desk", func() bool {
		thread = d.threadOf("Fay")
		return thread != "" && d.slackSays(thread, "self-served")
	}); err != nil {
		return err
	}
	for _, m := range d.sl.BotMessages(d.slDesk.ID, thread) {
		if strings.Contains(m.Text, "Suggested to the customer") || strings.Contains(m.Text, "self-served") {
			d.say("[Slack, Fay's thread] bot:", m.Text)
		}
	}
	d.say("", "(nobody on the team had to answer)")
	return nil
}

// threadOf returns the root ts of the Slack desk thread whose card names
// who, "" until there is one.
func (d *demo) threadOf(who string) string {
	for _, m := range d.sl.BotMessages(d.slDesk.ID, "") {
		if m.ThreadTS == "" && strings.Contains(m.Text, who) {
			return m.TS
		}
	}
	return ""
}

// lastMatching is the text of the last message containing s.
func lastMatching(ms []slackfake.Message, s string) string {
	out := ""
	for _, m := range ms {
		if strings.Contains(m.Text, s) {
			out = m.Text
		}
	}
	return out
}

// tgButton is an inline keyboard button as Telegram sends it.
type tgButton struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// keyboardButtons lists an inline keyboard's buttons in order.
func keyboardButtons(markup json.RawMessage) []tgButton {
	var kb struct {
		Rows [][]tgButton `json:"inline_keyboard"`
	}
	_ = json.Unmarshal(markup, &kb) // a message without a keyboard has no buttons
	var out []tgButton
	for _, r := range kb.Rows {
		out = append(out, r...)
	}
	return out
}
