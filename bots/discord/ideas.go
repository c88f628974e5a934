package discord

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// Idea cards: an embed with the idea's number, title, status, votes and
// the team's latest word, and a vote button whose custom_id is
// "cornershop:vote:<n>". On a board forum the post carries the status as
// an applied tag named after it ("Planned", "Under review"), when the
// forum has one.

// ideaColor gives each status a colour on the card.
var ideaColor = map[core.IdeaStatus]int{
	core.IdeaNew: 0x5865F2, core.IdeaUnderReview: 0xFEE75C, core.IdeaPlanned: 0x3BA55C, core.IdeaInProgress: 0xEB8C1A,
	core.IdeaDone: 0x57F287, core.IdeaDeclined: 0xED4245, core.IdeaDuplicate: 0x99AAB5,
}

// hiddenText replaces a hidden idea's card.
const hiddenText = "This idea was hidden by a moderator."

// ideaCard renders an idea's card and its vote button. Hidden and merged
// ideas get no button (an empty, non-nil list removes it on edit).
func ideaCard(i core.Idea) (*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	none := []discordgo.MessageComponent{}
	if i.Hidden {
		return &discordgo.MessageEmbed{Title: fmt.Sprintf("💡 #%d", i.ID), Description: hiddenText, Color: ideaColor[core.IdeaDuplicate]}, none
	}
	e := &discordgo.MessageEmbed{
		Title: fmt.Sprintf("💡 #%d %s", i.ID, text(i.Title, maxTitle-16)),
		Color: ideaColor[i.Status],
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Status", Value: i.Status.Emoji() + " " + i.Status.Label(), Inline: true},
			{Name: "Votes", Value: fmt.Sprint(i.Votes), Inline: true},
			{Name: "Comments", Value: fmt.Sprint(i.Comments), Inline: true},
		},
	}
	if i.Body != "" {
		e.Description = text(i.Body, 1000)
	}
	if i.Message != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "From the team", Value: text(i.Message, maxFieldValue)})
	}
	if i.AuthorName != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: "Proposed by " + clip(i.AuthorName, maxAuthor)}
	}
	if i.MergedInto != 0 {
		e.Description = fmt.Sprintf("Merged into #%d — vote there.", i.MergedInto)
		fitEmbed(e, 0)
		return e, none
	}
	fitEmbed(e, 0)
	vote := discordgo.Button{Label: fmt.Sprintf("👍 Vote (%d)", i.Votes), Style: discordgo.PrimaryButton, CustomID: voteID(i.ID)}
	return e, fitComponents([]discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{vote}}})
}

// voteID is the custom_id of an idea's vote button; parseCustomID reads it
// back as the action "vote" with the idea's number.
func voteID(id core.IdeaID) string { return customID("vote", fmt.Sprint(int64(id))) }

// statusTag finds the forum tag for a status: its label ("Under review")
// or its name ("under_review"), case-insensitively; byName is keyed by
// lower-cased tag name.
func statusTag(byName map[string]string, s core.IdeaStatus) (string, bool) {
	for _, n := range []string{strings.ToLower(s.Label()), string(s)} {
		if id, ok := byName[n]; ok {
			return id, true
		}
	}
	return "", false
}

// maxAppliedTags is how many tags a forum post may carry.
const maxAppliedTags = 5

// ideaTags is a post's applied tags with the status tag set: tags of other
// statuses removed, everyone's other tags kept in their order.
func ideaTags(applied []string, byName map[string]string, s core.IdeaStatus) []string {
	statusIDs := map[string]bool{}
	for _, st := range core.IdeaStatuses {
		if id, ok := statusTag(byName, st); ok {
			statusIDs[id] = true
		}
	}
	want, hasWant := statusTag(byName, s)
	out := []string{}
	for _, id := range applied {
		if (!statusIDs[id] || (hasWant && id == want)) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if hasWant && !slices.Contains(out, want) {
		out = append(out[:min(len(out), maxAppliedTags-1)], want)
	}
	return out
}

// PostIdea implements core.IdeaBoard: the card goes into the forum post
// (tagged with the status first, so a retry never posts a second card),
// into a board thread, or into a channel or DM where /idea was typed. On a
// forum without a post (an idea made by staff) it opens a post of its own.
func (b *Bot) PostIdea(ctx context.Context, place core.Place, idea core.Idea) (core.Thread, error) {
	embed, comps := ideaCard(idea)
	send := &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{embed}, Components: comps, AllowedMentions: noPings()}
	_, typ, _, err := b.channel(ctx, place.Chat)
	if err != nil {
		return core.Thread{}, err
	}
	switch {
	case typ == discordgo.ChannelTypeGuildForum && place.Thread == "":
		return b.postIdeaForum(ctx, place, idea, send)
	case typ == discordgo.ChannelTypeGuildForum:
		if err := b.prepareIdeaPost(ctx, place, idea); err != nil {
			return core.Thread{}, err
		}
	case place.Thread != "":
		if _, _, _, err := b.channel(ctx, place.Thread); err != nil {
			// A board text channel: the idea's thread grows from its message.
			if place.Thread, err = b.threadUnder(ctx, place.Chat, place.Thread, idea.Title); err != nil {
				return core.Thread{}, err
			}
		}
	}
	msg, err := b.s.ChannelMessageSendComplex(target(place), send, discordgo.WithContext(ctx))
	if err != nil {
		return core.Thread{}, b.classify("post idea card", err)
	}
	return core.Thread{Place: place, CardID: msg.ID}, nil
}

// postIdeaForum opens a forum post whose first message is the card.
func (b *Bot) postIdeaForum(ctx context.Context, forum core.Place, idea core.Idea, send *discordgo.MessageSend) (core.Thread, error) {
	byName, err := b.forumTags(ctx, forum.Chat)
	if err != nil {
		return core.Thread{}, err
	}
	start := &discordgo.ThreadStart{Name: clip(firstNonEmpty(idea.Title, fmt.Sprintf("Idea #%d", idea.ID)), 100),
		AutoArchiveDuration: 10080, AppliedTags: ideaTags(nil, byName, idea.Status)}
	th, err := b.s.ForumThreadStartComplex(forum.Chat, start, send, discordgo.WithContext(ctx))
	if err != nil {
		return core.Thread{}, b.classify("start idea post", err)
	}
	b.remember(th)
	return core.Thread{Place: core.Place{Platform: core.Discord, Chat: forum.Chat, Thread: th.ID}, CardID: th.ID}, nil
}

// hiddenName is a hidden idea's post title: its own title may be what got
// it hidden.
func hiddenName(id core.IdeaID) string { return fmt.Sprintf("Hidden idea #%d", id) }

// prepareIdeaPost readies a forum post for the card: unarchived (Discord
// refuses edits inside an archived thread), tagged with the status and
// named after the idea's title (a moderator may retitle it), in one
// request and only when something changes. A hidden idea's post is
// renamed and locked (UpdateIdea archives it after the card); a post
// hidden that way is unlocked when the idea is shown again. The post is
// read afresh: members change tags too.
func (b *Bot) prepareIdeaPost(ctx context.Context, post core.Place, idea core.Idea) error {
	th, err := b.s.Channel(post.Thread, discordgo.WithContext(ctx))
	if err != nil {
		return b.classify("get idea post", err)
	}
	byName, err := b.forumTags(ctx, post.Chat)
	if err != nil {
		return err
	}
	edit := &discordgo.ChannelEdit{}
	changed := false
	if tags := ideaTags(th.AppliedTags, byName, idea.Status); !slices.Equal(tags, th.AppliedTags) {
		edit.AppliedTags, changed = &tags, true
	}
	meta := th.ThreadMetadata
	if meta == nil {
		meta = &discordgo.ThreadMetadata{}
	}
	if meta.Archived {
		no := false
		edit.Archived, changed = &no, true
	}
	name := clip(strings.TrimSpace(idea.Title), 100)
	wasHidden := strings.TrimSpace(th.Name) == hiddenName(idea.ID)
	if wasHidden && name == "" {
		name = fmt.Sprintf("Idea #%d", idea.ID)
	}
	switch {
	case idea.Hidden:
		name = hiddenName(idea.ID)
		if !meta.Locked {
			yes := true
			edit.Locked, changed = &yes, true
		}
	case wasHidden && meta.Locked:
		no := false
		edit.Locked, changed = &no, true
	}
	if name != "" && name != strings.TrimSpace(th.Name) {
		edit.Name, changed = name, true
	}
	if !changed {
		return nil
	}
	updated, err := b.s.ChannelEditComplex(post.Thread, edit, discordgo.WithContext(ctx))
	if err != nil {
		return b.classify("edit idea post", err)
	}
	b.remember(updated)
	return nil
}

// UpdateIdea implements core.IdeaBoard: a forum post is unarchived, tagged
// with the status and named after the title, then the card is edited; a
// hidden idea's post is renamed, locked and archived.
func (b *Bot) UpdateIdea(ctx context.Context, t core.Thread, idea core.Idea) error {
	_, typ, _, err := b.channel(ctx, t.Place.Chat)
	if err != nil {
		return err
	}
	if typ == discordgo.ChannelTypeGuildForum && t.Place.Thread != "" {
		if err := b.prepareIdeaPost(ctx, t.Place, idea); err != nil {
			return err
		}
	}
	embed, comps := ideaCard(idea)
	embeds := []*discordgo.MessageEmbed{embed}
	edit := &discordgo.MessageEdit{ID: t.CardID, Channel: target(t.Place), Embeds: &embeds, Components: &comps, AllowedMentions: noPings()}
	if _, err := b.s.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx)); err != nil {
		return b.classify("edit idea card", err)
	}
	if typ == discordgo.ChannelTypeGuildForum && t.Place.Thread != "" && idea.Hidden {
		// Out of the forum's active posts, locked against replies.
		yes := true
		updated, err := b.s.ChannelEditComplex(t.Place.Thread, &discordgo.ChannelEdit{Archived: &yes}, discordgo.WithContext(ctx))
		if err != nil {
			return b.classify("archive hidden idea post", err)
		}
		b.remember(updated)
	}
	return nil
}

// DirectPlace implements core.DirectOpener: the DM channel with userID,
// opened if need be (Discord returns the existing one).
func (b *Bot) DirectPlace(ctx context.Context, userID string) (core.Place, error) {
	ch, err := b.s.UserChannelCreate(userID, discordgo.WithContext(ctx))
	if err != nil {
		return core.Place{}, b.classify("open DM", err)
	}
	b.remember(ch)
	return core.Place{Platform: core.Discord, Chat: ch.ID}, nil
}
