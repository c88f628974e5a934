package relay

import (
	"fmt"
	"strings"

	"cornershop/core"
)

// Bounds of a !search answer.
const (
	searchContacts      = 5
	searchConversations = 8
	searchMessages      = 40
)

// cmdSearch finds contacts (by name, handle, profile) and conversations (by
// message text), newest first, each with a link to its desk thread.
func cmdSearch(c *invocation) (string, error) {
	if c.args == "" {
		return "", errUsage
	}
	contacts, err := c.tx.SearchContacts(core.SearchQuery{Text: c.args, Order: core.ByNewest, Limit: searchContacts})
	if err != nil {
		return "", fmt.Errorf("search contacts: %w", err)
	}
	hits, err := c.tx.SearchMessages(core.SearchQuery{Text: c.args, Order: core.ByNewest, Limit: searchMessages})
	if err != nil {
		return "", fmt.Errorf("search messages: %w", err)
	}
	var b strings.Builder
	if len(contacts) == 0 && len(hits) == 0 {
		fmt.Fprintf(&b, "🔎 Nothing matches %q.", c.args)
		return b.String(), c.s.systemNote(c.tx, c.conv, b.String())
	}
	fmt.Fprintf(&b, "🔎 %q", c.args)
	if len(contacts) > 0 {
		b.WriteString("\nContacts:")
	}
	for _, ct := range contacts {
		fmt.Fprintf(&b, "\n• contact #%d %s", ct.ID, ct.Name)
		for _, id := range ct.Identities {
			if id.Handle != "" {
				fmt.Fprintf(&b, " @%s", id.Handle)
			}
		}
		convs, err := c.tx.Conversations(ct.ID, 1)
		if err != nil {
			return "", fmt.Errorf("latest conversation: %w", err)
		}
		if len(convs) > 0 {
			fmt.Fprintf(&b, " — latest %s", c.s.convLink(convs[0]))
		}
	}
	shown := map[core.ConversationID]bool{}
	for _, h := range hits {
		if shown[h.Conversation.ID] || len(shown) == searchConversations {
			continue
		}
		if len(shown) == 0 {
			b.WriteString("\nConversations:")
		}
		shown[h.Conversation.ID] = true
		fmt.Fprintf(&b, "\n• %s, %s: “%s” — %s", c.s.convLink(h.Conversation), h.Conversation.Status,
			clip(strings.Join(strings.Fields(h.Message.Text), " "), 80), h.Message.CreatedAt.UTC().Format("2 Jan 2006"))
	}
	if err := c.audit("search", c.args); err != nil {
		return "", err
	}
	return b.String(), c.s.systemNote(c.tx, c.conv, b.String())
}

// convLink names a conversation, with a link to its desk thread where its
// desk platform can write one.
func (s *Service) convLink(cv core.Conversation) string {
	name := fmt.Sprintf("conversation #%d", cv.ID)
	if l, ok := s.platforms[cv.Desk.Platform].(core.ThreadLinker); ok && cv.Desk.Thread != "" {
		if url := l.ThreadLink(cv.Desk); url != "" {
			return name + " " + url
		}
	}
	return name
}
