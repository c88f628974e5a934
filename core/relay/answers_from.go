package relay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// answerFrom is `!answer from <message link> [title]` (moderators): a
// community member's recorded message becomes an answer crediting them,
// and they are thanked in the moderator's voice through the outbox. The
// link is read by the platform it belongs to (core.MessageLinker); the
// title defaults to the message's first line.
func answerFrom(c *invocation, rest string) (string, error) {
	if !c.staff.Can(core.RoleModerator) {
		return fmt.Sprintf("⛔ %sanswer from needs the %s role.", c.s.cfg.CommandPrefix, core.RoleModerator), nil
	}
	link, title, _ := strings.Cut(rest, " ")
	if link == "" {
		return "", errUsage
	}
	place, id, ok := c.s.parseLink(link)
	if !ok {
		return "That is not a message link I can read: paste the link from the message's menu (Copy link).", nil
	}
	ref, err := c.tx.RefByPlatformID(place.Platform, place.Chat, id)
	if errors.Is(err, core.ErrNotFound) {
		return "That message is not on record: cornershop only knows messages written where it listens.", nil
	}
	if err != nil {
		return "", fmt.Errorf("find linked message: %w", err)
	}
	m, err := c.tx.Message(ref.MessageID)
	if err != nil {
		return "", fmt.Errorf("load linked message: %w", err)
	}
	member, isContact := strings.CutPrefix(m.Author, "contact:")
	memberID, err := strconv.ParseInt(member, 10, 64)
	if !isContact || err != nil || m.Direction != core.Inbound || m.Deleted() || strings.TrimSpace(m.Text) == "" {
		return "Only a member's own message, with text, can become an answer.", nil
	}
	title = strings.TrimSpace(title)
	if title == "" {
		first, _, _ := strings.Cut(strings.TrimSpace(m.Text), "\n")
		title = clip(first, 80)
	}
	a, err := c.s.publish(c.tx, core.Answer{Title: title, Body: m.Text, Author: c.actor(), AuthorName: c.staff.Voice.Name,
		Credit: core.ContactID(memberID), CreditName: m.AuthorName, CreatedAt: c.now})
	if err != nil {
		return "", err
	}
	if err := c.s.thank(c.tx, c.staff, m, a); err != nil {
		return "", err
	}
	return c.answerAudit(a.ID, "answer.from", link, fmt.Sprintf("📚 %s published %s's reply as answer %d %q (/answers/%s); they were thanked.",
		c.staff.Voice.Name, m.AuthorName, a.ID, a.Title, a.Slug))
}

// parseLink asks each running platform that reads message links.
func (s *Service) parseLink(link string) (core.Place, string, bool) {
	link = strings.Trim(strings.TrimSpace(link), "<>")
	for _, p := range s.platforms {
		if l, ok := p.(core.MessageLinker); ok {
			if place, id, ok := l.ParseMessageLink(link); ok {
				return place, id, true
			}
		}
	}
	return core.Place{}, "", false
}

// thank queues, in the member's conversation, a reply in the moderator's
// voice saying their message became an answer, and notes it in that
// conversation's desk thread.
func (s *Service) thank(tx core.Tx, st core.Staff, m core.Message, a core.Answer) error {
	conv, err := tx.Conversation(m.ConversationID)
	if err != nil {
		return fmt.Errorf("load member's conversation: %w", err)
	}
	name, _, _ := strings.Cut(strings.TrimSpace(m.AuthorName), " ")
	if name == "" {
		name = "there"
	}
	text := fmt.Sprintf("Thank you, %s! Your reply was so helpful that it is now one of our answers, for everyone who asks the same: %q.", name, a.Title)
	thanks := core.Message{ConversationID: conv.ID, Direction: core.Reply, Author: "staff:" + string(st.ID), AuthorName: st.Voice.Name, Text: text, CreatedAt: s.now()}
	if err := tx.CreateMessage(&thanks); err != nil {
		return fmt.Errorf("record thanks: %w", err)
	}
	if err := s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:customer:%d", thanks.ID), ConversationID: conv.ID, MessageID: thanks.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: conv.Customer.Platform,
	}); err != nil {
		return err
	}
	return s.systemNote(tx, conv, fmt.Sprintf("🙏 %s made this reply answer %d %q and thanked %s.", st.Voice.Name, a.ID, a.Title, m.AuthorName))
}
