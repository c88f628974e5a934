package relay

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"cornershop/core"
)

func cmdCard(c *invocation) (string, error) {
	contact, err := c.tx.Contact(c.conv.ContactID)
	if err != nil {
		return "", fmt.Errorf("load contact: %w", err)
	}
	card, err := c.s.fullCard(c.tx, c.conv, contact)
	if err != nil {
		return "", err
	}
	text := CardText(card)
	return text, errors.Join(c.s.systemNote(c.tx, c.conv, text), c.s.cardUpdate(c.tx, c.conv))
}

// CardText renders a contact card as plain text, for platforms and notes
// without richer layout.
func CardText(card core.ContactCard) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s", card.Name, card.Status)
	for _, id := range card.Identities {
		fmt.Fprintf(&b, "\n• %s: %s", id.Platform, firstNonEmpty(id.Handle, id.Name, id.UserID))
	}
	if card.Assignee != "" {
		fmt.Fprintf(&b, "\nAssigned to %s", card.Assignee)
	}
	if len(card.Tags) > 0 {
		fmt.Fprintf(&b, "\nTags: %s", strings.Join(card.Tags, ", "))
	}
	if card.Priority != 0 {
		fmt.Fprintf(&b, "\nPriority: %s", PriorityName(card.Priority))
	}
	for _, f := range card.Profile {
		fmt.Fprintf(&b, "\n%s: %s", f.Key, f.Value)
	}
	if !card.Since.IsZero() {
		fmt.Fprintf(&b, "\nCustomer since %s", card.Since.UTC().Format("2 Jan 2006"))
	}
	if !card.LastSeen.IsZero() {
		fmt.Fprintf(&b, "\nLast wrote %s", card.LastSeen.UTC().Format("2 Jan 2006 15:04 MST"))
	}
	fmt.Fprintf(&b, "\nEarlier conversations: %d", card.Previous)
	if ideas := card.IdeasSummary(); ideas != "" {
		fmt.Fprintf(&b, "\nIdeas: %s", ideas)
	}
	return b.String()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func cmdHistory(c *invocation) (string, error) {
	convs, err := c.tx.Conversations(c.conv.ContactID, 11)
	if err != nil {
		return "", fmt.Errorf("list conversations: %w", err)
	}
	var b strings.Builder
	b.WriteString("Earlier conversations:")
	n := 0
	for _, cv := range convs {
		if cv.ID == c.conv.ID {
			continue
		}
		n++
		fmt.Fprintf(&b, "\n• #%d %s, started %s on %s", cv.ID, cv.Status, cv.CreatedAt.UTC().Format("2 Jan 2006"), cv.Customer.Platform)
		if len(cv.Tags) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(cv.Tags, ", "))
		}
	}
	if n == 0 {
		b.WriteString(" none — this is the first.")
	}
	return b.String(), c.s.systemNote(c.tx, c.conv, b.String())
}

func cmdTranscript(c *invocation) (string, error) {
	ms, err := c.tx.Messages(c.conv.ID)
	if err != nil {
		return "", fmt.Errorf("list messages: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Transcript of conversation #%d:", c.conv.ID)
	for _, m := range ms {
		if m.Direction == core.System || m.Direction == core.Rejected {
			continue
		}
		fmt.Fprintf(&b, "\n[%s] %s (%s): %s", m.CreatedAt.UTC().Format("2006-01-02 15:04"), firstNonEmpty(m.AuthorName, m.Author), m.Direction, m.Text)
		if m.Deleted() {
			b.WriteString(" (deleted)")
		} else if m.Edited() {
			b.WriteString(" (edited)")
		}
	}
	if err := c.audit("transcript", ""); err != nil {
		return "", err
	}
	return b.String(), c.s.systemNote(c.tx, c.conv, b.String())
}

func cmdAudit(c *invocation) (string, error) {
	var entries []core.AuditEntry
	for _, obj := range []string{c.conv.ID.String(), c.conv.ContactID.String()} {
		es, err := c.tx.AuditEntries(obj, 20)
		if err != nil {
			return "", fmt.Errorf("read audit log: %w", err)
		}
		entries = append(entries, es...)
	}
	slices.SortFunc(entries, func(a, b core.AuditEntry) int { return a.At.Compare(b.At) })
	var b strings.Builder
	b.WriteString("Audit log:")
	for _, e := range entries {
		fmt.Fprintf(&b, "\n• %s %s %s %s", e.At.UTC().Format("2006-01-02 15:04"), e.Actor, e.Action, e.Object)
		if e.Detail != "" {
			b.WriteString(" — " + e.Detail)
		}
	}
	if len(entries) == 0 {
		b.WriteString(" empty.")
	}
	return b.String(), c.s.systemNote(c.tx, c.conv, b.String())
}

func cmdProfile(c *invocation) (string, error) {
	key, value, _ := strings.Cut(c.args, " ")
	key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
	if key == "" {
		fields, err := c.tx.ContactFields(c.conv.ContactID)
		if err != nil {
			return "", fmt.Errorf("load profile: %w", err)
		}
		var b strings.Builder
		b.WriteString("Profile:")
		for _, f := range fields {
			fmt.Fprintf(&b, "\n• %s: %s", f.Key, f.Value)
		}
		if len(fields) == 0 {
			fmt.Fprintf(&b, " empty. Add a field with %sprofile <field> <value>.", c.s.cfg.CommandPrefix)
		}
		return b.String(), c.s.systemNote(c.tx, c.conv, b.String())
	}
	if len(key) > maxFieldKey || len(value) > maxFieldValue {
		return "", errUsage
	}
	if err := c.tx.SetContactField(c.conv.ContactID, core.Field{Key: key, Value: value}, c.now); err != nil {
		return "", fmt.Errorf("set profile field: %w", err)
	}
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: "profile", Object: c.conv.ContactID.String(), Detail: key}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	msg := fmt.Sprintf("📇 %s set %s: %s", c.staff.Voice.Name, key, value)
	if value == "" {
		msg = fmt.Sprintf("📇 %s removed %s.", c.staff.Voice.Name, key)
	}
	if err := c.s.systemNote(c.tx, c.conv, msg); err != nil {
		return "", err
	}
	return msg, c.s.cardUpdate(c.tx, c.conv)
}
