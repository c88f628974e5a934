package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/internal/chunk"
	"cornershop/core"
)

var statusEmoji = map[core.Status]string{core.StatusOpen: "🟢", core.StatusWaiting: "🟡", core.StatusClosed: "✅"}

func threadName(card core.ContactCard) string {
	return clip(fmt.Sprintf("%s %s · %s", statusEmoji[card.Status], firstNonEmpty(strings.TrimSpace(card.Name), "Customer"), card.Customer.Platform), maxThreadName)
}

// Card parts get a share of the embed's 6,000 characters each, so that
// the fixed fields always fit beside as many profile fields as the rest
// allows (fitEmbed leaves out the others).
const (
	cardAccounts = 1000
	cardTags     = 1000
	cardAssignee = 200
	cardName     = 200
	cardKey      = 100
	cardValue    = 300
)

// cardFixed is how many of the card's first fields are never left out.
const cardFixed = 4

// cardEmbed renders the contact card with its buttons, within Discord's
// limits whatever the contact holds.
func cardEmbed(card core.ContactCard) (*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	var ids []string
	for _, id := range card.Identities {
		ids = append(ids, fmt.Sprintf("%s: %s", id.Platform, text(firstNonEmpty(id.Handle, id.Name, id.UserID), cardName)))
	}
	assignee, tags := "nobody", "none"
	if card.Assignee != "" {
		assignee = text(card.Assignee, cardAssignee)
	}
	if len(card.Tags) > 0 {
		escaped := make([]string, len(card.Tags))
		for i, t := range card.Tags {
			escaped[i] = text(t, cardName)
		}
		tags = chunk.JoinFit(escaped, ", ", cardTags, chars, chunk.AndMore("tag", "tags"))
	}
	e := &discordgo.MessageEmbed{
		Title:       text(firstNonEmpty(card.Name, "Customer"), maxTitle),
		Description: fmt.Sprintf("%s %s · conversation #%d on %s", statusEmoji[card.Status], card.Status, card.Conversation, card.Customer.Platform),
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Accounts", Value: chunk.JoinFit(ids, "\n", cardAccounts, chars, chunk.AndMore("account", "accounts"))},
			{Name: "Assigned to", Value: assignee, Inline: true},
			{Name: "Tags", Value: tags, Inline: true},
			{Name: "Earlier conversations", Value: fmt.Sprint(card.Previous), Inline: true},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "Reply in this thread to answer · // for a note · !help for commands"},
	}
	if card.Due != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Response due", Value: text(card.Due, cardAssignee), Inline: true})
	}
	if card.Satisfaction != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Satisfaction", Value: text(card.Satisfaction, cardValue), Inline: true})
	}
	if card.Retention != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Retention", Value: text(card.Retention, cardValue), Inline: true})
	}
	for _, f := range card.Profile {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: text(f.Key, cardKey), Value: text(f.Value, cardValue), Inline: true})
	}
	if !card.LastSeen.IsZero() {
		e.Footer.Text = "Last wrote " + card.LastSeen.UTC().Format("2 Jan 15:04 MST") + " · " + e.Footer.Text
	}
	if !card.Since.IsZero() {
		e.Footer.Text = "Customer since " + card.Since.UTC().Format("2 Jan 2006") + " · " + e.Footer.Text
	}
	fitEmbed(e, cardFixed)
	toggle := discordgo.Button{Label: "Close", Style: discordgo.SuccessButton, CustomID: customID("close")}
	if card.Status == core.StatusClosed {
		toggle = discordgo.Button{Label: "Reopen", Style: discordgo.SecondaryButton, CustomID: customID("reopen")}
	}
	return e, fitComponents([]discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{toggle}}})
}

// OpenThread implements core.ThreadOpener: a thread started from the card
// in a desk channel, or a forum post whose first message is the card and
// whose tag shows the status.
func (b *Bot) OpenThread(ctx context.Context, desk core.Place, card core.ContactCard) (core.Thread, error) {
	embed, comps := cardEmbed(card)
	send := &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{embed}, Components: comps, AllowedMentions: noPings()}
	if b.o.DeskKind == "forum" {
		tags, err := b.statusTags(ctx, desk.Chat, card.Status)
		if err != nil {
			return core.Thread{}, err
		}
		th, err := b.s.ForumThreadStartComplex(desk.Chat, &discordgo.ThreadStart{Name: threadName(card), AutoArchiveDuration: 10080, AppliedTags: tags}, send, discordgo.WithContext(ctx))
		if err != nil {
			return core.Thread{}, b.classify("start forum post", err)
		}
		b.remember(th)
		return core.Thread{Place: core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: th.ID}, CardID: th.ID}, nil
	}
	// An earlier attempt may have posted the card (and started its thread)
	// before failing or before its process died: finish that one rather
	// than post a second card.
	msg, err := b.postedCard(ctx, desk.Chat, card.Conversation)
	if err != nil {
		return core.Thread{}, err
	}
	if msg == nil {
		if msg, err = b.s.ChannelMessageSendComplex(desk.Chat, send, discordgo.WithContext(ctx)); err != nil {
			return core.Thread{}, b.classify("post card", err)
		}
	}
	th, err := b.s.MessageThreadStartComplex(desk.Chat, msg.ID, &discordgo.ThreadStart{Name: threadName(card), AutoArchiveDuration: 10080}, discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil && re.Message.Code == 160004 {
		// The earlier attempt started it: a thread from a message shares its id.
		return core.Thread{Place: core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: msg.ID}, CardID: msg.ID}, nil
	}
	if err != nil {
		return core.Thread{}, b.classify("start thread", err)
	}
	b.remember(th)
	return core.Thread{Place: core.Place{Platform: core.Discord, Chat: desk.Chat, Thread: th.ID}, CardID: msg.ID}, nil
}

// postedCard finds the card of conversation among the bot's latest posts
// in a desk channel, nil when there is none.
func (b *Bot) postedCard(ctx context.Context, channel string, conv core.ConversationID) (*discordgo.Message, error) {
	msgs, err := b.history(ctx, channel, "")
	if err != nil {
		return nil, err
	}
	mark := fmt.Sprintf("· conversation #%d on ", conv)
	for _, m := range msgs {
		if m.Author != nil && m.Author.ID == b.self() && len(m.Embeds) > 0 && strings.Contains(m.Embeds[0].Description, mark) {
			return m, nil
		}
	}
	return nil, nil
}

// statusTags finds the forum tag named after a status (open, waiting,
// closed), if the forum has one.
func (b *Bot) statusTags(ctx context.Context, forum string, s core.Status) ([]string, error) {
	byName, err := b.forumTags(ctx, forum)
	if err != nil {
		return nil, err
	}
	if id, ok := byName[string(s)]; ok {
		return []string{id}, nil
	}
	return []string{}, nil
}

// forumTags maps a forum's available tags by lower-cased name to id
// (cached).
func (b *Bot) forumTags(ctx context.Context, forum string) (map[string]string, error) {
	b.mu.Lock()
	byName, ok := b.tags[forum]
	b.mu.Unlock()
	if ok {
		return byName, nil
	}
	ch, err := b.s.Channel(forum, discordgo.WithContext(ctx))
	if err != nil {
		return nil, b.classify("get forum", err)
	}
	byName = map[string]string{}
	for _, t := range ch.AvailableTags {
		byName[strings.ToLower(t.Name)] = t.ID
	}
	b.mu.Lock()
	b.tags[forum] = byName
	b.mu.Unlock()
	return byName, nil
}

// UpdateCard implements core.CardUpdater: the card is edited, the thread
// renamed with its status, tagged (forums), archived when closed.
func (b *Bot) UpdateCard(ctx context.Context, t core.Thread, card core.ContactCard) error {
	embed, comps := cardEmbed(card)
	// A thread started from the card shares the card's id but the card
	// lives in the desk channel; a forum post's card is the post's first
	// message, inside the post.
	cardChannel := t.Place.Chat
	if b.o.DeskKind == "forum" {
		cardChannel = t.Place.Thread
	}
	embeds := []*discordgo.MessageEmbed{embed}
	archived := card.Status == core.StatusClosed
	edit := &discordgo.ChannelEdit{Name: threadName(card), Archived: &archived}
	if b.o.DeskKind == "forum" {
		tags, err := b.statusTags(ctx, t.Place.Chat, card.Status)
		if err != nil {
			return err
		}
		edit.AppliedTags = &tags
	}
	editThread := func() error {
		if _, err := b.s.ChannelEditComplex(t.Place.Thread, edit, discordgo.WithContext(ctx)); err != nil {
			return b.classify("edit thread", err)
		}
		return nil
	}
	// Discord refuses edits inside an archived thread (50083): unarchive
	// before touching a forum post's card, archive only after.
	if !archived {
		if err := editThread(); err != nil {
			return err
		}
	}
	if _, err := b.s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: t.CardID, Channel: cardChannel, Embeds: &embeds, Components: &comps, AllowedMentions: noPings()}, discordgo.WithContext(ctx)); err != nil {
		return b.classify("edit card", err)
	}
	if archived {
		return editThread()
	}
	return nil
}
