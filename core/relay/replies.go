package relay

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cornershop/core"
)

// lastReply finds the newest reply in the conversation that matches keep.
func lastReply(c *invocation, keep func(m core.Message, ds []core.Delivery) bool) (core.Message, []core.Delivery, bool, error) {
	ms, err := c.tx.Messages(c.conv.ID)
	if err != nil {
		return core.Message{}, nil, false, fmt.Errorf("list messages: %w", err)
	}
	for _, m := range slices.Backward(ms) {
		if m.Direction != core.Reply {
			continue
		}
		ds, err := c.tx.Deliveries(m.ID)
		if err != nil {
			return core.Message{}, nil, false, fmt.Errorf("list deliveries: %w", err)
		}
		if keep(m, ds) {
			return m, ds, true, nil
		}
	}
	return core.Message{}, nil, false, nil
}

func pendingSend(ds []core.Delivery) (core.Delivery, bool) {
	for _, d := range ds {
		if d.Op == core.OpSend && d.Side == core.CustomerSide && d.State == core.DeliveryPending {
			return d, true
		}
	}
	return core.Delivery{}, false
}

func cmdUndo(c *invocation) (string, error) {
	mine := "staff:" + string(c.staff.ID)
	m, ds, ok, err := lastReply(c, func(m core.Message, ds []core.Delivery) bool {
		d, pending := pendingSend(ds)
		return m.Author == mine && pending && d.NextAttemptAt.After(c.now)
	})
	if err != nil {
		return "", err
	}
	if !ok {
		msg := "Nothing to take back: your last reply has already left."
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	d, _ := pendingSend(ds)
	if err := c.tx.FinishDelivery(d.ID, core.DeliveryCancelled, "cancelled by "+mine, c.now); err != nil {
		return "", fmt.Errorf("cancel delivery: %w", err)
	}
	if err := c.tx.UpdateMessage(m.ID, core.MessagePatch{DeletedAt: &c.now}); err != nil {
		return "", fmt.Errorf("withdraw reply: %w", err)
	}
	if err := c.audit("undo", fmt.Sprintf("message#%d", m.ID)); err != nil {
		return "", err
	}
	msg := fmt.Sprintf("↩️ Taken back before it left: %q", clip(m.Text, 80))
	return msg, c.s.systemNote(c.tx, c.conv, msg)
}

func cmdRetry(c *invocation) (string, error) {
	m, _, ok, err := lastReply(c, func(_ core.Message, ds []core.Delivery) bool {
		return len(ds) > 0 && ds[len(ds)-1].Op == core.OpSend && ds[len(ds)-1].State == core.DeliveryFailed
	})
	if err != nil {
		return "", err
	}
	if !ok {
		msg := "No failed reply to send again."
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	if err := c.s.enqueue(c.tx, core.Delivery{
		Key: fmt.Sprintf("send:customer:%d:retry:%d", m.ID, c.now.UnixNano()), ConversationID: c.conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: c.conv.Customer.Platform,
	}); err != nil {
		return "", err
	}
	if err := c.audit("retry", fmt.Sprintf("message#%d", m.ID)); err != nil {
		return "", err
	}
	msg := fmt.Sprintf("🔁 Sending again: %q", clip(m.Text, 80))
	return msg, c.s.systemNote(c.tx, c.conv, msg)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// snippets merges the configured snippets with those saved from the chat
// (which win).
func (c *invocation) snippets() (map[string]string, error) {
	saved, err := c.tx.Snippets()
	if err != nil {
		return nil, fmt.Errorf("load snippets: %w", err)
	}
	all := maps.Clone(c.s.cfg.Snippets)
	if all == nil {
		all = map[string]string{}
	}
	maps.Copy(all, saved)
	return all, nil
}

func cmdSnippet(c *invocation) (string, error) {
	all, err := c.snippets()
	if err != nil {
		return "", err
	}
	if c.args == "" {
		msg := "Snippets: " + orNone(slices.Sorted(maps.Keys(all)))
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	name, extra, _ := strings.Cut(c.args, " ")
	name = strings.ToLower(name)
	switch name {
	case "add", "set", "remove", "rm":
		return manageSnippet(c, name, strings.TrimSpace(extra))
	}
	tmpl, ok := all[name]
	if !ok {
		return "", errUsage
	}
	contact, err := c.tx.Contact(c.conv.ContactID)
	if err != nil {
		return "", fmt.Errorf("load contact: %w", err)
	}
	text := renderSnippet(tmpl, contact, c.staff, c.s.cfg.Team)
	if extra = strings.TrimSpace(extra); extra != "" {
		text += "\n" + extra
	}
	if err := c.audit("snippet", name); err != nil {
		return "", err
	}
	return "Sent.", c.s.reply(c.tx, c.conv, c.staff, c.event, text, false)
}

// manageSnippet adds, changes or removes a snippet; admins only.
func manageSnippet(c *invocation, verb, rest string) (string, error) {
	if !c.staff.Can(core.RoleAdmin) {
		msg := "⛔ Managing snippets needs the admin role."
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	name, text, _ := strings.Cut(rest, " ")
	name, text = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(text)
	if name == "" || len(name) > 40 || (verb != "remove" && verb != "rm" && text == "") {
		msg := fmt.Sprintf("Usage: %ssnippet add <name> <text with {contact.first_name}, {staff.first_name}, {team.name}> — or %ssnippet remove <name>", c.s.cfg.CommandPrefix, c.s.cfg.CommandPrefix)
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	if verb == "remove" || verb == "rm" {
		text = ""
	}
	if err := c.tx.SaveSnippet(name, text, c.actor(), c.now); err != nil {
		return "", fmt.Errorf("save snippet: %w", err)
	}
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: "snippet_" + verb, Object: "snippet:" + name}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	msg := fmt.Sprintf("📎 Snippet %q saved by %s.", name, c.staff.Voice.Name)
	if text == "" {
		msg = fmt.Sprintf("📎 Snippet %q removed by %s.", name, c.staff.Voice.Name)
	}
	return msg, c.s.systemNote(c.tx, c.conv, msg)
}

// renderSnippet fills a snippet's variables. Unknown variables stay as
// written, so a typo shows rather than vanishing.
func renderSnippet(tmpl string, contact core.Contact, st core.Staff, team core.Voice) string {
	first := func(name string) string {
		f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
		return f
	}
	return strings.NewReplacer(
		"{contact.name}", contact.Name,
		"{contact.first_name}", first(contact.Name),
		"{staff.name}", st.Voice.Name,
		"{staff.first_name}", first(st.Voice.Name),
		"{staff.title}", st.Voice.Title,
		"{team.name}", team.Name,
	).Replace(tmpl)
}
